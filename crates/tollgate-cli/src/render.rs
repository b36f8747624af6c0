//! Human output: miette's graphical diagnostics, kept linear in the input size.
//!
//! miette's `SourceCode` for `str` scans from the start of the file for every diagnostic, which
//! makes a file with N findings cost O(N × size). [`IndexedSource`] answers each request from a
//! precomputed line index and hands miette only the few lines around the span.

use std::fmt::{self, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use tollgate_core::report::{Finding, Report};
use tollgate_core::span::LineIndex;
use tollgate_core::Severity;

/// A file's text with its line index.
pub struct IndexedSource<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub index: &'a LineIndex,
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset().min(self.text.len());
        let end = (span.offset() + span.len()).min(self.text.len());
        if span.offset() > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = self.index.line_of(start).saturating_sub(before);
        let last_line = (self.index.line_of(end.saturating_sub(1).max(start)) + after)
            .min(self.index.line_count() - 1);
        let window_start = self.index.line_start(first_line);
        let window_end = if last_line + 1 < self.index.line_count() {
            self.index.line_start(last_line + 1)
        } else {
            self.text.len()
        };
        let window = &self.text[window_start..window_end];
        // Let miette's own logic place the span inside the small window, then shift it back.
        let local = SourceSpan::new((start - window_start).into(), end - start);
        let inner = window.read_span(&local, before, after)?;
        let data = inner.data();
        let offset_in_window = data.as_ptr() as usize - window.as_ptr() as usize;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            data,
            SourceSpan::new((window_start + offset_in_window).into(), data.len()),
            first_line + inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// One finding as a miette diagnostic.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: IndexedSource<'a>,
    label_span: SourceSpan,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.help))
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.doc_url))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = match self.finding.class {
            Some(c) => format!("{c}"),
            None => "here".to_string(),
        };
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            self.label_span,
        ))))
    }
}

/// Long statements are underlined on their first lines only: the help says what to do, and a
/// 300-line function body would bury it.
const MAX_LABEL_LINES: usize = 6;

fn label_span(f: &Finding, text: &str, index: &LineIndex) -> SourceSpan {
    let start = f.start.min(text.len());
    let mut end = f.end.min(text.len()).max(start);
    let first = index.line_of(start);
    if index.line_of(end.saturating_sub(1).max(start)) >= first + MAX_LABEL_LINES {
        end = index.line_end(first + MAX_LABEL_LINES - 1, text).max(start);
    }
    SourceSpan::new(start.into(), end - start)
}

pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

/// Renders the whole report. `files` gives each path's text (the files the report names).
pub fn human(report: &Report, files: &[(&str, &str)], opts: &HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(opts.width)
        .with_context_lines(1);
    let indexes: Vec<LineIndex> = files.iter().map(|(_, t)| LineIndex::new(t)).collect();
    let mut out = String::new();
    // Findings arrive grouped by migration and file: look files up by a moving cursor.
    let mut cursor = 0usize;
    for f in &report.findings {
        if files.get(cursor).is_none_or(|(p, _)| *p != f.path.as_str()) {
            match files.iter().position(|(p, _)| *p == f.path.as_str()) {
                Some(i) => cursor = i,
                None => {
                    let _ = writeln!(
                        out,
                        "{}:{}:{}: {} [{}] {}",
                        f.path, f.line, f.column, f.severity, f.rule, f.message
                    );
                    continue;
                }
            }
        }
        let (path, text) = &files[cursor];
        let index = &indexes[cursor];
        let diag = FindingDiagnostic {
            finding: f,
            source: IndexedSource {
                name: path,
                text,
                index,
            },
            label_span: label_span(f, text, index),
        };
        if handler.render_report(&mut out, &diag).is_err() {
            let _ = writeln!(
                out,
                "{}:{}:{}: {} [{}] {}",
                f.path, f.line, f.column, f.severity, f.rule, f.message
            );
        }
        out.push('\n');
    }
    out.push_str(&summary(report));
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn summary(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::new();
    for n in &report.notices {
        let _ = writeln!(out, "note: {n}");
    }
    let additive = report
        .migrations
        .iter()
        .filter(|m| m.class.as_str() == "additive")
        .count();
    let _ =
        writeln!(
        out,
        "tollgate: {} checked ({} destructive, {} unknown, {} risky, {} additive); {}, {}, {}{}",
        plural(s.migrations, "migration"),
        s.destructive_migrations,
        s.unknown_migrations,
        s.risky_migrations,
        additive,
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        if s.suppressed > 0 { format!(", {} suppressed", s.suppressed) } else { String::new() }
    );
    if s.needs_review > 0 {
        let _ = writeln!(
            out,
            "{} the review label before merge",
            if s.needs_review == 1 {
                "1 migration needs".to_string()
            } else {
                format!("{} migrations need", s.needs_review)
            }
        );
    }
    let _ = writeln!(
        out,
        "{}",
        if s.failed {
            "result: FAIL"
        } else {
            "result: pass"
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_source_returns_only_nearby_lines() {
        let text = (1..=100)
            .map(|i| format!("line {i};\n"))
            .collect::<String>();
        let index = LineIndex::new(&text);
        let src = IndexedSource {
            name: "f.sql",
            text: &text,
            index: &index,
        };
        let off = text.find("line 50;").unwrap();
        let span = SourceSpan::new(off.into(), 8);
        let contents = src.read_span(&span, 1, 1).unwrap();
        let shown = std::str::from_utf8(contents.data()).unwrap();
        assert_eq!(shown, "line 49;\nline 50;\nline 51;\n");
        assert_eq!(contents.line(), 48);
        // The same answer as miette's own (quadratic) implementation.
        let reference = text.as_str().read_span(&span, 1, 1).unwrap();
        assert_eq!(reference.data(), contents.data());
        assert_eq!(reference.line(), contents.line());
        assert_eq!(reference.span(), contents.span());
    }
}
