//! The WASM API gives the same results as `tollgate check` on the same file with the same
//! `tollgate.toml`: every migration file of the examples and fixtures, linted both ways.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            if name != "node_modules" {
                files(&p, out);
            }
        } else if [".sql", ".ts", ".js"].iter().any(|e| name.ends_with(e))
            && !name.starts_with("mikro-orm.config")
            && !name.starts_with("anonymize")
        {
            out.push(p);
        }
    }
}

/// Every migration-like file of the examples and fixtures, sorted.
fn all_migration_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut all = Vec::new();
    for dir in [
        "examples",
        "tests/fixtures/layouts",
        "tests/fixtures/typescript",
    ] {
        files(&root.join(dir), &mut all);
    }
    all.sort();
    all
}

/// What both sides must agree on, per finding.
fn key(f: &Value) -> String {
    format!(
        "{} {} {}:{}-{}:{} utf16 {}-{} {}",
        f["rule"].as_str().unwrap(),
        f["severity"].as_str().unwrap(),
        f["line"],
        f["column"],
        f["end_line"],
        f["end_column"],
        f["column_utf16"],
        f["end_column_utf16"],
        f["message"].as_str().unwrap()
    )
}

/// The findings of a JSON report as sorted keys.
fn keys(report: &Value) -> Vec<String> {
    let mut k: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    k.sort();
    k
}

#[test]
fn lint_matches_the_cli_on_every_example_and_fixture() {
    let all = all_migration_files();
    assert!(all.len() > 80, "{}", all.len());
    let mut compared = 0;
    for file in &all {
        let dir = file.parent().unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        // The same policy file the CLI finds (none in these trees: the defaults) is given to lint.
        let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .args(["check", &name, "--format", "json"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let cli: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(_) => panic!(
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            ),
        };
        if cli["migrations"].as_array().unwrap().is_empty() {
            continue; // not a migration on its own (a seed, a helper module)
        }
        let text = std::fs::read_to_string(file).unwrap();
        let report = tollgate_wasm::api::lint(&text, &name, None).unwrap();
        let wasm = serde_json::to_value(&report).unwrap();
        let (a, b) = (keys(&cli), keys(&wasm));
        assert_eq!(a, b, "{}", file.display());
        let classes = |r: &Value| -> Vec<String> {
            r["migrations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| format!("{} {}", m["id"], m["class"]))
                .collect()
        };
        assert_eq!(classes(&cli), classes(&wasm), "{}", file.display());
        compared += 1;
    }
    assert!(compared > 60, "only {compared} files compared");
}

#[test]
fn the_same_tollgate_toml_gives_the_same_findings() {
    let policy = "fail_on = \"warning\"\npostgres_version = 11\n[rules]\ndrop-column = \"off\"\nlock-timeout-missing = \"warning\"\n";
    let sql = "ALTER TABLE members DROP COLUMN fax;\nALTER TABLE members ADD COLUMN n int NOT NULL DEFAULT 0;\nALTER TYPE mood ADD VALUE 'meh';\nCREATE INDEX i ON members (email);\n";
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "tollgate.toml", policy);
    common::write(dir.path(), "db/000002_change.up.sql", sql);
    common::write(dir.path(), "db/000002_change.down.sql", "SELECT 1;\n");
    let out = common::tollgate(
        &dir.path().join("db"),
        &["check", "000002_change.up.sql", "--format", "json"],
    );
    let cli = common::json(&out);
    let report = tollgate_wasm::api::lint(sql, "000002_change.up.sql", Some(policy)).unwrap();
    let wasm = serde_json::to_value(&report).unwrap();
    let (a, b) = (keys(&cli), keys(&wasm));
    assert!(!a.iter().any(|k| k.starts_with("drop-column")));
    assert!(
        a.iter()
            .any(|k| k.starts_with("lock-timeout-missing warning")),
        "{a:#?}"
    );
    // The down file is not part of a one-file lint: the CLI was given the up file alone too.
    assert_eq!(a, b);
}

/// The directory whose files make one history: the parent, or the grandparent for the layouts
/// with one directory per migration (diesel, Prisma).
fn history_root(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap();
    let name = file.file_name().unwrap().to_string_lossy();
    if ["up.sql", "down.sql", "migration.sql"].contains(&name.as_ref()) {
        parent.parent().unwrap().to_path_buf()
    } else {
        parent.to_path_buf()
    }
}

#[test]
fn lint_files_matches_the_cli_on_every_history() {
    let all = all_migration_files();
    let mut histories: std::collections::BTreeMap<PathBuf, Vec<String>> = Default::default();
    for file in &all {
        let dir = history_root(file);
        let rel = file
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        histories.entry(dir).or_default().push(rel);
    }
    let mut compared = 0;
    for (dir, mut rels) in histories {
        rels.sort();
        // The CLI given exactly these files, as a hook or an editor would give them to lintFiles.
        let mut args = vec!["check".to_string(), "--format".into(), "json".into()];
        args.extend(rels.iter().cloned());
        let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .args(&args)
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "{}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        if cli["migrations"].as_array().unwrap().is_empty() {
            continue;
        }
        let files: Vec<tollgate_wasm::api::SourceFile> = rels
            .iter()
            .map(|r| tollgate_wasm::api::SourceFile {
                path: r.clone(),
                source: std::fs::read_to_string(dir.join(r)).unwrap(),
            })
            .collect();
        let report = tollgate_wasm::api::lint_files(&files, None).unwrap();
        let wasm = serde_json::to_value(&report).unwrap();
        assert_eq!(keys(&cli), keys(&wasm), "{}", dir.display());
        let order = |r: &Value| -> Vec<String> {
            r["migrations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| format!("{} {} {}", m["id"], m["class"], m["down_class"]))
                .collect()
        };
        assert_eq!(order(&cli), order(&wasm), "{}", dir.display());
        compared += 1;
    }
    assert!(compared > 10, "only {compared} histories compared");
}
