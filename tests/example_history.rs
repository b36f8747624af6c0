//! The bundled examples (examples/sql-history and the MikroORM monorepo): every migration's
//! class and every finding, pinned as snapshots that reviewers read like code.

use std::process::Command;

#[test]
fn example_history_report() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args([
            "check",
            "examples/sql-history/migrations",
            "--format",
            "json",
        ])
        .current_dir(root)
        .output()
        .expect("run tollgate");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut text = String::new();
    for m in v["migrations"].as_array().unwrap() {
        text.push_str(&format!(
            "{} {} down={}\n",
            m["id"].as_str().unwrap(),
            m["class"].as_str().unwrap(),
            !m["down"].is_null()
        ));
    }
    text.push('\n');
    for f in v["findings"].as_array().unwrap() {
        text.push_str(&format!(
            "{}:{}:{} {} {} {}\n",
            f["path"].as_str().unwrap().rsplit('/').next().unwrap(),
            f["line"],
            f["column"],
            f["severity"].as_str().unwrap(),
            f["rule"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        ));
    }
    insta::assert_snapshot!(text);
    assert!(v["migrations"].as_array().unwrap().len() >= 30);
}

/// The MikroORM monorepo: migrations found by content under apps/api/src/migrations, and the
/// production start command followed through the Dockerfile and package.json scripts.
#[test]
fn monorepo_report() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["check", "examples/monorepo", "--format", "json"])
        .current_dir(root)
        .output()
        .expect("run tollgate");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut text = String::new();
    for m in v["migrations"].as_array().unwrap() {
        text.push_str(&format!(
            "{} {} {} down={}\n",
            m["id"].as_str().unwrap(),
            m["class"].as_str().unwrap(),
            m["transaction"].as_str().unwrap(),
            !m["down"].is_null()
        ));
    }
    text.push('\n');
    let mut rules = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        rules.push(f["rule"].as_str().unwrap().to_string());
        text.push_str(&format!(
            "{}:{}:{} {} {} {}\n",
            f["path"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["severity"].as_str().unwrap(),
            f["rule"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        ));
    }
    insta::assert_snapshot!(text);
    for expected in [
        "missing-down",
        "mikro-orm-all-or-nothing",
        "unanalysable-sql",
        "drop-column",
        "schema-sync-at-startup",
        "migration-failure-ignored",
    ] {
        assert!(
            rules.iter().any(|r| r == expected),
            "{expected} missing from {rules:?}"
        );
    }
}
