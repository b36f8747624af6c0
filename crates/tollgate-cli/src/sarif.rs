//! SARIF 2.1.0 for GitHub code scanning (`tollgate check --format sarif`, and the file
//! `tollgate ci` writes for `github/codeql-action/upload-sarif`).
//!
//! One run, tollgate as the driver with every rule (short description, full description, help as
//! text and markdown from the rule's page, the page's URL), one result per finding with a
//! 1-based region in UTF-16 columns, and a `partialFingerprints` entry that does not change when
//! the statement moves to another line.

use serde_json::{json, Value};
use tollgate_core::model::{Level, Severity};
use tollgate_core::policy::Policy;
use tollgate_core::report::{Finding, Report};
use tollgate_core::rules::{doc_url, RULES};

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn page(id: &str) -> Option<&'static str> {
    RULE_DOCS
        .binary_search_by(|(k, _)| (*k).cmp(id))
        .ok()
        .map(|i| RULE_DOCS[i].1)
}

/// The first paragraph under the page's first `##` heading: what the rule catches.
fn full_description(page: &str) -> Option<String> {
    let mut lines = page.lines().skip_while(|l| !l.starts_with("## "));
    lines.next()?;
    let para: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

/// Markdown to plain text, roughly: SARIF's `help.text` is shown where markdown is not.
fn plain(markdown: &str) -> String {
    markdown.replace("**", "").replace('`', "")
}

/// `PascalCase` of a kebab id, for `reportingDescriptor.name`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn rule_descriptor(id: &str, summary: &str, class: Option<&str>, default: &str) -> Value {
    let url = doc_url(id);
    let doc = page(id);
    let full = doc
        .and_then(full_description)
        .unwrap_or_else(|| summary.to_string());
    let markdown = doc.unwrap_or(summary);
    let mut tags = vec!["migration".to_string(), "postgresql".to_string()];
    if let Some(c) = class {
        tags.push(c.to_string());
    }
    json!({
        "id": id,
        "name": pascal(id),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": plain(&full), "markdown": full },
        "help": { "text": format!("{}\n\n{url}", plain(markdown)), "markdown": markdown },
        "helpUri": url,
        "defaultConfiguration": { "level": default },
        "properties": { "tags": tags, "precision": "high" },
    })
}

/// A stable identity for a result across line moves.
fn fingerprint(f: &Finding) -> String {
    tollgate_github::fingerprint([
        f.rule.as_str(),
        f.path.as_str(),
        f.migration.as_deref().unwrap_or(""),
        f.direction.as_str(),
        f.message.as_str(),
    ])
}

pub fn sarif(report: &Report, policy: &Policy) -> Value {
    let policy_level = |id: &str| match policy.level(id) {
        Level::Off => "none",
        Level::Info => "note",
        Level::Warning => "warning",
        Level::Error => "error",
    };
    let mut rules: Vec<Value> = Vec::new();
    let mut index: Vec<String> = Vec::new();
    for r in RULES {
        index.push(r.meta.id.to_string());
        rules.push(rule_descriptor(
            r.meta.id,
            r.meta.summary,
            r.meta.class.map(|c| c.as_str()),
            policy_level(r.meta.id),
        ));
    }
    // Findings of rules outside the registry (dump guard, history, verify) get a descriptor too.
    for f in &report.findings {
        if !index.iter().any(|i| i == &f.rule) {
            index.push(f.rule.clone());
            let summary = f.rule.replace('-', " ");
            rules.push(rule_descriptor(
                &f.rule,
                &summary,
                f.class.map(|c| c.as_str()),
                level(f.severity),
            ));
        }
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = index.iter().position(|i| i == &f.rule).unwrap_or(0);
            let mut text = f.message.clone();
            if !f.help.is_empty() {
                text.push_str("\nhelp: ");
                text.push_str(&f.help);
            }
            let mut physical = json!({
                "artifactLocation": { "uri": tollgate_github::url_path(&f.path), "uriBaseId": "%SRCROOT%" },
            });
            if f.line > 0 {
                let mut region = json!({
                    "startLine": f.line,
                    "startColumn": f.column_utf16.max(1),
                });
                let end_line = f.end_line.max(f.line);
                region["endLine"] = json!(end_line);
                if end_line > f.line || f.end_column_utf16 > f.column_utf16.max(1) {
                    region["endColumn"] = json!(f.end_column_utf16.max(1));
                }
                physical["region"] = region;
            }
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [ { "physicalLocation": physical } ],
                "partialFingerprints": { "tollgateFindingHash/v1": fingerprint(f) },
                "properties": {
                    "direction": f.direction.as_str(),
                },
            });
            if let Some(c) = f.class {
                result["properties"]["class"] = json!(c.as_str());
            }
            if let Some(m) = &f.migration {
                result["properties"]["migration"] = json!(m);
            }
            result
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": "tollgate",
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": "https://github.com/tollgate-dev/tollgate",
                "rules": rules,
            } },
            "columnKind": "utf16CodeUnits",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root." } } },
            "results": results,
        } ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_rule_has_its_page_embedded() {
        for r in RULES {
            let p = page(r.meta.id).unwrap_or_else(|| panic!("no docs/rules/{}.md", r.meta.id));
            assert!(
                full_description(p).is_some(),
                "{}: no first section",
                r.meta.id
            );
        }
    }

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("drop-column"), "DropColumn");
        assert_eq!(tollgate_github::url_path("db/m 1#.sql"), "db/m%201%23.sql");
        assert_eq!(
            full_description(
                "# x\n\n**Class:** a\n\n## What it catches\n\n`DROP` of a\ntable.\n\n## Why"
            )
            .as_deref(),
            Some("`DROP` of a table.")
        );
    }
}
