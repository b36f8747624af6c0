//! Embeds the rule pages (docs/rules/<id>.md) so SARIF output carries each rule's full help.
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut pages: Vec<(String, String)> = Vec::new();
    // No silent empty list: a build that cannot read the pages must fail, not ship SARIF
    // without its rules' help (a build directory reused from another checkout did that).
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the rule pages in {}: {e}", dir.display()));
    {
        for e in entries.flatten() {
            let path = e.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(id) = name.strip_suffix(".md") {
                if id != "README" {
                    pages.push((
                        id.to_string(),
                        path.canonicalize()
                            .unwrap_or(path.clone())
                            .display()
                            .to_string(),
                    ));
                }
            }
        }
    }
    assert!(
        !pages.is_empty(),
        "no rule pages (*.md) in {}",
        dir.display()
    );
    for (_, path) in &pages {
        println!("cargo:rerun-if-changed={path}");
    }
    pages.sort();
    let mut out = String::from("/// `(rule id, docs/rules/<id>.md)`, sorted by id.\npub static RULE_DOCS: &[(&str, &str)] = &[\n");
    for (id, path) in &pages {
        let _ = writeln!(out, "    ({id:?}, include_str!({path:?})),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("write rule_docs.rs");
}
