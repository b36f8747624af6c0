//! Publishing on the pull request: the sticky comment (created once, then updated in place) and
//! review comments on the lines of the statements that need review.

use std::collections::{HashMap, HashSet};

use crate::api::{Api, ApiError, NewFileComment, NewReview, NewReviewComment};
use crate::gate::{ReviewItem, CHECKLIST};
use crate::markdown::{escape, COMMENT_MARKER};

/// GitHub's limit is higher; more than this many comments in one review buries the PR.
pub const MAX_REVIEW_COMMENTS: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentAction {
    Created(u64),
    Updated(u64),
}

/// Creates tollgate's sticky comment, or updates the one already there: the first comment that
/// carries the marker **and** was written by `author` (tollgate's own identity, by default
/// `github-actions[bot]`). Another bot's comment is never edited, even if it quotes the marker.
pub async fn upsert_comment(
    api: &Api,
    pr: u64,
    body: &str,
    author: &str,
) -> Result<CommentAction, ApiError> {
    let comments = api.issue_comments(pr).await?;
    let ours = comments.iter().find(|c| {
        c.body
            .as_deref()
            .is_some_and(|b| b.starts_with(COMMENT_MARKER))
            && c.user
                .as_ref()
                .is_some_and(|u| u.login.eq_ignore_ascii_case(author))
    });
    match ours {
        Some(c) => {
            if c.body.as_deref() != Some(body) {
                api.update_comment(c.id, body).await?;
            }
            Ok(CommentAction::Updated(c.id))
        }
        None => Ok(CommentAction::Created(api.create_comment(pr, body).await?)),
    }
}

/// The right-side line ranges each file's diff shows (`git diff` hunks): the lines a review
/// comment can be attached to.
pub type Commentable = HashMap<String, Vec<(u64, u64)>>;

/// Reads the hunk headers of a unified diff (`git diff --unified=N base head`).
pub fn commentable_lines(diff: &str) -> Commentable {
    let mut out: Commentable = HashMap::new();
    let mut current: Option<String> = None;
    for line in diff.lines() {
        if let Some(path) = line.strip_prefix("+++ ") {
            current = match path {
                "/dev/null" => None,
                p => Some(unquote(p.strip_prefix("b/").unwrap_or(p))),
            };
        } else if let Some(rest) = line.strip_prefix("@@ ") {
            let Some(path) = &current else { continue };
            // @@ -a,b +c,d @@
            let Some(plus) = rest.split_whitespace().find(|p| p.starts_with('+')) else {
                continue;
            };
            let plus = &plus[1..];
            let (start, count) = match plus.split_once(',') {
                Some((s, c)) => (s.parse::<u64>().ok(), c.parse::<u64>().ok()),
                None => (plus.parse::<u64>().ok(), Some(1)),
            };
            if let (Some(start), Some(count)) = (start, count) {
                if count > 0 {
                    out.entry(path.clone())
                        .or_default()
                        .push((start, start + count - 1));
                }
            }
        }
    }
    out
}

/// `git diff` quotes paths with unusual bytes: `"b/db/m\303\251.sql"`.
fn unquote(p: &str) -> String {
    let Some(inner) = p.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return p.to_string();
    };
    let inner = inner.strip_prefix("b/").unwrap_or(inner);
    let mut bytes = Vec::new();
    let mut it = inner.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        it.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(o) => bytes.push(o),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn in_hunk(ranges: &[(u64, u64)], line: u64) -> Option<(u64, u64)> {
    ranges
        .iter()
        .copied()
        .find(|&(a, b)| a <= line && line <= b)
}

/// A stable key for an item: the same statement gets the same key on every run, so a comment
/// already posted is found again. FNV-1a over path, rule, message and the occurrence number.
fn fingerprint(item: &ReviewItem, nth: usize) -> String {
    crate::fingerprint([
        item.path.as_str(),
        item.rule.as_deref().unwrap_or(""),
        item.message.as_str(),
        &nth.to_string(),
    ])
}

fn marker(fp: &str) -> String {
    format!("<!-- tollgate:review:{fp} -->")
}

fn comment_body(item: &ReviewItem, label: &str, fp: &str) -> String {
    let mut body = format!(
        "**tollgate: {} statement** ({})\n\n{}\n\n",
        item.class.as_str(),
        escape(&item.migration),
        escape(&item.message)
    );
    if let Some(url) = &item.doc_url {
        body.push_str(&format!(
            "Why and the safe alternative: [{}]({url})\n\n",
            escape(item.rule.as_deref().unwrap_or("docs"))
        ));
    }
    body.push_str("Before approving, check that:\n");
    for c in CHECKLIST {
        body.push_str(&format!("- [ ] {c}\n"));
    }
    body.push_str(&format!("\nThen add the label `{}`.\n", escape(label)));
    body.push_str(&marker(fp));
    body
}

/// What [`post_review`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewOutcome {
    pub line_comments: usize,
    pub file_comments: usize,
    /// Already posted by an earlier run.
    pub already_there: usize,
    /// Over the per-review limit: listed in the summary instead.
    pub overflow: Vec<ReviewItem>,
}

/// Posts one review (`event: COMMENT`, `commit_id` = head, `side: RIGHT`) with a comment on the
/// line of each item inside the diff, a file-level comment for each item outside it, at most
/// [`MAX_REVIEW_COMMENTS`] in all, and nothing that an earlier run already posted.
pub async fn post_review(
    api: &Api,
    pr: u64,
    head_sha: &str,
    items: &[ReviewItem],
    commentable: &Commentable,
    label: &str,
) -> Result<ReviewOutcome, ApiError> {
    let mut outcome = ReviewOutcome::default();
    if items.is_empty() {
        return Ok(outcome);
    }
    let existing = api.review_comments(pr).await?;
    let posted: HashSet<String> = existing
        .iter()
        .filter_map(|c| {
            let start = c.body.find("<!-- tollgate:review:")?;
            let rest = &c.body[start + "<!-- tollgate:review:".len()..];
            Some(rest.split_whitespace().next()?.to_string())
        })
        .collect();
    let (lines, files) = plan(&mut outcome, head_sha, items, commentable, &posted, label);
    if !lines.is_empty() {
        let review = NewReview {
            commit_id: head_sha.to_string(),
            event: "COMMENT",
            body: format!(
                "tollgate found {} statement{} that need{} review before merge.",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                if lines.len() == 1 { "s" } else { "" }
            ),
            comments: lines,
        };
        outcome.line_comments = review.comments.len();
        api.create_review(pr, &review).await?;
    }
    for f in &files {
        api.create_file_comment(pr, f).await?;
        outcome.file_comments += 1;
    }
    Ok(outcome)
}

/// Which items become line comments, which file-level comments (their line is outside the diff),
/// which were posted before, and which are over the limit.
fn plan(
    outcome: &mut ReviewOutcome,
    head_sha: &str,
    items: &[ReviewItem],
    commentable: &Commentable,
    posted: &HashSet<String>,
    label: &str,
) -> (Vec<NewReviewComment>, Vec<NewFileComment>) {
    let mut seen: HashMap<(String, Option<String>, String), usize> = HashMap::new();
    let mut lines = Vec::new();
    let mut files = Vec::new();
    for item in items {
        let nth = seen
            .entry((item.path.clone(), item.rule.clone(), item.message.clone()))
            .or_insert(0);
        *nth += 1;
        let fp = fingerprint(item, *nth);
        if posted.contains(&fp) {
            outcome.already_there += 1;
            continue;
        }
        if lines.len() + files.len() >= MAX_REVIEW_COMMENTS {
            outcome.overflow.push(item.clone());
            continue;
        }
        let body = comment_body(item, label, &fp);
        let ranges = commentable
            .get(&item.path)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let line = item.line as u64;
        match (line > 0).then(|| in_hunk(ranges, line)).flatten() {
            Some((_, hunk_end)) => {
                let end = (item.end_line as u64).clamp(line, hunk_end);
                lines.push(NewReviewComment {
                    path: item.path.clone(),
                    line: end,
                    side: "RIGHT",
                    start_line: (end > line).then_some(line),
                    start_side: (end > line).then_some("RIGHT"),
                    body,
                });
            }
            None => files.push(NewFileComment {
                commit_id: head_sha.to_string(),
                path: item.path.clone(),
                subject_type: "file",
                body,
            }),
        }
    }
    (lines, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_the_right_side_ranges() {
        let diff = "diff --git a/db/a.sql b/db/a.sql\nnew file mode 100644\n--- /dev/null\n+++ b/db/a.sql\n@@ -0,0 +1,4 @@\n+x\n+y\n+z\n+w\ndiff --git a/db/b.sql b/db/b.sql\n--- a/db/b.sql\n+++ b/db/b.sql\n@@ -10,2 +12,7 @@ fn\n ctx\n@@ -40 +45 @@\n-x\n+y\n@@ -50,3 +55,0 @@\ndiff --git a/gone.sql b/gone.sql\n--- a/gone.sql\n+++ /dev/null\n@@ -1,2 +0,0 @@\n";
        let c = commentable_lines(diff);
        assert_eq!(c["db/a.sql"], vec![(1, 4)]);
        assert_eq!(c["db/b.sql"], vec![(12, 18), (45, 45)]);
        assert!(!c.contains_key("gone.sql"));
        let q = commentable_lines("+++ \"b/db/m\\303\\251 x.sql\"\n@@ -0,0 +1,2 @@\n");
        assert_eq!(q["db/mé x.sql"], vec![(1, 2)]);
    }

    fn item(path: &str, line: usize, end_line: usize, message: &str) -> ReviewItem {
        ReviewItem {
            migration: "m".into(),
            path: path.into(),
            line,
            end_line,
            class: tollgate_core::model::Class::Destructive,
            kind: "DROP TABLE".into(),
            rule: Some("drop-table".into()),
            message: message.into(),
            doc_url: None,
        }
    }

    #[test]
    fn lines_outside_the_diff_become_file_comments_and_repeats_are_skipped() {
        let commentable: Commentable = [("a.sql".to_string(), vec![(10, 20)])]
            .into_iter()
            .collect();
        let items = vec![
            item("a.sql", 12, 14, "drops `t`"),   // inside: a range comment
            item("a.sql", 19, 25, "drops `u`"),   // runs past the hunk: clamped to it
            item("a.sql", 40, 40, "drops `v`"),   // outside the diff: file-level
            item("b.sql", 3, 3, "drops `w`"),     // file not in the diff
            item("a.sql", 12, 14, "drops `old`"), // posted by an earlier run
        ];
        let posted: HashSet<String> = [fingerprint(&items[4], 1)].into_iter().collect();
        let mut outcome = ReviewOutcome::default();
        let (lines, files) = plan(&mut outcome, "abc", &items, &commentable, &posted, "L");
        assert_eq!(
            lines
                .iter()
                .map(|c| (c.line, c.start_line, c.side))
                .collect::<Vec<_>>(),
            vec![(14, Some(12), "RIGHT"), (20, Some(19), "RIGHT")]
        );
        assert_eq!(
            files
                .iter()
                .map(|f| (f.path.as_str(), f.subject_type, f.commit_id.as_str()))
                .collect::<Vec<_>>(),
            vec![("a.sql", "file", "abc"), ("b.sql", "file", "abc")]
        );
        assert_eq!(outcome.already_there, 1);
        assert!(files[0].body.ends_with(&marker(&fingerprint(&items[2], 1))));
    }

    #[test]
    fn at_most_thirty_comments_per_review() {
        let items: Vec<ReviewItem> = (1..=45).map(|i| item("a.sql", i, i, "drops")).collect();
        let commentable: Commentable = [("a.sql".to_string(), vec![(1, 100)])]
            .into_iter()
            .collect();
        let mut outcome = ReviewOutcome::default();
        let (lines, files) = plan(
            &mut outcome,
            "abc",
            &items,
            &commentable,
            &HashSet::new(),
            "L",
        );
        assert_eq!(lines.len() + files.len(), MAX_REVIEW_COMMENTS);
        assert_eq!(outcome.overflow.len(), 15);
        // Same message on different lines: distinct fingerprints.
        let bodies: HashSet<&str> = lines.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(bodies.len(), 30);
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let item = ReviewItem {
            migration: "m".into(),
            path: "a.sql".into(),
            line: 3,
            end_line: 3,
            class: tollgate_core::model::Class::Destructive,
            kind: "DROP TABLE".into(),
            rule: Some("drop-table".into()),
            message: "drops `t`".into(),
            doc_url: None,
        };
        assert_eq!(fingerprint(&item, 1), fingerprint(&item.clone(), 1));
        assert_ne!(fingerprint(&item, 1), fingerprint(&item, 2));
        let moved = ReviewItem {
            line: 9,
            ..item.clone()
        };
        // Moving the statement does not make it a new comment.
        assert_eq!(fingerprint(&item, 1), fingerprint(&moved, 1));
    }
}
