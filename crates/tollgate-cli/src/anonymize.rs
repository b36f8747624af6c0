//! `tollgate anonymize-check`: does the anonymisation script mask every personal column of the
//! schema the migrations build?

use std::io::Write;
use std::path::PathBuf;

use tollgate_core::anonymize::{self, Gap, ScriptProblem};
use tollgate_core::pii::PiiPolicy;

use crate::error::CliError;

#[derive(serde::Serialize)]
struct Output<'a> {
    script: String,
    personal_columns: usize,
    gaps: &'a [Gap],
    problems: Vec<Problem>,
    passed: bool,
}

#[derive(serde::Serialize)]
struct Problem {
    line: usize,
    table: Option<String>,
    column: Option<String>,
    message: String,
}

/// Runs the check; `Ok(1)` when a personal column is not covered.
pub fn run(
    script: Option<PathBuf>,
    config: Option<PathBuf>,
    paths: Vec<PathBuf>,
    json: bool,
) -> Result<u8, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the working directory: {e}")))?;
    let (policy, root) = crate::load_policy(config.as_deref(), &cwd)?;
    let script_path = script.unwrap_or_else(|| root.join(&policy.anonymize.script));
    if !script_path.is_file() {
        return Err(CliError::new(format!(
            "{}: no anonymisation script there; pass --script PATH or set `anonymize.script` in tollgate.toml",
            script_path.display()
        )));
    }
    let text = crate::discover::read_text(&script_path)?;
    let matcher = policy.path_matcher()?;
    let candidates = crate::discover::collect(&paths, &root, &matcher)?;
    let loaded = crate::discover::load(&candidates, &policy, &cwd)?;
    if loaded.project.migrations.is_empty() {
        return Err(CliError::new(format!(
            "{}: no migrations found, so there is no schema to check the script against; pass the migration directories as arguments",
            root.display()
        )));
    }
    let (_, schema) = tollgate_core::engine::check_with_schema(&loaded.project, &policy);
    let analysis = anonymize::analyze_script(&text);
    let pii = policy.pii.clone();
    let gaps = anonymize::gaps(&schema, &analysis, &pii, &policy.anonymize.non_personal);
    let personal = count_personal(&schema, &pii, &policy);
    let shown = crate::discover::display_path(&script_path, &cwd);
    let problems: Vec<Problem> = analysis
        .problems
        .iter()
        .map(|p: &ScriptProblem| Problem {
            line: text[..p.span.start.min(text.len())].matches('\n').count() + 1,
            table: p.table.clone(),
            column: p.column.clone(),
            message: p.message.clone(),
        })
        .collect();
    let passed = gaps.is_empty();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let o = Output {
            script: shown,
            personal_columns: personal,
            gaps: &gaps,
            problems,
            passed,
        };
        let _ = serde_json::to_writer(&mut out, &o);
        let _ = out.write_all(b"\n");
    } else {
        let mut s = String::new();
        for g in &gaps {
            s.push_str(&format!(
                "{shown}: personal column `{}.{}` ({}) is not masked by the script",
                g.table,
                g.column,
                g.kind.label()
            ));
            if let Some(why) = &g.false_cover {
                s.push_str(&format!(": {why}"));
            }
            s.push('\n');
        }
        for p in &problems {
            s.push_str(&format!("{shown}:{}: warning: {}\n", p.line, p.message));
        }
        s.push_str(&format!(
            "tollgate: {personal} personal columns in the schema, {} not masked by {shown}{}\n",
            gaps.len(),
            if passed {
                ""
            } else {
                " (add an UPDATE … SET col = <mask>, or declare the column in [anonymize.non_personal] with a reason)"
            }
        ));
        let _ = out.write_all(s.as_bytes());
    }
    let _ = out.flush();
    Ok(if passed { 0 } else { 1 })
}

fn count_personal(
    schema: &tollgate_core::schema::Schema,
    pii: &PiiPolicy,
    policy: &tollgate_core::policy::Policy,
) -> usize {
    // Everything the script would have to cover if it covered nothing.
    let empty = anonymize::ScriptAnalysis::default();
    anonymize::gaps(schema, &empty, pii, &policy.anonymize.non_personal).len()
}
