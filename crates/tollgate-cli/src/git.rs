//! Git, through the `git` command: the merge-base with a base ref, what changed since it, and
//! the files as they were there.
//!
//! Everything a pull-request check needs: migrations added or changed on the branch are checked,
//! migrations that already exist on the base must not change, and a shallow clone that lacks the
//! merge-base is an error that says what to fetch, never a wrong answer.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::CliError;

/// How a path changed between the merge-base and the working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
    /// Renamed from the given path (with or without edits).
    Renamed {
        from: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedPath {
    /// Repository-relative, '/'-separated. For a deletion, the old path.
    pub path: String,
    pub change: Change,
}

pub struct Repo {
    /// The top of the working tree.
    pub root: PathBuf,
}

fn run_git(dir: &Path, args: &[&str]) -> Result<std::process::Output, CliError> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        // Never prompt, never page, never read the user's odd config for diff output.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| CliError::new(format!("cannot run git: {e}; install git or drop --base")))
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .trim_end_matches(['\n', '\r'])
        .to_string()
}

fn stderr_line(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

impl Repo {
    /// The repository containing `dir`.
    pub fn discover(dir: &Path) -> Result<Repo, CliError> {
        let out = run_git(dir, &["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            return Err(CliError::new(format!(
                "{}: not inside a git repository; --base needs one (run tollgate from your clone)",
                dir.display()
            )));
        }
        Ok(Repo {
            root: PathBuf::from(stdout_of(&out)),
        })
    }

    fn git(&self, args: &[&str]) -> Result<std::process::Output, CliError> {
        run_git(&self.root, args)
    }

    fn is_shallow(&self) -> bool {
        self.git(&["rev-parse", "--is-shallow-repository"])
            .map(|o| stdout_of(&o) == "true")
            .unwrap_or(false)
    }

    /// The unified diff of `base..head` (3 lines of context, as GitHub shows it): which lines a
    /// review comment can point at.
    pub fn diff(&self, base: &str, head: &str) -> Result<String, CliError> {
        let out = self.git(&[
            "diff",
            "--unified=3",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            base,
            head,
        ])?;
        if !out.status.success() {
            return Err(CliError::new(format!(
                "git diff {base} {head}: {}; fetch both commits (actions/checkout with `fetch-depth: 0`)",
                stderr_line(&out)
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Whether `rev` names a commit in this clone.
    pub fn has_commit(&self, rev: &str) -> bool {
        self.git(&["cat-file", "-e", &format!("{rev}^{{commit}}")])
            .is_ok_and(|o| o.status.success())
    }

    /// The merge-base of `base` and `HEAD`, with errors that say what to fetch.
    pub fn merge_base(&self, base: &str) -> Result<String, CliError> {
        let verify = self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{base}^{{commit}}"),
        ])?;
        if !verify.status.success() {
            let hint = if self.is_shallow() {
                format!(
                    "this is a shallow clone; fetch the base branch (`git fetch origin {b}:{b}` or actions/checkout with `fetch-depth: 0`)",
                    b = base.trim_start_matches("origin/")
                )
            } else {
                format!(
                    "fetch it first (`git fetch origin {}`)",
                    base.trim_start_matches("origin/")
                )
            };
            return Err(CliError::new(format!(
                "--base {base}: unknown revision; {hint}"
            )));
        }
        let out = self.git(&["merge-base", base, "HEAD"])?;
        if out.status.success() {
            return Ok(stdout_of(&out));
        }
        if self.is_shallow() {
            return Err(CliError::new(format!(
                "--base {base}: the merge-base with HEAD is not in this shallow clone; fetch the full history (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`)"
            )));
        }
        Err(CliError::new(format!(
            "--base {base}: no common ancestor with HEAD ({}); check the branch name",
            stderr_line(&out)
        )))
    }

    /// Paths changed between `rev` and the working tree (committed, staged, unstaged and
    /// untracked-but-not-ignored), with renames detected.
    pub fn changes_since(&self, rev: &str) -> Result<Vec<ChangedPath>, CliError> {
        let out = self.git(&["diff", "--name-status", "-z", "-M", "--no-color", rev, "--"])?;
        if !out.status.success() {
            return Err(CliError::new(format!(
                "git diff {rev} failed: {}",
                stderr_line(&out)
            )));
        }
        let mut changes = parse_name_status(&out.stdout);
        let untracked = self.git(&["ls-files", "-z", "--others", "--exclude-standard"])?;
        for p in untracked
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
        {
            changes.push(ChangedPath {
                path: String::from_utf8_lossy(p).to_string(),
                change: Change::Added,
            });
        }
        Ok(changes)
    }

    /// Every file path at `rev`.
    pub fn files_at(&self, rev: &str) -> Result<Vec<String>, CliError> {
        let out = self.git(&["ls-tree", "-r", "-z", "--name-only", rev])?;
        if !out.status.success() {
            return Err(CliError::new(format!(
                "git ls-tree {rev} failed: {}",
                stderr_line(&out)
            )));
        }
        Ok(out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).to_string())
            .collect())
    }

    /// A file's content at `rev`, or `None` when it is not valid UTF-8.
    pub fn show(&self, rev: &str, path: &str) -> Result<Option<String>, CliError> {
        let out = self.git(&["show", &format!("{rev}:{path}")])?;
        if !out.status.success() {
            return Err(CliError::new(format!(
                "git show {rev}:{path} failed: {}",
                stderr_line(&out)
            )));
        }
        Ok(String::from_utf8(out.stdout).ok())
    }
}

/// Parses `git diff --name-status -z` output.
pub fn parse_name_status(raw: &[u8]) -> Vec<ChangedPath> {
    let fields: Vec<String> = raw
        .split(|b| *b == 0)
        .map(|f| String::from_utf8_lossy(f).to_string())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < fields.len() {
        let status = &fields[i];
        if status.is_empty() {
            i += 1;
            continue;
        }
        let code = status.as_bytes()[0];
        match code {
            b'R' | b'C' if i + 2 < fields.len() => {
                let (from, to) = (fields[i + 1].clone(), fields[i + 2].clone());
                if code == b'R' {
                    out.push(ChangedPath {
                        path: to,
                        change: Change::Renamed { from },
                    });
                } else {
                    out.push(ChangedPath {
                        path: to,
                        change: Change::Added,
                    });
                }
                i += 3;
            }
            _ if i + 1 < fields.len() => {
                let path = fields[i + 1].clone();
                let change = match code {
                    b'A' => Change::Added,
                    b'D' => Change::Deleted,
                    _ => Change::Modified,
                };
                out.push(ChangedPath { path, change });
                i += 2;
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_status_with_renames() {
        let raw = b"A\0m/002.sql\0M\0m/001.sql\0R087\0m/old.sql\0m/new.sql\0D\0m/gone.sql\0";
        let c = parse_name_status(raw);
        assert_eq!(
            c,
            vec![
                ChangedPath {
                    path: "m/002.sql".into(),
                    change: Change::Added
                },
                ChangedPath {
                    path: "m/001.sql".into(),
                    change: Change::Modified
                },
                ChangedPath {
                    path: "m/new.sql".into(),
                    change: Change::Renamed {
                        from: "m/old.sql".into()
                    }
                },
                ChangedPath {
                    path: "m/gone.sql".into(),
                    change: Change::Deleted
                },
            ]
        );
    }
}
