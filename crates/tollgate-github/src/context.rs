//! The GitHub Actions environment (`GITHUB_*` variables) and the event payload.
//!
//! Everything is read through a lookup function rather than `std::env`, so the same code runs in
//! Actions, on a laptop with the variables set by hand, and in tests.

use std::fmt;

use serde::Deserialize;

/// What `tollgate ci` needs from the Actions environment.
#[derive(Debug, Clone)]
pub struct Context {
    pub event_name: String,
    pub event_path: String,
    /// `owner/name`.
    pub repository: String,
    /// `https://api.github.com`, or `https://ghe.example.com/api/v3` on GitHub Enterprise Server.
    pub api_url: String,
    /// Where links to the repository's files point (`GITHUB_SERVER_URL`).
    pub server_url: String,
    pub token: Option<Token>,
    pub output_path: Option<String>,
    pub summary_path: Option<String>,
    pub workspace: Option<String>,
    /// The commit the workflow runs on (`GITHUB_SHA`): for a pull request, the merge commit.
    pub sha: Option<String>,
}

/// A token that never prints itself.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(value: String) -> Option<Token> {
        let value = value.trim().to_string();
        (!value.is_empty()).then_some(Token(value))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// A missing or unreadable piece of the environment: one line naming the variable or file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextError(pub String);

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ContextError {}

/// The variables that may hold the token, in order. The action passes its `github-token` input
/// as `GITHUB_TOKEN`.
pub const TOKEN_VARIABLES: &[&str] = &["GITHUB_TOKEN", "INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN"];

impl Context {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Context, ContextError> {
        let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let need = |k: &str| {
            non_empty(k).ok_or_else(|| {
                ContextError(format!(
                    "{k} is not set: `tollgate ci` reads the GitHub Actions environment; outside Actions set GITHUB_EVENT_NAME, GITHUB_EVENT_PATH and GITHUB_REPOSITORY yourself (see docs/github-action.md)"
                ))
            })
        };
        let event_name = need("GITHUB_EVENT_NAME")?;
        let event_path = need("GITHUB_EVENT_PATH")?;
        let repository = need("GITHUB_REPOSITORY")?;
        if repository.split('/').filter(|p| !p.is_empty()).count() != 2 {
            return Err(ContextError(format!(
                "GITHUB_REPOSITORY `{repository}`: expected owner/name"
            )));
        }
        let api_url = non_empty("GITHUB_API_URL")
            .unwrap_or_else(|| "https://api.github.com".to_string())
            .trim_end_matches('/')
            .to_string();
        let server_url = non_empty("GITHUB_SERVER_URL")
            .unwrap_or_else(|| "https://github.com".to_string())
            .trim_end_matches('/')
            .to_string();
        let token = TOKEN_VARIABLES
            .iter()
            .find_map(|k| get(k).and_then(Token::new));
        Ok(Context {
            event_name,
            event_path,
            repository,
            api_url,
            server_url,
            token,
            output_path: non_empty("GITHUB_OUTPUT"),
            summary_path: non_empty("GITHUB_STEP_SUMMARY"),
            workspace: non_empty("GITHUB_WORKSPACE"),
            sha: non_empty("GITHUB_SHA"),
        })
    }

    pub fn owner(&self) -> &str {
        self.repository.split('/').next().unwrap_or("")
    }

    pub fn repo(&self) -> &str {
        self.repository.split('/').nth(1).unwrap_or("")
    }
}

/// The parts of an event payload tollgate uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    PullRequest(PullRequest),
    Push(Push),
    /// Any other event (`workflow_dispatch`, `schedule`, …): the whole tree is checked.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// `opened`, `synchronize`, `labeled`, …
    pub action: String,
    pub number: u64,
    pub base_sha: String,
    pub head_sha: String,
    pub base_ref: String,
    pub head_ref: String,
    /// The pull request comes from another repository: its token is read-only.
    pub fork: bool,
    pub author: String,
    /// The labels as they were when the event fired (a re-run keeps these).
    pub labels: Vec<String>,
    /// `pull_request_target`: the workflow of the base branch runs with a write token.
    pub target: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    pub before: String,
    pub after: String,
    pub git_ref: String,
}

#[derive(Deserialize)]
struct RawPayload {
    action: Option<String>,
    number: Option<u64>,
    pull_request: Option<RawPr>,
    before: Option<String>,
    after: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
}

#[derive(Deserialize)]
struct RawPr {
    number: Option<u64>,
    base: RawBranch,
    head: RawBranch,
    user: Option<RawUser>,
    #[serde(default)]
    labels: Vec<RawLabel>,
}

#[derive(Deserialize)]
struct RawBranch {
    sha: String,
    #[serde(rename = "ref", default)]
    git_ref: String,
    repo: Option<RawRepo>,
}

#[derive(Deserialize)]
struct RawRepo {
    full_name: Option<String>,
}

#[derive(Deserialize)]
struct RawUser {
    login: String,
}

#[derive(Deserialize)]
struct RawLabel {
    name: String,
}

fn is_sha(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses the payload at `path` (its text given) for the event `name`.
pub fn parse_event(name: &str, path: &str, text: &str) -> Result<Event, ContextError> {
    let bad = |what: &str| {
        ContextError(format!(
            "{path}: {what}; GITHUB_EVENT_PATH must be the event payload GitHub wrote for this `{name}` run"
        ))
    };
    let raw: RawPayload =
        serde_json::from_str(text).map_err(|e| bad(&format!("not a valid event payload ({e})")))?;
    match name {
        "pull_request" | "pull_request_target" => {
            let pr = raw
                .pull_request
                .ok_or_else(|| bad("no `pull_request` object"))?;
            for sha in [&pr.base.sha, &pr.head.sha] {
                if !is_sha(sha) {
                    return Err(bad(&format!("`{sha}` is not a commit SHA")));
                }
            }
            let number = pr
                .number
                .or(raw.number)
                .ok_or_else(|| bad("no pull request number"))?;
            let base_repo = pr.base.repo.as_ref().and_then(|r| r.full_name.clone());
            let head_repo = pr.head.repo.as_ref().and_then(|r| r.full_name.clone());
            // A head repository that is gone (deleted fork) is a fork too.
            let fork = head_repo.is_none() || head_repo != base_repo;
            Ok(Event::PullRequest(PullRequest {
                action: raw.action.unwrap_or_default(),
                number,
                base_sha: pr.base.sha,
                head_sha: pr.head.sha,
                base_ref: pr.base.git_ref,
                head_ref: pr.head.git_ref,
                fork,
                author: pr.user.map(|u| u.login).unwrap_or_default(),
                labels: pr.labels.into_iter().map(|l| l.name).collect(),
                target: name == "pull_request_target",
            }))
        }
        "push" => {
            let after = raw.after.ok_or_else(|| bad("no `after` commit"))?;
            if !is_sha(&after) {
                return Err(bad(&format!("`{after}` is not a commit SHA")));
            }
            Ok(Event::Push(Push {
                before: raw.before.unwrap_or_default(),
                after,
                git_ref: raw.git_ref.unwrap_or_default(),
            }))
        }
        _ => Ok(Event::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn reads_the_environment_and_hides_the_token() {
        let ctx = Context::from_lookup(env(&[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", "/tmp/event.json"),
            ("GITHUB_REPOSITORY", "acme/api"),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
            ("GITHUB_TOKEN", "ghs_secret"),
        ]))
        .unwrap();
        assert_eq!(ctx.api_url, "https://ghe.example.com/api/v3");
        assert_eq!((ctx.owner(), ctx.repo()), ("acme", "api"));
        assert_eq!(ctx.token.as_ref().unwrap().expose(), "ghs_secret");
        assert!(!format!("{ctx:?}").contains("ghs_secret"));
        assert_eq!(ctx.server_url, "https://github.com");
    }

    #[test]
    fn missing_variables_are_named() {
        let e = Context::from_lookup(env(&[("GITHUB_EVENT_NAME", "push")])).unwrap_err();
        assert!(e.0.starts_with("GITHUB_EVENT_PATH is not set"), "{e}");
        let e = Context::from_lookup(env(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_EVENT_PATH", "e.json"),
            ("GITHUB_REPOSITORY", "acme"),
        ]))
        .unwrap_err();
        assert!(e.0.contains("expected owner/name"), "{e}");
        // An empty token is no token: no network calls.
        let ctx = Context::from_lookup(env(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_EVENT_PATH", "e.json"),
            ("GITHUB_REPOSITORY", "a/b"),
            ("GITHUB_TOKEN", "  "),
        ]))
        .unwrap();
        assert!(ctx.token.is_none());
    }

    const SHA_A: &str = "1111111111111111111111111111111111111111";
    const SHA_B: &str = "2222222222222222222222222222222222222222";

    fn pr_payload(head_repo: &str) -> String {
        format!(
            r#"{{"action":"labeled","number":7,"pull_request":{{"number":7,
            "base":{{"sha":"{SHA_A}","ref":"develop","repo":{{"full_name":"acme/api","fork":false}}}},
            "head":{{"sha":"{SHA_B}","ref":"feature","repo":{{"full_name":"{head_repo}","fork":true}}}},
            "user":{{"login":"dev"}},"labels":[{{"name":"migration:destructive-approved"}}]}}}}"#
        )
    }

    #[test]
    fn pull_request_payloads() {
        let Event::PullRequest(pr) =
            parse_event("pull_request", "e.json", &pr_payload("acme/api")).unwrap()
        else {
            panic!("not a pull request")
        };
        assert_eq!(pr.number, 7);
        assert_eq!((pr.base_sha.as_str(), pr.head_sha.as_str()), (SHA_A, SHA_B));
        assert_eq!(pr.labels, vec!["migration:destructive-approved"]);
        assert!(!pr.fork);
        assert_eq!(pr.author, "dev");
        let Event::PullRequest(pr) =
            parse_event("pull_request", "e.json", &pr_payload("someone/api")).unwrap()
        else {
            panic!("not a pull request")
        };
        assert!(pr.fork);
    }

    #[test]
    fn push_and_bad_payloads() {
        let push = format!(r#"{{"ref":"refs/heads/main","before":"{SHA_A}","after":"{SHA_B}"}}"#);
        assert_eq!(
            parse_event("push", "e.json", &push).unwrap(),
            Event::Push(Push {
                before: SHA_A.into(),
                after: SHA_B.into(),
                git_ref: "refs/heads/main".into()
            })
        );
        let e = parse_event("pull_request", "e.json", "{").unwrap_err();
        assert!(e.0.starts_with("e.json: not a valid event payload"), "{e}");
        let e = parse_event("pull_request", "e.json", "{}").unwrap_err();
        assert!(e.0.contains("no `pull_request` object"), "{e}");
        let bad = pr_payload("acme/api").replace(SHA_A, "$(rm -rf /)");
        assert!(parse_event("pull_request", "e.json", &bad).is_err());
        assert_eq!(
            parse_event("workflow_dispatch", "e.json", "{}").unwrap(),
            Event::Other
        );
    }

    /// Payloads shaped like GitHub's (every field GitHub sends that tollgate ignores included).
    #[test]
    fn recorded_payload_fixtures() {
        macro_rules! fixture {
            ($name:literal) => {
                include_str!(concat!("../../../tests/fixtures/github/events/", $name))
            };
        }
        let pr = |event: &str, text: &str| match parse_event(event, "event.json", text) {
            Ok(Event::PullRequest(pr)) => pr,
            other => panic!("{other:?}"),
        };
        let opened = pr("pull_request", fixture!("pull_request.opened.json"));
        assert_eq!((opened.action.as_str(), opened.number), ("opened", 42));
        assert_eq!(opened.base_ref, "develop");
        assert_eq!(opened.head_sha, "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3");
        assert_eq!(opened.labels, vec!["backend"]);
        assert!(!opened.fork && !opened.target);
        let sync = pr("pull_request", fixture!("pull_request.synchronize.json"));
        assert_eq!(sync.action, "synchronize");
        let labeled = pr("pull_request", fixture!("pull_request.labeled.json"));
        assert_eq!(
            labeled.labels,
            vec!["backend", "migration:destructive-approved"]
        );
        assert_eq!(
            labeled.author, "dev",
            "the author, not the sender who labeled"
        );
        let unlabeled = pr("pull_request", fixture!("pull_request.unlabeled.json"));
        assert_eq!(unlabeled.labels, vec!["backend"]);
        let fork = pr("pull_request", fixture!("pull_request.fork.opened.json"));
        assert!(fork.fork);
        let target = pr(
            "pull_request_target",
            fixture!("pull_request_target.opened.json"),
        );
        assert!(target.target);
        match parse_event("push", "event.json", fixture!("push.json")).unwrap() {
            Event::Push(p) => assert_eq!(p.git_ref, "refs/heads/develop"),
            other => panic!("{other:?}"),
        }
    }
}
