//! Migration directory layouts: which tool a directory of `.sql` files belongs to, and the
//! migrations it runs, in the order it runs them.
//!
//! The caller hands in the files of ONE migrations directory (paths relative to it, '/'-separated)
//! and gets back a [`Plan`]: the detected (or forced) [`Tool`], its migrations sorted exactly as
//! the tool sorts them, and the [`LayoutProblem`]s found on the way (duplicate versions, downs
//! without an up, files the tool would not pick up).
//!
//! # Layouts and how each tool orders them
//!
//! | Tool | Files | Order | Transaction |
//! |---|---|---|---|
//! | golang-migrate | `N_name.up.sql` / `.down.sql` (top level) | `N` as an integer | see below |
//! | sqlx | `N_name.up.sql` / `.down.sql`, or `N_name.sql` | `N` as an integer | wrapped unless the file starts with `-- no-transaction` |
//! | diesel | `<version>_name/up.sql` (+ `down.sql`, `metadata.toml`) | version with `-` removed, compared as a *string* | wrapped unless `run_in_transaction = false` |
//! | dbmate | `N…name.sql` with `-- migrate:up` / `-- migrate:down` | file name, as a string | wrapped unless `transaction:false` on the marker |
//! | Flyway | `V1_2__d.sql`, `U1_2__d.sql` (undo), `R__d.sql` (any depth) | version parts numerically (`1.0` = `1`), then repeatables by description | wrapped unless `X.sql.conf` has `executeInTransaction=false` |
//! | Liquibase | `--liquibase formatted sql` files of `--changeset author:id` | files by path, changesets in file order | wrapped unless `runInTransaction:false` |
//! | Prisma | `<name>/migration.sql` | directory name, as a string | see below |
//! | Ory (popx) | `N_name[.dialect][.autocommit].up.sql` / `.down.sql` | `N` as a string | wrapped unless `.autocommit` |
//! | plain | any `.sql` | natural order of the path (digit runs by value) | unknown |
//!
//! golang-migrate and Prisma do not open a transaction themselves: they send the whole file as
//! one simple-protocol query, which PostgreSQL runs as one implicit transaction block when it
//! holds more than one statement. Such a migration is modelled as transactional when the file
//! has more than one statement, non-transactional otherwise.
//!
//! # Detection
//!
//! Every `.sql` file votes for at most one layout, checked in this order (the first match wins):
//! a `--liquibase formatted sql` first line; a `-- migrate:up` line (dbmate); a Flyway name
//! (`V…__`, `U…__`, `R__`); `<dir>/migration.sql` (Prisma, as does a top-level
//! `migration_lock.toml`); `<dir>/up.sql` or `<dir>/down.sql` (diesel); a numbered
//! `.up.sql`/`.down.sql` name, or a `<14-digit timestamp>_name.sql` name or a
//! `N_name.sql` file starting with `-- no-transaction` (the "numbered" family). The layout
//! with most votes wins; ties go to the earlier one in that list. No vote at all → plain.
//!
//! Within the numbered family, which tools name files alike:
//! - any `.postgres.`/`.mysql.`/`.sqlite3.`/`.cockroach.`/`.autocommit.` infix → Ory;
//! - else any file starting with `-- no-transaction`, or any plain `N_name.sql` file next to the
//!   up/down pairs (golang-migrate ignores those) → sqlx;
//! - else golang-migrate. Timestamps alone do not decide: both tools accept any number, and
//!   golang-migrate is the more common owner of `.up.sql`/`.down.sql` pairs.
//!
//! Plain `N_name.sql` files alone are only taken for sqlx when the number is a 14-digit
//! timestamp (what `sqlx migrate add` writes) or a file opts out with `-- no-transaction`;
//! otherwise the directory is plain, whose transaction mode is honestly unknown.

use std::collections::{BTreeMap, HashMap};

use crate::model::TransactionMode;
use crate::source::{SourceMap, SqlChunk};
use crate::sources::Tool;
use crate::span::Span;

/// A file offered to the planner: path relative to the scanned root ('/'-separated) and its text.
#[derive(Debug, Clone, Copy)]
pub struct LayoutFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// A tool's ordering key. Its `Ord` compares like the tool does: numbers by value, text as
/// strings, shorter before longer when one is a prefix of the other, and a number before text at
/// the same position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub Vec<VersionPart>);

/// One part of a [`Version`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VersionPart {
    /// Compared numerically (leading zeros are insignificant).
    Num(u128),
    /// Compared as a string, byte by byte.
    Text(String),
}

/// Whether a migration runs once at its version or again whenever it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Versioned,
    /// A Flyway `R__` migration: runs after all versioned ones, ordered by description.
    Repeatable,
}

/// One side (up or down) of a planned migration.
#[derive(Debug, Clone)]
pub struct SidePlan {
    /// Which input file the chunks come from.
    pub path: String,
    /// The chunks sent to the server, in order. [`SqlChunk::whole_file`] stands for the whole
    /// file. A Liquibase `--rollback not required` / `--rollback empty` gives a down with no
    /// chunks.
    pub chunks: Vec<SqlChunk>,
}

/// One migration as its tool runs it.
#[derive(Debug, Clone)]
pub struct PlannedMigration {
    /// e.g. `000001_create_users`, `2017-09-23-182408_x`, `V1_10__add`, `20240101120000_init`,
    /// Liquibase `author:id`.
    pub id: String,
    /// The tool's ordering key.
    pub version: Version,
    /// The version as written (`1.10` for Flyway, which displays `_` as `.`; `author:id` for
    /// Liquibase; empty for Flyway repeatables).
    pub version_text: String,
    pub tool: Tool,
    pub kind: Kind,
    pub up: SidePlan,
    pub down: Option<SidePlan>,
    pub transaction: TransactionMode,
}

/// Something about the directory the tool would reject, or that the planner could not place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutProblem {
    pub path: String,
    pub message: String,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Two versioned migrations share a version (or a Liquibase file repeats an `author:id`, or
    /// two Flyway repeatables share a description).
    DuplicateVersion,
    /// A down migration whose up is missing.
    OrphanDown,
    /// A file that does not fit the layout, which the tool would skip or reject.
    Unrecognised,
}

/// The migrations of one directory.
#[derive(Debug, Clone)]
pub struct Plan {
    pub tool: Tool,
    /// Sorted exactly as the tool runs them.
    pub migrations: Vec<PlannedMigration>,
    pub problems: Vec<LayoutProblem>,
}

/// Detects the layout of ONE migrations directory (files are all under it; paths relative to it)
/// and plans its migrations. `forced`: config can force a tool.
pub fn plan(files: &[LayoutFile], forced: Option<Tool>) -> Plan {
    let tool = forced.unwrap_or_else(|| detect(files));
    let mut sorted: Vec<&LayoutFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(b.path));
    let mut p = Planner {
        tool,
        migrations: Vec::new(),
        problems: Vec::new(),
    };
    match tool {
        Tool::GolangMigrate | Tool::Sqlx => p.numbered(&sorted),
        Tool::Diesel => p.diesel(&sorted),
        Tool::Dbmate => p.dbmate(&sorted),
        Tool::Flyway => p.flyway(&sorted),
        Tool::Liquibase => p.liquibase(&sorted),
        Tool::Prisma => p.prisma(&sorted),
        Tool::Ory => p.ory(&sorted),
        Tool::Plain => p.plain(&sorted),
        Tool::MikroOrm | Tool::TypeOrm => {
            for f in sorted.iter().filter(|f| is_sql(f.path)) {
                p.unrecognised(
                    f.path,
                    format!(
                        "{} migrations are TypeScript classes; this .sql file is not one of them",
                        tool.as_str()
                    ),
                );
            }
        }
    }
    p.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Plan {
        tool,
        migrations: p.migrations,
        problems: p.problems,
    }
}

/// Detection alone (for reporting): which tool's layout this directory follows.
pub fn detect(files: &[LayoutFile]) -> Tool {
    // Votes, in priority order (ties go to the lower index).
    const LIQUIBASE: usize = 0;
    const DBMATE: usize = 1;
    const FLYWAY: usize = 2;
    const PRISMA: usize = 3;
    const DIESEL: usize = 4;
    const NUMBERED: usize = 5;
    let mut votes = [0usize; 6];
    let mut ory = false;
    let mut sqlx = false;
    for f in files {
        let name = file_name(f.path);
        if f.path == "migration_lock.toml" {
            votes[PRISMA] += 1;
            continue;
        }
        if !is_sql(f.path) {
            continue;
        }
        let parts: Vec<&str> = f.path.split('/').collect();
        if is_liquibase(f.text) {
            votes[LIQUIBASE] += 1;
        } else if dbmate_markers(f.text).up.is_some() {
            votes[DBMATE] += 1;
        } else if parse_flyway(name).is_ok() {
            votes[FLYWAY] += 1;
        } else if parts.len() == 2 && parts[1] == "migration.sql" {
            votes[PRISMA] += 1;
        } else if parts.len() == 2 && (parts[1] == "up.sql" || parts[1] == "down.sql") {
            votes[DIESEL] += 1;
        } else if parts.len() == 1 {
            if let Some(o) = parse_ory(name).ok().flatten() {
                if o.dialect.is_some() || o.autocommit {
                    ory = true;
                    votes[NUMBERED] += 1;
                    continue;
                }
            }
            if let Some(n) = parse_sqlx(name) {
                let no_tx = f.text.starts_with(NO_TX);
                match n.dir {
                    Dir::Up | Dir::Down => votes[NUMBERED] += 1,
                    Dir::Simple if n.digits.len() == 14 || no_tx => {
                        votes[NUMBERED] += 1;
                        sqlx = true;
                    }
                    Dir::Simple => {}
                }
                sqlx |= no_tx;
            }
        }
    }
    let (best, count) = votes
        .iter()
        .enumerate()
        .fold((0, 0), |acc, (i, &c)| if c > acc.1 { (i, c) } else { acc });
    if count == 0 {
        return Tool::Plain;
    }
    match best {
        LIQUIBASE => Tool::Liquibase,
        DBMATE => Tool::Dbmate,
        FLYWAY => Tool::Flyway,
        PRISMA => Tool::Prisma,
        DIESEL => Tool::Diesel,
        _ if ory => Tool::Ory,
        _ if sqlx => Tool::Sqlx,
        _ => Tool::GolangMigrate,
    }
}

const NO_TX: &str = "-- no-transaction";

// ---------------------------------------------------------------------------------------------
// Small helpers

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_sql(path: &str) -> bool {
    path.ends_with(".sql")
}

/// Splits leading ASCII digits off `s`.
fn leading_digits(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    s.split_at(n)
}

/// A digit string as a number part; digit strings too long for `u128` (beyond any real version)
/// fall back to text.
fn num_part(digits: &str) -> VersionPart {
    match digits.parse::<u128>() {
        Ok(n) => VersionPart::Num(n),
        Err(_) => VersionPart::Text(digits.to_string()),
    }
}

fn whole(path: &str) -> SidePlan {
    SidePlan {
        path: path.to_string(),
        chunks: vec![SqlChunk::whole_file()],
    }
}

/// A contiguous slice `[start, end)` of `text`.
fn slice_chunk(text: &str, start: usize, end: usize) -> SqlChunk {
    let mut chunk = SqlChunk::slice(&text[start..end], start);
    chunk.span = Some(Span::new(start, end));
    chunk
}

/// The mode of a file sent as one simple-protocol query: PostgreSQL wraps several statements in
/// one implicit transaction block, and runs a single one on its own.
fn implicit_block_mode(text: &str) -> TransactionMode {
    if crate::split::holds_two_statements(text) {
        TransactionMode::Transactional
    } else {
        TransactionMode::NonTransactional
    }
}

fn tx_mode(transactional: bool) -> TransactionMode {
    if transactional {
        TransactionMode::Transactional
    } else {
        TransactionMode::NonTransactional
    }
}

/// Lines of `text` as `(start offset, line without its '\n')`. A `\r` before the `\n` stays in
/// the line.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        pos = end + 1;
        Some((start, &text[start..end]))
    })
}

/// The offset just past the line starting at `line_start` (past its '\n', or the end of text).
fn next_line_start(text: &str, line_start: usize) -> usize {
    text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i + 1)
}

/// Strips an ASCII prefix case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Natural-order key: digit runs as numbers, everything else as text.
fn natural_key(s: &str) -> Version {
    let mut parts = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (digits, after) = leading_digits(rest);
        if !digits.is_empty() {
            parts.push(num_part(digits));
            rest = after;
        } else {
            let n = rest
                .char_indices()
                .find(|(_, c)| c.is_ascii_digit())
                .map_or(rest.len(), |(i, _)| i);
            parts.push(VersionPart::Text(rest[..n].to_string()));
            rest = &rest[n..];
        }
    }
    Version(parts)
}

// ---------------------------------------------------------------------------------------------
// The planner

struct Planner {
    tool: Tool,
    migrations: Vec<PlannedMigration>,
    problems: Vec<LayoutProblem>,
}

/// A down side waiting for its up.
struct PendingDown {
    version: Version,
    version_text: String,
    side: SidePlan,
}

impl Planner {
    fn problem(&mut self, path: &str, kind: ProblemKind, message: String) {
        self.problems.push(LayoutProblem {
            path: path.to_string(),
            message,
            kind,
        });
    }

    fn unrecognised(&mut self, path: &str, message: String) {
        self.problem(path, ProblemKind::Unrecognised, message);
    }

    fn top_level_only(&mut self, f: &LayoutFile) -> bool {
        if f.path.contains('/') {
            self.unrecognised(
                f.path,
                format!(
                    "{} only reads the top level of the migrations directory",
                    self.tool.as_str()
                ),
            );
            false
        } else {
            true
        }
    }

    fn migration(
        &self,
        id: String,
        version: Version,
        version_text: String,
        up: SidePlan,
        transaction: TransactionMode,
    ) -> PlannedMigration {
        PlannedMigration {
            id,
            version,
            version_text,
            tool: self.tool,
            kind: Kind::Versioned,
            up,
            down: None,
            transaction,
        }
    }

    /// Attaches each down to the first versioned migration with the same version.
    fn attach_downs(&mut self, downs: Vec<PendingDown>) {
        for d in downs {
            let target = self
                .migrations
                .iter_mut()
                .find(|m| m.kind == Kind::Versioned && m.version == d.version);
            match target {
                Some(m) if m.down.is_none() => m.down = Some(d.side),
                Some(m) => {
                    let msg = format!(
                        "duplicate down migration for version {}: {} and {}",
                        d.version_text,
                        m.down.as_ref().map_or("", |s| s.path.as_str()),
                        d.side.path
                    );
                    self.problem(&d.side.path, ProblemKind::DuplicateVersion, msg);
                }
                None => {
                    let msg = format!(
                        "down migration for version {} has no up migration",
                        d.version_text
                    );
                    self.problem(&d.side.path, ProblemKind::OrphanDown, msg);
                }
            }
        }
    }

    /// Reports versioned migrations sharing a version (after sorting, so the first one named
    /// is the one the tool meets first).
    fn report_duplicates(&mut self) {
        let mut seen: HashMap<&Version, &PlannedMigration> = HashMap::new();
        let mut found = Vec::new();
        for m in self.migrations.iter().filter(|m| m.kind == Kind::Versioned) {
            if let Some(first) = seen.get(&m.version) {
                found.push(LayoutProblem {
                    path: m.up.path.clone(),
                    message: format!(
                        "duplicate version {}: {} and {}",
                        m.version_text, first.up.path, m.up.path
                    ),
                    kind: ProblemKind::DuplicateVersion,
                });
            } else {
                seen.insert(&m.version, m);
            }
        }
        self.problems.extend(found);
    }

    // --- golang-migrate and sqlx ---------------------------------------------------------

    fn numbered(&mut self, files: &[&LayoutFile]) {
        let sqlx = self.tool == Tool::Sqlx;
        let mut downs = Vec::new();
        for f in files.iter().filter(|f| is_sql(f.path)) {
            if !self.top_level_only(f) {
                continue;
            }
            let parsed = if sqlx {
                parse_sqlx(f.path)
            } else {
                parse_golang(f.path)
            };
            let Some(n) = parsed else {
                let expected = if sqlx {
                    "<version>_<name>.sql, .up.sql or .down.sql"
                } else {
                    "<version>_<name>.up.sql or .down.sql"
                };
                self.unrecognised(
                    f.path,
                    format!("not a {} migration name ({expected})", self.tool.as_str()),
                );
                continue;
            };
            let version = Version(vec![num_part(n.digits)]);
            match n.dir {
                Dir::Down => downs.push(PendingDown {
                    version,
                    version_text: n.digits.to_string(),
                    side: whole(f.path),
                }),
                Dir::Up | Dir::Simple => {
                    let transaction = if sqlx {
                        tx_mode(!f.text.starts_with(NO_TX))
                    } else {
                        implicit_block_mode(f.text)
                    };
                    let m = self.migration(
                        n.id.to_string(),
                        version,
                        n.digits.to_string(),
                        whole(f.path),
                        transaction,
                    );
                    self.migrations.push(m);
                }
            }
        }
        self.migrations
            .sort_by(|a, b| (&a.version, &a.up.path).cmp(&(&b.version, &b.up.path)));
        self.attach_downs(downs);
        self.report_duplicates();
    }

    // --- diesel ---------------------------------------------------------------------------

    fn diesel(&mut self, files: &[&LayoutFile]) {
        #[derive(Default)]
        struct Dir<'a> {
            up: Option<&'a LayoutFile<'a>>,
            down: Option<&'a LayoutFile<'a>>,
            meta: Option<&'a LayoutFile<'a>>,
        }
        let mut dirs: BTreeMap<&str, Dir> = BTreeMap::new();
        for f in files {
            let parts: Vec<&str> = f.path.split('/').collect();
            let slot = match parts.as_slice() {
                [dir, file] if !dir.starts_with('.') => match *file {
                    "up.sql" => Some((*dir, 0)),
                    "down.sql" => Some((*dir, 1)),
                    "metadata.toml" => Some((*dir, 2)),
                    _ => None,
                },
                _ => None,
            };
            match slot {
                Some((dir, which)) => {
                    let d = dirs.entry(dir).or_default();
                    match which {
                        0 => d.up = Some(f),
                        1 => d.down = Some(f),
                        _ => d.meta = Some(f),
                    }
                }
                None if is_sql(f.path) => self.unrecognised(
                    f.path,
                    "diesel only runs <version>_<name>/up.sql and down.sql".to_string(),
                ),
                None => {}
            }
        }
        for (dir, d) in dirs {
            let Some(up) = d.up else {
                if let Some(down) = d.down {
                    self.problem(
                        down.path,
                        ProblemKind::OrphanDown,
                        format!("{dir}/down.sql has no up.sql"),
                    );
                }
                continue;
            };
            let version_text = dir.split('_').next().unwrap_or(dir);
            let version = Version(vec![VersionPart::Text(version_text.replace('-', ""))]);
            let mut transactional = true;
            if let Some(meta) = d.meta {
                match toml::from_str::<toml::Table>(meta.text) {
                    Ok(table) => {
                        if let Some(v) = table.get("run_in_transaction") {
                            match v.as_bool() {
                                Some(b) => transactional = b,
                                None => self.unrecognised(
                                    meta.path,
                                    "run_in_transaction must be true or false".to_string(),
                                ),
                            }
                        }
                    }
                    Err(e) => self.unrecognised(
                        meta.path,
                        format!("diesel cannot read this metadata.toml: {}", e.message()),
                    ),
                }
            }
            let mut m = self.migration(
                dir.to_string(),
                version,
                version_text.to_string(),
                whole(up.path),
                tx_mode(transactional),
            );
            m.down = d.down.map(|f| whole(f.path));
            self.migrations.push(m);
        }
        // Diesel compares versions as strings (dashes removed); ties keep directory order.
        self.migrations
            .sort_by(|a, b| (&a.version, &a.id).cmp(&(&b.version, &b.id)));
        self.report_duplicates();
    }

    // --- dbmate ---------------------------------------------------------------------------

    fn dbmate(&mut self, files: &[&LayoutFile]) {
        // Sorted by path = by file name (top level only), which is dbmate's order.
        for f in files.iter().filter(|f| is_sql(f.path)) {
            if !self.top_level_only(f) {
                continue;
            }
            let (digits, _) = leading_digits(f.path);
            if digits.is_empty() {
                self.unrecognised(
                    f.path,
                    "dbmate only runs files named <version>_<name>.sql".to_string(),
                );
                continue;
            }
            let text = f.text;
            let markers = dbmate_markers(text);
            let Some(up) = markers.up else {
                self.unrecognised(
                    f.path,
                    "dbmate requires a '-- migrate:up' line in every migration".to_string(),
                );
                continue;
            };
            if let Some(down) = &markers.down {
                if down.line_start < up.line_start {
                    self.unrecognised(
                        f.path,
                        "dbmate requires '-- migrate:up' before '-- migrate:down'".to_string(),
                    );
                    continue;
                }
            }
            if crate::split::split(&text[..up.line_start])
                .statements()
                .next()
                .is_some()
            {
                self.unrecognised(
                    f.path,
                    "dbmate rejects statements before '-- migrate:up'".to_string(),
                );
            }
            let up_end = markers.down.as_ref().map_or(text.len(), |d| d.line_start);
            let up_side = SidePlan {
                path: f.path.to_string(),
                chunks: vec![slice_chunk(text, up.body_start, up_end)],
            };
            let mut m = self.migration(
                f.path.trim_end_matches(".sql").to_string(),
                Version(vec![VersionPart::Text(digits.to_string())]),
                digits.to_string(),
                up_side,
                tx_mode(up.transaction),
            );
            m.down = markers.down.map(|d| SidePlan {
                path: f.path.to_string(),
                chunks: vec![slice_chunk(text, d.body_start, text.len())],
            });
            self.migrations.push(m);
        }
        self.report_duplicates();
    }

    // --- Flyway ---------------------------------------------------------------------------

    fn flyway(&mut self, files: &[&LayoutFile]) {
        let confs: HashMap<&str, &str> = files
            .iter()
            .filter_map(|f| Some((f.path.strip_suffix(".conf")?, f.text)))
            .collect();
        let mut repeatables = Vec::new();
        let mut downs = Vec::new();
        for f in files.iter().filter(|f| is_sql(f.path)) {
            let name = file_name(f.path);
            let parsed = match parse_flyway(name) {
                Ok(p) => p,
                Err(msg) => {
                    self.unrecognised(f.path, msg);
                    continue;
                }
            };
            let transactional = confs
                .get(f.path)
                .is_none_or(|conf| flyway_conf_transactional(conf))
                && !all_statements_non_transactional(f.text);
            let id = name.trim_end_matches(".sql").to_string();
            match parsed.prefix {
                'V' => {
                    let m = self.migration(
                        id,
                        parsed.version,
                        parsed.version_text,
                        whole(f.path),
                        tx_mode(transactional),
                    );
                    self.migrations.push(m);
                }
                'U' => downs.push(PendingDown {
                    version: parsed.version,
                    version_text: parsed.version_text,
                    side: whole(f.path),
                }),
                _ => {
                    let mut m = self.migration(
                        id,
                        Version(vec![VersionPart::Text(parsed.description.clone())]),
                        String::new(),
                        whole(f.path),
                        tx_mode(transactional),
                    );
                    m.kind = Kind::Repeatable;
                    repeatables.push(m);
                }
            }
        }
        self.migrations
            .sort_by(|a, b| (&a.version, &a.up.path).cmp(&(&b.version, &b.up.path)));
        self.attach_downs(downs);
        self.report_duplicates();
        repeatables.sort_by(|a, b| (&a.version, &a.up.path).cmp(&(&b.version, &b.up.path)));
        for pair in repeatables.windows(2) {
            if pair[0].version == pair[1].version {
                let msg = format!(
                    "two repeatable migrations with the same description: {} and {}",
                    pair[0].up.path, pair[1].up.path
                );
                self.problem(&pair[1].up.path, ProblemKind::DuplicateVersion, msg);
            }
        }
        self.migrations.extend(repeatables);
    }

    // --- Liquibase ------------------------------------------------------------------------

    fn liquibase(&mut self, files: &[&LayoutFile]) {
        for f in files.iter().filter(|f| is_sql(f.path)) {
            if !is_liquibase(f.text) {
                self.unrecognised(
                    f.path,
                    "not a Liquibase formatted SQL changelog (no '--liquibase formatted sql' first line)"
                        .to_string(),
                );
                continue;
            }
            let mut seen = std::collections::HashSet::new();
            for (index, cs) in liquibase_changesets(f.text).into_iter().enumerate() {
                let id = format!("{}:{}", cs.author, cs.id);
                if !seen.insert(id.clone()) {
                    self.problem(
                        f.path,
                        ProblemKind::DuplicateVersion,
                        format!("duplicate changeset {id} in {}", f.path),
                    );
                }
                if cs.skip {
                    continue;
                }
                let version = Version(vec![
                    VersionPart::Text(f.path.to_string()),
                    VersionPart::Num(index as u128),
                ]);
                let up = SidePlan {
                    path: f.path.to_string(),
                    chunks: vec![slice_chunk(f.text, cs.body.start, cs.body.end)],
                };
                let mut m =
                    self.migration(id.clone(), version, id, up, tx_mode(cs.run_in_transaction));
                m.down = cs.rollback.map(|chunks| SidePlan {
                    path: f.path.to_string(),
                    chunks,
                });
                self.migrations.push(m);
            }
        }
    }

    // --- Prisma ---------------------------------------------------------------------------

    fn prisma(&mut self, files: &[&LayoutFile]) {
        for f in files.iter().filter(|f| is_sql(f.path)) {
            let parts: Vec<&str> = f.path.split('/').collect();
            let [dir, "migration.sql"] = parts.as_slice() else {
                self.unrecognised(f.path, "Prisma only runs <name>/migration.sql".to_string());
                continue;
            };
            let version_text = dir.split('_').next().unwrap_or(dir);
            let m = self.migration(
                dir.to_string(),
                Version(vec![VersionPart::Text(dir.to_string())]),
                version_text.to_string(),
                whole(f.path),
                implicit_block_mode(f.text),
            );
            self.migrations.push(m);
        }
        // Prisma applies migration directories sorted by name.
        self.migrations.sort_by(|a, b| a.id.cmp(&b.id));
    }

    // --- Ory (popx) -----------------------------------------------------------------------

    fn ory(&mut self, files: &[&LayoutFile]) {
        struct OryFile<'a> {
            file: &'a LayoutFile<'a>,
            parsed: OryName<'a>,
        }
        let mut ups: Vec<OryFile> = Vec::new();
        let mut downs: Vec<OryFile> = Vec::new();
        for f in files.iter().filter(|f| is_sql(f.path)) {
            if !self.top_level_only(f) {
                continue;
            }
            match parse_ory(f.path) {
                Ok(Some(o)) => {
                    // Only migrations for PostgreSQL or for every dialect run on PostgreSQL.
                    if o.dialect.is_some_and(|d| d != "postgres") {
                        continue;
                    }
                    let entry = OryFile { file: f, parsed: o };
                    if entry.parsed.up {
                        ups.push(entry);
                    } else {
                        downs.push(entry);
                    }
                }
                Ok(None) => self.unrecognised(
                    f.path,
                    "not an Ory migration name (<version>_<name>[.dialect][.autocommit].up.sql)"
                        .to_string(),
                ),
                Err(msg) => self.unrecognised(f.path, msg),
            }
        }
        // popx drops a dialect-independent migration when one for the dialect has its version.
        fn keep_specific(list: &mut Vec<OryFile>) {
            let specific: std::collections::HashSet<&str> = list
                .iter()
                .filter(|o| o.parsed.dialect.is_some())
                .map(|o| o.parsed.version)
                .collect();
            list.retain(|o| o.parsed.dialect.is_some() || !specific.contains(o.parsed.version));
        }
        keep_specific(&mut ups);
        keep_specific(&mut downs);
        for o in &ups {
            let m = self.migration(
                format!("{}_{}", o.parsed.version, o.parsed.name),
                Version(vec![VersionPart::Text(o.parsed.version.to_string())]),
                o.parsed.version.to_string(),
                whole(o.file.path),
                tx_mode(!o.parsed.autocommit),
            );
            self.migrations.push(m);
        }
        // popx sorts versions as strings.
        self.migrations
            .sort_by(|a, b| (&a.version, &a.up.path).cmp(&(&b.version, &b.up.path)));
        let downs = downs
            .iter()
            .map(|o| PendingDown {
                version: Version(vec![VersionPart::Text(o.parsed.version.to_string())]),
                version_text: o.parsed.version.to_string(),
                side: whole(o.file.path),
            })
            .collect();
        self.attach_downs(downs);
        self.report_duplicates();
    }

    // --- plain ----------------------------------------------------------------------------

    fn plain(&mut self, files: &[&LayoutFile]) {
        for f in files.iter().filter(|f| is_sql(f.path)) {
            let stem = f.path.trim_end_matches(".sql");
            let (digits, _) = leading_digits(file_name(stem));
            let version_text = if digits.is_empty() {
                file_name(stem)
            } else {
                digits
            };
            let m = self.migration(
                stem.to_string(),
                natural_key(stem),
                version_text.to_string(),
                whole(f.path),
                TransactionMode::Unknown,
            );
            self.migrations.push(m);
        }
        self.migrations
            .sort_by(|a, b| (&a.version, &a.up.path).cmp(&(&b.version, &b.up.path)));
    }
}

// ---------------------------------------------------------------------------------------------
// File name grammars

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Up,
    Down,
    /// sqlx's `<version>_<name>.sql`: an up with no down.
    Simple,
}

#[derive(Debug)]
struct NumberedName<'a> {
    digits: &'a str,
    /// The name without its `.up.sql` / `.down.sql` / `.sql` suffix.
    id: &'a str,
    dir: Dir,
}

/// golang-migrate: `^([0-9]+)_(.*)\.(up|down)\.sql$`.
fn parse_golang(name: &str) -> Option<NumberedName<'_>> {
    let (id, dir) = if let Some(id) = name.strip_suffix(".up.sql") {
        (id, Dir::Up)
    } else {
        (name.strip_suffix(".down.sql")?, Dir::Down)
    };
    let (digits, rest) = leading_digits(id);
    (!digits.is_empty() && rest.starts_with('_')).then_some(NumberedName { digits, id, dir })
}

/// sqlx: `<version>_<description>` with `.up.sql`, `.down.sql` or `.sql`; the version is all
/// digits.
fn parse_sqlx(name: &str) -> Option<NumberedName<'_>> {
    let (id, dir) = if let Some(id) = name.strip_suffix(".up.sql") {
        (id, Dir::Up)
    } else if let Some(id) = name.strip_suffix(".down.sql") {
        (id, Dir::Down)
    } else {
        (name.strip_suffix(".sql")?, Dir::Simple)
    };
    let (digits, rest) = id.split_once('_')?;
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    (all_digits && !rest.is_empty()).then_some(NumberedName { digits, id, dir })
}

#[derive(Debug)]
struct OryName<'a> {
    version: &'a str,
    name: &'a str,
    /// Canonical dialect, `None` for "all dialects".
    dialect: Option<&'static str>,
    autocommit: bool,
    up: bool,
}

/// popx: `^(\d+)_([^.]+)(\.[a-z0-9]+)?(\.autocommit)?\.(up|down)\.sql$`. `Ok(None)` when the
/// name does not match, `Err` for an unknown dialect (popx rejects the directory).
fn parse_ory(name: &str) -> Result<Option<OryName<'_>>, String> {
    let Some(stem) = name.strip_suffix(".sql") else {
        return Ok(None);
    };
    let (stem, up) = if let Some(s) = stem.strip_suffix(".up") {
        (s, true)
    } else if let Some(s) = stem.strip_suffix(".down") {
        (s, false)
    } else {
        return Ok(None);
    };
    let (stem, mut autocommit) = match stem.strip_suffix(".autocommit") {
        Some(s) => (s, true),
        None => (stem, false),
    };
    let (stem, dialect) = match stem.split_once('.') {
        // popx reads a lone `.autocommit` in the dialect position as the flag.
        Some((s, "autocommit")) => {
            autocommit = true;
            (s, None)
        }
        Some((s, d)) => (s, Some(d)),
        None => (stem, None),
    };
    let (version, rest) = leading_digits(stem);
    let Some(base) = rest.strip_prefix('_') else {
        return Ok(None);
    };
    if version.is_empty() || base.is_empty() {
        return Ok(None);
    }
    let dialect = match dialect {
        None => None,
        Some(d)
            if d.is_empty()
                || !d
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            return Ok(None)
        }
        Some(d) => Some(match d {
            "postgres" | "postgresql" | "pg" => "postgres",
            "mysql" | "mariadb" => "mysql",
            "sqlite" | "sqlite3" => "sqlite3",
            "cockroach" | "cockroachdb" | "crdb" => "cockroach",
            other => return Err(format!("popx does not support the dialect {other:?}")),
        }),
    };
    Ok(Some(OryName {
        version,
        name: base,
        dialect,
        autocommit,
        up,
    }))
}

#[derive(Debug)]
struct FlywayName {
    /// `V`, `U` or `R`.
    prefix: char,
    version: Version,
    version_text: String,
    description: String,
}

/// Flyway: `V<version>__<description>.sql`, `U…` (undo), `R__<description>.sql`. Version parts
/// are separated by `.` or `_` and compared as integers, with trailing zero parts insignificant
/// (`1.0` is `1`).
fn parse_flyway(name: &str) -> Result<FlywayName, String> {
    let not_flyway = || {
        format!("{name} is not a Flyway migration name (V<version>__<desc>.sql, U<version>__<desc>.sql or R__<desc>.sql)")
    };
    let stem = name.strip_suffix(".sql").ok_or_else(not_flyway)?;
    let prefix = match stem.as_bytes().first() {
        Some(b'V') => 'V',
        Some(b'U') => 'U',
        Some(b'R') => 'R',
        _ => return Err(not_flyway()),
    };
    let (raw_version, desc) = stem[1..].split_once("__").ok_or_else(not_flyway)?;
    let description = desc.replace('_', " ");
    if prefix == 'R' {
        if !raw_version.is_empty() {
            return Err(format!(
                "{name}: a repeatable migration cannot have a version (R__<desc>.sql)"
            ));
        }
        return Ok(FlywayName {
            prefix,
            version: Version(Vec::new()),
            version_text: String::new(),
            description,
        });
    }
    let version_text = raw_version.replace('_', ".");
    let mut parts = Vec::new();
    for part in version_text.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(if raw_version.is_empty() {
                not_flyway()
            } else {
                format!("{name}: Flyway versions are numbers separated by '.' or '_'")
            });
        }
        parts.push(num_part(part));
    }
    while parts.last() == Some(&VersionPart::Num(0)) {
        parts.pop();
    }
    Ok(FlywayName {
        prefix,
        version: Version(parts),
        version_text,
        description,
    })
}

/// Flyway runs a script outside a transaction when every statement in it is one PostgreSQL
/// refuses in a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, …); a script that
/// mixes both kinds fails, so it stays transactional and the CONCURRENTLY rule reports it.
fn all_statements_non_transactional(text: &str) -> bool {
    let result = crate::split::split(text);
    let mut any = false;
    for seg in result.statements() {
        let words: Vec<String> = result
            .significant_tokens(seg)
            .filter(|t| t.kind == crate::lexer::TokenKind::Word)
            .take(4)
            .map(|t| t.text(text).to_ascii_lowercase())
            .collect();
        let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
        let non_tx = match w(0) {
            "vacuum" => true,
            "create" => {
                (w(1) == "index" && w(2) == "concurrently")
                    || (w(1) == "unique" && w(2) == "index" && w(3) == "concurrently")
            }
            "drop" | "reindex" => {
                w(1) == "index" && w(2) == "concurrently" || w(2) == "concurrently"
            }
            _ => false,
        };
        if !non_tx {
            return false;
        }
        any = true;
    }
    any
}

/// `executeInTransaction=false` in a Flyway script config file.
fn flyway_conf_transactional(conf: &str) -> bool {
    !conf.lines().any(|line| {
        line.split_once('=').is_some_and(|(k, v)| {
            k.trim() == "executeInTransaction" && v.trim().eq_ignore_ascii_case("false")
        })
    })
}

// ---------------------------------------------------------------------------------------------
// dbmate

#[derive(Debug)]
struct DbmateMarker {
    line_start: usize,
    /// Start of the line after the marker.
    body_start: usize,
    transaction: bool,
}

#[derive(Debug)]
struct DbmateMarkers {
    up: Option<DbmateMarker>,
    down: Option<DbmateMarker>,
}

/// dbmate's first `^--\s*migrate:up(.*)$` and `^--\s*migrate:down(.*)$` lines; the rest of the
/// line holds `key:value` options.
fn dbmate_markers(text: &str) -> DbmateMarkers {
    let mut markers = DbmateMarkers {
        up: None,
        down: None,
    };
    for (start, line) in lines(text) {
        let Some(rest) = line.strip_prefix("--") else {
            continue;
        };
        let rest = rest.trim_start_matches([' ', '\t', '\r', '\x0c', '\x0b']);
        let Some(rest) = rest.strip_prefix("migrate:") else {
            continue;
        };
        let (slot, options) = if let Some(o) = rest.strip_prefix("up") {
            (&mut markers.up, o)
        } else if let Some(o) = rest.strip_prefix("down") {
            (&mut markers.down, o)
        } else {
            continue;
        };
        if slot.is_none() {
            let transaction = !options.split_whitespace().any(|opt| {
                opt.split_once(':')
                    .is_some_and(|(k, v)| k == "transaction" && v == "false")
            });
            *slot = Some(DbmateMarker {
                line_start: start,
                body_start: next_line_start(text, start),
                transaction,
            });
        }
        if markers.up.is_some() && markers.down.is_some() {
            break;
        }
    }
    markers
}

// ---------------------------------------------------------------------------------------------
// Liquibase formatted SQL

/// The first line is `--liquibase formatted sql` (spaces after `--` and case do not matter).
fn is_liquibase(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let Some(rest) = first.strip_prefix("--") else {
        return false;
    };
    strip_prefix_ci(rest.trim_start(), "liquibase formatted").is_some()
}

#[derive(Debug)]
struct Changeset {
    author: String,
    id: String,
    /// The changeset body: from the line after `--changeset` to the next `--changeset`.
    body: std::ops::Range<usize>,
    run_in_transaction: bool,
    /// Not run on PostgreSQL (`dbms:` excludes it, or `ignore:true`).
    skip: bool,
    /// `None`: no rollback given. `Some(vec![])`: `--rollback not required` / `empty`.
    rollback: Option<Vec<SqlChunk>>,
}

/// `--changeset author:id attr:value…` → `(author, id, attributes)`.
fn parse_changeset_line(line: &str) -> Option<(String, String, &str)> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let rest = strip_prefix_ci(rest, "changeset")?;
    if !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    let rest = rest.trim_start();
    let (author, rest) = if let Some(q) = rest.strip_prefix('"') {
        let (a, r) = q.split_once('"')?;
        (a, r.strip_prefix(':')?)
    } else {
        rest.split_once(':')?
    };
    let rest = rest.trim_start();
    let (id, attrs) = if let Some(q) = rest.strip_prefix('"') {
        q.split_once('"')?
    } else {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        (&rest[..end], &rest[end..])
    };
    if author.trim().is_empty() || id.is_empty() {
        return None;
    }
    Some((author.trim().to_string(), id.to_string(), attrs))
}

/// `--rollback <sql>`: the offset of `<sql>` within `line`.
fn rollback_line(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let rest = trimmed.strip_prefix("--")?.trim_start();
    let rest = strip_prefix_ci(rest, "rollback")?;
    let sql = rest.strip_prefix([' ', '\t'])?;
    Some(line.len() - sql.len())
}

fn is_block_rollback_start(line: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix("/*") else {
        return false;
    };
    let Some(rest) = strip_prefix_ci(rest.trim_start(), "liquibase") else {
        return false;
    };
    rest.trim().eq_ignore_ascii_case("rollback")
}

fn dbms_allows_postgres(list: &str) -> bool {
    let items: Vec<&str> = list.split(',').map(str::trim).collect();
    let is_pg = |d: &str| d.eq_ignore_ascii_case("postgresql");
    if items.iter().any(|d| d.strip_prefix('!').is_some_and(is_pg)) {
        return false;
    }
    let positives: Vec<&&str> = items.iter().filter(|d| !d.starts_with('!')).collect();
    positives.is_empty()
        || positives
            .iter()
            .any(|d| is_pg(d) || d.eq_ignore_ascii_case("all"))
}

/// Rollback directives collected for the changeset being read.
#[derive(Default)]
struct RollbackState {
    /// Rollback SQL pieces: `(file start, file end)`.
    pieces: Vec<(usize, usize)>,
    /// `--rollback not required` / `--rollback empty` was seen first.
    empty: bool,
    /// Inside `/* liquibase rollback` … `*/`: where its content starts.
    in_block: Option<usize>,
    /// Start of the trailing run of rollback directives (and blank lines) ending the body.
    tail_start: Option<usize>,
}

impl RollbackState {
    /// Closes `cs` at `end` (the next `--changeset` line or the end of the file).
    fn finish(&mut self, text: &str, cs: Option<&mut Changeset>, end: usize) {
        let state = std::mem::take(self);
        let Some(cs) = cs else { return };
        // Liquibase does not run rollback directives as part of the changeset: when they end
        // the body, the up chunk stops before them (elsewhere they stay, as SQL comments).
        cs.body.end = state.tail_start.unwrap_or(end).max(cs.body.start);
        if let (Some(&(first, _)), Some(&(_, last))) = (state.pieces.first(), state.pieces.last()) {
            let mut sql = String::new();
            let mut map = Vec::with_capacity(state.pieces.len());
            for (i, &(s, e)) in state.pieces.iter().enumerate() {
                if i > 0 {
                    // Maps onto the '\n' ending the previous piece's line in the file.
                    sql.push('\n');
                }
                map.push((sql.len(), s));
                sql.push_str(&text[s..e]);
            }
            cs.rollback = Some(vec![SqlChunk {
                sql: Some(sql),
                map: SourceMap::Pieces(map),
                span: Some(Span::new(first, last)),
                unanalysable: None,
            }]);
        } else if state.empty {
            cs.rollback = Some(Vec::new());
        }
    }
}

/// Parses the `--changeset` blocks of a formatted SQL changelog.
fn liquibase_changesets(text: &str) -> Vec<Changeset> {
    let mut out: Vec<Changeset> = Vec::new();
    let mut rb = RollbackState::default();
    for (start, line) in lines(text) {
        if let Some(block_start) = rb.in_block {
            if line.trim() == "*/" {
                if start > block_start {
                    // Everything between the opening and closing lines, without the last '\n'.
                    rb.pieces.push((block_start, start - 1));
                }
                rb.in_block = None;
            }
            continue;
        }
        if let Some((author, id, attrs)) = parse_changeset_line(line) {
            rb.finish(text, out.last_mut(), start);
            let mut cs = Changeset {
                author,
                id,
                body: next_line_start(text, start)..text.len(),
                run_in_transaction: true,
                skip: false,
                rollback: None,
            };
            for attr in attrs.split_whitespace() {
                let Some((k, v)) = attr.split_once(':') else {
                    continue;
                };
                if k.eq_ignore_ascii_case("runInTransaction") {
                    cs.run_in_transaction = !v.eq_ignore_ascii_case("false");
                } else if k.eq_ignore_ascii_case("dbms") {
                    cs.skip |= !dbms_allows_postgres(v);
                } else if k.eq_ignore_ascii_case("ignore") {
                    cs.skip |= v.eq_ignore_ascii_case("true");
                }
            }
            out.push(cs);
            continue;
        }
        if out.is_empty() {
            continue;
        }
        if let Some(at) = rollback_line(line) {
            rb.tail_start.get_or_insert(start);
            let word = line[at..].trim();
            if rb.pieces.is_empty()
                && (word.eq_ignore_ascii_case("not required") || word.eq_ignore_ascii_case("empty"))
            {
                rb.empty = true;
            } else {
                rb.pieces.push((start + at, start + line.len()));
            }
        } else if is_block_rollback_start(line) {
            rb.tail_start.get_or_insert(start);
            rb.in_block = Some(next_line_start(text, start));
        } else if !line.trim().is_empty() {
            rb.tail_start = None;
        }
    }
    rb.finish(text, out.last_mut(), text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    fn fixture_root(dir: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/layouts")
            .join(dir)
    }

    /// The files the CLI would offer: `.sql`, `.toml` and `.conf`, relative to the directory.
    fn load(dir: &str) -> Vec<(String, String)> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else if ["sql", "toml", "conf"]
                    .iter()
                    .any(|e| path.extension().is_some_and(|x| x == *e))
                {
                    let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                    let rel = rel.replace('\\', "/");
                    out.push((rel, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let root = fixture_root(dir);
        let mut out = Vec::new();
        walk(&root, &root, &mut out);
        // The planner must not depend on the order files are offered in.
        out.sort_by(|a, b| b.0.cmp(&a.0));
        out
    }

    fn as_files(owned: &[(String, String)]) -> Vec<LayoutFile<'_>> {
        owned
            .iter()
            .map(|(p, t)| LayoutFile { path: p, text: t })
            .collect()
    }

    fn plan_of(owned: &[(String, String)], forced: Option<Tool>) -> Plan {
        plan(&as_files(owned), forced)
    }

    fn mem(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    fn ids(p: &Plan) -> Vec<&str> {
        p.migrations.iter().map(|m| m.id.as_str()).collect()
    }

    fn text_of<'a>(owned: &'a [(String, String)], path: &str) -> &'a str {
        &owned.iter().find(|(p, _)| p == path).unwrap().1
    }

    fn chunk_text<'a>(owned: &'a [(String, String)], side: &SidePlan, i: usize) -> &'a str {
        match &side.chunks[i].sql {
            Some(_) => unreachable!("use the chunk's own text"),
            None => text_of(owned, &side.path),
        }
    }

    /// Every byte of every chunk maps back to the same byte of its file.
    fn assert_round_trip(owned: &[(String, String)], p: &Plan) {
        for m in &p.migrations {
            for side in std::iter::once(&m.up).chain(m.down.as_ref()) {
                let file = text_of(owned, &side.path).as_bytes();
                for c in &side.chunks {
                    let Some(sql) = &c.sql else { continue };
                    for (i, b) in sql.bytes().enumerate() {
                        let at = c.map.to_file(i);
                        assert_eq!(
                            file.get(at),
                            Some(&b),
                            "{}: byte {i} of {sql:?} maps to {at}",
                            side.path
                        );
                    }
                }
            }
        }
    }

    fn render(owned: &[(String, String)], p: &Plan) -> String {
        use std::fmt::Write;
        let side = |s: &SidePlan| {
            let chunks: Vec<String> = s
                .chunks
                .iter()
                .map(|c| match &c.sql {
                    None => "whole".to_string(),
                    Some(sql) => format!("@{} {:?}", c.map.to_file(0), sql),
                })
                .collect();
            format!("{} [{}]", s.path, chunks.join(", "))
        };
        let mut out = format!("tool: {}\n", p.tool.as_str());
        for m in &p.migrations {
            writeln!(
                out,
                "- {} (version {:?}, {:?}, {:?})\n    up:   {}\n    down: {}",
                m.id,
                m.version_text,
                m.kind,
                m.transaction,
                side(&m.up),
                m.down.as_ref().map_or("-".to_string(), side),
            )
            .unwrap();
        }
        for pr in &p.problems {
            writeln!(out, "! {:?} {}: {}", pr.kind, pr.path, pr.message).unwrap();
        }
        assert_round_trip(owned, p);
        out
    }

    fn detect_of(owned: &[(String, String)]) -> Tool {
        detect(&as_files(owned))
    }

    // --- fixtures: detection, order, transactions -------------------------------------------

    #[test]
    fn detects_every_fixture_layout() {
        for (dir, tool) in [
            ("golang-migrate", Tool::GolangMigrate),
            ("sqlx", Tool::Sqlx),
            ("diesel", Tool::Diesel),
            ("dbmate", Tool::Dbmate),
            ("flyway", Tool::Flyway),
            ("liquibase", Tool::Liquibase),
            ("prisma", Tool::Prisma),
            ("ory", Tool::Ory),
            ("plain", Tool::Plain),
        ] {
            let files = load(dir);
            assert_eq!(detect_of(&files), tool, "{dir}");
            let p = plan_of(&files, None);
            assert_eq!(p.tool, tool, "{dir}");
            assert!(p.migrations.iter().all(|m| m.tool == tool), "{dir}");
            assert!(p.problems.is_empty(), "{dir}: {:?}", p.problems);
        }
    }

    #[test]
    fn fixture_snapshots() {
        for dir in [
            "golang-migrate",
            "sqlx",
            "diesel",
            "dbmate",
            "flyway",
            "liquibase",
            "prisma",
            "ory",
            "plain",
        ] {
            let files = load(dir);
            let p = plan_of(&files, None);
            insta::assert_snapshot!(format!("layout_{dir}"), render(&files, &p));
        }
    }

    #[test]
    fn golang_migrate_orders_by_integer_and_models_implicit_blocks() {
        let files = load("golang-migrate");
        let p = plan_of(&files, None);
        assert_eq!(
            ids(&p),
            ["000001_create_users", "000002_add_email", "10_index_email"]
        );
        let tx: Vec<_> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            tx,
            [
                TransactionMode::Transactional,
                TransactionMode::Transactional,
                TransactionMode::NonTransactional
            ]
        );
        assert_eq!(p.migrations[0].version, Version(vec![VersionPart::Num(1)]));
        assert_eq!(
            p.migrations[2].down.as_ref().unwrap().path,
            "10_index_email.down.sql"
        );
        assert!(p.migrations[0].up.chunks[0].sql.is_none());
        assert!(chunk_text(&files, &p.migrations[0].up, 0).contains("CREATE TABLE users"));
    }

    #[test]
    fn sqlx_orders_by_integer_and_honours_no_transaction() {
        let p = plan_of(&load("sqlx"), None);
        assert_eq!(
            ids(&p),
            [
                "3_early_seed",
                "20240101120000_create_accounts",
                "20240215093000_index_created_at",
                "20240301000000_add_status"
            ]
        );
        let tx: Vec<_> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            tx,
            [
                TransactionMode::Transactional,
                TransactionMode::Transactional,
                TransactionMode::NonTransactional,
                TransactionMode::Transactional
            ]
        );
        assert!(p.migrations[1].down.is_some());
        assert!(p.migrations[3].down.is_none());
    }

    #[test]
    fn diesel_sorts_mixed_spellings_as_dashless_strings() {
        let p = plan_of(&load("diesel"), None);
        assert_eq!(
            ids(&p),
            [
                "00000000000000_diesel_initial_setup",
                "20170318181441_create_users",
                "2017-09-23-182408_create_posts",
                "2018-01-05-101500_index_posts"
            ]
        );
        assert_eq!(p.migrations[2].version_text, "2017-09-23-182408");
        assert_eq!(
            p.migrations[2].version,
            Version(vec![VersionPart::Text("20170923182408".into())])
        );
        let tx: Vec<_> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            tx,
            [
                TransactionMode::Transactional,
                TransactionMode::Transactional,
                TransactionMode::Transactional,
                TransactionMode::NonTransactional
            ]
        );
        assert!(p.migrations.iter().all(|m| m.down.is_some()));
    }

    #[test]
    fn diesel_compares_versions_as_strings_not_numbers() {
        // Diesel orders by the version string: "10" < "9", and "2017-1-1" → "201711" sorts
        // after "20170101".
        let files = mem(&[
            ("9_nine/up.sql", "SELECT 9;"),
            ("10_ten/up.sql", "SELECT 10;"),
            ("2017-1-1_short/up.sql", "SELECT 1;"),
            ("20170101_long/up.sql", "SELECT 2;"),
        ]);
        assert_eq!(detect_of(&files), Tool::Diesel);
        let p = plan_of(&files, None);
        assert_eq!(
            ids(&p),
            ["10_ten", "20170101_long", "2017-1-1_short", "9_nine"]
        );
    }

    #[test]
    fn diesel_problems() {
        let files = mem(&[
            ("2020-01-01-000000_a/up.sql", "SELECT 1;"),
            ("20200101000000_b/up.sql", "SELECT 2;"),
            ("2020-02-01-000000_c/down.sql", "SELECT 3;"),
            ("2020-03-01-000000_d/up.sql", "SELECT 4;"),
            (
                "2020-03-01-000000_d/metadata.toml",
                "run_in_transaction = \"no\"",
            ),
            ("notes.sql", "SELECT 5;"),
        ]);
        let p = plan_of(&files, Some(Tool::Diesel));
        let kinds: Vec<_> = p
            .problems
            .iter()
            .map(|x| (x.kind, x.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ProblemKind::OrphanDown, "2020-02-01-000000_c/down.sql"),
                (
                    ProblemKind::Unrecognised,
                    "2020-03-01-000000_d/metadata.toml"
                ),
                (ProblemKind::DuplicateVersion, "20200101000000_b/up.sql"),
                (ProblemKind::Unrecognised, "notes.sql"),
            ]
        );
        assert!(p.problems[2].message.contains("2020-01-01-000000_a/up.sql"));
    }

    #[test]
    fn dbmate_splits_up_and_down_with_offsets() {
        let files = load("dbmate");
        let p = plan_of(&files, None);
        assert_eq!(
            ids(&p),
            [
                "20230101000000_create_users",
                "20230201000000_index_email",
                "20230301000000_seed_admin"
            ]
        );
        let tx: Vec<_> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            tx,
            [
                TransactionMode::Transactional,
                TransactionMode::NonTransactional,
                TransactionMode::Transactional
            ]
        );
        let m = &p.migrations[0];
        let text = text_of(&files, &m.up.path);
        let up = &m.up.chunks[0];
        let sql = up.sql.as_deref().unwrap();
        assert!(!sql.contains("migrate:"));
        let first = crate::split::split(sql).statements().next().unwrap().span;
        assert_eq!(
            up.map.to_file(first.start),
            text.find("CREATE TABLE users").unwrap()
        );
        let down = &m.down.as_ref().unwrap().chunks[0];
        let dsql = down.sql.as_deref().unwrap();
        let first = crate::split::split(dsql).statements().next().unwrap().span;
        assert_eq!(
            down.map.to_file(first.start),
            text.find("DROP TABLE users").unwrap()
        );
        assert!(p.migrations[2].down.is_none());
        let second = &p.migrations[1];
        let text = text_of(&files, &second.up.path);
        let up = &second.up.chunks[0];
        let sql = up.sql.as_deref().unwrap();
        let first = crate::split::split(sql).statements().next().unwrap().span;
        assert_eq!(
            up.map.to_file(first.start),
            text.find("CREATE UNIQUE INDEX").unwrap()
        );
    }

    #[test]
    fn dbmate_orders_by_file_name_and_reports_problems() {
        let files = mem(&[
            ("1_b.sql", "-- migrate:up\nSELECT 1;\n"),
            ("10_a.sql", "-- migrate:up\nSELECT 10;\n"),
            ("2_no_marker.sql", "SELECT 2;\n"),
            ("10_dup.sql", "-- migrate:up\nSELECT 11;\n"),
            (
                "3_bad_order.sql",
                "-- migrate:down\nSELECT 3;\n-- migrate:up\nSELECT 4;\n",
            ),
            ("4_stray.sql", "SELECT 0;\n-- migrate:up\nSELECT 4;\n"),
            ("notes.sql", "-- migrate:up\nSELECT 5;\n"),
        ]);
        assert_eq!(detect_of(&files), Tool::Dbmate);
        let p = plan_of(&files, None);
        // dbmate sorts file names as strings: "10_a" < "10_dup" < "1_b" ('0' < '_').
        assert_eq!(ids(&p), ["10_a", "10_dup", "1_b", "4_stray"]);
        let kinds: Vec<_> = p
            .problems
            .iter()
            .map(|x| (x.kind, x.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ProblemKind::DuplicateVersion, "10_dup.sql"),
                (ProblemKind::Unrecognised, "2_no_marker.sql"),
                (ProblemKind::Unrecognised, "3_bad_order.sql"),
                (ProblemKind::Unrecognised, "4_stray.sql"),
                (ProblemKind::Unrecognised, "notes.sql"),
            ]
        );
    }

    #[test]
    fn dbmate_marker_at_end_of_file_gives_empty_sides() {
        let files = mem(&[("1_x.sql", "-- migrate:up\n-- migrate:down")]);
        let p = plan_of(&files, Some(Tool::Dbmate));
        let m = &p.migrations[0];
        assert_eq!(m.up.chunks[0].sql.as_deref(), Some(""));
        assert_eq!(m.down.as_ref().unwrap().chunks[0].sql.as_deref(), Some(""));
    }

    #[test]
    fn flyway_orders_versions_numerically_then_repeatables() {
        let p = plan_of(&load("flyway"), None);
        assert_eq!(
            ids(&p),
            [
                "V1__init",
                "V1_9__add_name",
                "V1_10__add_email",
                "V1_10_1__add_phone",
                "V2__index_email",
                "R__a_functions",
                "R__views"
            ]
        );
        let v2 = &p.migrations[4];
        assert_eq!(v2.transaction, TransactionMode::NonTransactional);
        assert_eq!(v2.down.as_ref().unwrap().path, "U2__index_email.sql");
        assert_eq!(p.migrations[2].version_text, "1.10");
        assert_eq!(p.migrations[0].transaction, TransactionMode::Transactional);
        assert!(p.migrations[..5].iter().all(|m| m.kind == Kind::Versioned));
        assert!(p.migrations[5..].iter().all(|m| m.kind == Kind::Repeatable));
        // Repeatables sort after every versioned migration by `Version` too.
        let mut versions: Vec<_> = p.migrations.iter().map(|m| m.version.clone()).collect();
        let before = versions.clone();
        versions.sort();
        assert_eq!(versions, before);
    }

    #[test]
    fn flyway_runs_scripts_of_only_concurrent_statements_outside_a_transaction() {
        let files = mem(&[
            ("V1__init.sql", "CREATE TABLE t (a int);"),
            (
                "V2__idx.sql",
                "-- build it online\nCREATE INDEX CONCURRENTLY t_a ON t (a);",
            ),
            (
                "V3__mixed.sql",
                "ALTER TABLE t ADD b int;\nCREATE INDEX CONCURRENTLY t_b ON t (b);",
            ),
        ]);
        let p = plan_of(&files, None);
        let modes: Vec<TransactionMode> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            modes,
            vec![
                TransactionMode::Transactional,
                TransactionMode::NonTransactional,
                TransactionMode::Transactional
            ]
        );
    }

    #[test]
    fn flyway_problems() {
        let files = mem(&[
            ("V1_1__a.sql", "SELECT 1;"),
            ("V1.1__b.sql", "SELECT 2;"),
            ("V2__c.sql", "SELECT 3;"),
            ("V2.0__d.sql", "SELECT 4;"),
            ("U3__e.sql", "SELECT 5;"),
            ("R__same.sql", "SELECT 6;"),
            ("x/R__same.sql", "SELECT 7;"),
            ("V1a__bad.sql", "SELECT 8;"),
            ("R1__bad.sql", "SELECT 9;"),
            ("notes.sql", "SELECT 10;"),
        ]);
        assert_eq!(detect_of(&files), Tool::Flyway);
        let p = plan_of(&files, None);
        assert_eq!(
            ids(&p),
            ["V1.1__b", "V1_1__a", "V2.0__d", "V2__c", "R__same", "R__same"]
        );
        let kinds: Vec<_> = p
            .problems
            .iter()
            .map(|x| (x.kind, x.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ProblemKind::Unrecognised, "R1__bad.sql"),
                (ProblemKind::OrphanDown, "U3__e.sql"),
                (ProblemKind::DuplicateVersion, "V1_1__a.sql"),
                (ProblemKind::Unrecognised, "V1a__bad.sql"),
                (ProblemKind::DuplicateVersion, "V2__c.sql"),
                (ProblemKind::Unrecognised, "notes.sql"),
                (ProblemKind::DuplicateVersion, "x/R__same.sql"),
            ]
        );
        assert!(p.problems[2].message.contains("V1.1__b.sql"));
    }

    #[test]
    fn liquibase_changesets_across_files() {
        let files = load("liquibase");
        let p = plan_of(&files, None);
        assert_eq!(
            ids(&p),
            [
                "alice:1",
                "alice:2",
                "bob:orders-1",
                "bob:orders-3",
                "carol smith:orders-4"
            ]
        );
        let tx: Vec<_> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            tx,
            [
                TransactionMode::Transactional,
                TransactionMode::NonTransactional,
                TransactionMode::Transactional,
                TransactionMode::Transactional,
                TransactionMode::Transactional
            ]
        );
        let m = &p.migrations[2];
        let text = text_of(&files, &m.up.path);
        let up = &m.up.chunks[0];
        let sql = up.sql.as_deref().unwrap();
        let first = crate::split::split(sql).statements().next().unwrap().span;
        assert_eq!(
            up.map.to_file(first.start),
            text.find("CREATE TABLE orders").unwrap()
        );
        assert!(!sql.contains("changeset"));
        let down = &m.down.as_ref().unwrap().chunks[0];
        let dsql = down.sql.as_deref().unwrap();
        assert_eq!(
            dsql,
            "ALTER TABLE orders DROP COLUMN total;\nDROP TABLE orders;"
        );
        let stmts: Vec<_> = crate::split::split(dsql)
            .statements()
            .map(|s| s.span)
            .collect();
        assert_eq!(
            down.map.to_file(stmts[1].start),
            text.find("DROP TABLE orders").unwrap()
        );
        // `--rollback not required`: an explicit, empty rollback.
        assert_eq!(p.migrations[3].down.as_ref().unwrap().chunks.len(), 0);
        // Block rollback.
        let block = &p.migrations[4].down.as_ref().unwrap().chunks[0];
        assert_eq!(block.sql.as_deref(), Some("DROP VIEW order_totals;"));
        assert_eq!(block.map.to_file(0), text.find("DROP VIEW").unwrap());
        // No rollback at all.
        let p0 = &p.migrations[0];
        assert!(p0.down.is_some());
        let versions: Vec<_> = p.migrations.iter().map(|m| m.version.clone()).collect();
        let mut sorted = versions.clone();
        sorted.sort();
        assert_eq!(versions, sorted);
    }

    #[test]
    fn liquibase_problems_and_crlf() {
        let files = mem(&[
            (
                "a.sql",
                "--liquibase formatted sql\r\n--changeset x:1\r\nSELECT 1;\r\n--rollback SELECT 2;\r\n--rollback SELECT 3;\r\n--changeset x:1\r\nSELECT 4;\r\n",
            ),
            ("b.sql", "SELECT 5;"),
        ]);
        let p = plan_of(&files, None);
        assert_eq!(p.tool, Tool::Liquibase);
        assert_eq!(ids(&p), ["x:1", "x:1"]);
        assert!(p.migrations[1].down.is_none());
        let kinds: Vec<_> = p
            .problems
            .iter()
            .map(|x| (x.kind, x.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ProblemKind::DuplicateVersion, "a.sql"),
                (ProblemKind::Unrecognised, "b.sql")
            ]
        );
        render(&files, &p);
        let down = &p.migrations[0].down.as_ref().unwrap().chunks[0];
        assert_eq!(down.sql.as_deref(), Some("SELECT 2;\r\nSELECT 3;\r"));
        assert_eq!(
            p.migrations[0].up.chunks[0].sql.as_deref(),
            Some("SELECT 1;\r\n")
        );
    }

    #[test]
    fn liquibase_rollback_before_more_sql_stays_in_the_body() {
        let text = "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--rollback SELECT 2;\nSELECT 3;\n";
        let files = mem(&[("c.sql", text)]);
        let p = plan_of(&files, None);
        let m = &p.migrations[0];
        assert_eq!(
            m.up.chunks[0].sql.as_deref(),
            Some("SELECT 1;\n--rollback SELECT 2;\nSELECT 3;\n")
        );
        assert_eq!(
            m.down.as_ref().unwrap().chunks[0].sql.as_deref(),
            Some("SELECT 2;")
        );
        // `--changeset` needs whitespace and `author:id`; `--rollback` needs a space.
        let odd = "--liquibase formatted sql\n--changesetx a:1\n--changeset nocolon\n--rollbackX\n";
        let p = plan_of(&mem(&[("d.sql", odd)]), None);
        assert!(p.migrations.is_empty());
    }

    #[test]
    fn prisma_orders_by_directory_name() {
        let p = plan_of(&load("prisma"), None);
        assert_eq!(
            ids(&p),
            [
                "20240101000000_init",
                "20240102000000_add_posts",
                "20240103000000_index_posts"
            ]
        );
        let tx: Vec<_> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            tx,
            [
                TransactionMode::Transactional,
                TransactionMode::Transactional,
                TransactionMode::NonTransactional
            ]
        );
        assert!(p.migrations.iter().all(|m| m.down.is_none()));
    }

    #[test]
    fn ory_keeps_postgres_and_generic_and_prefers_specific() {
        let p = plan_of(&load("ory"), None);
        assert_eq!(
            ids(&p),
            [
                "20210101000000000000_identities",
                "20210102000000000000_identities_traits_idx",
                "20210103000000000000_sessions",
                "20210104000000000000_vacuum"
            ]
        );
        let ups: Vec<_> = p.migrations.iter().map(|m| m.up.path.as_str()).collect();
        assert_eq!(
            ups,
            [
                "20210101000000000000_identities.postgres.up.sql",
                "20210102000000000000_identities_traits_idx.postgres.autocommit.up.sql",
                "20210103000000000000_sessions.up.sql",
                "20210104000000000000_vacuum.autocommit.up.sql"
            ]
        );
        let tx: Vec<_> = p.migrations.iter().map(|m| m.transaction).collect();
        assert_eq!(
            tx,
            [
                TransactionMode::Transactional,
                TransactionMode::NonTransactional,
                TransactionMode::Transactional,
                TransactionMode::NonTransactional
            ]
        );
        assert_eq!(
            p.migrations[0].down.as_ref().unwrap().path,
            "20210101000000000000_identities.down.sql"
        );
        assert!(p.migrations[3].down.is_none());
    }

    #[test]
    fn ory_problems() {
        let files = mem(&[
            ("1_a.postgres.up.sql", "SELECT 1;"),
            ("1_b.postgres.up.sql", "SELECT 2;"),
            ("2_c.down.sql", "SELECT 3;"),
            ("3_d.oracle.up.sql", "SELECT 4;"),
        ]);
        let p = plan_of(&files, None);
        assert_eq!(p.tool, Tool::Ory);
        let kinds: Vec<_> = p
            .problems
            .iter()
            .map(|x| (x.kind, x.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ProblemKind::DuplicateVersion, "1_b.postgres.up.sql"),
                (ProblemKind::OrphanDown, "2_c.down.sql"),
                (ProblemKind::Unrecognised, "3_d.oracle.up.sql"),
            ]
        );
    }

    #[test]
    fn plain_uses_natural_order() {
        let p = plan_of(&load("plain"), None);
        assert_eq!(ids(&p), ["1_init", "2_more", "10_later", "seed"]);
        assert!(p
            .migrations
            .iter()
            .all(|m| m.transaction == TransactionMode::Unknown));
        assert_eq!(p.migrations[2].version_text, "10");
        assert_eq!(p.migrations[3].version_text, "seed");
    }

    // --- golang-migrate / sqlx heuristics --------------------------------------------------

    #[test]
    fn numbered_family_heuristics() {
        let pairs = mem(&[
            ("20240101120000_a.up.sql", "SELECT 1;"),
            ("20240101120000_a.down.sql", "SELECT 1;"),
        ]);
        assert_eq!(detect_of(&pairs), Tool::GolangMigrate);
        let no_tx = mem(&[
            ("1_a.up.sql", "-- no-transaction\nSELECT 1;"),
            ("1_a.down.sql", "SELECT 1;"),
        ]);
        assert_eq!(detect_of(&no_tx), Tool::Sqlx);
        let with_simple = mem(&[
            ("1_a.up.sql", "SELECT 1;"),
            ("1_a.down.sql", "SELECT 1;"),
            ("20240101120000_b.sql", "SELECT 1;"),
        ]);
        assert_eq!(detect_of(&with_simple), Tool::Sqlx);
        let simple = mem(&[("20240101120000_a.sql", "SELECT 1;")]);
        assert_eq!(detect_of(&simple), Tool::Sqlx);
        let short = mem(&[("001_a.sql", "SELECT 1;"), ("002_b.sql", "SELECT 1;")]);
        assert_eq!(detect_of(&short), Tool::Plain);
        let short_no_tx = mem(&[
            ("001_a.sql", "SELECT 1;"),
            ("002_b.sql", "-- no-transaction\nSELECT 1;"),
        ]);
        assert_eq!(detect_of(&short_no_tx), Tool::Sqlx);
        // A stray file does not flip the vote.
        let mostly_flyway = mem(&[
            ("V1__a.sql", "SELECT 1;"),
            ("V2__b.sql", "SELECT 1;"),
            ("1_x.up.sql", "SELECT 1;"),
        ]);
        assert_eq!(detect_of(&mostly_flyway), Tool::Flyway);
        assert_eq!(detect_of(&[]), Tool::Plain);
    }

    #[test]
    fn golang_migrate_problems() {
        let files = mem(&[
            ("1_a.up.sql", "SELECT 1;"),
            ("001_b.up.sql", "SELECT 2;"),
            ("1_a.down.sql", "SELECT 3;"),
            ("2_c.down.sql", "SELECT 4;"),
            ("3_simple.sql", "SELECT 5;"),
            ("sub/4_d.up.sql", "SELECT 6;"),
            ("README.md", "# not sql"),
        ]);
        let p = plan_of(&files, Some(Tool::GolangMigrate));
        assert_eq!(ids(&p), ["001_b", "1_a"]);
        let kinds: Vec<_> = p
            .problems
            .iter()
            .map(|x| (x.kind, x.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ProblemKind::DuplicateVersion, "1_a.up.sql"),
                (ProblemKind::OrphanDown, "2_c.down.sql"),
                (ProblemKind::Unrecognised, "3_simple.sql"),
                (ProblemKind::Unrecognised, "sub/4_d.up.sql"),
            ]
        );
        // The down attaches to the first migration of its version.
        assert_eq!(p.migrations[0].down.as_ref().unwrap().path, "1_a.down.sql");
    }

    #[test]
    fn forced_tools_override_detection() {
        let files = load("plain");
        let p = plan_of(&files, Some(Tool::Flyway));
        assert_eq!(p.tool, Tool::Flyway);
        assert!(p.migrations.is_empty());
        assert_eq!(p.problems.len(), 4);
        assert!(p
            .problems
            .iter()
            .all(|x| x.kind == ProblemKind::Unrecognised));
        let p = plan_of(&load("flyway"), Some(Tool::Plain));
        assert_eq!(p.migrations.len(), 8);
        let p = plan_of(&files, Some(Tool::TypeOrm));
        assert!(p.migrations.is_empty());
        assert_eq!(p.problems.len(), 4);
    }

    #[test]
    fn version_ordering() {
        let v = |s: &str| parse_flyway(&format!("V{s}__x.sql")).unwrap().version;
        assert!(v("1_9") < v("1_10"));
        assert!(v("1.10") < v("2"));
        assert_eq!(v("1.1"), v("1_1"));
        assert_eq!(v("1.0.0"), v("1"));
        assert_eq!(v("001"), v("1"));
        assert!(v("1") < v("1.0.1"));
        assert!(natural_key("a9") < natural_key("a10"));
        assert!(natural_key("99999999999999999999999999999999999999999") > natural_key("1"));
    }

    #[test]
    fn whole_file_chunks_resolve_against_the_file() {
        let files = load("prisma");
        let p = plan_of(&files, None);
        let m = &p.migrations[0];
        let file = SourceFile {
            path: m.up.path.clone(),
            text: text_of(&files, &m.up.path).to_string(),
        };
        assert!(m.up.chunks[0].text(&file).contains("CREATE TABLE \"User\""));
    }

    // --- properties --------------------------------------------------------------------------

    fn any_tool() -> impl Strategy<Value = Option<Tool>> {
        proptest::option::of(proptest::sample::select(Tool::ALL.to_vec()))
    }

    fn any_text() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            Just("-- migrate:up".to_string()),
            Just("-- migrate:down transaction:false".to_string()),
            Just("--liquibase formatted sql".to_string()),
            Just("--changeset a:b runInTransaction:false dbms:postgresql".to_string()),
            Just("--changeset \"a".to_string()),
            Just("--rollback DROP TABLE t;".to_string()),
            Just("--rollback not required".to_string()),
            Just("/* liquibase rollback".to_string()),
            Just("*/".to_string()),
            Just("-- no-transaction".to_string()),
            Just("run_in_transaction = false".to_string()),
            Just("executeInTransaction=false".to_string()),
            "\\PC{0,20}",
            "[ -~\\r\\té]{0,20}",
        ];
        (
            proptest::collection::vec(line, 0..8),
            prop_oneof![Just("\n"), Just("\r\n")],
        )
            .prop_map(|(lines, nl)| lines.join(nl))
    }

    fn any_name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9_./-]{0,16}",
            "[VUR]?[0-9._]{0,6}_{0,3}[a-z]{0,4}\\.sql(\\.conf)?",
            "[0-9-]{0,16}_[a-z.]{0,10}/(up|down|migration)\\.sql",
            "[0-9]{0,20}_[a-z]{0,4}(\\.postgres|\\.mysql|\\.autocommit|\\.x){0,2}\\.(up|down)\\.sql",
            "[0-9-]{0,16}_[a-z]{0,4}/metadata\\.toml",
            "\\PC{0,10}",
        ]
    }

    proptest! {
        #[test]
        fn plan_never_panics(
            files in proptest::collection::vec((any_name(), any_text()), 0..8),
            forced in any_tool(),
        ) {
            let p = plan_of(&files, forced);
            detect_of(&files);
            // Chunks always map into their file.
            render(&files, &p);
        }

        #[test]
        fn dbmate_bodies_round_trip(
            prefix in "(-- [a-z ]{0,10}\n){0,2}",
            up in "[a-zA-Z0-9 ;'\"$()\\r\\n\\té€-]{0,60}",
            down in "[a-zA-Z0-9 ;'\"$()\\r\\n\\té€-]{0,60}",
            with_down in any::<bool>(),
        ) {
            prop_assume!(!up.contains("migrate:") && !down.contains("migrate:"));
            let text = if with_down {
                format!("{prefix}-- migrate:up\n{up}\n-- migrate:down\n{down}")
            } else {
                format!("{prefix}-- migrate:up\n{up}")
            };
            let files = vec![("20240101000000_x.sql".to_string(), text)];
            let p = plan_of(&files, None);
            prop_assert_eq!(p.tool, Tool::Dbmate);
            prop_assert_eq!(p.migrations.len(), 1);
            let m = &p.migrations[0];
            let want_up = if with_down { format!("{up}\n") } else { up.clone() };
            prop_assert_eq!(m.up.chunks[0].sql.as_deref(), Some(want_up.as_str()));
            if with_down {
                prop_assert_eq!(
                    m.down.as_ref().unwrap().chunks[0].sql.as_deref(),
                    Some(down.as_str())
                );
            } else {
                prop_assert!(m.down.is_none());
            }
            render(&files, &p);
        }

        #[test]
        fn liquibase_bodies_round_trip(
            changesets in proptest::collection::vec(
                (
                    proptest::collection::vec("[a-zA-Z0-9 ;'\"$()\\té€]{0,30}", 0..4),
                    proptest::collection::vec("[a-zA-Z(][a-zA-Z0-9 ;'()é]{0,30}", 0..3),
                ),
                1..4,
            ),
            crlf in any::<bool>(),
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("--liquibase formatted sql{nl}");
            for (i, (body, rollback)) in changesets.iter().enumerate() {
                text.push_str(&format!("--changeset me:{i}{nl}"));
                for line in body {
                    text.push_str(line);
                    text.push_str(nl);
                }
                for line in rollback {
                    text.push_str(&format!("--rollback {line}{nl}"));
                }
            }
            let files = vec![("changelog.sql".to_string(), text)];
            let p = plan_of(&files, None);
            prop_assert_eq!(p.tool, Tool::Liquibase);
            prop_assert_eq!(p.migrations.len(), changesets.len());
            for (m, (body, rollback)) in p.migrations.iter().zip(&changesets) {
                let up = m.up.chunks[0].sql.as_deref().unwrap();
                let mut want = String::new();
                for line in body {
                    want.push_str(line);
                    want.push_str(nl);
                }
                prop_assert!(up.starts_with(&want));
                let words: Vec<&str> = rollback.iter().map(|l| l.trim()).collect();
                let explicit_empty = matches!(words.first(), Some(w) if w.eq_ignore_ascii_case("empty") || w.eq_ignore_ascii_case("not required"));
                match &m.down {
                    None => prop_assert!(rollback.is_empty()),
                    Some(side) if side.chunks.is_empty() => prop_assert!(explicit_empty),
                    Some(side) => {
                        let sql = side.chunks[0].sql.as_deref().unwrap().replace('\r', "");
                        let skip = usize::from(explicit_empty);
                        prop_assert_eq!(sql, rollback[skip..].join("\n"));
                    }
                }
            }
            render(&files, &p);
        }
    }
}
