//! `tollgate ci` end to end: a real git repository (base commit, pull-request head adding a
//! destructive MikroORM migration and a dump), event-payload fixtures, the Actions files
//! (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`), and a local server playing the GitHub API whose
//! requests are asserted exactly.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::github::MockGitHub;
use common::pr::{pr_event, repo, Repo, LABEL, TOKEN};
use common::write;
use serde_json::{json, Value};

struct Run {
    out: Output,
    stdout: String,
    outputs: Vec<(String, String)>,
    summary: String,
    sarif: Value,
    report: Value,
}

impl Run {
    fn output(&self, name: &str) -> &str {
        self.outputs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no output {name}: {:?}", self.outputs))
    }
    fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
}

fn run_ci(
    r: &Repo,
    event_name: &str,
    event: &Value,
    api: Option<&MockGitHub>,
    extra: &[&str],
) -> Run {
    run_ci_at(r, event_name, event, api.map(|a| a.url.clone()), extra)
}

/// `api_url`: the mock's URL (possibly with a GitHub Enterprise `/api/v3` path), which also
/// gives tollgate a token.
fn run_ci_at(
    r: &Repo,
    event_name: &str,
    event: &Value,
    api_url: Option<String>,
    extra: &[&str],
) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let event_path = write(t, "event.json", event.to_string());
    let output_path = write(t, "output", "");
    let summary_path = write(t, "summary.md", "");
    let sarif: PathBuf = t.join("tollgate.sarif");
    let report: PathBuf = t.join("report.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    cmd.arg("ci")
        .args(["--sarif-file", sarif.to_str().unwrap()])
        .args(["--report-file", report.to_str().unwrap()])
        .args(extra)
        .current_dir(r.dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", t)
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", "acme/api")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_OUTPUT", &output_path)
        .env("GITHUB_STEP_SUMMARY", &summary_path)
        .env("RUNNER_TEMP", t);
    if let Some(url) = api_url {
        cmd.env("GITHUB_API_URL", url).env("GITHUB_TOKEN", TOKEN);
    } else {
        // An API that does not exist: no token means no call is even tried.
        cmd.env("GITHUB_API_URL", "http://127.0.0.1:9");
    }
    let out = cmd.output().expect("run tollgate ci");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token was printed"
    );
    let outputs: Vec<(String, String)> = std::fs::read_to_string(&output_path)
        .unwrap()
        .lines()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let read_json = |p: &Path| -> Value {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null)
    };
    Run {
        summary: std::fs::read_to_string(&summary_path).unwrap(),
        sarif: read_json(&sarif),
        report: read_json(&report),
        outputs,
        stdout,
        out,
    }
}

fn validate_sarif(sarif: &Value) {
    // The published schema's `language` pattern has a stray `]`
    // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which the draft-04 meta-schema's
    // `format: regex` check rejects; it is replaced by the pattern it means before compiling.
    let text = include_str!("fixtures/sarif/sarif-2.1.0-rtm.5.json").replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF is invalid: {errors:#?}");
}

#[test]
fn without_the_label_the_gate_fails_and_everything_is_reported() {
    let r = repo(true);
    let api = MockGitHub::start();
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stdout);

    // The exact calls: labels, existing review comments, the review, existing comments, the
    // sticky comment.
    assert_eq!(
        api.lines(),
        vec![
            "GET /repos/acme/api/issues/7/labels",
            "GET /repos/acme/api/pulls/7/comments",
            "POST /repos/acme/api/pulls/7/reviews",
            "GET /repos/acme/api/issues/7/comments",
            "POST /repos/acme/api/issues/7/comments",
        ]
    );
    let reqs = api.requests();
    assert!(reqs
        .iter()
        .all(|q| q.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
    assert!(reqs[0].target.contains("per_page=100"));
    let review = reqs[2].body.clone().unwrap();
    assert_eq!(review["commit_id"], json!(r.head));
    assert_eq!(review["event"], json!("COMMENT"));
    let comments = review["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{review:#}");
    assert_eq!(
        comments[0]["path"],
        json!("apps/api/src/migrations/Migration20240601000000.ts")
    );
    assert_eq!(comments[0]["line"], json!(6));
    assert_eq!(comments[0]["side"], json!("RIGHT"));
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.contains("drop") && body.contains(LABEL), "{body}");
    let sticky = reqs[4].body.clone().unwrap()["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        sticky.starts_with("<!-- tollgate:sticky-comment -->"),
        "{sticky}"
    );
    assert!(sticky.contains("| Migration | Class | Down | Verify | Locks | Label |"));
    assert!(
        sticky
            .contains("| destructive | yes | – | – | ❌ needs `migration:destructive-approved` |"),
        "{sticky}"
    );
    assert!(
        sticky.contains("prod-2024-05.sql"),
        "the dump is in the comment"
    );
    assert!(sticky.chars().count() < 65_536);
    insta::assert_snapshot!(
        "ci_sticky_comment_without_label",
        sticky.replace(&r.head, "<head>")
    );

    // Outputs, summary, annotations, SARIF and the report file.
    assert_eq!(run.output("destructive"), "true");
    assert_eq!(run.output("approved"), "false");
    assert_eq!(run.output("failed"), "true");
    assert!(run.output("errors").parse::<u32>().unwrap() >= 3);
    assert!(
        run.summary.contains("### ❌ Review needed"),
        "{}",
        run.summary
    );
    assert!(run
        .summary
        .contains("Then add the label `migration:destructive-approved`"));
    assert!(run.summary.contains("personal-data-in-dump"));
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert!(
        annotations[0].starts_with(
            "::error file=apps/api/src/migrations/Migration20240601000000.ts,line=6,endLine=6,col="
        ) && annotations[0].contains("title=tollgate%3A review-label-required::"),
        "{annotations:#?}"
    );
    assert!(annotations
        .iter()
        .any(|a| a.starts_with("::error file=backups/prod-2024-05.sql")
            && a.contains("personal-data-in-dump")));
    assert!(
        annotations
            .iter()
            .any(|a| a.contains("title=tollgate%3A drop-column::")),
        "{annotations:#?}"
    );
    validate_sarif(&run.sarif);
    let results = run.sarif["runs"][0]["results"].as_array().unwrap();
    let drop = results
        .iter()
        .find(|r| r["ruleId"] == "drop-column")
        .expect("drop-column in SARIF");
    assert_eq!(
        drop["locations"][0]["physicalLocation"]["region"]["startLine"],
        json!(6)
    );
    assert!(drop["partialFingerprints"]["tollgateFindingHash/v1"].is_string());
    let rules = run.sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = &rules[drop["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "drop-column");
    assert!(rule["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .contains("DROP COLUMN"));
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## Safe alternative"));
    assert_eq!(run.report["gate"]["label_present"], json!(false));
    assert_eq!(run.report["gate"]["labels_from"], json!("api"));
    assert_eq!(run.output("sarif-path"), run_sarif_path(&run));
}

fn run_sarif_path(run: &Run) -> &str {
    run.output("sarif-path")
}

#[test]
fn the_label_read_fresh_from_the_api_passes_and_comments_are_updated_not_repeated() {
    let r = repo(false);
    let api = MockGitHub::start();
    // First run: no label.
    let first = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        Some(&api),
        &[],
    );
    assert_eq!(first.code(), 1, "{}", first.stdout);
    api.clear_log();
    // A re-run of the same event: the payload has no label, the API has it now.
    api.state.lock().unwrap().labels = vec!["needs-qa".into(), LABEL.into()];
    let second = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        Some(&api),
        &[],
    );
    assert_eq!(second.code(), 0, "{}", second.stdout);
    assert_eq!(second.output("approved"), "true");
    assert_eq!(second.output("destructive"), "true");
    assert_eq!(second.output("failed"), "false");
    assert!(second
        .summary
        .contains("**Review gate: approved by label** `migration:destructive-approved`"));
    assert!(second.stdout.contains("review gate: approved by label"));
    // Approved findings: notices in the log, accepted suppressions in SARIF.
    assert!(
        !second.stdout.lines().any(|l| l.starts_with("::error")),
        "{}",
        second.stdout
    );
    validate_sarif(&second.sarif);
    let drop = second.sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "drop-column")
        .unwrap()
        .clone();
    assert_eq!(drop["suppressions"][0]["status"], "accepted");
    // The review comment is there already; the sticky comment is edited in place.
    let sticky_id = api.state.lock().unwrap().issue_comments[0].0;
    let lines = api.lines();
    assert_eq!(
        lines,
        vec![
            "GET /repos/acme/api/issues/7/labels",
            "GET /repos/acme/api/pulls/7/comments",
            "GET /repos/acme/api/issues/7/comments",
            format!("PATCH /repos/acme/api/issues/comments/{sticky_id}").as_str(),
        ]
    );
    let st = api.state.lock().unwrap();
    assert_eq!(st.issue_comments.len(), 1);
    assert!(st.issue_comments[0].2.contains("✅ approved"));
    assert_eq!(st.review_comments.len(), 1);
}

#[test]
fn labeled_and_unlabeled_events_follow_the_api_not_the_payload() {
    let r = repo(false);
    let api = MockGitHub::start();
    // `labeled`: the payload has the label, and so does the API.
    api.state.lock().unwrap().labels = vec![LABEL.into()];
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stdout);
    // `unlabeled` re-run later: the payload still lists it, the API no longer does.
    api.state.lock().unwrap().labels.clear();
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "unlabeled", &[LABEL], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stdout);
    assert_eq!(run.output("approved"), "false");
}

#[test]
fn a_read_only_token_falls_back_to_annotations_and_the_summary() {
    let r = repo(false);
    let api = MockGitHub::start();
    api.state.lock().unwrap().refuse_writes = Some(403);
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], true),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stdout);
    let lines = api.lines();
    assert!(lines.contains(&"POST /repos/acme/api/pulls/7/reviews".to_string()));
    assert!(lines.contains(&"POST /repos/acme/api/issues/7/comments".to_string()));
    assert!(
        run.summary.contains("GitHub refused the request (403"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("read-only token"), "{}", run.summary);
    assert!(run
        .stdout
        .contains("::error file=apps/api/src/migrations/Migration20240601000000.ts"));
    // The statement that got no review comment is listed in the summary.
    assert!(run
        .summary
        .contains("### Destructive statements without a review comment"));

    // With the label, the same fork pull request passes.
    api.state.lock().unwrap().labels = vec![LABEL.into()];
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], true),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stdout);
}

#[test]
fn an_unreachable_api_falls_back_to_the_payload_labels() {
    let r = repo(false);
    let api = MockGitHub::start();
    api.state.lock().unwrap().fail_all = Some(503);
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stdout);
    assert_eq!(run.report["gate"]["labels_from"], json!("payload"));
    assert!(run.summary.contains("labels read from the event payload"));
}

#[test]
fn sticky_comment_is_found_across_pages_and_other_bots_are_left_alone() {
    let r = repo(false);
    let api = MockGitHub::start();
    {
        let mut st = api.state.lock().unwrap();
        st.page_size = 2;
        st.labels = vec![LABEL.into()];
        st.issue_comments = vec![
            (1, "dev".into(), "please look".into()),
            // Another bot quoting tollgate's marker: never edited.
            (
                2,
                "renovate[bot]".into(),
                "<!-- tollgate:sticky-comment -->\nquoted".into(),
            ),
            (3, "ana".into(), "lgtm".into()),
            (
                4,
                "github-actions[bot]".into(),
                "<!-- tollgate:sticky-comment -->\nold".into(),
            ),
        ];
    }
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "synchronize", &[], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stdout);
    let reqs = api.requests();
    let comment_reads: Vec<&str> = reqs
        .iter()
        .filter(|q| q.path() == "/repos/acme/api/issues/7/comments")
        .map(|q| q.target.as_str())
        .collect();
    assert_eq!(comment_reads.len(), 2, "two pages read: {comment_reads:?}");
    assert!(comment_reads[1].contains("page=2"));
    let patches: Vec<String> = api
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("PATCH"))
        .collect();
    assert_eq!(patches, vec!["PATCH /repos/acme/api/issues/comments/4"]);
    let st = api.state.lock().unwrap();
    assert!(st.issue_comments[1].2.ends_with("quoted"));
    assert!(!st.issue_comments.iter().any(|c| c.0 > 4), "no new comment");
}

#[test]
fn approving_review_by_someone_else_is_required_when_the_policy_says_so() {
    let r = repo(false);
    write(
        r.dir.path(),
        "tollgate.toml",
        "[review]\nrequire_approving_review = true\n",
    );
    let api = MockGitHub::start();
    {
        let mut st = api.state.lock().unwrap();
        st.labels = vec![LABEL.into()];
        st.reviews = vec![("dev".into(), "APPROVED".into())];
    }
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        Some(&api),
        &[],
    );
    assert_eq!(
        run.code(),
        1,
        "the author's own approval does not count: {}",
        run.stdout
    );
    assert!(api
        .lines()
        .contains(&"GET /repos/acme/api/pulls/7/reviews".to_string()));
    api.state
        .lock()
        .unwrap()
        .reviews
        .push(("ana".into(), "APPROVED".into()));
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stdout);
    assert!(
        run.summary.contains("an approving review by ana"),
        "{}",
        run.summary
    );
}

#[test]
fn without_a_token_nothing_is_sent_and_the_payload_decides() {
    let r = repo(false);
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        None,
        &[],
    );
    assert_eq!(run.code(), 0, "{}", run.stdout);
    assert_eq!(run.report["gate"]["labels_from"], json!("payload"));
    assert!(run.summary.contains("no token: nothing was posted"));
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        None,
        &[],
    );
    assert_eq!(run.code(), 1);
}

#[test]
fn push_checks_the_whole_tree_without_a_gate() {
    let r = repo(false);
    let api = MockGitHub::start();
    let event = json!({ "ref": "refs/heads/develop", "before": r.base, "after": r.head });
    let run = run_ci(&r, "push", &event, Some(&api), &[]);
    assert!(
        api.lines().is_empty(),
        "a push makes no API call: {:?}",
        api.lines()
    );
    assert_eq!(run.report["summary"]["migrations"], json!(2));
    assert_eq!(run.output("approved"), "false");
    assert!(run.summary.contains("push to refs/heads/develop"));
    // drop-column is an error on the whole tree: no label can approve a push.
    assert_eq!(run.code(), 1);
}

#[test]
fn broken_environment_is_one_line_and_exit_2() {
    let r = repo(false);
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .arg("ci")
        .current_dir(r.dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("tollgate: error: GITHUB_EVENT_NAME is not set"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);

    // A payload whose base commit is not in the clone (a shallow checkout).
    let mut event = pr_event(&r, "opened", &[], false);
    event["pull_request"]["base"]["sha"] = json!("1234567890123456789012345678901234567890");
    let run = run_ci(&r, "pull_request", &event, None, &[]);
    assert_eq!(run.code(), 2);
    let err = String::from_utf8_lossy(&run.out.stderr);
    assert!(err.contains("fetch-depth: 0"), "{err}");
}

#[test]
fn many_findings_stay_within_the_limits() {
    // 400 destructive statements: annotations capped, comment and summary within GitHub's sizes.
    let r = repo(false);
    let mut up = String::new();
    for i in 0..400 {
        up.push_str(&format!(
            "    this.addSql('alter table \"member\" drop column \"c{i}\";');\n"
        ));
    }
    let r = r.with_up(&up, "many");
    let api = MockGitHub::start();
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 1);
    let errors = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .count();
    assert_eq!(errors, 10);
    assert!(run
        .stdout
        .contains("more errors than GitHub shows as annotations"));
    let reqs = api.requests();
    let review = reqs
        .iter()
        .find(|q| q.line() == "POST /repos/acme/api/pulls/7/reviews")
        .unwrap();
    assert_eq!(
        review.body.as_ref().unwrap()["comments"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
    let comment = reqs
        .iter()
        .find(|q| q.line() == "POST /repos/acme/api/issues/7/comments")
        .unwrap();
    assert!(
        comment.body.as_ref().unwrap()["body"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= 65_536
    );
    assert!(run.summary.len() <= 1024 * 1024);
    assert!(run
        .summary
        .contains("### Destructive statements without a review comment"));
}

#[test]
fn the_schema_check_catches_what_it_should() {
    // The validator is not a no-op: a 0-based region and a wrong version are rejected.
    let bad = json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "x" } }, "results": [{
            "message": { "text": "m" },
            "locations": [{ "physicalLocation": {
                "artifactLocation": { "uri": "a.sql" }, "region": { "startLine": 0 } } }]
        }] }]
    });
    let r = std::panic::catch_unwind(|| validate_sarif(&bad));
    assert!(r.is_err(), "startLine 0 must be rejected");
    let r = std::panic::catch_unwind(|| validate_sarif(&json!({ "version": "2.0.0", "runs": [] })));
    assert!(r.is_err(), "version 2.0.0 must be rejected");
}

#[test]
fn with_a_database_url_verify_runs_and_its_results_reach_the_comment() {
    let (rt, server) = common::pr::server();
    let url = server.admin_url().to_string();
    let r = repo(false);
    let api = MockGitHub::start();
    api.state.lock().unwrap().labels = vec![LABEL.into()];
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        Some(&api),
        &["--database-url", &url],
    );
    assert_eq!(run.code(), 0, "{}", run.stdout);
    let m = run.report["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"].as_str().unwrap().contains("20240601"))
        .unwrap()
        .clone();
    assert_eq!(m["verify"]["up"]["ok"], json!(true), "{m:#}");
    assert_eq!(m["verify"]["down"]["ok"], json!(true), "{m:#}");
    let sticky = api.state.lock().unwrap().issue_comments[0].2.clone();
    assert!(
        sticky.contains("| destructive | yes | ✅ round trip | AccessExclusive on `member` |"),
        "{sticky}"
    );
    rt.block_on(server.shutdown());

    // Under pull_request_target the pull request's SQL is never run.
    let run = run_ci(
        &r,
        "pull_request_target",
        &pr_event(&r, "opened", &[], false),
        None,
        &["--database-url", "postgres://localhost:1/x"],
    );
    assert_eq!(run.code(), 2);
    assert!(String::from_utf8_lossy(&run.out.stderr).contains("refusing to run"));
}

#[test]
fn check_format_sarif_on_the_examples_is_valid_sarif() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["check", ".", "--format", "sarif"])
        .current_dir(&examples)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 30, "{}", results.len());
    // Every region is 1-based and every result has a fingerprint and a known rule.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        if !region.is_null() {
            assert!(region["startLine"].as_u64().unwrap() >= 1);
            assert!(region["startColumn"].as_u64().unwrap() >= 1);
        }
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["tollgateFindingHash/v1"].is_string());
    }
}

#[test]
fn a_broken_event_payload_is_one_line_and_exit_2() {
    let r = repo(false);
    for bad in [&b"{not json"[..], &b"\xff\xfe\x00binary"[..]] {
        let tmp = tempfile::tempdir().unwrap();
        let event = write(tmp.path(), "event.json", bad);
        let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .arg("ci")
            .current_dir(r.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "acme/api")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("event.json"), "{err}");
    }
}

#[test]
fn github_enterprise_server_paths_and_pagination() {
    let r = repo(false);
    let api = MockGitHub::start();
    {
        let mut st = api.state.lock().unwrap();
        st.page_size = 1;
        st.labels = vec!["backend".into(), LABEL.into()];
    }
    let run = run_ci_at(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        Some(format!("{}/api/v3/", api.url)),
        &[],
    );
    assert_eq!(
        run.code(),
        0,
        "the label is on the second page: {}",
        run.stdout
    );
    let targets: Vec<String> = api.requests().iter().map(|q| q.target.clone()).collect();
    assert!(
        targets
            .iter()
            .all(|t| t.starts_with("/api/v3/repos/acme/api/")),
        "{targets:#?}"
    );
    assert!(
        targets.contains(&"/api/v3/repos/acme/api/issues/7/labels?per_page=1&page=2".to_string()),
        "{targets:#?}"
    );
}

#[test]
fn a_migration_built_at_run_time_needs_the_label_and_shows_the_interpolation() {
    let r = repo(false);
    let r = r.with_up(
        "    const column = process.env.COLUMN;\n    this.addSql(`alter table \"member\" drop column \"${column}\";`);\n",
        "dynamic",
    );
    let api = MockGitHub::start();
    let run = run_ci(
        &r,
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        Some(&api),
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stdout);
    assert_eq!(run.output("destructive"), "true", "unknown fails closed");
    let reqs = api.requests();
    let review = reqs
        .iter()
        .find(|q| q.line() == "POST /repos/acme/api/pulls/7/reviews")
        .expect("a review");
    let c = &review.body.as_ref().unwrap()["comments"][0];
    assert_eq!(c["line"], json!(7), "{c:#}");
    // The interpolation is shown as such, not as tollgate's placeholder.
    let body = c["body"].as_str().unwrap();
    assert!(body.contains("drops column `member.${…}`"), "{body}");
}
