//! The JavaScript-facing API under Node, through wasm-bindgen-test:
//! `cargo test -p tollgate-wasm --target wasm32-unknown-unknown` with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner` (scripts/test.sh).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn options(path: &str, policy: Option<&str>) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"path".into(), &path.into()).unwrap();
    if let Some(p) = policy {
        Reflect::set(&o, &"policy".into(), &p.into()).unwrap();
    }
    o.into()
}

fn findings(report: &JsValue) -> Vec<JsValue> {
    get(report, "findings")
        .dyn_into::<Array>()
        .unwrap()
        .iter()
        .collect()
}

#[wasm_bindgen_test]
fn lint_returns_plain_objects_with_positions() {
    let r = tollgate_wasm::lint(
        "ALTER TABLE members DROP COLUMN fax;\n",
        options("db/000002_drop.up.sql", None),
    )
    .unwrap();
    // A plain object (JSON-compatible), not a Map.
    assert!(r.is_object() && !r.is_instance_of::<js_sys::Map>());
    let f = findings(&r)
        .into_iter()
        .find(|f| get(f, "rule").as_string().as_deref() == Some("drop-column"))
        .expect("drop-column");
    assert_eq!(get(&f, "line").as_f64(), Some(1.0));
    assert_eq!(get(&f, "column_utf16").as_f64(), Some(1.0));
    assert!(get(&f, "doc_url")
        .as_string()
        .unwrap()
        .ends_with("drop-column.md"));
}

#[wasm_bindgen_test]
fn the_policy_turns_a_rule_off_and_a_bad_one_is_an_error() {
    let sql = "ALTER TABLE members DROP COLUMN fax;\n";
    let r = tollgate_wasm::lint(
        sql,
        options("m.sql", Some("[rules]\ndrop-column = \"off\"\n")),
    )
    .unwrap();
    assert!(findings(&r)
        .iter()
        .all(|f| get(f, "rule").as_string().as_deref() != Some("drop-column")));
    let e = tollgate_wasm::lint(sql, options("m.sql", Some("[rules\n"))).unwrap_err();
    assert!(e.is_instance_of::<js_sys::Error>());
    let message: String = e.dyn_into::<js_sys::Error>().unwrap().message().into();
    assert!(message.starts_with("tollgate.toml"), "{message}");
    assert!(
        tollgate_wasm::lint(sql, JsValue::UNDEFINED).is_err(),
        "no path"
    );
    assert!(
        tollgate_wasm::lint(sql, JsValue::from(42)).is_err(),
        "not an object"
    );
}

#[wasm_bindgen_test]
fn utf16_columns_count_surrogate_pairs() {
    let sql = "-- 😀\nALTER TABLE \"😀\" DROP COLUMN fax;\n";
    let r = tollgate_wasm::lint(sql, options("m.sql", None)).unwrap();
    let f = findings(&r)
        .into_iter()
        .find(|f| get(f, "rule").as_string().as_deref() == Some("drop-column"))
        .unwrap();
    let end = get(&f, "end_column").as_f64().unwrap();
    let end16 = get(&f, "end_column_utf16").as_f64().unwrap();
    assert_eq!(end16, end + 1.0, "the emoji is two UTF-16 units");
}

#[wasm_bindgen_test]
fn classify_rules_version() {
    let c = tollgate_wasm::classify("CREATE TABLE t (id int); DROP TABLE old_t;").unwrap();
    assert_eq!(get(&c, "class").as_string().as_deref(), Some("destructive"));
    let rules: Array = tollgate_wasm::rules(None).unwrap().dyn_into().unwrap();
    assert!(rules.length() > 40);
    assert!(!tollgate_wasm::version().is_empty());
}

#[wasm_bindgen_test]
fn lint_files_takes_an_array_of_files() {
    let file = |path: &str, source: &str| -> JsValue {
        let o = Object::new();
        Reflect::set(&o, &"path".into(), &path.into()).unwrap();
        Reflect::set(&o, &"source".into(), &source.into()).unwrap();
        o.into()
    };
    let files = Array::new();
    files.push(&file(
        "db/000002_drop.up.sql",
        "ALTER TABLE members DROP COLUMN fax;\n",
    ));
    files.push(&file(
        "db/000002_drop.down.sql",
        "ALTER TABLE members ADD COLUMN fax text;\n",
    ));
    let r = tollgate_wasm::lint_files(files.into(), JsValue::UNDEFINED).unwrap();
    let rules: Vec<String> = findings(&r)
        .iter()
        .filter_map(|f| get(f, "rule").as_string())
        .collect();
    assert!(rules.iter().any(|r| r == "drop-column"), "{rules:?}");
    assert!(!rules.iter().any(|r| r == "missing-down"), "{rules:?}");
    let e = tollgate_wasm::lint_files(JsValue::from("nope"), JsValue::UNDEFINED).unwrap_err();
    assert!(e.is_instance_of::<js_sys::Error>());
}
