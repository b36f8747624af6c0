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
    json_to_js(|out| serde_json::to_writer(out, value))
}

/// A report, the large and frequent result (`lint` on every keystroke), through
/// `tollgate-wasm-json`: the same serde_json output, but compiled at opt-level 3 inside this
/// size-tuned module, where writing the JSON took a quarter of a `lint()`.
fn report_to_js(report: &tollgate_core::report::Report) -> Result<JsValue, JsValue> {
    json_to_js(|out| tollgate_wasm_json::report(report, out))
}

fn json_to_js(
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<JsValue, JsValue> {
    thread_local! {
        /// The size of the last result: the next one (the same file, one keystroke later) is
        /// written into a buffer that size, instead of growing one from empty.
        static LAST_LEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    let mut json = Vec::with_capacity(LAST_LEN.get() + LAST_LEN.get() / 8);
    write(&mut json).map_err(|e| js_error(&format!("cannot convert the result: {e}")))?;
    LAST_LEN.set(json.len());
    Ok(js_json_parse(&json))
}

fn js_error(message: &str) -> JsValue {
    js_sys_error(message)
}

#[wasm_bindgen(
    inline_js = "export function tollgate_error(m) { return new Error(m); }\nconst utf8 = new TextDecoder(); export function tollgate_json(b) { return JSON.parse(utf8.decode(b)); }"
)]
extern "C" {
    #[wasm_bindgen(js_name = tollgate_error)]
    fn js_sys_error(message: &str) -> JsValue;
    #[wasm_bindgen(js_name = tollgate_json)]
    fn js_json_parse(json: &[u8]) -> JsValue;
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
    let options: LintOptions = if options.is_undefined() || options.is_null() {
        LintOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| js_error(&format!("lint options: {e}; expected {{ path, policy }}")))?
    };
    let report =
        api::lint(source, &options.path, options.policy.as_deref()).map_err(|e| js_error(&e))?;
    report_to_js(&report)
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
    let files: Vec<api::SourceFile> = serde_wasm_bindgen::from_value(files).map_err(|e| {
        js_error(&format!(
            "lintFiles: {e}; expected an array of {{ path, source }}"
        ))
    })?;
    let options: LintFilesOptions = if options.is_undefined() || options.is_null() {
        LintFilesOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| js_error(&format!("lintFiles options: {e}; expected {{ policy }}")))?
    };
    let report = api::lint_files(&files, options.policy.as_deref()).map_err(|e| js_error(&e))?;
    report_to_js(&report)
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
