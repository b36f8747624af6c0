//! The bundled examples (examples/sql-history and the MikroORM monorepo): every migration's
//! class and every finding, pinned as snapshots that reviewers read like code.

use std::process::Command;

fn run(path: &str) -> serde_json::Value {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["check", path, "--format", "json"])
        .current_dir(root)
        .output()
        .expect("run tollgate");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One line per migration (id, class, transaction, down) and one per finding.
fn render(v: &serde_json::Value, with_transaction: bool, full_paths: bool) -> String {
    let mut text = String::new();
    for m in v["migrations"].as_array().unwrap() {
        let tx = if with_transaction {
            format!(" {}", m["transaction"].as_str().unwrap())
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{} {}{tx} down={}\n",
            m["id"].as_str().unwrap(),
            m["class"].as_str().unwrap(),
            !m["down"].is_null()
        ));
    }
    text.push('\n');
    for f in v["findings"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let path = if full_paths {
            path
        } else {
            path.rsplit('/').next().unwrap()
        };
        text.push_str(&format!(
            "{}:{}:{} {} {} {}\n",
            path,
            f["line"],
            f["column"],
            f["severity"].as_str().unwrap(),
            f["rule"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        ));
    }
    text
}

#[test]
fn example_history_report() {
    let v = run("examples/sql-history/migrations");
    insta::assert_snapshot!(render(&v, false, false));
    assert!(v["migrations"].as_array().unwrap().len() >= 30);
}

/// The MikroORM monorepo: migrations found by content under apps/api/src/migrations, and the
/// production start command followed through the Dockerfile and package.json scripts.
#[test]
fn monorepo_report() {
    let v = run("examples/monorepo");
    insta::assert_snapshot!(render(&v, true, true));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for expected in [
        "missing-down",
        "mikro-orm-all-or-nothing",
        "unanalysable-sql",
        "rename-as-drop-add",
        "schema-sync-at-startup",
        "migration-failure-ignored",
    ] {
        assert!(
            rules.contains(&expected),
            "{expected} missing from {rules:?}"
        );
    }
}
