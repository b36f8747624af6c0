//! `tollgate dumps`: the dump guard. Streams files, staged blobs (`--staged`) or every blob a
//! range of commits added (`--range`) through the dump reader (`tollgate-dumps`) and the
//! personal-data collector (`tollgate_core::pii`), and blocks what holds personal data.
//!
//! Raw values never leave the collector: only redacted samples are printed, in every format.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tollgate_core::pii::{Collector, Evidence, PiiPolicy};
use tollgate_dumps::{Format, Limits, ScanError, Scanned, Sink};

use crate::error::CliError;

/// Where a file's bytes come from.
enum Source {
    File(PathBuf),
    /// A git blob, with the path it was committed or staged under.
    Blob {
        id: String,
        commit: Option<String>,
    },
}

struct Item {
    shown: String,
    source: Source,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum Status {
    Passed,
    Blocked,
    NotScanned,
}

#[derive(serde::Serialize)]
struct FileResult {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    status: Status,
    formats: Vec<String>,
    reason: Option<String>,
    evidence: Vec<EvidenceOut>,
}

#[derive(serde::Serialize)]
struct EvidenceOut {
    column: Option<String>,
    kind: &'static str,
    count: u64,
    first_line: u64,
    samples: Vec<String>,
    blocking: bool,
}

/// Forwards the dump reader's cells to the personal-data collector.
struct Adapter<'p> {
    collector: Collector<'p>,
}

impl Sink for Adapter<'_> {
    fn columns(&mut self, table: Option<&str>, columns: &[String]) {
        self.collector.columns(table, columns);
    }
    fn cell(&mut self, table: Option<&str>, column: Option<&str>, value: &str, line: u64) {
        self.collector.cell(table, column, value, line);
    }
}

pub struct Args {
    pub paths: Vec<PathBuf>,
    pub staged: bool,
    pub range: Option<String>,
    pub json: bool,
    pub config: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the working directory: {e}")))?;
    let (policy, root) = crate::load_policy(args.config.as_deref(), &cwd)?;
    let allow_opaque = globs(&policy.dumps.allow_opaque)?;
    let fixtures = globs(&policy.dumps.fixtures)?;
    let items = if args.staged {
        staged(&cwd)?
    } else if let Some(range) = &args.range {
        in_range(&cwd, range)?
    } else {
        let paths = if args.paths.is_empty() {
            vec![root.clone()]
        } else {
            args.paths.clone()
        };
        let mut items = Vec::new();
        for p in &paths {
            walk(p, &cwd, &mut items)?;
        }
        items
    };
    let pii = PiiPolicy::default_policy();
    let year = current_year();
    let mut results = Vec::new();
    for item in items {
        results.push(scan_one(&item, &pii, year, &cwd, &allow_opaque, &fixtures)?);
    }
    let not_scanned = results
        .iter()
        .any(|r| matches!(r.status, Status::NotScanned));
    let blocked = results.iter().any(|r| matches!(r.status, Status::Blocked));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let _ = serde_json::to_writer(
            &mut out,
            &serde_json::json!({
                "files": results.iter().filter(|r| !matches!(r.status, Status::Passed) || !r.evidence.is_empty()).collect::<Vec<_>>(),
                "scanned": results.len(),
                "blocked": results.iter().filter(|r| matches!(r.status, Status::Blocked)).count(),
                "not_scanned": results.iter().filter(|r| matches!(r.status, Status::NotScanned)).count(),
            }),
        );
        let _ = out.write_all(b"\n");
    } else {
        let _ = out.write_all(human(&results).as_bytes());
    }
    let _ = out.flush();
    Ok(if not_scanned {
        2
    } else if blocked {
        1
    } else {
        0
    })
}

fn human(results: &[FileResult]) -> String {
    let mut s = String::new();
    for r in results {
        let at = r
            .commit
            .as_deref()
            .map(|c| format!(" (added in {})", &c[..c.len().min(12)]))
            .unwrap_or_default();
        match r.status {
            Status::Passed => continue,
            Status::NotScanned => s.push_str(&format!(
                "{}{at}: not scanned: {}\n",
                r.path,
                r.reason.as_deref().unwrap_or("")
            )),
            Status::Blocked => {
                s.push_str(&format!(
                    "{}{at}: blocked: {} ({})\n",
                    r.path,
                    r.reason.as_deref().unwrap_or("personal data"),
                    r.formats.join(", ")
                ));
                for e in r.evidence.iter().filter(|e| e.blocking) {
                    s.push_str(&format!(
                        "  {}: {}, {} value{}, first on line {}; e.g. {}\n",
                        e.column.as_deref().unwrap_or("(unnamed values)"),
                        e.kind,
                        e.count,
                        if e.count == 1 { "" } else { "s" },
                        e.first_line,
                        e.samples.join(", ")
                    ));
                }
            }
        }
    }
    let blocked = results
        .iter()
        .filter(|r| matches!(r.status, Status::Blocked))
        .count();
    let not_scanned = results
        .iter()
        .filter(|r| matches!(r.status, Status::NotScanned))
        .count();
    s.push_str(&format!(
        "tollgate dumps: {} file{} scanned, {blocked} blocked, {not_scanned} not scanned\n",
        results.len(),
        if results.len() == 1 { "" } else { "s" }
    ));
    if blocked > 0 {
        s.push_str("  remove the file (and, if it was committed, rewrite the history: it stays in every clone), or replace it with an anonymised copy\n");
    }
    s
}

fn scan_one(
    item: &Item,
    pii: &PiiPolicy,
    year: i32,
    cwd: &Path,
    allow_opaque: &globset::GlobSet,
    fixtures: &globset::GlobSet,
) -> Result<FileResult, CliError> {
    let mut adapter = Adapter {
        collector: Collector::new(pii, year),
    };
    let limits = Limits {
        deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(600)),
        ..Limits::default()
    };
    let outcome: Result<Vec<Scanned>, ScanError> = match &item.source {
        Source::File(p) => match std::fs::File::open(p) {
            Ok(f) => tollgate_dumps::scan(f, &item.shown, &limits, &mut adapter),
            Err(e) => {
                return Err(CliError::new(format!("{}: cannot read: {e}", item.shown)));
            }
        },
        Source::Blob { id, .. } => {
            let mut child = Command::new("git")
                .args(["cat-file", "blob", id])
                .current_dir(cwd)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| CliError::new(format!("cannot run git: {e}")))?;
            let stdout = child.stdout.take().expect("piped");
            let r = tollgate_dumps::scan(stdout, &item.shown, &limits, &mut adapter);
            // Drain and reap, whatever the scanner read.
            let _ = child.kill();
            let _ = child.wait();
            r
        }
    };
    let commit = match &item.source {
        Source::Blob { commit, .. } => commit.clone(),
        Source::File(_) => None,
    };
    let scanned = match outcome {
        Ok(s) => s,
        Err(e) => {
            return Ok(FileResult {
                path: item.shown.clone(),
                commit,
                status: Status::NotScanned,
                formats: vec![],
                reason: Some(e.to_string()),
                evidence: vec![],
            })
        }
    };
    let mut evidence: Vec<Evidence> = adapter.collector.finish();
    // Seed rows: a table whose e-mails are all on reserved domains (example.com, .test) holds
    // made-up people, and the names next to those e-mails are made up too.
    let seed_tables: Vec<Option<String>> = evidence
        .iter()
        .filter(|e| e.kind == tollgate_core::pii::PiiKind::Email && e.named)
        .map(|e| e.table.clone())
        .filter(|t| {
            evidence.iter().all(|e| {
                &e.table != t || e.kind != tollgate_core::pii::PiiKind::Email || e.synthetic_only
            })
        })
        .collect();
    for e in evidence.iter_mut() {
        if e.named && seed_tables.contains(&e.table) {
            e.blocking = false;
        }
    }
    let formats: Vec<String> = scanned
        .iter()
        .filter(|s| s.format != Format::NotADump)
        .map(|s| match &s.inner_path {
            Some(p) => format!("{p}: {}", s.format),
            None => s.format.to_string(),
        })
        .collect();
    let opaque = scanned.iter().find(|s| s.opaque);
    let is_fixture = fixtures.is_match(&item.shown);
    let mut reason = None;
    let personal = evidence.iter().any(|e| e.blocking);
    if personal && !(is_fixture && evidence.iter().all(|e| e.synthetic_only || !e.blocking)) {
        reason = Some("holds personal data".to_string());
    }
    if reason.is_none() && !allow_opaque.is_match(&item.shown) {
        if let Some(o) = opaque {
            reason = Some(format!(
                "{} cannot be inspected row by row; list it in `dumps.allow_opaque` if it holds no personal data",
                o.format
            ));
        }
    }
    Ok(FileResult {
        path: item.shown.clone(),
        commit,
        status: if reason.is_some() {
            Status::Blocked
        } else {
            Status::Passed
        },
        formats,
        reason,
        evidence: evidence
            .into_iter()
            .map(|e| EvidenceOut {
                column: match (&e.table, &e.column) {
                    (Some(t), Some(c)) => Some(format!("{t}.{c}")),
                    (None, Some(c)) => Some(c.clone()),
                    _ => None,
                },
                kind: e.kind.as_str(),
                count: e.count,
                first_line: e.first_line,
                samples: e.samples,
                blocking: e.blocking,
            })
            .collect(),
    })
}

fn globs(patterns: &[String]) -> Result<globset::GlobSet, CliError> {
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        let g = globset::GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| CliError::new(format!("tollgate.toml: invalid glob `{p}`: {e}")))?;
        b.add(g);
    }
    b.build()
        .map_err(|e| CliError::new(format!("tollgate.toml: {e}")))
}

fn walk(path: &Path, cwd: &Path, out: &mut Vec<Item>) -> Result<(), CliError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::new(format!("{}: cannot read: {e}", path.display())))?;
    if meta.is_file() {
        out.push(Item {
            shown: shown(path, cwd),
            source: Source::File(path.to_path_buf()),
        });
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)
        .map_err(|e| CliError::new(format!("{}: cannot list: {e}", path.display())))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if matches!(name.as_ref(), ".git" | "node_modules" | "target") {
            continue;
        }
        let p = e.path();
        let ft = e
            .file_type()
            .map_err(|err| CliError::new(format!("{}: cannot read: {err}", p.display())))?;
        if ft.is_dir() {
            walk(&p, cwd, out)?;
        } else if ft.is_file() {
            out.push(Item {
                shown: shown(&p, cwd),
                source: Source::File(p),
            });
        }
    }
    Ok(())
}

fn shown(p: &Path, cwd: &Path) -> String {
    let s = p
        .strip_prefix(cwd)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn git(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, CliError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| CliError::new(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(CliError::new(format!(
            "git {} failed: {}",
            args.join(" "),
            msg.lines().next().unwrap_or("").trim()
        )));
    }
    Ok(out.stdout)
}

/// `--raw -z` records: `:old_mode new_mode old_id new_id status\0path\0` (two paths for
/// renames and copies). Returns (new blob id, path) for added, copied, modified and renamed files.
fn raw_blobs(raw: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut parts = raw.split(|b| *b == 0).peekable();
    while let Some(head) = parts.next() {
        let head = String::from_utf8_lossy(head);
        if !head.starts_with(':') {
            continue;
        }
        let fields: Vec<&str> = head.split_whitespace().collect();
        let (Some(new_mode), Some(id), Some(status)) =
            (fields.get(1), fields.get(3), fields.get(4))
        else {
            continue;
        };
        let mut path = parts.next().map(|p| String::from_utf8_lossy(p).to_string());
        if status.starts_with('R') || status.starts_with('C') {
            path = parts.next().map(|p| String::from_utf8_lossy(p).to_string());
        }
        let Some(path) = path else { continue };
        // Regular files only (not symlinks 120000 or submodules 160000).
        if !new_mode.starts_with("100") || id.chars().all(|c| c == '0') {
            continue;
        }
        if matches!(status.chars().next(), Some('A' | 'C' | 'M' | 'R' | 'T')) {
            out.push((id.to_string(), path));
        }
    }
    out
}

/// The staged blobs: what `git commit` would record, not the working tree.
fn staged(cwd: &Path) -> Result<Vec<Item>, CliError> {
    let raw = git(
        cwd,
        &[
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-renames",
            "--diff-filter=ACMRT",
            "--no-abbrev",
        ],
    )?;
    Ok(raw_blobs(&raw)
        .into_iter()
        .map(|(id, path)| Item {
            shown: path,
            source: Source::Blob { id, commit: None },
        })
        .collect())
}

/// Every blob added or changed by any commit of `base..head`, even when a later commit of the
/// range deletes it again: it is still in the history.
fn in_range(cwd: &Path, range: &str) -> Result<Vec<Item>, CliError> {
    if !range.contains("..") {
        return Err(CliError::new(format!(
            "--range `{range}`: expected <base>..<head>, for example origin/main..HEAD"
        )));
    }
    let commits = git(cwd, &["rev-list", "--reverse", range])?;
    let mut seen = std::collections::HashSet::new();
    let mut items = Vec::new();
    for commit in String::from_utf8_lossy(&commits).lines() {
        let raw = git(
            cwd,
            &[
                "diff-tree",
                "-r",
                "--root",
                "--raw",
                "-z",
                "--no-renames",
                "--no-abbrev",
                "--no-commit-id",
                "-m",
                "--diff-filter=ACMRT",
                commit,
            ],
        )?;
        for (id, path) in raw_blobs(&raw) {
            if seen.insert(id.clone()) {
                items.push(Item {
                    shown: path,
                    source: Source::Blob {
                        id,
                        commit: Some(commit.to_string()),
                    },
                });
            }
        }
    }
    Ok(items)
}

fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    1970 + (secs / 31_556_952) as i32
}
