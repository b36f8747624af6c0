//! `tollgate dumps`: the dump guard. Streams files, staged blobs (`--staged`) or every blob a
//! range of commits added (`--range`) through the dump reader (`tollgate-dumps`) and the
//! personal-data collector (`tollgate_core::pii`), and blocks what holds personal data.
//! `tollgate check` runs the same [`Guard`] over the policy's `dumps.scan` globs
//! ([`check_issues`]).
//!
//! Raw values never leave the collector: only redacted samples are printed, in every format.
//! Suppressions are content fingerprints from the baseline file ([`tollgate_core::baseline`]).

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha1::{Digest, Sha1};
use tollgate_core::baseline::Baseline;
use tollgate_core::pii::{Collector, Evidence};
use tollgate_core::policy::Policy;
use tollgate_core::source::{Project, SourceIssue};
use tollgate_dumps::{Format, Limits, ScanError, Scanned, Sink};

use crate::error::CliError;

/// Where a file's bytes come from.
pub enum Source {
    File(PathBuf),
    /// A git blob, with the commit that added it (for `--range`).
    Blob {
        id: String,
        commit: Option<String>,
    },
}

pub struct Item {
    /// The path as shown (relative to the working directory, or as committed).
    pub shown: String,
    pub source: Source,
}

#[derive(serde::Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Blocked,
    NotScanned,
    /// Blocked, or not scanned, but suppressed by a baseline entry.
    Baselined,
}

/// Why a file is blocked: the rule `tollgate check` reports it under.
#[derive(serde::Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Block {
    PersonalDataInDump,
    OpaqueDump,
    DumpNotScanned,
}

impl Block {
    fn rule(self) -> &'static str {
        match self {
            Block::PersonalDataInDump => "personal-data-in-dump",
            Block::OpaqueDump => "opaque-dump",
            Block::DumpNotScanned => "dump-not-scanned",
        }
    }
}

#[derive(serde::Serialize)]
pub struct FileResult {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    pub formats: Vec<String>,
    pub reason: Option<String>,
    /// `blob:<git blob id>`: the fingerprint that suppresses this exact content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The reason of the baseline entry that suppressed the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselined: Option<String>,
    pub evidence: Vec<EvidenceOut>,
    #[serde(skip)]
    block: Option<Block>,
    /// Value fingerprints of the blocking evidence (for `--write-baseline`); empty when there
    /// are too many to list.
    #[serde(skip)]
    value_fingerprints: Vec<(String, String)>,
}

#[derive(serde::Serialize)]
pub struct EvidenceOut {
    /// The archive member, e.g. `backup.tar.gz!data/users.csv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub column: Option<String>,
    pub kind: &'static str,
    pub count: u64,
    /// Values that are neither synthetic (example.com, fiction numbers) nor baselined.
    pub real: u64,
    pub first_line: u64,
    pub samples: Vec<String>,
    pub blocking: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub baselined: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl EvidenceOut {
    fn describe(&self) -> String {
        let place = match &self.member {
            Some(m) => format!("{m}: "),
            None => String::new(),
        };
        format!(
            "{place}{}: {}, {} value{}, first on line {}; e.g. {}",
            self.column.as_deref().unwrap_or("(unnamed values)"),
            self.kind,
            self.real,
            if self.real == 1 { "" } else { "s" },
            self.first_line,
            self.samples.join(", ")
        )
    }
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
    fn cell_at(
        &mut self,
        table: Option<&str>,
        column: Option<&str>,
        index: usize,
        value: &str,
        line: u64,
    ) {
        self.collector.cell_at(table, column, index, value, line);
    }
    fn row(
        &mut self,
        table: Option<&str>,
        columns: &[String],
        values: &[(usize, &str)],
        line: u64,
    ) {
        self.collector.row(table, columns, values, line);
    }
    fn member(&mut self, path: Option<&str>) {
        self.collector.member(path);
    }
}

/// The dump guard, configured from the policy: globs, baseline, personal-data policy.
pub struct Guard<'p> {
    policy: &'p Policy,
    year: i32,
    allow_opaque: globset::GlobSet,
    fixtures: globset::GlobSet,
    baseline: Option<Baseline>,
    baseline_values: HashSet<String>,
    used: RefCell<HashSet<String>>,
    /// Compute the git blob id of blocked files on disk (a second read of the file): when the
    /// baseline has blob entries, or the caller shows or writes fingerprints.
    pub want_blob_ids: bool,
}

impl<'p> Guard<'p> {
    /// Reads the baseline file (`dumps.baseline` under `root`) when it exists.
    pub fn new(policy: &'p Policy, root: &Path, cwd: &Path) -> Result<Self, CliError> {
        let baseline_path = root.join(&policy.dumps.baseline);
        let baseline = if !policy.dumps.baseline.is_empty() && baseline_path.is_file() {
            let shown = shown(&baseline_path, cwd);
            let bytes = std::fs::read(&baseline_path)
                .map_err(|e| CliError::new(format!("{shown}: cannot read: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                CliError::new(format!(
                    "{shown}: the baseline is not UTF-8 text; restore it from git or delete it and run `tollgate dumps --write-baseline`"
                ))
            })?;
            Some(Baseline::parse(&shown, &text, &today()).map_err(CliError::new)?)
        } else {
            None
        };
        let baseline_values = baseline
            .as_ref()
            .map(Baseline::active_values)
            .unwrap_or_default();
        Ok(Guard {
            policy,
            year: today()[..4].parse().unwrap_or(2026),
            allow_opaque: globs(&policy.dumps.allow_opaque)?,
            fixtures: globs(&policy.dumps.fixtures)?,
            want_blob_ids: baseline
                .as_ref()
                .is_some_and(|b| b.entries.iter().any(|e| e.fingerprint.starts_with("blob:"))),
            baseline,
            baseline_values,
            used: RefCell::new(HashSet::new()),
        })
    }

    /// Scans one file or blob. `cwd` is where `git` runs for blobs.
    pub fn scan(&self, item: &Item, cwd: &Path) -> Result<FileResult, CliError> {
        let mut adapter = Adapter {
            collector: Collector::with_baseline(&self.policy.pii, self.year, &self.baseline_values),
        };
        let limits = Limits {
            deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(600)),
            ..Limits::default()
        };
        // The blob id of a file, when it will be wanted, is hashed from the bytes the scan
        // reads rather than by reading the file again.
        let mut read_blob_id = None;
        let outcome: Result<Vec<Scanned>, ScanError> = match &item.source {
            Source::File(p) => match std::fs::File::open(p) {
                Ok(f) => {
                    let mut reader = BlobHasher::new(f, self.want_blob_ids);
                    let r = tollgate_dumps::scan(&mut reader, &item.shown, &limits, &mut adapter);
                    read_blob_id = reader.finish();
                    r
                }
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
                // Stop and reap git, whatever the scanner read.
                let _ = child.kill();
                let _ = child.wait();
                r
            }
        };
        let commit = match &item.source {
            Source::Blob { commit, .. } => commit.clone(),
            Source::File(_) => None,
        };
        let mut result = FileResult {
            path: item.shown.clone(),
            commit,
            status: Status::Passed,
            rule: None,
            formats: Vec::new(),
            reason: None,
            fingerprint: None,
            baselined: None,
            evidence: Vec::new(),
            block: None,
            value_fingerprints: Vec::new(),
        };
        match outcome {
            Err(e) => {
                result.block = Some(Block::DumpNotScanned);
                result.reason = Some(e.to_string());
            }
            Ok(scanned) => self.judge(item, scanned, adapter, &mut result),
        }
        if let Some(block) = result.block {
            result.rule = Some(block.rule());
            result.status = if block == Block::DumpNotScanned {
                Status::NotScanned
            } else {
                Status::Blocked
            };
            let fingerprint = match &item.source {
                Source::Blob { id, .. } => Some(format!("blob:{id}")),
                Source::File(p) if self.want_blob_ids => read_blob_id
                    .or_else(|| blob_id(p))
                    .map(|id| format!("blob:{id}")),
                Source::File(_) => None,
            };
            if let (Some(fp), Some(baseline)) = (&fingerprint, &self.baseline) {
                if let Some(entry) = baseline.find(fp) {
                    self.used.borrow_mut().insert(fp.clone());
                    result.status = Status::Baselined;
                    result.baselined = Some(entry.reason.clone());
                }
            }
            result.fingerprint = fingerprint;
        }
        Ok(result)
    }

    fn judge(
        &self,
        item: &Item,
        scanned: Vec<Scanned>,
        adapter: Adapter<'_>,
        out: &mut FileResult,
    ) {
        let (evidence, used): (Vec<Evidence>, _) = adapter.collector.finish_with_baseline();
        self.used.borrow_mut().extend(used);
        out.formats = scanned
            .iter()
            .filter(|s| s.format != Format::NotADump)
            .map(|s| match &s.inner_path {
                Some(p) => format!("{p}: {}", s.format),
                None => s.format.to_string(),
            })
            .collect();
        let is_fixture = self.fixtures.is_match(&item.shown);
        let blocking: Vec<&Evidence> = evidence.iter().filter(|e| e.blocking).collect();
        // A fixture path may hold personal-looking data only when every value that can be
        // shown to be made up is (e-mails on reserved domains, fiction phone numbers, ...):
        // names and addresses next to them can't be proven either way.
        let personal = if is_fixture {
            blocking
                .iter()
                .any(|e| tollgate_core::pii::PiiPolicy::provable(e.kind))
        } else {
            !blocking.is_empty()
        };
        if personal {
            out.block = Some(Block::PersonalDataInDump);
            out.reason = Some("holds personal data".to_string());
            let complete = blocking.iter().all(|e| !e.fingerprints.is_empty());
            if complete {
                for e in &blocking {
                    let place = format!(
                        "{}: {} ({})",
                        item.shown,
                        column_of(e).unwrap_or_else(|| "(unnamed values)".into()),
                        e.kind.as_str()
                    );
                    for fp in &e.fingerprints {
                        out.value_fingerprints.push((fp.clone(), place.clone()));
                    }
                }
            }
        } else if !self.allow_opaque.is_match(&item.shown) {
            if let Some(o) = scanned.iter().find(|s| s.opaque) {
                out.block = Some(Block::OpaqueDump);
                let what = match &o.inner_path {
                    Some(p) => format!("{p} ({})", o.format),
                    None => o.format.to_string(),
                };
                out.reason = Some(format!(
                    "{what} cannot be inspected row by row; list it in `dumps.allow_opaque` if it holds no personal data"
                ));
            }
        }
        out.evidence = evidence
            .into_iter()
            .map(|e| EvidenceOut {
                column: column_of(&e),
                member: e.member,
                kind: e.kind.as_str(),
                count: e.count,
                real: e.real,
                first_line: e.first_line,
                samples: e.samples,
                blocking: e.blocking,
                baselined: e.baselined,
            })
            .collect();
    }

    /// Baseline entries in force that matched nothing (meaningful after a full scan), and
    /// expired ones, as report lines.
    pub fn baseline_notes(&self, full_scan: bool) -> Vec<String> {
        let Some(b) = &self.baseline else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in b.expired() {
            out.push(format!(
                "{}:{}: baseline entry {} expired on {}: it suppresses nothing now; renew it with a fresh reason or remove it",
                b.path,
                e.line,
                e.place.as_deref().unwrap_or(&e.fingerprint),
                e.expires.as_deref().unwrap_or("?")
            ));
        }
        if full_scan {
            for e in b.unused(&self.used.borrow()) {
                out.push(format!(
                    "{}:{}: baseline entry {} matched nothing: remove it",
                    b.path,
                    e.line,
                    e.place.as_deref().unwrap_or(&e.fingerprint)
                ));
            }
        }
        out
    }
}

fn column_of(e: &Evidence) -> Option<String> {
    match (&e.table, &e.column) {
        (Some(t), Some(c)) => Some(format!("{t}.{c}")),
        (None, Some(c)) => Some(c.clone()),
        _ => None,
    }
}

/// Passes a file's bytes through to the scan and, when asked, hashes them into its git blob
/// id on the way ([`BlobHasher::finish`]).
struct BlobHasher {
    file: std::fs::File,
    /// The hash so far and the length the header promised (`None`: not asked, or the length
    /// is unknown).
    hash: Option<(Sha1, u64)>,
    read: u64,
    at_end: bool,
}

impl BlobHasher {
    fn new(file: std::fs::File, wanted: bool) -> Self {
        let hash = wanted.then(|| file.metadata().ok()).flatten().map(|m| {
            let mut h = Sha1::new();
            h.update(format!("blob {}\0", m.len()).as_bytes());
            (h, m.len())
        });
        BlobHasher {
            file,
            hash,
            read: 0,
            at_end: false,
        }
    }

    /// The blob id, if the scan read the whole file and it had the length it had when
    /// opened; else `None` ([`blob_id`] reads it again).
    fn finish(self) -> Option<String> {
        let (h, len) = self.hash?;
        (self.at_end && self.read == len).then(|| hex(&h.finalize()))
    }
}

impl Read for BlobHasher {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        if let Some((h, _)) = &mut self.hash {
            h.update(&buf[..n]);
            self.read += n as u64;
            self.at_end |= n == 0 && !buf.is_empty();
        }
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The git blob id of a file's content (SHA-1 of `blob <len>\0` and the bytes), read again
/// in a stream; `None` when it can't be read.
fn blob_id(path: &Path) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let mut h = Sha1::new();
    h.update(format!("blob {len}\0").as_bytes());
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(hex(&h.finalize()))
}

pub struct Args {
    pub paths: Vec<PathBuf>,
    pub staged: bool,
    pub range: Option<String>,
    pub json: bool,
    pub config: Option<PathBuf>,
    pub write_baseline: bool,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the working directory: {e}")))?;
    let (policy, root) = crate::load_policy(args.config.as_deref(), &cwd)?;
    let mut guard = Guard::new(&policy, &root, &cwd)?;
    guard.want_blob_ids |= args.json || args.write_baseline;
    let full_scan = !args.staged && args.range.is_none() && args.paths.is_empty();
    let items = if args.staged {
        staged(&cwd)?
    } else if let Some(range) = &args.range {
        in_range(&cwd, range)?
    } else {
        let mut items = Vec::new();
        if args.paths.is_empty() {
            repository_files(&root, &cwd, &mut items, &mut |_| true)?;
        } else {
            for p in &args.paths {
                walk(p, &cwd, &mut items, &mut |_| true)?;
            }
        }
        items
    };
    let mut results = Vec::new();
    for item in items {
        results.push(guard.scan(&item, &cwd)?);
    }
    let notes = guard.baseline_notes(full_scan);
    let not_scanned = results.iter().any(|r| r.status == Status::NotScanned);
    let blocked = results.iter().any(|r| r.status == Status::Blocked);
    let mut written = None;
    if args.write_baseline {
        written = Some(write_baseline(&policy, &root, &cwd, &results)?);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let count = |s: Status| results.iter().filter(|r| r.status == s).count();
        let _ = serde_json::to_writer(
            &mut out,
            &serde_json::json!({
                "files": results.iter().filter(|r| r.status != Status::Passed || !r.evidence.is_empty()).collect::<Vec<_>>(),
                "scanned": results.len(),
                "blocked": count(Status::Blocked),
                "not_scanned": count(Status::NotScanned),
                "baselined": count(Status::Baselined),
                "baseline_notes": notes,
            }),
        );
        let _ = out.write_all(b"\n");
    } else {
        let _ = out.write_all(human(&results, &notes).as_bytes());
    }
    if let Some((path, n)) = written {
        let _ = writeln!(
            out,
            "tollgate dumps: wrote {n} baseline entr{} to {path}: write a reason in each (why it is not real personal data, and who checked) before committing it",
            if n == 1 { "y" } else { "ies" }
        );
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

/// Appends an entry per blocked file to the baseline: one per personal value when the file
/// holds few enough distinct values to list, else one for the file's content.
fn write_baseline(
    policy: &Policy,
    root: &Path,
    cwd: &Path,
    results: &[FileResult],
) -> Result<(String, usize), CliError> {
    const MAX_VALUE_ENTRIES: usize = 50;
    if policy.dumps.baseline.is_empty() {
        return Err(CliError::new(
            "--write-baseline: `dumps.baseline` is empty in tollgate.toml; name the baseline file there",
        ));
    }
    let path = root.join(&policy.dumps.baseline);
    let mut entries: Vec<(String, String)> = Vec::new();
    for r in results
        .iter()
        .filter(|r| matches!(r.status, Status::Blocked | Status::NotScanned))
    {
        if !r.value_fingerprints.is_empty() && r.value_fingerprints.len() <= MAX_VALUE_ENTRIES {
            entries.extend(r.value_fingerprints.iter().cloned());
        } else if let Some(fp) = &r.fingerprint {
            entries.push((fp.clone(), r.path.clone()));
        }
    }
    let mut seen = HashSet::new();
    entries.retain(|(fp, _)| seen.insert(fp.clone()));
    let shown_path = shown(&path, cwd);
    if entries.is_empty() {
        return Ok((shown_path, 0));
    }
    let mut text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "# tollgate dump-guard baseline: suppressions by content fingerprint (see docs/rules/personal-data-in-dump.md).\n".to_string()
        }
        Err(e) => return Err(CliError::new(format!("{shown_path}: cannot read: {e}"))),
    };
    text.push_str(&tollgate_core::baseline::render_entries(&entries));
    std::fs::write(&path, text)
        .map_err(|e| CliError::new(format!("{shown_path}: cannot write: {e}")))?;
    Ok((shown_path, entries.len()))
}

fn human(results: &[FileResult], notes: &[String]) -> String {
    let mut s = String::new();
    for r in results {
        let at = r
            .commit
            .as_deref()
            .map(|c| format!(" (added in {})", &c[..c.len().min(12)]))
            .unwrap_or_default();
        match r.status {
            Status::Passed => continue,
            Status::Baselined => s.push_str(&format!(
                "{}{at}: baselined: {}\n",
                r.path,
                r.baselined.as_deref().unwrap_or("")
            )),
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
                    s.push_str(&format!("  {}\n", e.describe()));
                }
            }
        }
    }
    for n in notes {
        s.push_str(n);
        s.push('\n');
    }
    let count = |st: Status| results.iter().filter(|r| r.status == st).count();
    let (blocked, not_scanned, baselined) = (
        count(Status::Blocked),
        count(Status::NotScanned),
        count(Status::Baselined),
    );
    s.push_str(&format!(
        "tollgate dumps: {} file{} scanned, {blocked} blocked, {not_scanned} not scanned{}\n",
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        if baselined > 0 {
            format!(", {baselined} baselined")
        } else {
            String::new()
        }
    ));
    if blocked > 0 {
        s.push_str("  remove the file (and, if it was committed, rewrite the history: it stays in every clone), or replace it with an anonymised copy\n");
    }
    s
}

/// `tollgate check`: runs the guard over the files under `root` that match `dumps.scan`, and,
/// with `--base`, over every blob a commit since the merge-base added under such a path even
/// if a later commit deleted it. `tollgate ci` also passes `every_blob_in` (`base..head`): every
/// blob a commit of the pull request added, whatever its path. Blocked files become findings;
/// returns the notices.
pub fn check_issues(
    policy: &Policy,
    root: &Path,
    cwd: &Path,
    merge_base: Option<&str>,
    every_blob_in: Option<&str>,
    project: &mut Project,
) -> Result<Vec<String>, CliError> {
    if policy.dumps.scan.is_empty() && every_blob_in.is_none() {
        return Ok(Vec::new());
    }
    let scan = globs(&policy.dumps.scan)?;
    let guard = Guard::new(policy, root, cwd)?;
    let mut items = Vec::new();
    repository_files(root, cwd, &mut items, &mut |p: &Path| {
        let rel = p
            .strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/");
        scan.is_match(&rel)
    })?;
    if let Some(base) = merge_base {
        // Dumps committed and deleted again on the branch are still in its history.
        for item in in_range(cwd, &format!("{base}..HEAD"))? {
            let present = root.join(&item.shown).exists();
            if !present && scan.is_match(&item.shown) {
                items.push(item);
            }
        }
    }
    if let Some(range) = every_blob_in {
        // The blobs of the pull request replace the working-tree copies of the same paths: an
        // earlier version of a file, rewritten since, is still in the history.
        let added = in_range(cwd, range)?;
        let paths: HashSet<&str> = added.iter().map(|i| i.shown.as_str()).collect();
        items.retain(|i| !paths.contains(i.shown.as_str()));
        let mut added = added;
        for item in &mut added {
            if root.join(&item.shown).exists() {
                if let Source::Blob { commit, .. } = &mut item.source {
                    *commit = None;
                }
            }
        }
        items.extend(added);
    }
    for item in &items {
        let r = guard.scan(item, cwd)?;
        if !matches!(r.status, Status::Blocked | Status::NotScanned) {
            continue;
        }
        let Some(block) = r.block else { continue };
        let file = match project.files.iter().position(|f| f.path == r.path) {
            Some(i) => i,
            None => project.add_file(r.path.clone(), String::new()),
        };
        let at = r
            .commit
            .as_deref()
            .map(|c| {
                format!(
                    " (added in commit {}, deleted since: it is still in the history)",
                    &c[..c.len().min(12)]
                )
            })
            .unwrap_or_default();
        let (message, help) = match block {
            Block::PersonalDataInDump => {
                let shown: Vec<String> = r
                    .evidence
                    .iter()
                    .filter(|e| e.blocking)
                    .map(EvidenceOut::describe)
                    .collect();
                let more = shown.len().saturating_sub(3);
                let mut list = shown.into_iter().take(3).collect::<Vec<_>>().join("; ");
                if more > 0 {
                    list.push_str(&format!("; and {more} more"));
                }
                (
                    format!("{} holds personal data{at}: {list}", r.formats.join(", ")),
                    "remove the file (if it was committed, rewrite the history: it stays in every clone) or commit an anonymised copy; a fixture of made-up values belongs in `dumps.fixtures`; `tollgate dumps --write-baseline` records a reviewed exception".to_string(),
                )
            }
            Block::OpaqueDump => (
                format!("{}{at}", r.reason.clone().unwrap_or_default()),
                "commit a plain-text dump of anonymised data instead, or list the file in `dumps.allow_opaque` once you know it holds no personal data".to_string(),
            ),
            Block::DumpNotScanned => (
                format!("not scanned{at}: {}", r.reason.clone().unwrap_or_default()),
                "a dump the guard cannot read to the end never passes: shrink or repair it, or record it with `tollgate dumps --write-baseline`".to_string(),
            ),
        };
        project.issues.push(SourceIssue {
            rule: block.rule(),
            file,
            span: tollgate_core::span::Span::new(0, 0),
            message,
            help,
            migration: None,
        });
    }
    Ok(guard.baseline_notes(merge_base.is_none()))
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

fn walk(
    path: &Path,
    cwd: &Path,
    out: &mut Vec<Item>,
    keep: &mut dyn FnMut(&Path) -> bool,
) -> Result<(), CliError> {
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
            walk(&p, cwd, out, keep)?;
        } else if ft.is_file() && keep(&p) {
            out.push(Item {
                shown: shown(&p, cwd),
                source: Source::File(p),
            });
        }
    }
    Ok(())
}

/// The files under `root` that git would commit: tracked, or untracked and not ignored (a dump
/// in an ignored directory can't be committed by accident). Outside a git repository, every
/// file under `root`.
fn repository_files(
    root: &Path,
    cwd: &Path,
    out: &mut Vec<Item>,
    keep: &mut dyn FnMut(&Path) -> bool,
) -> Result<(), CliError> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--full-name",
            ".",
        ])
        .current_dir(root)
        .stderr(Stdio::null())
        .output();
    let toplevel = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(root)
        .stderr(Stdio::null())
        .output();
    let (Ok(listed), Ok(toplevel)) = (listed, toplevel) else {
        return walk(root, cwd, out, keep);
    };
    if !listed.status.success() || !toplevel.status.success() {
        return walk(root, cwd, out, keep);
    }
    let top = PathBuf::from(String::from_utf8_lossy(&toplevel.stdout).trim());
    let mut paths: Vec<PathBuf> = listed
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| top.join(String::from_utf8_lossy(p).as_ref()))
        .collect();
    paths.sort();
    paths.dedup();
    for p in paths {
        // Tracked but deleted in the working tree, symlinks and submodules are not files.
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_file() && keep(&p) {
            out.push(Item {
                shown: shown(&p, cwd),
                source: Source::File(p),
            });
        }
    }
    Ok(())
}

fn shown(p: &Path, cwd: &Path) -> String {
    let s = crate::discover::display_path(p, cwd);
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

/// Today's date (UTC) as `YYYY-MM-DD`, for baseline expiry and plausible birth dates.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_id_hashed_while_reading_is_git_s() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.sql");
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        std::fs::write(&path, &data).unwrap();
        let read_all = |wanted: bool, limit: usize| {
            let mut r = BlobHasher::new(std::fs::File::open(&path).unwrap(), wanted);
            let mut buf = vec![0u8; 4096];
            let mut total = 0;
            while total < limit {
                let n = r.read(&mut buf).unwrap();
                total += n;
                if n == 0 {
                    break;
                }
            }
            r.finish()
        };
        let expected = blob_id(&path).unwrap();
        // `git hash-object` of an empty file, to pin the header format.
        let empty = dir.path().join("e");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(
            blob_id(&empty).unwrap(),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
        assert_eq!(read_all(true, usize::MAX), Some(expected));
        // Not asked for, or the scan stopped before the end: read the file again instead.
        assert_eq!(read_all(false, usize::MAX), None);
        assert_eq!(read_all(true, 10_000), None);
    }
}
