//! The review-label gate: a pull request whose migrations need review (destructive, or unknown
//! when failing closed) cannot pass without the policy's label, and optionally an approving
//! review from someone other than its author.

use serde::Serialize;
use tollgate_core::model::Class;
use tollgate_core::policy::Policy;
use tollgate_core::report::{Direction, Finding, MigrationReport, Report};

/// A statement the reviewer must look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    pub migration: String,
    pub path: String,
    pub line: usize,
    pub end_line: usize,
    /// `destructive` or `unknown`.
    pub class: Class,
    pub kind: String,
    /// The finding that made it destructive (or a description of the statement).
    pub rule: Option<String>,
    pub message: String,
    pub doc_url: Option<String>,
}

/// Where the labels came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelSource {
    /// Read from the API when the check ran.
    Api,
    /// The event payload: frozen when the run started (the API could not be reached, or there is
    /// no token).
    Payload,
    /// Not a pull request.
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    /// Some migration needs the label.
    pub required: bool,
    pub label: String,
    pub label_present: bool,
    pub labels_from: LabelSource,
    pub require_approving_review: bool,
    /// Who approved (someone other than the author), when required and found.
    pub approved_by: Option<String>,
    /// Why the approving review could not be checked (no token, API refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_unknown: Option<String>,
    /// The gate is satisfied: nothing needed review, or the label (and review) are there.
    pub passed: bool,
    /// Migrations that need review, with their statements.
    pub migrations: Vec<String>,
    pub items: Vec<ReviewItem>,
}

impl Gate {
    /// `approved` output: review was needed and given.
    pub fn approved(&self) -> bool {
        self.required && self.passed
    }

    /// One paragraph saying what is missing, or `None` when the gate passes.
    pub fn failure(&self) -> Option<String> {
        if self.passed {
            return None;
        }
        let mut missing = Vec::new();
        if !self.label_present {
            missing.push(format!("the label `{}`", self.label));
        }
        if self.require_approving_review && self.approved_by.is_none() {
            missing.push("an approving review from someone other than the author".to_string());
        }
        Some(format!(
            "{} need{} review before merge; missing: {}",
            plural(self.migrations.len(), "migration"),
            if self.migrations.len() == 1 { "s" } else { "" },
            missing.join(" and ")
        ))
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// What the reviewer must check before adding the label.
pub const CHECKLIST: &[&str] = &[
    "a down migration exists and restores the schema (`tollgate verify` runs up → down → up)",
    "a backup or restore plan exists for the data the migration drops or rewrites",
    "expand/contract was followed: the code running in production no longer reads or writes what is dropped, renamed or retyped",
];

/// The migrations and statements that need review.
pub fn review_items(report: &Report, policy: &Policy) -> (Vec<String>, Vec<ReviewItem>) {
    let mut migrations = Vec::new();
    let mut items = Vec::new();
    for m in report.migrations.iter().filter(|m| m.needs_review) {
        migrations.push(m.id.clone());
        let before = items.len();
        for s in m.statements.iter().filter(|s| s.direction == Direction::Up) {
            if !policy.needs_review(s.class) {
                continue;
            }
            let finding = finding_at(&report.findings, m, &s.path, s.start, s.end, s.class);
            items.push(ReviewItem {
                migration: m.id.clone(),
                path: s.path.clone(),
                line: s.line,
                end_line: s.end_line,
                class: s.class,
                kind: s.kind.clone(),
                rule: finding.map(|f| f.rule.clone()),
                message: finding.map_or_else(
                    || {
                        if s.class == Class::Unknown {
                            format!("`{}` could not be analysed", s.kind)
                        } else {
                            format!("`{}` is {}", s.kind, s.class.as_str())
                        }
                    },
                    |f| f.message.clone(),
                ),
                doc_url: finding.map(|f| f.doc_url.clone()),
            });
        }
        if items.len() == before {
            // No statement carries the class (SQL built at run time, `this.execute(…)`): the
            // findings that gave the migration its class say where.
            for f in report.findings.iter().filter(|f| {
                f.migration.as_deref() == Some(m.id.as_str())
                    && f.direction == Direction::Up
                    && f.class.is_some_and(|c| policy.needs_review(c))
            }) {
                items.push(ReviewItem {
                    migration: m.id.clone(),
                    path: f.path.clone(),
                    line: f.line,
                    end_line: f.end_line,
                    class: f.class.unwrap_or(Class::Unknown),
                    kind: f.rule.clone(),
                    rule: Some(f.rule.clone()),
                    message: f.message.clone(),
                    doc_url: Some(f.doc_url.clone()),
                });
            }
        }
        if items.len() == before {
            // The migration needs review for a reason outside its statements (e.g. an unreadable
            // file): point at the file.
            items.push(ReviewItem {
                migration: m.id.clone(),
                path: m.up.path.clone(),
                line: 0,
                end_line: 0,
                class: m.class.class().unwrap_or(Class::Unknown),
                kind: "migration".into(),
                rule: None,
                message: format!("migration `{}` is {}", m.id, m.class.as_str()),
                doc_url: None,
            });
        }
    }
    (migrations, items)
}

/// The finding that gives the statement its class: same file, inside the statement.
fn finding_at<'r>(
    findings: &'r [Finding],
    m: &MigrationReport,
    path: &str,
    start: usize,
    end: usize,
    class: Class,
) -> Option<&'r Finding> {
    let inside = |f: &&Finding| {
        f.path == path
            && f.direction == Direction::Up
            && f.migration.as_deref() == Some(m.id.as_str())
            && f.start >= start
            && f.start <= end.max(start)
    };
    findings
        .iter()
        .filter(inside)
        .find(|f| f.class == Some(class))
        .or_else(|| findings.iter().find(inside))
}

/// The latest decisive review state of each reviewer other than `author`: approved when any of
/// them last approved.
pub fn approving_reviewer(reviews: &[(String, String)], author: &str) -> Option<String> {
    let mut last: Vec<(String, String)> = Vec::new();
    for (user, state) in reviews {
        if user.eq_ignore_ascii_case(author) {
            continue;
        }
        // A plain comment does not change an earlier decision.
        if !matches!(
            state.as_str(),
            "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
        ) {
            continue;
        }
        match last.iter_mut().find(|(u, _)| u == user) {
            Some(entry) => entry.1 = state.clone(),
            None => last.push((user.clone(), state.clone())),
        }
    }
    last.into_iter()
        .find(|(_, s)| s == "APPROVED")
        .map(|(u, _)| u)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(u: &str, s: &str) -> (String, String) {
        (u.to_string(), s.to_string())
    }

    #[test]
    fn approving_review_is_the_latest_decision_of_someone_else() {
        assert_eq!(approving_reviewer(&[r("dev", "APPROVED")], "dev"), None);
        assert_eq!(
            approving_reviewer(&[r("ana", "APPROVED"), r("ana", "COMMENTED")], "dev"),
            Some("ana".into())
        );
        assert_eq!(
            approving_reviewer(
                &[r("ana", "APPROVED"), r("ana", "CHANGES_REQUESTED")],
                "dev"
            ),
            None
        );
        assert_eq!(
            approving_reviewer(&[r("ana", "DISMISSED"), r("bo", "APPROVED")], "dev"),
            Some("bo".into())
        );
    }

    #[test]
    fn failure_names_what_is_missing() {
        let mut g = Gate {
            required: true,
            label: "migration:destructive-approved".into(),
            label_present: false,
            labels_from: LabelSource::Api,
            require_approving_review: true,
            approved_by: None,
            review_unknown: None,
            passed: false,
            migrations: vec!["m1".into()],
            items: Vec::new(),
        };
        assert_eq!(
            g.failure().unwrap(),
            "1 migration needs review before merge; missing: the label `migration:destructive-approved` and an approving review from someone other than the author"
        );
        g.label_present = true;
        assert!(g
            .failure()
            .unwrap()
            .ends_with("; missing: an approving review from someone other than the author"));
        g.passed = true;
        assert!(g.failure().is_none());
        assert!(g.approved());
    }
}
