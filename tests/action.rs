//! `action.yml` as GitHub runs it. One test reads the action and checks it is safe and wired:
//! inputs reach scripts only through `env:`, every input is used, every output comes from the
//! check step. The others play the runner: they evaluate each step's `env:` expressions the way
//! GitHub does, run the `run:` scripts with bash, carry step outputs through `$GITHUB_OUTPUT`,
//! install a locally built binary through the manifest check, and run `tollgate ci` against a
//! local GitHub API.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::github::MockGitHub;
use common::pr::{pr_event, repo, Repo, LABEL, TOKEN};
use common::write;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn action() -> Value {
    yaml(&root().join("action.yml"))
}

/// Every `${{ … }}` expression in `s`, trimmed.
fn expressions(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${{") {
        let after = &rest[i + 3..];
        let j = after.find("}}").expect("unclosed expression");
        out.push(after[..j].trim().to_string());
        rest = &after[j + 2..];
    }
    out
}

#[test]
fn action_yml_passes_inputs_only_through_env_and_wires_every_output() {
    let a = action();
    assert_eq!(a["runs"]["using"], "composite");
    let inputs = a["inputs"].as_object().unwrap();
    for name in [
        "paths",
        "config",
        "database-url",
        "review-label",
        "fail-on",
        "comment",
        "review-comments",
        "sarif-file",
        "verify",
        "github-token",
        "version",
    ] {
        assert!(inputs.contains_key(name), "input {name} missing");
    }
    assert_eq!(inputs["github-token"]["default"], "${{ github.token }}");
    let mut used = Vec::new();
    let steps = a["runs"]["steps"].as_array().unwrap();
    for step in steps {
        let run = step["run"].as_str().unwrap_or("");
        assert!(
            !run.contains("${{"),
            "an expression inside a script is an injection hole: {run}"
        );
        assert_eq!(step["shell"], "bash", "{step}");
        for (_, v) in step["env"].as_object().into_iter().flatten() {
            for e in expressions(v.as_str().unwrap_or("")) {
                if let Some(name) = e.strip_prefix("inputs.") {
                    assert!(inputs.contains_key(name), "unknown input {name}");
                    used.push(name.to_string());
                }
            }
        }
    }
    for name in inputs.keys() {
        assert!(used.contains(name), "input {name} is never used");
    }
    let outputs = a["outputs"].as_object().unwrap();
    for name in [
        "destructive",
        "approved",
        "errors",
        "warnings",
        "report-path",
        "sarif-path",
    ] {
        assert_eq!(
            outputs[name]["value"],
            format!("${{{{ steps.check.outputs.{name} }}}}"),
            "output {name}"
        );
    }
    // The workflows keep the same rule: no expression inside a script.
    for dir in [".github/workflows", "docs/examples"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let w = yaml(&path);
            for (_, job) in w["jobs"].as_object().unwrap() {
                for step in job["steps"].as_array().into_iter().flatten() {
                    let run = step["run"].as_str().unwrap_or("");
                    assert!(!run.contains("${{"), "{}: {run}", path.display());
                }
            }
        }
    }
}

/// The runner: the action's directory, the Actions files, and the values expressions see.
struct Runner {
    tmp: tempfile::TempDir,
    action_dir: PathBuf,
    inputs: BTreeMap<String, String>,
    extra_env: Vec<(String, String)>,
}

struct StepResult {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

/// The binary tests run, published as the release asset of this runner's target.
const TARGET: &str = "x86_64-unknown-linux-musl";

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

impl Runner {
    /// Copies the action (action.yml, its scripts) and writes a manifest naming `asset` (a
    /// release directory served as file://) with the given checksum.
    fn new(manifest_sum: Option<&str>) -> Runner {
        let tmp = tempfile::tempdir().unwrap();
        let action_dir = tmp.path().join("action");
        std::fs::create_dir_all(action_dir.join("scripts/action")).unwrap();
        std::fs::create_dir_all(action_dir.join("dist")).unwrap();
        std::fs::copy(root().join("action.yml"), action_dir.join("action.yml")).unwrap();
        for s in ["install.sh", "run.sh"] {
            std::fs::copy(
                root().join("scripts/action").join(s),
                action_dir.join("scripts/action").join(s),
            )
            .unwrap();
        }
        let release = tmp.path().join("release");
        std::fs::create_dir_all(&release).unwrap();
        let asset = release.join(format!("tollgate-{TARGET}"));
        std::fs::copy(env!("CARGO_BIN_EXE_tollgate"), &asset).unwrap();
        let real = sha256(&asset);
        let assets = match manifest_sum {
            Some("real") => {
                serde_json::json!({ TARGET: { "file": format!("tollgate-{TARGET}"), "sha256": real } })
            }
            Some(sum) => {
                serde_json::json!({ TARGET: { "file": format!("tollgate-{TARGET}"), "sha256": sum } })
            }
            None => serde_json::json!({}),
        };
        let manifest = serde_json::json!({
            "version": "0.1.0",
            "base_url": "https://github.com/tollgate-dev/tollgate/releases/download/v0.1.0",
            "assets": assets,
        });
        std::fs::write(action_dir.join("dist/manifest.json"), manifest.to_string()).unwrap();
        let extra_env = vec![(
            "TOLLGATE_DOWNLOAD_BASE".to_string(),
            format!("file://{}", release.display()),
        )];
        Runner {
            tmp,
            action_dir,
            inputs: BTreeMap::new(),
            extra_env,
        }
    }

    /// `${{ … }}` as GitHub evaluates the ones action.yml uses.
    fn eval(&self, text: &str, steps: &BTreeMap<String, BTreeMap<String, String>>) -> String {
        let mut out = text.to_string();
        for e in expressions(text) {
            let value = if let Some(name) = e.strip_prefix("inputs.") {
                match self.inputs.get(name) {
                    Some(v) => v.clone(),
                    None => {
                        let default = action()["inputs"][name]["default"]
                            .as_str()
                            .unwrap_or("")
                            .to_string();
                        self.eval(&default, steps)
                    }
                }
            } else if let Some(rest) = e.strip_prefix("steps.") {
                let (id, name) = rest
                    .split_once(".outputs.")
                    .expect("steps.<id>.outputs.<name>");
                steps
                    .get(id)
                    .and_then(|o| o.get(name))
                    .cloned()
                    .unwrap_or_default()
            } else {
                match e.as_str() {
                    "github.token" => TOKEN.to_string(),
                    "runner.os" => "Linux".to_string(),
                    "runner.arch" => "X64".to_string(),
                    other => panic!("expression the runner does not know: {other}"),
                }
            };
            out = out.replace(&format!("${{{{ {e} }}}}"), &value);
        }
        out
    }

    /// Runs every step of action.yml in order, like the runner: each step's `env:` evaluated,
    /// its script written to a file and run with `bash --noprofile --norc -eo pipefail`, a fresh
    /// `$GITHUB_OUTPUT` per step. Stops at the first failing step.
    fn run(
        &self,
        repo: &Path,
        event_name: &str,
        event: &Value,
        api: &MockGitHub,
    ) -> Vec<(String, StepResult)> {
        let t = self.tmp.path();
        let event_path = write(t, "event.json", event.to_string());
        let summary = write(t, "summary.md", "");
        let runner_temp = t.join("runner-temp");
        std::fs::create_dir_all(&runner_temp).unwrap();
        let mut steps_out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut results = Vec::new();
        for (i, step) in action()["runs"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let id = step["id"].as_str().unwrap_or("").to_string();
            let output = write(t, &format!("output-{i}"), "");
            let script = write(t, &format!("step-{i}.sh"), step["run"].as_str().unwrap());
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(repo)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("HOME", t)
                .env("NO_COLOR", "1")
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_ACTION_PATH", &self.action_dir)
                .env("GITHUB_WORKSPACE", repo)
                .env("GITHUB_EVENT_NAME", event_name)
                .env("GITHUB_EVENT_PATH", &event_path)
                .env("GITHUB_REPOSITORY", "acme/api")
                .env("GITHUB_API_URL", &api.url)
                .env("GITHUB_SERVER_URL", "https://github.com")
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("RUNNER_TEMP", &runner_temp);
            for (k, v) in &self.extra_env {
                cmd.env(k, v);
            }
            for (k, v) in step["env"].as_object().into_iter().flatten() {
                cmd.env(k, self.eval(v.as_str().unwrap_or(""), &steps_out));
            }
            let out = cmd.output().unwrap();
            let outputs: BTreeMap<String, String> = std::fs::read_to_string(&output)
                .unwrap()
                .lines()
                .filter_map(|l| {
                    l.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                })
                .collect();
            steps_out.insert(id.clone(), outputs.clone());
            let r = StepResult {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).to_string(),
                outputs,
            };
            assert!(
                !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
                "token printed"
            );
            let failed = r.code != 0;
            results.push((id, r));
            if failed {
                break;
            }
        }
        results
    }

    /// The action's outputs, mapped from the steps as action.yml declares them.
    fn outputs(&self, results: &[(String, StepResult)]) -> BTreeMap<String, String> {
        let steps: BTreeMap<String, BTreeMap<String, String>> = results
            .iter()
            .map(|(id, r)| (id.clone(), r.outputs.clone()))
            .collect();
        action()["outputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), self.eval(v["value"].as_str().unwrap(), &steps)))
            .collect()
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.tmp.path().join("summary.md")).unwrap()
    }
}

fn step<'a>(results: &'a [(String, StepResult)], id: &str) -> &'a StepResult {
    &results
        .iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("step {id} did not run"))
        .1
}

#[test]
fn the_action_installs_the_verified_binary_and_gates_the_pull_request() {
    let r: Repo = repo(true);
    let api = MockGitHub::start();
    let runner = Runner::new(Some("real"));
    let results = runner.run(
        r.dir.path(),
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        &api,
    );

    let install = step(&results, "install");
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    assert!(
        install
            .stdout
            .contains("SHA-256 verified against dist/manifest.json"),
        "{}",
        install.stdout
    );
    assert!(
        install.stdout.contains("tollgate 0.1.0"),
        "{}",
        install.stdout
    );

    let check = step(&results, "check");
    assert_eq!(
        check.code, 1,
        "no label: the gate fails\n{}{}",
        check.stdout, check.stderr
    );
    let outputs = runner.outputs(&results);
    assert_eq!(outputs["destructive"], "true");
    assert_eq!(outputs["approved"], "false");
    assert!(outputs["errors"].parse::<u32>().unwrap() >= 3);
    assert!(
        outputs["sarif-path"].ends_with("runner-temp/tollgate.sarif"),
        "{outputs:?}"
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs["sarif-path"]).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["ruleId"] == "personal-data-in-dump"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs["report-path"]).unwrap()).unwrap();
    assert_eq!(report["gate"]["passed"], false);
    assert!(check.stdout.lines().any(
        |l| l.starts_with("::error file=apps/api/src/migrations/Migration20240601000000.ts,line=6")
    ));
    assert!(runner.summary().contains("### ❌ Review needed"));
    let lines = api.lines();
    assert!(lines.contains(&"GET /repos/acme/api/issues/7/labels".to_string()));
    assert!(lines.contains(&"POST /repos/acme/api/pulls/7/reviews".to_string()));
    assert!(lines.contains(&"POST /repos/acme/api/issues/7/comments".to_string()));

    // The reviewer adds the label; the `labeled` run passes and edits the comment in place.
    api.state.lock().unwrap().labels = vec![LABEL.to_string()];
    api.clear_log();
    let results = runner.run(
        r.dir.path(),
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        &api,
    );
    let check = step(&results, "check");
    let outputs = runner.outputs(&results);
    assert_eq!(outputs["approved"], "true");
    // The label approves the destructive migration, never the committed personal data.
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("review gate: approved by label"));
    assert_eq!(
        check
            .stdout
            .lines()
            .filter(|l| l.starts_with("::error"))
            .count(),
        1,
        "{}",
        check.stdout
    );
    assert!(check
        .stdout
        .contains("::error file=backups/prod-2024-05.sql"));
    assert!(api
        .lines()
        .iter()
        .any(|l| l.starts_with("PATCH /repos/acme/api/issues/comments/")));
    assert!(!api
        .lines()
        .contains(&"POST /repos/acme/api/issues/7/comments".to_string()));
}

#[test]
fn inputs_reach_tollgate_as_arguments_without_the_shell_reading_them() {
    let r: Repo = repo(false);
    let api = MockGitHub::start();
    let mut runner = Runner::new(Some("real"));
    // A hostile label value is data, never code; comments off means no write call.
    runner.inputs.insert(
        "review-label".into(),
        "$(touch pwned) `touch pwned2`".into(),
    );
    runner.inputs.insert("comment".into(), "false".into());
    runner
        .inputs
        .insert("review-comments".into(), "false".into());
    runner
        .inputs
        .insert("paths".into(), "apps/api/src/migrations".into());
    let sarif = runner.tmp.path().join("custom.sarif");
    runner
        .inputs
        .insert("sarif-file".into(), sarif.display().to_string());
    let results = runner.run(
        r.dir.path(),
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        &api,
    );
    let check = step(&results, "check");
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("`$(touch pwned) `touch pwned2``"),
        "{}",
        check.stdout
    );
    assert!(!r.dir.path().join("pwned").exists() && !r.dir.path().join("pwned2").exists());
    assert_eq!(
        runner.outputs(&results)["sarif-path"],
        sarif.display().to_string()
    );
    assert!(sarif.is_file());
    assert!(
        api.lines().iter().all(|l| l.starts_with("GET ")),
        "{:?}",
        api.lines()
    );
}

#[test]
fn a_binary_that_does_not_match_the_manifest_is_never_run() {
    let r: Repo = repo(false);
    let api = MockGitHub::start();
    let runner = Runner::new(Some(&"0".repeat(64)));
    let results = runner.run(
        r.dir.path(),
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        &api,
    );
    assert_eq!(results.len(), 1, "the check step must not run");
    let install = step(&results, "install");
    assert_ne!(install.code, 0);
    assert!(
        install.stderr.contains("checksum mismatch"),
        "{}",
        install.stderr
    );
    assert!(api.lines().is_empty());
}

#[test]
fn without_a_release_binary_the_action_builds_its_own_source() {
    let r: Repo = repo(false);
    let api = MockGitHub::start();
    let mut runner = Runner::new(None);
    // A stand-in for cargo that records its arguments and installs the test binary.
    let log = runner.tmp.path().join("cargo-args");
    let fake = write(
        runner.tmp.path(),
        "fake-cargo.sh",
        format!(
            "#!/usr/bin/env bash\nset -e\necho \"$@\" > '{}'\nwhile [ $# -gt 0 ]; do case \"$1\" in --root) root=\"$2\"; shift;; esac; shift; done\nmkdir -p \"$root/bin\"\ncp '{}' \"$root/bin/tollgate\"\n",
            log.display(),
            env!("CARGO_BIN_EXE_tollgate")
        ),
    );
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
    runner
        .extra_env
        .push(("CARGO".into(), fake.display().to_string()));
    runner.inputs.insert("comment".into(), "false".into());
    runner
        .inputs
        .insert("review-comments".into(), "false".into());
    let results = runner.run(
        r.dir.path(),
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        &api,
    );
    let install = step(&results, "install");
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(
        args.starts_with(&format!(
            "install --locked --path {}/crates/tollgate-cli --root ",
            runner.action_dir.display()
        )),
        "{args}"
    );
    assert_eq!(step(&results, "check").code, 1);
}

#[test]
fn the_gate_fails_without_the_label_and_passes_with_it() {
    let r: Repo = repo(false);
    let api = MockGitHub::start();
    let runner = Runner::new(Some("real"));
    let results = runner.run(
        r.dir.path(),
        "pull_request",
        &pr_event(&r, "opened", &[], false),
        &api,
    );
    assert_eq!(step(&results, "check").code, 1);
    assert_eq!(runner.outputs(&results)["approved"], "false");

    api.state.lock().unwrap().labels = vec![LABEL.to_string()];
    let results = runner.run(
        r.dir.path(),
        "pull_request",
        &pr_event(&r, "labeled", &[LABEL], false),
        &api,
    );
    let check = step(&results, "check");
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let outputs = runner.outputs(&results);
    assert_eq!(outputs["destructive"], "true");
    assert_eq!(outputs["approved"], "true");
    assert!(!check.stdout.lines().any(|l| l.starts_with("::error")));
    assert!(check.stdout.lines().any(|l| l.starts_with("::notice ")
        && l.contains("approved by label `migration:destructive-approved`: drops column")));
    let summary = runner.summary();
    assert!(summary.contains("## ✅ tollgate: passed"), "{summary}");
    assert!(summary.contains("**Review gate: approved by label**"));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs["sarif-path"]).unwrap()).unwrap();
    assert!(sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["ruleId"] == "drop-column" && x["suppressions"][0]["status"] == "accepted"));
}
