//! Workflow commands: `::error file=…,line=…::message` annotations and `$GITHUB_OUTPUT` lines.
//!
//! GitHub shows at most [`ANNOTATIONS_PER_LEVEL`] annotations of each level per step and drops
//! the rest silently, so the most severe are written first and the last slot of a level that
//! overflows says how many more there are.

use tollgate_core::model::Severity;
use tollgate_core::report::Finding;

/// Annotations GitHub displays per level (error, warning, notice) and step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// Escapes a command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a command property value: the message escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn level_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One annotation command line (with its trailing newline).
pub fn annotation(level: &str, f: &Finding) -> String {
    let mut props = Vec::new();
    if !f.path.is_empty() {
        props.push(format!("file={}", escape_property(&f.path)));
        if f.line > 0 {
            props.push(format!("line={}", f.line));
            let end_line = f.end_line.max(f.line);
            props.push(format!("endLine={end_line}"));
            // GitHub honours columns only on one-line annotations.
            if end_line == f.line && f.column > 0 {
                props.push(format!("col={}", f.column));
                if f.end_column > f.column {
                    props.push(format!("endColumn={}", f.end_column));
                }
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("tollgate: {}", f.rule))
    ));
    let mut message = f.message.clone();
    if !f.help.is_empty() {
        message.push_str("\nhelp: ");
        message.push_str(&f.help);
    }
    message.push('\n');
    message.push_str(&f.doc_url);
    format!("::{level} {}::{}\n", props.join(","), escape_data(&message))
}

/// The annotations for `findings`: errors, then warnings, then notices, each capped at
/// [`ANNOTATIONS_PER_LEVEL`] with an overflow line in the last slot.
pub fn annotations(findings: &[Finding]) -> String {
    let mut out = String::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let level = level_name(severity);
        let of_level: Vec<&Finding> = findings.iter().filter(|f| f.severity == severity).collect();
        let shown = if of_level.len() > ANNOTATIONS_PER_LEVEL {
            ANNOTATIONS_PER_LEVEL - 1
        } else {
            of_level.len()
        };
        for f in &of_level[..shown] {
            out.push_str(&annotation(level, f));
        }
        let more = of_level.len() - shown;
        if more > 0 {
            let noun = match severity {
                Severity::Error => "errors",
                Severity::Warning => "warnings",
                Severity::Info => "notices",
            };
            out.push_str(&format!(
                "::{level} title={}::{}\n",
                escape_property("tollgate: more findings"),
                escape_data(&format!(
                    "{more} more {noun} than GitHub shows as annotations: every finding is in the job summary and the SARIF file"
                ))
            ));
        }
    }
    out
}

/// A `$GITHUB_OUTPUT` entry. Single-line values use `name=value`; others a random-free
/// delimiter that is checked not to occur in the value.
pub fn output_line(name: &str, value: &str) -> String {
    if !value.contains('\n') && !value.contains('\r') {
        return format!("{name}={value}\n");
    }
    let mut delimiter = String::from("TOLLGATE_EOF");
    while value.contains(&delimiter) {
        delimiter.push('_');
    }
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::model::Class;
    use tollgate_core::report::Direction;

    fn finding(severity: Severity, message: &str, line: usize) -> Finding {
        Finding {
            rule: "drop-column".into(),
            severity,
            class: Some(Class::Destructive),
            message: message.into(),
            help: String::new(),
            path: "db/migrations/0001_a,b:c.sql".into(),
            line,
            column: 1,
            end_line: line,
            end_column: 20,
            column_utf16: 1,
            end_column_utf16: 20,
            start: 0,
            end: 19,
            migration: Some("0001".into()),
            direction: Direction::Up,
            doc_url: "https://example.com/drop-column.md".into(),
        }
    }

    #[test]
    fn escapes_messages_and_properties() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        let line = annotation(
            "error",
            &finding(Severity::Error, "drops `x`\nreally: 50%", 3),
        );
        assert_eq!(
            line,
            "::error file=db/migrations/0001_a%2Cb%3Ac.sql,line=3,endLine=3,col=1,endColumn=20,title=tollgate%3A drop-column::drops `x`%0Areally: 50%25%0Ahttps://example.com/drop-column.md\n"
        );
        // One command per line, whatever the message holds.
        assert_eq!(line.matches('\n').count(), 1);
    }

    #[test]
    fn caps_each_level_and_says_how_many_more() {
        let mut findings: Vec<Finding> = (1..=13)
            .map(|i| finding(Severity::Info, "info", i))
            .collect();
        findings.extend((1..=12).map(|i| finding(Severity::Error, "err", i)));
        findings.push(finding(Severity::Warning, "warn", 1));
        let out = annotations(&findings);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::error ")).count(),
            10
        );
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::warning ")).count(),
            1
        );
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::notice ")).count(),
            10
        );
        // Errors come first, and the tenth error slot carries the count of the rest.
        assert!(lines[0].starts_with("::error "));
        assert!(lines[9].contains("3 more errors"), "{}", lines[9]);
        assert!(lines[20].contains("4 more notices"), "{}", lines[20]);
    }

    #[test]
    fn outputs_use_a_delimiter_for_multiline_values() {
        assert_eq!(output_line("errors", "3"), "errors=3\n");
        assert_eq!(
            output_line("x", "a\nTOLLGATE_EOF"),
            "x<<TOLLGATE_EOF_\na\nTOLLGATE_EOF\nTOLLGATE_EOF_\n"
        );
    }
}
