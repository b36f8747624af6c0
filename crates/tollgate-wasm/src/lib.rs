//! tollgate in JavaScript: `lint`, `classify`, `rules` and `version` through wasm-bindgen.
//!
//! Values cross the boundary as plain JS objects (maps as objects, never `Map`). Bad input
//! returns an `Error` whose message names the problem; nothing panics across the boundary.

pub mod api;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// A result as a plain JS object: serialized to one JSON string and read by `JSON.parse` on
/// the JS side. Building the same objects value by value through serde-wasm-bindgen crossed
/// the boundary for every field and string of every statement and finding, which cost more than
/// the analysis itself on a large migration. The values are the same: every result is
/// JSON-compatible (strings, integers, booleans, null, arrays, objects with string keys).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(value)
        .map_err(|e| js_error(&format!("cannot convert the result: {e}")))?;
    Ok(js_json_parse(&json))
}

fn js_error(message: &str) -> JsValue {
    js_sys_error(message)
}


#[wasm_bindgen(
    inline_js = "export function tollgate_error(m) { return new Error(m); }\nexport function tollgate_json(s) { return JSON.parse(s); }\nexport function tollgate_stringify(v) { return v === undefined || v === null ? undefined : JSON.stringify(v); }"
)]
extern "C" {
    #[wasm_bindgen(js_name = tollgate_error)]
    fn js_sys_error(message: &str) -> JsValue;
    #[wasm_bindgen(js_name = tollgate_json)]
    fn js_json_parse(json: &str) -> JsValue;
    #[wasm_bindgen(js_name = tollgate_stringify, catch)]
    fn js_json_stringify(value: &JsValue) -> Result<Option<String>, JsValue>;
}

/// An argument read the way results are written: as JSON text (`JSON.stringify` on the JS
/// side, serde_json here). `undefined` and `null` give `None`. The arguments are small (options,
/// a list of files), and this keeps a second value converter out of the module.
fn from_js<T: serde::de::DeserializeOwned>(
    value: &JsValue,
    what: &str,
    hint: &str,
) -> Result<Option<T>, JsValue> {
    let text = js_json_stringify(value).map_err(|_| {
        js_error(&format!(
            "{what}: cannot be read as JSON (a cycle or a BigInt?); {hint}"
        ))
    })?;
    match text {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| js_error(&format!("{what}: {}; {hint}", json_error(&e)))),
    }
}

/// serde_json's message without its "at line 1 column N" (the text was made by
/// `JSON.stringify`, not written by the caller).
fn json_error(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LintOptions {
    path: String,
    policy: Option<String>,
}

fn install_panic_hook() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}

/// `lint(source, { path, policy })`: the report of one migration file (findings, migrations
/// with their statements and classes, summary, notices). `policy` is the text of a
/// `tollgate.toml`.
#[wasm_bindgen]
pub fn lint(source: &str, options: JsValue) -> Result<JsValue, JsValue> {
    install_panic_hook();
    let options: LintOptions =
        from_js(&options, "lint options", "expected { path, policy }")?.unwrap_or_default();
    let report =
        api::lint(source, &options.path, options.policy.as_deref()).map_err(|e| js_error(&e))?;
    to_js(&report)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LintFilesOptions {
    policy: Option<String>,
}

/// `lintFiles([{ path, source }, …], { policy })`: several files linted as one project, the way
/// `tollgate check` reads them from disk (an `.up.sql` with its `.down.sql`, a history in its
/// tool's order).
#[wasm_bindgen(js_name = lintFiles)]
pub fn lint_files(files: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    install_panic_hook();
    const FILES: &str = "expected an array of { path, source }";
    let files: Vec<api::SourceFile> = from_js(&files, "lintFiles", FILES)?
        .ok_or_else(|| js_error(&format!("lintFiles: no files given; {FILES}")))?;
    let options: LintFilesOptions =
        from_js(&options, "lintFiles options", "expected { policy }")?.unwrap_or_default();
    let report = api::lint_files(&files, options.policy.as_deref()).map_err(|e| js_error(&e))?;
    to_js(&report)
}

/// `classify(sql)`: the statements with their classes, and the class of the whole.
#[wasm_bindgen]
pub fn classify(sql: &str) -> Result<JsValue, JsValue> {
    install_panic_hook();
    to_js(&api::classify(sql).map_err(|e| js_error(&e))?)
}

/// `rules(policy?)`: every rule with its class, severity under the policy, description and
/// documentation link.
#[wasm_bindgen]
pub fn rules(policy: Option<String>) -> Result<JsValue, JsValue> {
    install_panic_hook();
    to_js(&api::rules(policy.as_deref()).map_err(|e| js_error(&e))?)
}

#[wasm_bindgen]
pub fn version() -> String {
    api::version().to_string()
}
