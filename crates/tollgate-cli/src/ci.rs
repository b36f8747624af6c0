//! `tollgate ci`: the whole pull-request check in one command, driven by the GitHub Actions
//! environment (or the same variables set by hand).
//!
//! On `pull_request`: check the migrations the pull request changes (with the history-integrity
//! check against its base), scan every blob it adds for dumps, run `verify` when a database is
//! given, apply the review-label gate with labels read fresh from the API, then report:
//! annotations, the job summary, a SARIF file, the JSON report, the sticky comment, review
//! comments and the step outputs. On `push` and other events: the whole tree.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use tollgate_core::model::{Class, Severity};
use tollgate_core::policy::Policy;
use tollgate_core::report::{Direction, Finding, Report};
use tollgate_github::api::Api;
use tollgate_github::context::{parse_event, Context, Event, PullRequest};
use tollgate_github::gate::{self, Gate, LabelSource, ReviewItem};
use tollgate_github::{commands, markdown, publish};

use crate::error::CliError;
use crate::{check_with, Checked, PolicyFlags};

/// When `verify` runs.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyWhen {
    /// When a database URL is given.
    Auto,
    /// Always: on the database URL, or a throwaway cluster from the local binaries.
    Always,
    Never,
}

pub struct Args {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub flags: PolicyFlags,
    pub review_label: Option<String>,
    pub comment: bool,
    pub review_comments: bool,
    pub comment_author: String,
    pub sarif_file: Option<PathBuf>,
    pub report_file: Option<PathBuf>,
    pub database_url: Option<String>,
    pub verify: VerifyWhen,
    pub color: bool,
}

/// The rule id of the gate's own diagnostic.
pub const GATE_RULE: &str = "review-label-required";

fn temp_file(name: &str) -> PathBuf {
    std::env::var_os("RUNNER_TEMP")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(name)
}

fn write_file(path: &Path, text: &str, what: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|e| {
        CliError::io(
            path,
            &e,
            &format!("choose a writable path for the {what} (--{what}-file)"),
        )
    })
}

fn append(path: &str, text: &str, what: &str) -> Result<(), CliError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            CliError::io(
                Path::new(path),
                &e,
                &format!("{what} must name a writable file (GitHub sets it for every step)"),
            )
        })?;
    f.write_all(text.as_bytes()).map_err(|e| {
        CliError::io(
            Path::new(path),
            &e,
            &format!("{what} must name a writable file"),
        )
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the async runtime: {e}")))
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let ctx = Context::from_lookup(|k| std::env::var(k).ok())
        .map_err(|e| CliError::new(e.to_string()))?;
    let event_text = crate::discover::read_text(Path::new(&ctx.event_path))?;
    let event = parse_event(&ctx.event_name, &ctx.event_path, &event_text)
        .map_err(|e| CliError::new(e.to_string()))?;
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the working directory: {e}")))?;
    let (mut policy, root) = crate::load_policy(args.config.as_deref(), &cwd)?;
    crate::apply_flags(&mut policy, &args.flags)?;
    if let Some(label) = args
        .review_label
        .as_deref()
        .filter(|l| !l.trim().is_empty())
    {
        policy.review.label = label.trim().to_string();
    }
    let pr = match &event {
        Event::PullRequest(pr) => Some(pr),
        _ => None,
    };

    // 1-3. The static check, the history integrity and the dump guard.
    let (checked, title, diff) = match pr {
        Some(pr) => {
            let repo = crate::git::Repo::discover(&cwd)?;
            for (what, sha) in [("base", &pr.base_sha), ("head", &pr.head_sha)] {
                if !repo.has_commit(sha) {
                    return Err(CliError::new(format!(
                        "the pull request's {what} commit {sha} is not in this clone; check out with `fetch-depth: 0` (actions/checkout) so tollgate can compare the branch with its base"
                    )));
                }
            }
            let range = format!("{}..{}", pr.base_sha, pr.head_sha);
            let checked = check_with(
                &policy,
                &root,
                &args.paths,
                Some(&pr.base_sha),
                Some(&range),
                &cwd,
            )?;
            let diff = repo.diff(&pr.base_sha, &pr.head_sha)?;
            let title = format!(
                "pull request #{} ({} ← {})",
                pr.number, pr.base_ref, pr.head_ref
            );
            (checked, title, Some(diff))
        }
        None => {
            let checked = check_with(&policy, &root, &args.paths, None, None, &cwd)?;
            let title = match &event {
                Event::Push(p) => format!("push to {}", p.git_ref),
                _ => format!("{} on the whole tree", ctx.event_name),
            };
            (checked, title, None)
        }
    };
    let Checked {
        mut report,
        project,
    } = checked;
    let mut notes: Vec<String> = Vec::new();

    // 4. verify, on the user's database service.
    let verified = match args.verify {
        VerifyWhen::Never => false,
        VerifyWhen::Auto => args.database_url.is_some(),
        VerifyWhen::Always => true,
    };
    if verified {
        if pr.is_some_and(|p| p.target) {
            return Err(CliError::new(
                "refusing to run a pull request's migrations under `pull_request_target`: that workflow has a write token and secrets, and migration SQL can run shell commands (`COPY … FROM PROGRAM`); run tollgate on `pull_request` (docs/github-action.md)",
            ));
        }
        let v = crate::verify::verified(
            &crate::verify::Args {
                paths: args.paths.clone(),
                json: true,
                color: false,
                config: args.config.clone(),
                flags: args.flags.clone(),
                base: pr.map(|p| p.base_sha.clone()),
                mode: tollgate_verify::run::Mode::Roundtrip,
                with_data: false,
                rows: 1000,
                database_url: args.database_url.clone(),
                pg_bin: None,
                statement_timeout: std::time::Duration::from_secs(60),
                lock_timeout: std::time::Duration::from_secs(10),
                timeout: std::time::Duration::from_secs(30 * 60),
            },
            &cwd,
        )?;
        merge_verify(&mut report, v.report);
    }

    // One API client for the run, and only for a pull request with a token: no network call
    // otherwise. (Created after verify, which runs a runtime of its own.)
    let rt = runtime()?;
    let api: Option<Api> = match (pr, &ctx.token) {
        (Some(_), Some(token)) => {
            let _in_runtime = rt.enter();
            match Api::new(&ctx.api_url, token, &ctx.repository) {
                Ok(api) => Some(api),
                Err(e) => {
                    notes.push(format!("nothing was read from or posted to GitHub: {e}"));
                    None
                }
            }
        }
        _ => None,
    };

    // The gate.
    let gate = gate_for(&report, &policy, pr, api.as_ref(), &rt, &mut notes);
    let failing: Vec<&Finding> = failing_findings(&report, &policy, &gate);
    let failed = !failing.is_empty()
        || !gate.passed
        || (project.migrations.is_empty() && policy.require_migrations);

    // The gate's own diagnostic goes with the findings: annotations, SARIF, summary.
    if let Some(why) = gate.failure() {
        let first = gate.items.first();
        report
            .findings
            .insert(0, gate_finding(&why, first, &policy.review.label));
        report.summary.errors += 1;
    }
    report.summary.failed = failed;

    // 5. Publish on the pull request.
    let blob_base =
        pr.map(|p| format!("{}/{}/blob/{}/", ctx.server_url, ctx.repository, p.head_sha));
    let mut not_commented: Vec<ReviewItem> = Vec::new();
    if let (Some(pr), Some(api)) = (pr, api.as_ref()) {
        rt.block_on(async {
            if args.review_comments && !gate.items.is_empty() {
                let commentable = publish::commentable_lines(diff.as_deref().unwrap_or(""));
                match publish::post_review(
                    api,
                    pr.number,
                    &pr.head_sha,
                    &gate.items,
                    &commentable,
                    &gate.label,
                )
                .await
                {
                    Ok(outcome) => not_commented = outcome.overflow,
                    Err(e) => {
                        not_commented = gate.items.clone();
                        notes.push(format!(
                            "review comments not posted: {e}{}",
                            fallback_hint(&e, pr)
                        ));
                    }
                }
            }
            if args.comment {
                let view = markdown::View {
                    report: &report,
                    gate: &gate,
                    title: title.clone(),
                    failed,
                    verified,
                    notes: &notes,
                    not_commented: &not_commented,
                    blob_base: blob_base.clone(),
                };
                let body = markdown::comment(&view);
                if let Err(e) =
                    publish::upsert_comment(api, pr.number, &body, &args.comment_author).await
                {
                    notes.push(format!(
                        "the pull-request comment was not posted: {e}{}",
                        fallback_hint(&e, pr)
                    ));
                }
            }
        });
    } else if pr.is_some() {
        if !gate.items.is_empty() && args.review_comments {
            not_commented = gate.items.clone();
        }
        if args.comment || args.review_comments {
            notes.push(
                "no token: nothing was posted on the pull request (annotations and this summary only)"
                    .into(),
            );
        }
    }

    // 6. The log, annotations, files and outputs.
    let files: Vec<(&str, &str)> = project
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect();
    let mut log = crate::render::human(
        &report,
        &files,
        &crate::render::HumanOptions {
            color: args.color,
            width: 100,
        },
    );
    // The verdict goes last, after the gate and the notes.
    for verdict in ["result: FAIL\n", "result: pass\n"] {
        if log.ends_with(verdict) {
            log.truncate(log.len() - verdict.len());
        }
    }
    if gate.required {
        log.push_str(&match gate.failure() {
            Some(why) => format!("review gate: FAIL: {why}\n"),
            None => format!("review gate: approved by label `{}`\n", gate.label),
        });
    }
    for n in &notes {
        log.push_str(&format!("note: {n}\n"));
    }
    log.push_str(&format!(
        "result: {}\n",
        if failed { "FAIL" } else { "pass" }
    ));
    // Approved findings are shown as notices: a passing check shows no red annotation.
    let annotated: Vec<Finding> = report
        .findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if approved_by_label(&f, &policy, &gate) {
                f.severity = Severity::Info;
                f.message = format!("approved by label `{}`: {}", gate.label, f.message);
            }
            f
        })
        .collect();
    log.push_str(&commands::annotations(&annotated));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(log.as_bytes());
    let _ = stdout.flush();

    let view = markdown::View {
        report: &report,
        gate: &gate,
        title,
        failed,
        verified,
        notes: &notes,
        not_commented: &not_commented,
        blob_base,
    };
    if let Some(path) = &ctx.summary_path {
        append(path, &markdown::summary(&view), "GITHUB_STEP_SUMMARY")?;
    }
    let sarif_path = args
        .sarif_file
        .clone()
        .unwrap_or_else(|| temp_file("tollgate.sarif"));
    let mut sarif = crate::sarif::sarif(&report, &policy);
    // Approved findings stay in SARIF, marked as accepted, so code scanning does not keep
    // them open as alerts.
    if let Some(results) = sarif["runs"][0]["results"].as_array_mut() {
        for (r, f) in results.iter_mut().zip(&report.findings) {
            if approved_by_label(f, &policy, &gate) {
                r["suppressions"] = serde_json::json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("approved by the pull-request label `{}`", gate.label),
                }]);
            }
        }
    }
    write_file(
        &sarif_path,
        &serde_json::to_string_pretty(&sarif).unwrap_or_default(),
        "sarif",
    )?;
    let report_path = args
        .report_file
        .clone()
        .unwrap_or_else(|| temp_file("tollgate-report.json"));
    let mut json = serde_json::to_value(&report).unwrap_or_default();
    json["gate"] = serde_json::to_value(&gate).unwrap_or_default();
    write_file(
        &report_path,
        &serde_json::to_string(&json).unwrap_or_default(),
        "report",
    )?;
    if let Some(path) = &ctx.output_path {
        let destructive = report.migrations.iter().any(|m| m.needs_review);
        let out = [
            commands::output_line("destructive", bool_str(destructive)),
            commands::output_line("approved", bool_str(gate.approved())),
            commands::output_line("failed", bool_str(failed)),
            commands::output_line("errors", &report.summary.errors.to_string()),
            commands::output_line("warnings", &report.summary.warnings.to_string()),
            commands::output_line("report-path", &report_path.display().to_string()),
            commands::output_line("sarif-path", &sarif_path.display().to_string()),
        ]
        .concat();
        append(path, &out, "GITHUB_OUTPUT")?;
    }
    Ok(u8::from(failed))
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn fallback_hint(e: &tollgate_github::api::ApiError, pr: &PullRequest) -> &'static str {
    if !e.is_refused() {
        ""
    } else if pr.fork {
        " (a pull request from a fork gets a read-only token: annotations and the job summary carry the result; docs/github-action.md shows a `workflow_run` workflow that comments safely)"
    } else {
        " (give the workflow `permissions: pull-requests: write`)"
    }
}

/// Labels (fresh from the API, else the payload) and approving reviews.
fn gate_for(
    report: &Report,
    policy: &Policy,
    pr: Option<&PullRequest>,
    api: Option<&Api>,
    rt: &tokio::runtime::Runtime,
    notes: &mut Vec<String>,
) -> Gate {
    let (migrations, items) = gate::review_items(report, policy);
    let mut gate = Gate {
        required: pr.is_some() && !migrations.is_empty(),
        label: policy.review.label.clone(),
        label_present: false,
        labels_from: LabelSource::None,
        require_approving_review: policy.review.require_approving_review,
        approved_by: None,
        review_unknown: None,
        passed: true,
        migrations,
        items,
    };
    let Some(pr) = pr.filter(|_| gate.required) else {
        return gate;
    };
    let mut labels = pr.labels.clone();
    gate.labels_from = LabelSource::Payload;
    if let Some(api) = api {
        rt.block_on(async {
            match api.labels(pr.number).await {
                Ok(fresh) => {
                    labels = fresh;
                    gate.labels_from = LabelSource::Api;
                }
                Err(e) => notes.push(format!(
                    "labels read from the event payload (they do not change on a re-run): {e}"
                )),
            }
            if gate.require_approving_review {
                match api.reviews(pr.number).await {
                    Ok(reviews) => {
                        gate.approved_by = gate::approving_reviewer(&reviews, &pr.author);
                    }
                    Err(e) => {
                        gate.review_unknown =
                            Some(format!("approving reviews could not be read: {e}"));
                    }
                }
            }
        });
    } else if gate.require_approving_review {
        gate.review_unknown = Some(
            "no token: approving reviews cannot be read, so the review requirement is not met"
                .into(),
        );
    }
    gate.label_present = labels.iter().any(|l| l == &gate.label);
    gate.passed =
        gate.label_present && (!gate.require_approving_review || gate.approved_by.is_some());
    gate
}

/// Whether the review label approves `f`: a destructive (and, failing closed, unknown) finding
/// of the up side of a migration that needed review, once the gate has passed.
fn approved_by_label(f: &Finding, policy: &Policy, gate: &Gate) -> bool {
    gate.required
        && gate.passed
        && f.direction == Direction::Up
        && f.class.is_some_and(|c| policy.needs_review(c))
        && f.migration
            .as_ref()
            .is_some_and(|m| gate.migrations.contains(m))
}

/// The findings that fail the policy, less those the review label approves.
fn failing_findings<'r>(report: &'r Report, policy: &Policy, gate: &Gate) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|f| policy.fails(f.severity) && !approved_by_label(f, policy, gate))
        .collect()
}

fn gate_finding(why: &str, first: Option<&ReviewItem>, label: &str) -> Finding {
    let (path, line) = first.map_or((String::new(), 0), |i| (i.path.clone(), i.line));
    Finding {
        rule: GATE_RULE.to_string(),
        severity: Severity::Error,
        class: Some(Class::Destructive),
        message: why.to_string(),
        help: format!(
            "a reviewer checks that {}; then adds the label `{label}`",
            gate::CHECKLIST.join("; ")
        ),
        path,
        line,
        column: usize::from(line > 0),
        end_line: line,
        end_column: usize::from(line > 0),
        column_utf16: usize::from(line > 0),
        end_column_utf16: usize::from(line > 0),
        start: 0,
        end: 0,
        migration: first.map(|i| i.migration.clone()),
        direction: Direction::Up,
        doc_url: tollgate_core::rules::doc_url(GATE_RULE),
    }
}

/// Puts what PostgreSQL did into the static report: each migration's `verify` object, the
/// findings the database gave, and their counts.
fn merge_verify(report: &mut Report, verified: Report) {
    for vm in verified.migrations {
        if let Some(m) = report.migrations.iter_mut().find(|m| m.id == vm.id) {
            m.verify = vm.verify;
        }
    }
    report.summary.errors += verified.summary.errors;
    report.summary.warnings += verified.summary.warnings;
    report.summary.infos += verified.summary.infos;
    report.summary.failed |= verified.summary.failed;
    report.findings.extend(verified.findings);
    report.notices.extend(
        verified
            .notices
            .into_iter()
            .filter(|n| !n.starts_with("static findings are")),
    );
}
