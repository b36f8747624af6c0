//! Inline suppressions.
//!
//! - `-- tollgate:allow <rule-id>[, <rule-id>] -- <reason>` applies to the **next statement only**.
//! - `-- tollgate:allow-file <rule-id>[, …] -- <reason>` applies to the whole file.
//!
//! A reason is required: a suppression without one is reported and not applied. The scope is
//! exact: an `allow` never leaks past the statement that follows it.

use crate::span::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    pub rules: Vec<String>,
    pub reason: String,
    pub file_wide: bool,
    /// The comment's span in the SQL.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Allow(Allow),
    Invalid { span: Span, message: String },
}

const MARKER: &str = "tollgate:allow";

/// Reads a comment token's text. Returns `None` for ordinary comments.
pub fn parse_comment(text: &str, span: Span) -> Option<Parsed> {
    let body = if let Some(rest) = text.strip_prefix("--") {
        rest
    } else if let Some(rest) = text.strip_prefix("/*") {
        rest.strip_suffix("*/").unwrap_or(rest)
    } else {
        text
    };
    let body = body.trim();
    let rest = body.strip_prefix(MARKER)?;
    let (file_wide, rest) = match rest.strip_prefix("-file") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return Some(Parsed::Invalid {
            span,
            message: format!(
                "unknown directive `tollgate:allow{}`",
                rest.split_whitespace().next().unwrap_or("")
            ),
        });
    }
    let (ids, reason) = match rest.split_once("--") {
        Some((ids, reason)) => (ids, reason.trim()),
        None => (rest, ""),
    };
    let rules: Vec<String> = ids
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if rules.is_empty() {
        return Some(Parsed::Invalid {
            span,
            message: "the suppression names no rule: write `tollgate:allow <rule-id> -- <reason>`"
                .into(),
        });
    }
    if let Some(bad) = rules.iter().find(|r| r.contains(char::is_whitespace)) {
        return Some(Parsed::Invalid {
            span,
            message: format!("rule ids are separated by commas, got `{bad}`"),
        });
    }
    if reason.is_empty() {
        return Some(Parsed::Invalid {
            span,
            message: format!(
                "the suppression of `{}` has no reason: add ` -- <why this is safe>`",
                rules.join(", ")
            ),
        });
    }
    Some(Parsed::Allow(Allow {
        rules,
        reason: reason.to_string(),
        file_wide,
        span,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<Parsed> {
        parse_comment(s, Span::new(0, s.len()))
    }

    #[test]
    fn parses_allow_with_reason() {
        let Some(Parsed::Allow(a)) =
            p("-- tollgate:allow drop-column, rename-table -- unused since v2")
        else {
            panic!("expected an allow")
        };
        assert_eq!(a.rules, vec!["drop-column", "rename-table"]);
        assert_eq!(a.reason, "unused since v2");
        assert!(!a.file_wide);
    }

    #[test]
    fn parses_file_wide_and_block_comments() {
        let Some(Parsed::Allow(a)) = p("/* tollgate:allow-file update-rows -- seed data */") else {
            panic!("expected an allow")
        };
        assert!(a.file_wide);
        assert_eq!(a.rules, vec!["update-rows"]);
    }

    #[test]
    fn rejects_missing_reason_and_empty_lists() {
        assert!(matches!(
            p("-- tollgate:allow drop-table"),
            Some(Parsed::Invalid { .. })
        ));
        assert!(matches!(
            p("-- tollgate:allow drop-table --   "),
            Some(Parsed::Invalid { .. })
        ));
        assert!(matches!(
            p("-- tollgate:allow -- because"),
            Some(Parsed::Invalid { .. })
        ));
        assert!(matches!(
            p("-- tollgate:allowed x -- y"),
            Some(Parsed::Invalid { .. })
        ));
        assert!(matches!(
            p("-- tollgate:allow a b -- y"),
            Some(Parsed::Invalid { .. })
        ));
    }

    #[test]
    fn ignores_ordinary_comments() {
        assert_eq!(p("-- drop the old table"), None);
        assert_eq!(p("/* nothing */"), None);
    }
}
