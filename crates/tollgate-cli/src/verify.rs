//! `tollgate verify`: runs the migrations on a real PostgreSQL (a throwaway cluster, or a scratch
//! database on `--database-url`), proves that every down reverses its up, traces locks and
//! rewrites, and cross-checks the static classification against the catalog.
//!
//! The report is the one `check` produces (the migrations with their static class), with a
//! `verify` object per migration and the findings the database gave. Static findings stay with
//! `tollgate check`, so a pipeline that runs both does not see them twice.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tollgate_core::engine::{add_observed, exec_statements, Observed};
use tollgate_core::model::TransactionMode;
use tollgate_core::policy::Policy;
use tollgate_core::report::{Direction, MigrationClass, Report};
use tollgate_core::source::{Project, SqlPart};
use tollgate_core::span::{LineIndex, Span};
use tollgate_core::verify::{ChangeKind, LockEvent, MigrationVerify};
use tollgate_verify::run::{self, Mode, RunMigration, RunOptions, RunReport, RunStatement};
use tollgate_verify::{Server, ServerOptions, VerifyError};

use crate::discover::{self, Loaded};
use crate::error::CliError;
use crate::render;

pub struct Args {
    pub paths: Vec<PathBuf>,
    pub json: bool,
    pub color: bool,
    pub config: Option<PathBuf>,
    pub flags: crate::PolicyFlags,
    pub base: Option<String>,
    pub mode: Mode,
    pub with_data: bool,
    pub rows: u64,
    pub database_url: Option<String>,
    pub pg_bin: Option<PathBuf>,
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
    pub timeout: Duration,
}

/// `500ms`, `10s`, `5m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. 500ms, 30s, 5m or 1h"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}`; write e.g. 500ms, 30s, 5m or 1h"
            ))
        }
    };
    if !(secs > 0.0 && secs < 1e7) {
        return Err(format!("`{text}`: a duration must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The statements of one side, placed in their file.
fn statements(
    project: &Project,
    part: &SqlPart,
    indexes: &mut [Option<LineIndex>],
) -> Vec<RunStatement> {
    let file = &project.files[part.file];
    let index = indexes[part.file].get_or_insert_with(|| LineIndex::new(&file.text));
    exec_statements(project, part)
        .into_iter()
        .map(|s| {
            let pos = index.position(&file.text, s.start);
            let verbatim = file.text.get(s.start..s.end) == Some(s.sql.as_str());
            RunStatement {
                sql: s.sql,
                path: file.path.clone(),
                line: pos.line,
                column: pos.column,
                start: s.start,
                end: s.end,
                verbatim,
                transaction_control: s.transaction_control,
            }
        })
        .collect()
}

/// What the runner gets: every migration up to the last checked one, in the order the tool
/// runs them. Those not checked only build the starting schema.
fn run_migrations(project: &Project) -> Vec<RunMigration> {
    let mut indexes = vec![None; project.files.len()];
    let last_checked = project.migrations.iter().rposition(|m| m.checked);
    let Some(last) = last_checked else {
        return Vec::new();
    };
    project.migrations[..=last]
        .iter()
        .map(|m| RunMigration {
            id: m.id.clone(),
            up: statements(project, &m.up, &mut indexes),
            down: m
                .down
                .as_ref()
                .map(|d| statements(project, d, &mut indexes))
                .filter(|d| !d.is_empty()),
            // A batch transaction (MikroORM's allOrNothing) wraps the migration whatever it
            // says about itself; an unknown mode runs the way most tools default to.
            transactional: m.batch_transaction
                || m.transaction != TransactionMode::NonTransactional,
            checked: m.checked,
        })
        .collect()
}

/// With explicit migration files, the migrations around them are loaded too (they build the
/// schema the files run on): each file's directory, or its layout root for one-directory-per-
/// migration layouts (diesel, Prisma).
fn widen(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        if p.is_file() {
            files.push(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()));
            let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
            let parent = if parent.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                parent
            };
            let per_dir = ["up.sql", "migration.sql"]
                .iter()
                .any(|n| parent.join(n).is_file());
            let dir = match (per_dir, parent.parent()) {
                (true, Some(g)) if !g.as_os_str().is_empty() => g.to_path_buf(),
                _ => parent,
            };
            dirs.push(dir);
        } else {
            dirs.push(p.clone());
        }
    }
    dirs.sort();
    dirs.dedup();
    (dirs, files)
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the working directory: {e}")))?;
    let crate::Checked { report, project } = verified(&args, &cwd)?;
    print(&args, &report, &project);
    Ok(if report.summary.failed { 1 } else { 0 })
}

/// Runs the migrations and returns the report of what PostgreSQL did (`tollgate ci` merges it
/// into the static report).
pub(crate) fn verified(args: &Args, cwd: &Path) -> Result<crate::Checked, CliError> {
    let cwd = cwd.to_path_buf();
    let (mut policy, root) = crate::load_policy(args.config.as_deref(), &cwd)?;
    crate::apply_flags(&mut policy, &args.flags)?;
    let matcher = policy.path_matcher()?;
    let (search, only) = widen(&args.paths);
    let candidates = discover::collect(&search, &root, &matcher)?;
    let mut loaded = discover::load(&candidates, &policy, &cwd)?;
    if !only.is_empty() {
        for (m, o) in loaded.project.migrations.iter_mut().zip(&loaded.origins) {
            m.checked = o.files.iter().any(|f| {
                let f = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
                only.contains(&f)
            });
        }
    }
    if let Some(base_ref) = &args.base {
        crate::base::apply(base_ref, &mut loaded, &cwd)?;
    }
    let Loaded {
        project, notices, ..
    } = loaded;

    // The static view: each checked migration with its class.
    let mut report = tollgate_core::check(&project, &policy);
    report.findings.clear();
    report.summary.errors = 0;
    report.summary.warnings = 0;
    report.summary.infos = 0;
    report.summary.suppressed = 0;
    report.summary.failed = false;
    report.notices = notices;

    let migrations = run_migrations(&project);
    if migrations.iter().any(|m| m.checked) {
        let opts = RunOptions {
            mode: args.mode,
            statement_timeout_ms: args.statement_timeout.as_millis() as u64,
            lock_timeout_ms: args.lock_timeout.as_millis() as u64,
            with_data: args.with_data,
            rows: args.rows,
        };
        let server_opts = ServerOptions {
            database_url: args.database_url.clone(),
            pg_bin_dir: args.pg_bin.clone(),
        };
        let ran = execute(&server_opts, &migrations, &opts, args.timeout)?;
        merge(
            &mut report,
            &project,
            &policy,
            &migrations,
            ran,
            args.with_data,
        );
    } else if project.migrations.is_empty() {
        report
            .notices
            .push("no migrations yet: nothing to verify".to_string());
    } else {
        report.notices.push(
            "no migration to verify: every migration is already on the base branch".to_string(),
        );
    }
    report.notices.push(
        "static findings are `tollgate check`'s; this report holds what PostgreSQL did".into(),
    );
    if project.migrations.is_empty() && policy.require_migrations {
        report.summary.failed = true;
    }
    Ok(crate::Checked { report, project })
}

fn print(args: &Args, report: &Report, project: &Project) {
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let _ = serde_json::to_writer(&mut stdout, report);
        let _ = stdout.write_all(b"\n");
    } else {
        let files: Vec<(&str, &str)> = project
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        let mut text = render::human(
            report,
            &files,
            &render::HumanOptions {
                color: args.color,
                width: 100,
            },
        );
        // The table goes before the summary lines.
        let summary = render::summary(report);
        if text.ends_with(&summary) {
            text.truncate(text.len() - summary.len());
        }
        text.push_str(&table(report));
        text.push_str(&summary);
        let _ = stdout.write_all(text.as_bytes());
    }
    let _ = stdout.flush();
}

/// Starts the server, runs, and always cleans up: the scratch database is dropped and a
/// throwaway cluster removed, on success, on error, on timeout and on Ctrl-C.
fn execute(
    server_opts: &ServerOptions,
    migrations: &[RunMigration],
    opts: &RunOptions,
    timeout: Duration,
) -> Result<RunReport, CliError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        // One listener for the whole run: a Ctrl-C between two waits is not lost.
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        let external = server_opts.database_url.is_some();
        let interrupted = || {
            tollgate_verify::stop_all_clusters();
            CliError::new(if external {
                "interrupted: the scratch database is being dropped"
            } else {
                "interrupted: the throwaway PostgreSQL was stopped and removed"
            })
        };
        let server = tokio::select! {
            s = Server::start(server_opts) => s.map_err(verify_error)?,
            _ = &mut ctrl_c => return Err(interrupted()),
        };
        let db = match server.scratch().await {
            Ok(db) => db,
            Err(e) => {
                server.shutdown().await;
                return Err(verify_error(e));
            }
        };
        let outcome = tokio::select! {
            r = tokio::time::timeout(timeout, run::run(&db.url, migrations, opts)) => match r {
                Ok(Ok(report)) => Ok(report),
                Ok(Err(e)) => Err(verify_error(e)),
                Err(_) => Err(CliError::new(format!(
                    "the run took longer than {} (--timeout) and was stopped; raise --timeout or look for a statement waiting on a lock",
                    human_duration(timeout)
                ))),
            },
            _ = &mut ctrl_c => Err(interrupted()),
        };
        let dropped = db.drop_db().await;
        server.shutdown().await;
        let report = outcome?;
        dropped.map_err(verify_error)?;
        Ok(report)
    })
}

fn verify_error(e: VerifyError) -> CliError {
    CliError::new(format!("verify: {e}"))
}

fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(3_600_000) {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// The span of a side's first statement (where findings about the side as a whole point).
fn side_span(sts: &[RunStatement]) -> Span {
    sts.first()
        .map(|s| Span::new(s.start, s.end))
        .unwrap_or_default()
}

fn file_of(project: &Project, path: &str) -> Option<usize> {
    project.files.iter().position(|f| f.path == path)
}

const MAX_LISTED: usize = 8;

fn listed(items: &[String]) -> String {
    let mut out = items
        .iter()
        .take(MAX_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > MAX_LISTED {
        let _ = write!(out, "; and {} more", items.len() - MAX_LISTED);
    }
    out
}

/// Puts the run's outcomes into the report and turns them into findings.
fn merge(
    report: &mut Report,
    project: &Project,
    policy: &Policy,
    migrations: &[RunMigration],
    ran: RunReport,
    with_data: bool,
) {
    if let Some((id, e)) = &ran.base_error {
        if let Some(file) = file_of(project, &e.path) {
            add_observed(
                report,
                project,
                policy,
                Observed {
                    rule: "migration-failed",
                    file,
                    span: Span::new(e.start, e.end),
                    message: format!(
                        "base migration `{id}` fails, so nothing after it could be verified: {}",
                        e.describe()
                    ),
                    help: "the migrations already merged must apply on an empty database: fix the history (or the server version) before verifying new ones".into(),
                    migration: Some(id),
                    direction: Direction::Up,
                },
            );
        }
        report.summary.failed = true;
    }
    for outcome in ran.migrations {
        let Some(m) = migrations.iter().find(|m| m.id == outcome.id) else {
            continue;
        };
        let static_class = report
            .migrations
            .iter()
            .find(|r| r.id == outcome.id)
            .map(|r| r.class);
        findings_for(report, project, policy, m, &outcome, static_class);
        if let Some(d) = &outcome.data {
            for why in &d.not_filled {
                report.notices.push(format!(
                    "--with-data: `{}`: could not fill {why}; its data round trip is not proven",
                    outcome.id
                ));
            }
        }
        if let Some(r) = report.migrations.iter_mut().find(|r| r.id == outcome.id) {
            let mut v = outcome;
            if !with_data {
                v.data = None;
            }
            r.verify = Some(v);
        }
    }
    // Migrations the run never reached (it stopped at a failure).
    let reached: Vec<bool> = report
        .migrations
        .iter()
        .map(|r| r.verify.is_some())
        .collect();
    let skipped: Vec<String> = report
        .migrations
        .iter()
        .zip(reached)
        .filter(|(_, r)| !r)
        .map(|(m, _)| m.id.clone())
        .collect();
    if !skipped.is_empty() {
        report.notices.push(format!(
            "not verified, because an earlier migration failed: {}",
            skipped.join(", ")
        ));
    }
}

fn findings_for(
    report: &mut Report,
    project: &Project,
    policy: &Policy,
    m: &RunMigration,
    v: &MigrationVerify,
    static_class: Option<MigrationClass>,
) {
    let id = m.id.as_str();
    let push = |report: &mut Report,
                rule: &'static str,
                path: &str,
                span: Span,
                message: String,
                help: &str,
                direction: Direction| {
        if let Some(file) = file_of(project, path) {
            add_observed(
                report,
                project,
                policy,
                Observed {
                    rule,
                    file,
                    span,
                    message,
                    help: help.to_string(),
                    migration: Some(id),
                    direction,
                },
            );
        }
    };
    let up_path = m.up.first().map(|s| s.path.clone()).unwrap_or_default();
    let down = m.down.as_deref().unwrap_or(&[]);
    let down_path = down.first().map(|s| s.path.clone()).unwrap_or_default();

    // 1. Steps that failed.
    if let Some(e) = &v.up.error {
        let mut message = format!(
            "the up fails at statement {} of {}: {}",
            e.statement + 1,
            v.up.statements,
            e.describe()
        );
        if !m.transactional {
            let _ = write!(
                message,
                "; it runs outside a transaction, so the {} statement{} before it stayed applied",
                v.up.executed,
                if v.up.executed == 1 { "" } else { "s" }
            );
            if !v.up.left_behind.is_empty() {
                let _ = write!(message, ", leaving: {}", listed(&v.up.left_behind));
            }
        }
        let help = if m.transactional {
            "fix the statement: PostgreSQL rolled the whole migration back, and a deploy running it stops here"
        } else {
            "fix the statement; a migration outside a transaction must also be safe to re-run from where it stopped (IF NOT EXISTS, IF EXISTS)"
        };
        push(
            report,
            "migration-failed",
            &e.path,
            Span::new(e.start, e.end),
            message,
            help,
            Direction::Up,
        );
    }
    if let Some(e) = v.down.as_ref().and_then(|d| d.error.as_ref()) {
        push(report, "migration-failed", &e.path, Span::new(e.start, e.end),
            format!("the down fails after the up at statement {} of {}: {}", e.statement + 1, down.len(), e.describe()),
            "a rollback that fails leaves production half way: make the down run on the schema (and the data) the up leaves",
            Direction::Down);
    }
    if let Some(e) = v.reup.as_ref().and_then(|r| r.error.as_ref()) {
        push(
            report,
            "migration-failed",
            &e.path,
            Span::new(e.start, e.end),
            format!(
                "running the up again after its down fails at statement {}: {}",
                e.statement + 1,
                e.describe()
            ),
            "the down must undo everything the up does, so that the up can run again",
            Direction::Up,
        );
    }

    // 2. The round trip.
    let lines: Vec<String> = v
        .roundtrip
        .iter()
        .filter(|c| c.kind != ChangeKind::Reordered)
        .map(|c| c.message.clone())
        .collect();
    if !lines.is_empty() {
        push(report, "down-does-not-restore", &down_path, side_span(down),
            format!("after up → down the schema is not what it was before the up: {}", listed(&lines)),
            "make the down undo exactly what the up did (drop what it created, re-create what it dropped with the same definition)",
            Direction::Down);
    }
    if let Some(d) = &v.data {
        if !d.lost.is_empty() {
            let lines: Vec<String> = d.lost.iter().map(|l| l.message.clone()).collect();
            push(report, "down-loses-data", &down_path, side_span(down),
                format!("after up → down on filled tables: {}", listed(&lines)),
                "rolling back this migration in production loses that data: keep the old column or table (expand and contract) or take a backup before deploying",
                Direction::Down);
        }
    }

    // 3. Locks and rewrites.
    // One warning per migration for the locks taken with no lock_timeout: the fix is one line
    // at its top. The locks taken under a lock_timeout are listed per statement, as infos.
    let unguarded: Vec<&LockEvent> = v.locks.iter().filter(|l| !l.lock_timeout_set).collect();
    if let Some(first) = unguarded.first() {
        let what: Vec<String> = unguarded
            .iter()
            .map(|l| {
                format!(
                    "{} on `{}` (blocks {}, line {})",
                    lock_mode(&l.mode),
                    l.relation,
                    l.blocks,
                    l.line
                )
            })
            .collect();
        push(
            report,
            "blocking-lock-without-timeout",
            &first.path,
            Span::new(first.start, first.end),
            format!(
                "the up takes {} with no lock_timeout set by the migration",
                listed(&what)
            ),
            "start the migration with `SET lock_timeout = '5s';` so that it fails fast instead of queueing every query on the table behind it",
            Direction::Up,
        );
    }
    let mut guarded: Vec<&LockEvent> = v.locks.iter().filter(|l| l.lock_timeout_set).collect();
    guarded.sort_by_key(|l| l.statement);
    for group in guarded.chunk_by(|a, b| a.statement == b.statement) {
        let what: Vec<String> = group
            .iter()
            .map(|l| format!("{} on `{}`", lock_mode(&l.mode), l.relation))
            .collect();
        let held = group.iter().map(|l| l.held_ms).max().unwrap_or(0);
        let blocks = if group.iter().any(|l| l.blocks == "reads and writes") {
            "reads and writes"
        } else {
            "writes"
        };
        push(
            report,
            "blocking-lock",
            &group[0].path,
            Span::new(group[0].start, group[0].end),
            format!(
                "holds {} for {held} ms on the scratch database, blocking {blocks} while held",
                listed(&what)
            ),
            "in production the lock first waits for every running query on the table, and everything queues behind it: keep the transaction short",
            Direction::Up,
        );
    }
    if !v.rewrites.is_empty() {
        let first_lock = v
            .locks
            .iter()
            .find(|l| v.rewrites.contains(&l.relation))
            .map(|l| (l.path.clone(), Span::new(l.start, l.end)));
        let (path, span) = first_lock.unwrap_or_else(|| (up_path.clone(), side_span(&m.up)));
        push(report, "table-rewrite", &path, span,
            format!("the up rewrites {}: every row is copied while an ACCESS EXCLUSIVE lock blocks reads and writes", quoted_list(&v.rewrites)),
            "add a new column and backfill it in batches, or use a binary-compatible change (varchar(n) → text, a larger varchar)",
            Direction::Up);
    }

    // 4. The static classification against the database.
    let lost: Vec<String> = v
        .effect
        .iter()
        .filter(|c| c.loses_data)
        .map(|c| c.message.clone())
        .collect();
    if let Some(class) = static_class {
        if class != MigrationClass::Destructive && !lost.is_empty() && v.up.ok {
            push(report, "classification-mismatch", &up_path, side_span(&m.up),
                format!("static analysis: {}; PostgreSQL after the up: {}", class.as_str(), listed(&lost)),
                "write the DDL as plain statements so that review sees it (not built in a DO block or a function); this migration destroys data and needs the destructive review",
                Direction::Up);
        }
    }
}

fn quoted_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    listed(&q)
}

/// `AccessExclusive` → `ACCESS EXCLUSIVE`.
fn lock_mode(mode: &str) -> String {
    let mut out = String::new();
    for (i, c) in mode.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The per-migration table of the human output.
fn table(report: &Report) -> String {
    let rows: Vec<&tollgate_core::report::MigrationReport> = report
        .migrations
        .iter()
        .filter(|m| m.verify.is_some())
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let step = |s: Option<&tollgate_core::verify::Step>| match s {
        None => "-".to_string(),
        Some(s) if s.ok => "✓".to_string(),
        Some(_) => "✗".to_string(),
    };
    let header = [
        "migration",
        "class",
        "up",
        "down",
        "re-up",
        "round trip",
        "data",
        "locks",
        "rewrites",
        "time",
    ];
    let mut lines: Vec<[String; 10]> = Vec::new();
    for m in rows {
        let v = m.verify.as_ref().expect("filtered");
        let differences = v
            .roundtrip
            .iter()
            .filter(|c| c.kind != ChangeKind::Reordered)
            .count();
        let reordered = differences < v.roundtrip.len();
        let roundtrip = match (&v.down, differences) {
            (Some(d), 0) if d.ok && reordered => "✓ (column order)".to_string(),
            (Some(d), 0) if d.ok => "✓".to_string(),
            (Some(d), n) if d.ok => format!("{n} diff{}", if n == 1 { "" } else { "s" }),
            _ => "-".to_string(),
        };
        let compared = v.down.as_ref().is_some_and(|d| d.ok);
        let data = match &v.data {
            None => "-".to_string(),
            Some(_) if !compared => "-".to_string(),
            Some(d) if !d.lost.is_empty() => format!("{} lost", d.lost.len()),
            Some(d) if !d.not_filled.is_empty() => {
                format!("✓ ({} not filled)", d.not_filled.len())
            }
            Some(_) => "✓".to_string(),
        };
        // The strongest lock, on the first relation it was taken on, and how many others.
        let locks = match v
            .locks
            .iter()
            .max_by_key(|l| tollgate_core::verify::lock_strength(&l.mode))
        {
            None => "-".to_string(),
            Some(l) if v.locks.len() == 1 => format!("{} {}", short_mode(&l.mode), l.relation),
            Some(l) => format!(
                "{} {} +{}",
                short_mode(&l.mode),
                l.relation,
                v.locks.len() - 1
            ),
        };
        let id: String = if m.id.chars().count() > 44 {
            format!("{}…", m.id.chars().take(43).collect::<String>())
        } else {
            m.id.clone()
        };
        lines.push([
            id,
            m.class.as_str().to_string(),
            step(Some(&v.up)),
            step(v.down.as_ref()),
            step(v.reup.as_ref()),
            roundtrip,
            data,
            locks,
            if v.rewrites.is_empty() {
                "-".into()
            } else {
                v.rewrites.len().to_string()
            },
            format!("{} ms", v.ms),
        ]);
    }
    let mut widths = header.map(|h| h.chars().count());
    for l in &lines {
        for (w, c) in widths.iter_mut().zip(l.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::from("\n");
    let row = |cells: &[String], out: &mut String| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - c.chars().count()));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    row(&header.map(String::from), &mut out);
    for l in &lines {
        row(l, &mut out);
    }
    out.push('\n');
    out
}

/// Short lock names for the table.
fn short_mode(mode: &str) -> &'static str {
    match mode {
        "AccessExclusive" => "ACCESS EXCL",
        "Exclusive" => "EXCL",
        "ShareRowExclusive" => "SHARE ROW EXCL",
        "Share" => "SHARE",
        _ => "LOCK",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn lock_modes_read_as_postgresql_writes_them() {
        assert_eq!(lock_mode("AccessExclusive"), "ACCESS EXCLUSIVE");
        assert_eq!(lock_mode("ShareRowExclusive"), "SHARE ROW EXCLUSIVE");
        assert_eq!(human_duration(Duration::from_secs(1800)), "30m");
    }
}
