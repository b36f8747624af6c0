//! The markdown tollgate writes on GitHub: the job summary (`$GITHUB_STEP_SUMMARY`, at most
//! 1 MiB) and the sticky pull-request comment (at most 65,536 characters).
//!
//! Both render the one report model. Text that comes from the repository (paths, identifiers,
//! SQL in messages) is escaped so it cannot break a table, open HTML, or mention anyone.

use tollgate_core::model::Severity;
use tollgate_core::report::{Finding, MigrationReport, Report};

use crate::gate::{Gate, ReviewItem, CHECKLIST};
use crate::url_path;

/// The hidden marker that identifies tollgate's sticky comment.
pub const COMMENT_MARKER: &str = "<!-- tollgate:sticky-comment -->";
/// GitHub rejects comments longer than this (characters).
pub const COMMENT_LIMIT: usize = 65_536;
/// What tollgate allows itself, leaving room for GitHub's own accounting.
pub const COMMENT_BUDGET: usize = 60_000;
/// GitHub's limit on a step summary (bytes).
pub const SUMMARY_LIMIT: usize = 1024 * 1024;
pub const SUMMARY_BUDGET: usize = 1_000_000;

/// Everything the markdown shows.
pub struct View<'a> {
    pub report: &'a Report,
    pub gate: &'a Gate,
    /// `pull request #7 (develop ← feature)`, `push to refs/heads/main`.
    pub title: String,
    pub failed: bool,
    /// Whether `verify` ran on a database.
    pub verified: bool,
    /// Fallbacks and notices: "the token cannot write comments (403): …".
    pub notes: &'a [String],
    /// Review items that were not posted as review comments (over the limit, or no token).
    pub not_commented: &'a [ReviewItem],
    /// `https://github.com/acme/api/blob/<head sha>/`: links to the lines, when known.
    pub blob_base: Option<String>,
}

/// Escapes repository text for a markdown table cell or paragraph.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '@' => out.push_str("&#64;"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn location(view: &View, path: &str, line: usize) -> String {
    let text = if line > 0 {
        format!("{path}:{line}")
    } else {
        path.to_string()
    };
    link(view, &text, path, line)
}

/// `text` as code, linked to the line of `path` at the head commit when the base URL is known.
fn link(view: &View, text: &str, path: &str, line: usize) -> String {
    let code = format!("`{}`", escape(text).replace('`', "'"));
    match &view.blob_base {
        Some(base) if !path.is_empty() => {
            let anchor = if line > 0 {
                format!("#L{line}")
            } else {
                String::new()
            };
            format!("[{code}]({base}{}{anchor})", url_path(path))
        }
        _ => code,
    }
}

fn icon(failed: bool) -> &'static str {
    if failed {
        "❌"
    } else {
        "✅"
    }
}

fn headline(view: &View) -> String {
    let s = &view.report.summary;
    format!(
        "## {} tollgate: {}\n\n{} · {} migration{} ({} destructive, {} risky, {} unknown) · {} error{}, {} warning{}, {} info{}\n\n",
        icon(view.failed),
        if view.failed { "failed" } else { "passed" },
        escape(&view.title),
        s.migrations,
        if s.migrations == 1 { "" } else { "s" },
        s.destructive_migrations,
        s.risky_migrations,
        s.unknown_migrations,
        s.errors,
        if s.errors == 1 { "" } else { "s" },
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
        s.infos,
        if s.infos == 1 { "" } else { "s" },
    )
}

fn gate_section(view: &View) -> String {
    let g = view.gate;
    let mut out = String::new();
    if !g.required {
        return out;
    }
    if g.passed {
        out.push_str(&format!(
            "**Review gate: approved by label** `{}`{}{}.\n\n",
            escape(&g.label),
            g.approved_by
                .as_ref()
                .map(|u| format!(" and an approving review by {}", escape(u)))
                .unwrap_or_default(),
            if g.labels_from == crate::gate::LabelSource::Payload {
                " (labels read from the event payload: the API could not be reached)"
            } else {
                ""
            }
        ));
        return out;
    }
    out.push_str(&format!(
        "### ❌ Review needed\n\n{}.\n\nThe destructive statements:\n\n",
        escape(&g.failure().unwrap_or_default())
    ));
    for item in g.items.iter().take(50) {
        out.push_str(&format!(
            "- {} ({}): {}\n",
            location(view, &item.path, item.line),
            escape(&item.migration),
            escape(&item.message)
        ));
    }
    if g.items.len() > 50 {
        out.push_str(&format!("- … and {} more\n", g.items.len() - 50));
    }
    out.push_str("\nBefore approving, a reviewer checks that:\n\n");
    for c in CHECKLIST {
        out.push_str(&format!("- [ ] {c}\n"));
    }
    out.push_str(&format!(
        "\nThen add the label `{}`{}.\n\n",
        escape(&g.label),
        if g.require_approving_review {
            " and approve the pull request (the author's own approval does not count)"
        } else {
            ""
        }
    ));
    if let Some(why) = &g.review_unknown {
        out.push_str(&format!("_{}_\n\n", escape(why)));
    }
    out
}

fn verify_cell(m: &MigrationReport, verified: bool) -> String {
    let Some(v) = &m.verify else {
        return if verified { "not run" } else { "–" }.to_string();
    };
    if !v.up.ok {
        return "❌ up failed".into();
    }
    match (&v.down, &v.reup) {
        (Some(d), _) if !d.ok => "❌ down failed".into(),
        (Some(_), Some(r)) if !r.ok => "❌ re-up failed".into(),
        (Some(_), _)
            if v.roundtrip
                .iter()
                .any(|c| !matches!(c.kind, tollgate_core::verify::ChangeKind::Reordered)) =>
        {
            "❌ down does not restore".into()
        }
        (Some(_), _) => "✅ round trip".into(),
        (None, _) => "✅ up".into(),
    }
}

fn locks_cell(m: &MigrationReport) -> String {
    let Some(v) = &m.verify else {
        return "–".into();
    };
    if v.locks.is_empty() {
        return "none".into();
    }
    let mut parts: Vec<String> = v
        .locks
        .iter()
        .take(3)
        .map(|l| format!("{} on `{}`", l.mode, escape(&l.relation).replace('`', "'")))
        .collect();
    if v.locks.len() > 3 {
        parts.push(format!("+{}", v.locks.len() - 3));
    }
    parts.join(", ")
}

fn label_cell(m: &MigrationReport, g: &Gate) -> String {
    if !m.needs_review {
        "not needed".into()
    } else if g.passed {
        "✅ approved".into()
    } else if g.label_present {
        "⏳ needs approving review".into()
    } else {
        format!("❌ needs `{}`", escape(&g.label))
    }
}

fn migration_row(view: &View, m: &MigrationReport) -> String {
    format!(
        "| {} | {} | {} | {} | {} | {} |\n",
        link(view, &m.id, &m.up.path, 0),
        m.class.as_str(),
        if m.down.is_some() { "yes" } else { "**no**" },
        verify_cell(m, view.verified),
        locks_cell(m),
        label_cell(m, view.gate)
    )
}

const TABLE_HEAD: &str =
    "| Migration | Class | Down | Verify | Locks | Label |\n|---|---|---|---|---|---|\n";

/// The per-migration table, rows added while `out` stays within `budget` (measured by `len`);
/// `elsewhere` says where the rows that did not fit are.
fn migrations_table(
    out: &mut String,
    view: &View,
    budget: usize,
    len: impl Fn(&str) -> usize,
    elsewhere: &str,
) {
    out.push_str(TABLE_HEAD);
    let rows = view
        .report
        .migrations
        .iter()
        .map(|m| migration_row(view, m));
    let more = push_rows(out, rows, budget, len);
    if more > 0 {
        out.push_str(&format!("\n… and {more} more migrations{elsewhere}\n"));
    }
    out.push('\n');
}

fn finding_row(view: &View, f: &Finding) -> String {
    let sev = match f.severity {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟠 warning",
        Severity::Info => "🔵 info",
    };
    format!(
        "| {sev} | [{}]({}) | {} | {} |\n",
        escape(&f.rule),
        f.doc_url,
        location(view, &f.path, f.line),
        escape(&f.message)
    )
}

const FINDINGS_HEAD: &str = "| Severity | Rule | Where | Finding |\n|---|---|---|---|\n";

fn notes_section(view: &View) -> String {
    let mut out = String::new();
    let notes: Vec<&String> = view
        .notes
        .iter()
        .chain(view.report.notices.iter())
        .collect();
    if notes.is_empty() {
        return out;
    }
    out.push_str("<details><summary>Notes</summary>\n\n");
    for n in notes.iter().take(50) {
        out.push_str(&format!("- {}\n", escape(n)));
    }
    if notes.len() > 50 {
        out.push_str(&format!("- … and {} more\n", notes.len() - 50));
    }
    out.push_str("\n</details>\n\n");
    out
}

/// Findings sorted most severe first (stable within a severity).
fn sorted(findings: &[Finding]) -> Vec<&Finding> {
    let rank = |s: Severity| match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    };
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by_key(|f| rank(f.severity));
    v
}

/// Appends rows while `budget` allows; returns how many did not fit.
fn push_rows(
    out: &mut String,
    rows: impl Iterator<Item = String>,
    budget: usize,
    len: impl Fn(&str) -> usize,
) -> usize {
    let mut left_out = 0;
    for row in rows {
        if left_out > 0 || len(out) + len(&row) > budget {
            left_out += 1;
            continue;
        }
        out.push_str(&row);
    }
    left_out
}

/// The job summary: everything, within 1 MiB.
pub fn summary(view: &View) -> String {
    let mut out = headline(view);
    out.push_str(&gate_section(view));
    let budget = SUMMARY_BUDGET - 2_000;
    if !view.report.migrations.is_empty() {
        out.push_str("### Migrations\n\n");
        migrations_table(
            &mut out,
            view,
            budget / 2,
            str::len,
            " (see the JSON report)",
        );
    }
    if !view.report.findings.is_empty() {
        out.push_str("### Findings\n\n");
        out.push_str(FINDINGS_HEAD);
        let rows = sorted(&view.report.findings)
            .into_iter()
            .map(|f| finding_row(view, f));
        let more = push_rows(&mut out, rows, budget, str::len);
        if more > 0 {
            out.push_str(&format!(
                "\n… and {more} more findings that do not fit in a job summary: every finding is in the SARIF file and the JSON report\n"
            ));
        }
        out.push('\n');
    }
    if !view.not_commented.is_empty() {
        out.push_str("### Destructive statements without a review comment\n\n");
        for item in view.not_commented.iter().take(200) {
            out.push_str(&format!(
                "- {}: {}\n",
                location(view, &item.path, item.line),
                escape(&item.message)
            ));
        }
        if view.not_commented.len() > 200 {
            out.push_str(&format!(
                "- … and {} more\n",
                view.not_commented.len() - 200
            ));
        }
        out.push('\n');
    }
    out.push_str(&notes_section(view));
    truncate_bytes(out, SUMMARY_BUDGET)
}

/// The sticky comment, within 65,536 characters; a summary when the full one would be longer.
pub fn comment(view: &View) -> String {
    let full = comment_with(view, true);
    if full.chars().count() <= COMMENT_BUDGET {
        return full;
    }
    let short = comment_with(view, false);
    if short.chars().count() <= COMMENT_BUDGET {
        return short;
    }
    truncate_chars(short, COMMENT_BUDGET)
}

fn comment_with(view: &View, findings: bool) -> String {
    let mut out = String::from(COMMENT_MARKER);
    out.push('\n');
    out.push_str(&headline(view));
    out.push_str(&gate_section(view));
    let chars = |s: &str| s.chars().count();
    if !view.report.migrations.is_empty() {
        let budget = if findings {
            COMMENT_BUDGET
        } else {
            COMMENT_BUDGET * 3 / 4
        };
        migrations_table(&mut out, view, budget, chars, "");
    }
    if findings && !view.report.findings.is_empty() {
        out.push_str("<details><summary>Findings</summary>\n\n");
        out.push_str(FINDINGS_HEAD);
        for f in sorted(&view.report.findings) {
            out.push_str(&finding_row(view, f));
        }
        out.push_str("\n</details>\n\n");
    } else if !view.report.findings.is_empty() {
        out.push_str(&format!(
            "{} findings are too many for a comment: they are in the job summary, the annotations and the SARIF upload.\n\n",
            view.report.findings.len()
        ));
    }
    out.push_str(&notes_section(view));
    out.push_str("<sub>Posted by tollgate; this comment is updated on every push.</sub>\n");
    out
}

fn truncate_bytes(mut s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let note = "\n\n… (truncated)\n";
    let mut cut = max - note.len();
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s.push_str(note);
    s
}

fn truncate_chars(s: String, max: usize) -> String {
    let note = "\n\n… (truncated)\n";
    let keep = max - note.chars().count();
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(note);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_table_breakers_html_and_mentions() {
        assert_eq!(
            escape("a|b <!-- x --> @team\nnext & more"),
            "a\\|b &lt;!-- x --&gt; &#64;team next &amp; more"
        );
    }

    #[test]
    fn truncation_respects_limits_and_boundaries() {
        let s = "é".repeat(1000);
        let t = truncate_bytes(s.clone(), 101);
        assert!(t.len() <= 101 && t.ends_with("(truncated)\n"));
        let t = truncate_chars(s, 100);
        assert_eq!(t.chars().count(), 100);
    }

    #[test]
    fn urls_are_percent_encoded() {
        assert_eq!(url_path("db/m 1#x.sql"), "db/m%201%23x.sql");
    }
}
