//! `tollgate`: the command-line front end. It reads files, loads the policy, runs the core and
//! prints the report. Exit codes: 0 pass, 1 the findings fail the policy, 2 usage, configuration
//! or I/O error.

mod anonymize;
mod base;
mod ci;
mod discover;
mod dumps;
mod error;
mod git;
mod render;
mod sarif;
mod verify;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tollgate_core::model::Level;
use tollgate_core::policy::{FailOn, Policy};
use tollgate_core::rules::RULES;

use crate::error::CliError;

#[derive(Parser)]
#[command(
    name = "tollgate",
    version,
    about = "A safety gate for PostgreSQL schema migrations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse migrations and report unsafe changes.
    Check(CheckArgs),
    /// Check that the anonymisation script masks every personal column of the schema the
    /// migrations build.
    AnonymizeCheck {
        /// The script (default: `anonymize.script` in the policy, scripts/anonymize-data.sql).
        #[arg(long)]
        script: Option<PathBuf>,
        /// Policy file (default: the nearest tollgate.toml above the working directory).
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Migration files or directories (default: the policy's `paths.include`).
        paths: Vec<PathBuf>,
    },
    /// Block database dumps that hold personal data (by content: pg_dump, MySQL, CSV, archives).
    Dumps {
        /// Files or directories to scan (default: the repository root).
        paths: Vec<PathBuf>,
        /// Scan the staged blobs (what `git commit` would record), for a pre-commit hook.
        #[arg(long, conflicts_with_all = ["range", "paths"])]
        staged: bool,
        /// Scan every blob added in any commit of `<base>..<head>`, even if deleted later.
        #[arg(long, value_name = "BASE..HEAD", conflicts_with = "paths")]
        range: Option<String>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Policy file (default: the nearest tollgate.toml above the working directory).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Append a baseline entry for each blocked file to `dumps.baseline` (content
        /// fingerprints; each entry needs a reason written by a human before it counts).
        #[arg(long)]
        write_baseline: bool,
    },
    /// Run the migrations on a real PostgreSQL: up → down → up with catalog snapshots, lock and
    /// rewrite tracing, and a cross-check of the static classification.
    Verify(VerifyArgs),
    /// The pull-request check for GitHub Actions: check, dump guard, verify (with a database
    /// URL), the review-label gate, annotations, job summary, SARIF, sticky comment and review
    /// comments. Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL,
    /// GITHUB_TOKEN, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
    Ci(CiArgs),
    /// List every rule with its class and configured severity.
    Rules {
        /// Policy file (default: the nearest tollgate.toml above the working directory).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (`check` only).
    Sarif,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Policy overrides shared by `check`, `verify` and `ci`.
#[derive(clap::Args, Clone)]
pub(crate) struct PolicyFlags {
    /// Lowest severity that fails the check (overrides `fail_on`).
    #[arg(long, value_name = "error|warning|info|never")]
    fail_on: Option<String>,
    /// Set a rule's severity, e.g. `--rule lock-timeout-missing=warning` (repeatable).
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    rules: Vec<String>,
    /// Assumed PostgreSQL major version (overrides `postgres_version`).
    #[arg(long)]
    pg_version: Option<u32>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum VerifyMode {
    /// up → down → up, comparing catalog snapshots.
    Roundtrip,
    /// Apply the ups only.
    Up,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Migration files or directories (default: the policy's `paths.include`). Given files are
    /// verified after the migrations before them in their directory.
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "roundtrip")]
    mode: VerifyMode,
    /// Fill the tables each migration touches with generated rows first, and report the data
    /// that up → down does not bring back.
    #[arg(long)]
    with_data: bool,
    /// Rows generated per table with `--with-data`.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    rows: u64,
    /// Verify only the migrations added or changed since the merge-base with this git ref; the
    /// others build the starting schema.
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    /// A running server to use instead of a throwaway cluster: tollgate creates a scratch
    /// database there, works only inside it and drops it.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Directory holding `initdb`, `pg_ctl` and `postgres` (default: TOLLGATE_PG_BIN, PATH,
    /// /usr/lib/postgresql/<version>/bin).
    #[arg(long, value_name = "DIR")]
    pg_bin: Option<PathBuf>,
    /// `statement_timeout` of the session (e.g. 500ms, 60s, 5m).
    #[arg(long, default_value = "60s", value_parser = verify::parse_duration)]
    statement_timeout: std::time::Duration,
    /// `lock_timeout` of the session.
    #[arg(long, default_value = "10s", value_parser = verify::parse_duration)]
    lock_timeout: std::time::Duration,
    /// Time limit for running the migrations (the server's start and the scratch database's
    /// creation come on top).
    #[arg(long, default_value = "30m", value_parser = verify::parse_duration)]
    timeout: std::time::Duration,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Policy file (default: the nearest tollgate.toml above the working directory).
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    flags: PolicyFlags,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

#[derive(clap::Args)]
struct CiArgs {
    /// Migration files or directories (default: the policy's `paths.include`).
    paths: Vec<PathBuf>,
    /// Policy file (default: the nearest tollgate.toml above the working directory).
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    flags: PolicyFlags,
    /// The label that approves destructive migrations (overrides `review.label`).
    #[arg(long, env = "TOLLGATE_REVIEW_LABEL")]
    review_label: Option<String>,
    /// Create or update the sticky pull-request comment.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "true|false")]
    comment: bool,
    /// Post review comments on the lines of destructive statements.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "true|false")]
    review_comments: bool,
    /// The login tollgate comments as: only a comment by this user is ever updated.
    #[arg(long, default_value = "github-actions[bot]")]
    comment_author: String,
    /// Where to write the SARIF file (default: $RUNNER_TEMP/tollgate.sarif).
    #[arg(long)]
    sarif_file: Option<PathBuf>,
    /// Where to write the JSON report (default: $RUNNER_TEMP/tollgate-report.json).
    #[arg(long)]
    report_file: Option<PathBuf>,
    /// The database service `verify` uses (a scratch database is created and dropped there).
    #[arg(long, env = "TOLLGATE_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// When to run `verify`: `auto` runs it when a database URL is given.
    #[arg(long, value_enum, default_value = "auto")]
    verify: ci::VerifyWhen,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Migration files or directories (default: the policy's `paths.include` under the
    /// repository root).
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Policy file (default: the nearest tollgate.toml above the working directory).
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    flags: PolicyFlags,
    /// Check only the migrations added or changed since the merge-base with this git ref, and
    /// fail when a migration that exists there was modified, renamed or deleted.
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let sarif_elsewhere = match &cli.command {
        Command::Verify(a) => a.format == Format::Sarif,
        Command::Dumps { format, .. } | Command::AnonymizeCheck { format, .. } => {
            *format == Format::Sarif
        }
        _ => false,
    };
    if sarif_elsewhere {
        eprintln!("tollgate: error: --format sarif is available for `check`; `ci` writes a SARIF file of everything it found");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Check(args) => run_check(args),
        Command::Rules { config } => run_rules(config),
        Command::Ci(a) => ci::run(ci::Args {
            paths: a.paths,
            config: a.config,
            flags: a.flags,
            review_label: a.review_label,
            comment: a.comment,
            review_comments: a.review_comments,
            comment_author: a.comment_author,
            sarif_file: a.sarif_file,
            report_file: a.report_file,
            database_url: a.database_url.filter(|u| !u.trim().is_empty()),
            verify: a.verify,
            color: use_color(a.color),
        }),
        Command::Verify(a) => verify::run(verify::Args {
            paths: a.paths,
            json: a.format == Format::Json,
            color: use_color(a.color),
            config: a.config,
            flags: a.flags,
            base: a.base,
            mode: match a.mode {
                VerifyMode::Roundtrip => tollgate_verify::run::Mode::Roundtrip,
                VerifyMode::Up => tollgate_verify::run::Mode::Up,
            },
            with_data: a.with_data,
            rows: a.rows,
            database_url: a.database_url.filter(|u| !u.trim().is_empty()),
            pg_bin: a.pg_bin,
            statement_timeout: a.statement_timeout,
            lock_timeout: a.lock_timeout,
            timeout: a.timeout,
        }),
        Command::Dumps {
            paths,
            staged,
            range,
            format,
            config,
            write_baseline,
        } => dumps::run(dumps::Args {
            paths,
            staged,
            range,
            json: format == Format::Json,
            config,
            write_baseline,
        }),
        Command::AnonymizeCheck {
            script,
            config,
            format,
            paths,
        } => anonymize::run(script, config, paths, format == Format::Json),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("tollgate: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The nearest `tollgate.toml` from `start` upwards.
fn find_config(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join("tollgate.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Default policy, then the repository's file, then CLI flags: each layer only changes what it
/// names. Returns the policy and the directory the policy's globs are relative to.
pub(crate) fn load_policy(
    config: Option<&Path>,
    cwd: &Path,
) -> Result<(Policy, PathBuf), CliError> {
    let mut policy = Policy::default_policy();
    let path = match config {
        Some(p) => Some(p.to_path_buf()),
        None => find_config(cwd),
    };
    let root = match &path {
        Some(p) => {
            let text = discover::read_text(p)?;
            policy.overlay_toml(&p.display().to_string(), &text)?;
            p.parent()
                .map(Path::to_path_buf)
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or_else(|| cwd.to_path_buf())
        }
        None => cwd.to_path_buf(),
    };
    Ok((policy, root))
}

pub(crate) fn apply_flags(policy: &mut Policy, args: &PolicyFlags) -> Result<(), CliError> {
    if let Some(f) = &args.fail_on {
        policy.fail_on = FailOn::parse(f).ok_or_else(|| {
            CliError::new(format!(
                "--fail-on: invalid value `{f}`; expected error, warning, info or never"
            ))
        })?;
    }
    for r in &args.rules {
        let (id, level) = r.split_once('=').ok_or_else(|| {
            CliError::new(format!(
                "--rule `{r}`: expected ID=LEVEL, e.g. --rule prefer-jsonb=warning"
            ))
        })?;
        let level = Level::parse(level.trim()).ok_or_else(|| {
            CliError::new(format!(
                "--rule `{r}`: invalid level `{level}`; expected error, warning, info or off"
            ))
        })?;
        policy.set_rule_level(id.trim(), level)?;
    }
    if let Some(v) = args.pg_version {
        if !(11..=18).contains(&v) {
            return Err(CliError::new(format!(
                "--pg-version: must be between 11 and 18, got {v}"
            )));
        }
        policy.postgres_version = v;
    }
    Ok(())
}

/// What `check` (and `ci`) produce: the report and the sources it points into.
pub(crate) struct Checked {
    pub report: tollgate_core::report::Report,
    pub project: tollgate_core::source::Project,
}

/// The static check: discovery, `--base` history integrity, the anonymisation script, the dump
/// guard (over `dumps.scan`, and over every blob of `every_blob_in` for `ci`), then the rules.
pub(crate) fn check_with(
    policy: &Policy,
    root: &Path,
    paths: &[PathBuf],
    base: Option<&str>,
    every_blob_in: Option<&str>,
    cwd: &Path,
) -> Result<Checked, CliError> {
    let matcher = policy.path_matcher()?;
    let candidates = discover::collect(paths, root, &matcher)?;
    let mut loaded = discover::load(&candidates, policy, cwd)?;
    let mut merge_base = None;
    if let Some(base_ref) = base {
        merge_base = Some(base::apply(base_ref, &mut loaded, cwd)?);
    }
    // The anonymisation script, when the repository has one.
    let script = root.join(&policy.anonymize.script);
    if !policy.anonymize.script.is_empty() && script.is_file() {
        let text = discover::read_text(&script)?;
        let file = loaded
            .project
            .add_file(discover::display_path(&script, cwd), text);
        loaded.project.anonymize_script = Some(file);
    }
    let dump_notes = dumps::check_issues(
        policy,
        root,
        cwd,
        merge_base.as_deref(),
        every_blob_in,
        &mut loaded.project,
    )?;
    loaded.notices.extend(dump_notes);
    let project = loaded.project;
    let mut report = tollgate_core::check(&project, policy);
    report.notices.extend(loaded.notices);
    if project.migrations.is_empty() && policy.require_migrations {
        report
            .notices
            .push("require_migrations = true: a repository without migrations fails".into());
        report.summary.failed = true;
    }
    Ok(Checked { report, project })
}

fn run_check(args: CheckArgs) -> Result<u8, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the working directory: {e}")))?;
    let (mut policy, root) = load_policy(args.config.as_deref(), &cwd)?;
    apply_flags(&mut policy, &args.flags)?;
    let Checked { report, project } = check_with(
        &policy,
        &root,
        &args.paths,
        args.base.as_deref(),
        None,
        &cwd,
    )?;

    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // A closed pipe (`tollgate check | head`) is not an error worth a panic.
    match args.format {
        Format::Json => {
            // Compact: machines read it, and pretty-printing megabytes costs real time.
            let _ = serde_json::to_writer(&mut stdout, &report);
            let _ = stdout.write_all(b"\n");
        }
        Format::Sarif => {
            let sarif = sarif::sarif(&report, &policy);
            let _ = serde_json::to_writer_pretty(&mut stdout, &sarif);
            let _ = stdout.write_all(b"\n");
        }
        Format::Human => {
            let color = use_color(args.color);
            let files: Vec<(&str, &str)> = project
                .files
                .iter()
                .map(|f| (f.path.as_str(), f.text.as_str()))
                .collect();
            let text = render::human(&report, &files, &render::HumanOptions { color, width: 100 });
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    let _ = stdout.flush();
    Ok(if report.summary.failed { 1 } else { 0 })
}

fn run_rules(config: Option<PathBuf>) -> Result<u8, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the working directory: {e}")))?;
    let (policy, _) = load_policy(config.as_deref(), &cwd)?;
    let mut out = String::new();
    for r in RULES {
        let class = r.meta.class.map_or("-", |c| c.as_str());
        out.push_str(&format!(
            "{:<36} {:<12} {:<8} {}\n",
            r.meta.id,
            class,
            policy.level(r.meta.id).as_str(),
            r.meta.summary
        ));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(0)
}
