//! The analysis pipeline: migrations → statements → ops → hits → policy → report.
//!
//! Each migration side is split into statements, every statement is lowered to ops on its own
//! (sqlparser first, the token fallback second), `DO` blocks are opened and their statements
//! analysed like top-level ones, and the rules run against the schema as it stands just before
//! the statement. Only then does the policy turn hits into findings, so a rule the policy
//! switches off still counts toward the class a reviewer must see.

use std::rc::Rc;

use crate::analyze::{self, Lowered};
use crate::lexer::{self, Token, TokenKind};
use crate::model::{Class, Level, Severity};
use crate::ops::{ObjectKind, ObjectName, Op, TxControl};
use crate::policy::Policy;
use crate::report::{
    Direction as ReportDirection, FileRef, Finding, MigrationClass, MigrationReport, Report,
    StatementReport, Summary, Tool,
};
use crate::rules::{self, Ctx, Direction, Hit, Hits, MigrationScope, Namespace, RULES};
use crate::schema::Schema;
use crate::source::{MigrationInput, Project, SqlPart};
use crate::span::{LineIndex, Span};
use crate::split::{self, SegmentKind};
use crate::suppress::{self, Parsed};

mod cache;
pub use cache::{CacheStats, LowerCache};

/// How deep `DO` blocks and called functions are opened (a DO that builds a DO is rare).
const MAX_NESTING: usize = 3;

/// A statement found inside a `DO` block or a function body, with its span in the part's SQL.
#[derive(Debug, Clone)]
struct Nested {
    span: Span,
    /// Shared with the [`LowerCache`] when there is one (cloning a statement is then cheap).
    lowered: Rc<Lowered>,
    nested: Vec<Nested>,
}

#[derive(Debug, Clone)]
struct Stmt {
    /// The chunk of the part this statement was read from.
    chunk: usize,
    span: Span,
    /// Shared with the [`LowerCache`] when there is one (cloning a statement is then cheap).
    lowered: Rc<Lowered>,
    /// Statements inside a `DO` body (they run now).
    do_body: Vec<Nested>,
    /// Statements inside a function or procedure body (they run when called).
    fn_body: Vec<Nested>,
}

/// A hit placed in the part's SQL.
#[derive(Debug, Clone)]
struct PlacedHit {
    hit: Hit,
    /// Relative to the chunk's SQL, or already in file coordinates when `chunk` is `None`.
    span: Span,
    chunk: Option<usize>,
    stmt: Option<usize>,
}

/// The analysis of one side of a migration.
#[derive(Debug, Default)]
struct PartResult {
    statements: Vec<(usize, Span, String, Class, bool)>,
    hits: Vec<PlacedHit>,
    suppressed: usize,
    class: Option<Class>,
    /// What the part created (handed from an up to its down).
    creations: Vec<(Namespace, String)>,
    /// Columns and tables the part drops or (re-)creates, as `column:t.c` / `table:t` keys, with
    /// where the statement is and how to name it.
    dropped: Vec<(usize, Span, String, String)>,
    recreated: Vec<String>,
    /// How the part's top-level statements add, rename and drop columns, in order (chunk,
    /// statement span), to find the statement that introduced a column of the final schema.
    column_events: Vec<(usize, Span, ColumnEvent)>,
}

/// A change to which columns exist, for [`Origins`].
#[derive(Debug, Clone)]
enum ColumnEvent {
    Add {
        table: String,
        columns: Vec<String>,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    DropColumn {
        table: String,
        column: String,
    },
    DropTable {
        table: String,
    },
}

/// Where each column of the schema was introduced (added, or renamed to its current name),
/// following renames of its table.
#[derive(Debug, Default)]
struct Origins {
    /// (table key, column) → (file, span in file coordinates, migration id, checked).
    map: std::collections::BTreeMap<(String, String), (usize, Span, String, bool)>,
}

impl Origins {
    fn replay(
        &mut self,
        m: &MigrationInput,
        part: &SqlPart,
        events: &[(usize, Span, ColumnEvent)],
    ) {
        for (chunk, span, event) in events {
            let (start, end) = to_file(part, Some(*chunk), *span);
            let origin = (part.file, Span::new(start, end), m.id.clone(), m.checked);
            match event {
                ColumnEvent::Add { table, columns } => {
                    for c in columns {
                        self.map.insert((table.clone(), c.clone()), origin.clone());
                    }
                }
                ColumnEvent::RenameColumn { table, from, to } => {
                    self.map.remove(&(table.clone(), from.clone()));
                    self.map.insert((table.clone(), to.clone()), origin);
                }
                ColumnEvent::RenameTable { from, to } => {
                    let moved: Vec<_> = self
                        .map
                        .keys()
                        .filter(|(t, _)| t == from)
                        .cloned()
                        .collect();
                    for key in moved {
                        if let Some(o) = self.map.remove(&key) {
                            self.map.insert((to.clone(), key.1), o);
                        }
                    }
                }
                ColumnEvent::DropColumn { table, column } => {
                    self.map.remove(&(table.clone(), column.clone()));
                }
                ColumnEvent::DropTable { table } => self.map.retain(|(t, _), _| t != table),
            }
        }
    }
}

fn column_events(op: &Op) -> Vec<ColumnEvent> {
    vec![match op {
        Op::CreateTable { table, columns, .. } => ColumnEvent::Add {
            table: table.key(),
            columns: columns.iter().map(|c| c.name.clone()).collect(),
        },
        Op::AddColumn { table, column, .. } => ColumnEvent::Add {
            table: table.key(),
            columns: vec![column.name.clone()],
        },
        Op::RenameColumn { table, from, to } => ColumnEvent::RenameColumn {
            table: table.key(),
            from: from.clone(),
            to: to.clone(),
        },
        Op::Rename {
            kind: ObjectKind::Table,
            from,
            to,
        } => {
            // `ALTER TABLE s.a RENAME TO b` keeps the schema.
            let to = ObjectName {
                schema: to.schema.clone().or_else(|| from.schema.clone()),
                name: to.name.clone(),
            };
            ColumnEvent::RenameTable {
                from: from.key(),
                to: to.key(),
            }
        }
        Op::DropColumn { table, column, .. } => ColumnEvent::DropColumn {
            table: table.key(),
            column: column.clone(),
        },
        Op::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } => {
            return names
                .iter()
                .map(|n| ColumnEvent::DropTable { table: n.key() })
                .collect()
        }
        _ => return Vec::new(),
    }]
}

/// Runs the whole pipeline.
pub fn check(project: &Project, policy: &Policy) -> Report {
    check_with_schema(project, policy).0
}

/// Runs the whole pipeline like [`check`], reusing the statements `cache` lowered in earlier
/// calls (an editor linting on every keystroke). The report is the same as [`check`]'s.
pub fn check_cached(project: &Project, policy: &Policy, cache: &LowerCache) -> Report {
    run(project, policy, Some(cache)).0
}

/// Runs the whole pipeline, and returns the schema as it stands after every up migration.
pub fn check_with_schema(project: &Project, policy: &Policy) -> (Report, Schema) {
    run(project, policy, None)
}

fn run(project: &Project, policy: &Policy, cache: Option<&LowerCache>) -> (Report, Schema) {
    let env = Env {
        project,
        policy,
        cache,
    };
    let mut schema = Schema::default();
    for (name, table) in &project.schema_hints {
        schema.hints.insert(name.key(), table.clone());
    }
    let mut line_indexes: Vec<Option<LineIndex>> = vec![None; project.files.len()];
    let mut migrations = Vec::new();
    let mut findings = Vec::new();
    let mut summary = Summary::default();
    let mut origins = Origins::default();

    for m in &project.migrations {
        // Statements split across several calls are analysed joined, and reported.
        let (up_part, up_splits) = join_split(project, &m.up, m.tool);
        let down_joined = m.down.as_ref().map(|d| join_split(project, d, m.tool));
        let up_part = &*up_part;
        let up = analyze_part(env, up_part, m, Direction::Up, &mut schema, Vec::new());
        let down = down_joined.as_ref().map(|(d, _)| {
            let d = &**d;
            // The down runs after the up; its effects must not leak into the history's schema.
            let mut after_up = schema.clone();
            let inherited = up.creations.clone();
            (
                d,
                analyze_part(env, d, m, Direction::Down, &mut after_up, inherited),
            )
        });
        origins.replay(m, up_part, &up.column_events);
        if !m.checked {
            continue;
        }
        let class = MigrationClass::from_class(up.class);
        let needs_review = up.class.is_some_and(|c| policy.needs_review(c));
        summary.migrations += 1;
        match class {
            MigrationClass::Destructive => summary.destructive_migrations += 1,
            MigrationClass::Risky => summary.risky_migrations += 1,
            MigrationClass::Unknown => summary.unknown_migrations += 1,
            _ => {}
        }
        summary.needs_review += usize::from(needs_review);

        let migration_start = findings.len();
        let mut statements = Vec::new();
        let mut sides = vec![(up_part, &up, ReportDirection::Up)];
        if let Some((d, r)) = &down {
            sides.push((d, r, ReportDirection::Down));
        }
        for (part, result, dir) in sides {
            let file = &project.files[part.file];
            let index = line_indexes[part.file].get_or_insert_with(|| LineIndex::new(&file.text));
            summary.suppressed += result.suppressed;
            for (chunk, span, kind, class, parsed) in &result.statements {
                let (start, end) = to_file(part, Some(*chunk), *span);
                let (s, e) = (
                    index.position(&file.text, start),
                    index.position(&file.text, end),
                );
                summary.unparsed_statements += usize::from(!parsed);
                statements.push(StatementReport {
                    path: file.path.clone(),
                    line: s.line,
                    column: s.column,
                    end_line: e.line,
                    end_column: e.column,
                    start,
                    end,
                    kind: kind.clone(),
                    class: *class,
                    parsed: *parsed,
                    direction: dir,
                });
            }
            for ph in &result.hits {
                let (start, end) = to_file(part, ph.chunk, ph.span);
                let span = Span::new(start, end);
                if let Some(f) = make_finding(
                    policy,
                    &ph.hit,
                    file,
                    index,
                    span,
                    Some(&m.id),
                    dir,
                    &mut summary,
                ) {
                    findings.push(f);
                }
            }
        }
        let mut extra: Vec<(Option<Span>, &SqlPart, ReportDirection, Hit)> = Vec::new();
        if let Some(hit) = missing_down(m, &up, down.as_ref().map(|(_, r)| r), policy) {
            extra.push((m.span, up_part, ReportDirection::Up, hit));
        }
        let split_sides = [(up_part, &up_splits, ReportDirection::Up)]
            .into_iter()
            .chain(
                down_joined
                    .as_ref()
                    .map(|(d, f)| (&**d, f, ReportDirection::Down)),
            );
        for (part, found, dir) in split_sides {
            for f in found {
                let meta = rules::split_statement::META;
                let hit = Hit {
                    rule: meta.id,
                    class: meta.class,
                    message: f.message.clone(),
                    help: f.help.clone(),
                };
                extra.push((Some(f.span), part, dir, hit));
            }
        }
        if let Some((_, down_result)) = &down {
            for (chunk, span, what, key) in &up.dropped {
                let table = key.split_once(':').map_or("", |(_, k)| k);
                let table = if key.starts_with("column:") {
                    table.rsplit_once('.').map_or(table, |(t, _)| t)
                } else {
                    table
                };
                let restored = down_result
                    .recreated
                    .iter()
                    .any(|r| r == &format!("restored:{table}"));
                if down_result.recreated.contains(key) && !restored {
                    let meta = rules::down_restores_schema_only::META;
                    let hit = Hit {
                        rule: meta.id,
                        class: meta.class,
                        message: format!("the down re-creates {what}, but empty: rolling back restores the schema, not the data"),
                        help: "take a backup before deploying, or keep the old data (a backup table, expand and contract) until the change is proven".into(),
                    };
                    let (start, end) = to_file(up_part, Some(*chunk), *span);
                    extra.push((
                        Some(Span::new(start, end)),
                        up_part,
                        ReportDirection::Up,
                        hit,
                    ));
                }
            }
        }
        for (span, part, dir, hit) in extra {
            let file = &project.files[part.file];
            let index = line_indexes[part.file].get_or_insert_with(|| LineIndex::new(&file.text));
            if let Some(f) = make_finding(
                policy,
                &hit,
                file,
                index,
                span.unwrap_or_default(),
                Some(&m.id),
                dir,
                &mut summary,
            ) {
                findings.push(f);
            }
        }
        // Up before down, then file order; migration-level findings join their file's order.
        findings[migration_start..].sort_by(|a, b| {
            (a.direction != ReportDirection::Up, &a.path, a.start, a.end).cmp(&(
                b.direction != ReportDirection::Up,
                &b.path,
                b.start,
                b.end,
            ))
        });
        migrations.push(MigrationReport {
            id: m.id.clone(),
            up: FileRef {
                path: project.files[m.up.file].path.clone(),
            },
            down: m.down.as_ref().map(|d| FileRef {
                path: project.files[d.file].path.clone(),
            }),
            class,
            down_class: down
                .as_ref()
                .map(|(_, r)| MigrationClass::from_class(r.class)),
            transaction: m.transaction,
            needs_review,
            statements,
            verify: None,
        });
    }

    if let Some(script) = project.anonymize_script {
        findings.extend(anonymize_findings(
            project,
            policy,
            &schema,
            &origins,
            script,
            &mut line_indexes,
            &mut summary,
        ));
    }

    for issue in &project.issues {
        let Some(rule) = rules::find(issue.rule) else {
            continue;
        };
        let hit = Hit {
            rule: rule.meta.id,
            class: rule.meta.class,
            message: issue.message.clone(),
            help: issue.help.clone(),
        };
        let file = &project.files[issue.file];
        let index = line_indexes[issue.file].get_or_insert_with(|| LineIndex::new(&file.text));
        if let Some(f) = make_finding(
            policy,
            &hit,
            file,
            index,
            issue.span,
            issue.migration.as_deref(),
            ReportDirection::Up,
            &mut summary,
        ) {
            findings.push(f);
        }
    }

    let mut notices = Vec::new();
    if project.migrations.is_empty() {
        notices.push("no migrations yet: nothing to check".to_string());
    }
    let report = Report {
        version: crate::report::REPORT_VERSION,
        tool: Tool {
            name: "tollgate".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        migrations,
        findings,
        summary,
        notices,
    };
    (report, schema)
}

/// A migration side with statements split across calls joined back together (see
/// [`rules::split_statement`]), and what was split.
fn join_split<'a>(
    project: &Project,
    part: &'a SqlPart,
    tool: crate::sources::Tool,
) -> (
    std::borrow::Cow<'a, SqlPart>,
    Vec<rules::split_statement::SplitFound>,
) {
    match rules::split_statement::join(part, &project.files[part.file], tool) {
        Some((joined, found)) => (std::borrow::Cow::Owned(joined), found),
        None => (std::borrow::Cow::Borrowed(part), Vec::new()),
    }
}

/// A finding that something outside the static analysis observed (the database, in
/// `tollgate verify`), at `span` of project file `file`.
pub struct Observed<'a> {
    pub rule: &'static str,
    pub file: usize,
    pub span: Span,
    pub message: String,
    pub help: String,
    pub migration: Option<&'a str>,
    pub direction: ReportDirection,
}

/// Adds an observed finding to `report`, with the severity the policy gives its rule (none when
/// the rule is off), and counts it in the summary.
pub fn add_observed(report: &mut Report, project: &Project, policy: &Policy, obs: Observed) {
    let Some(rule) = rules::find(obs.rule) else {
        return;
    };
    let Some(file) = project.files.get(obs.file) else {
        return;
    };
    let index = LineIndex::new(&file.text);
    let hit = Hit {
        rule: rule.meta.id,
        class: rule.meta.class,
        message: obs.message,
        help: obs.help,
    };
    let end = obs.span.end.min(file.text.len());
    let span = Span::new(obs.span.start.min(end), end);
    if let Some(f) = make_finding(
        policy,
        &hit,
        file,
        &index,
        span,
        obs.migration,
        obs.direction,
        &mut report.summary,
    ) {
        report.findings.push(f);
    }
}

fn shown(text: &str) -> String {
    text.replace(crate::sources::typescript::EXPR_PLACEHOLDER, "${…}")
}

/// Turns a hit already placed in file coordinates into a finding, or `None` when the policy
/// switches its rule off.
#[allow(clippy::too_many_arguments)]
fn make_finding(
    policy: &Policy,
    hit: &Hit,
    file: &crate::source::SourceFile,
    index: &LineIndex,
    span: Span,
    migration: Option<&str>,
    dir: ReportDirection,
    summary: &mut Summary,
) -> Option<Finding> {
    let severity = severity_for(policy, hit.rule, dir)?;
    let (s, e) = (
        index.position(&file.text, span.start),
        index.position(&file.text, span.end),
    );
    match severity {
        Severity::Error => summary.errors += 1,
        Severity::Warning => summary.warnings += 1,
        Severity::Info => summary.infos += 1,
    }
    summary.failed |= policy.fails(severity);
    Some(Finding {
        rule: hit.rule.to_string(),
        severity,
        class: hit.class,
        // A `${…}` of a TypeScript template literal is analysed as a placeholder identifier;
        // the reader sees the interpolation, not tollgate's stand-in.
        message: shown(&hit.message),
        help: shown(&hit.help),
        path: file.path.clone(),
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
        column_utf16: s.column_utf16,
        end_column_utf16: e.column_utf16,
        start: span.start,
        end: span.end,
        migration: migration.map(str::to_string),
        direction: dir,
        doc_url: rules::doc_url(hit.rule),
    })
}

/// `personal-column-not-anonymized`: the personal columns of the final schema that the
/// anonymisation script does not mask, reported where a checked migration introduced them.
fn anonymize_findings(
    project: &Project,
    policy: &Policy,
    schema: &Schema,
    origins: &Origins,
    script: usize,
    line_indexes: &mut [Option<LineIndex>],
    summary: &mut Summary,
) -> Vec<crate::report::Finding> {
    let script_file = &project.files[script];
    let analysis = crate::anonymize::analyze_script(&script_file.text);
    let gaps = crate::anonymize::gaps(
        schema,
        &analysis,
        &policy.pii,
        &policy.anonymize.non_personal,
    );
    let meta = rules::personal_column_not_anonymized::META;
    let mut out = Vec::new();
    for gap in gaps {
        let Some((file, span, migration, checked)) =
            origins.map.get(&(gap.table.clone(), gap.column.clone()))
        else {
            continue;
        };
        if !checked {
            continue;
        }
        let mut message = format!(
            "`{}.{}` holds personal data ({}), and {} does not mask it",
            gap.table,
            gap.column,
            gap.kind.label(),
            script_file.path
        );
        if let Some(why) = &gap.false_cover {
            message.push_str(&format!(": {why}"));
        }
        let hit = Hit {
            rule: meta.id,
            class: meta.class,
            message,
            help: format!(
                "add `UPDATE {} SET {} = <mask>;` to {}, or declare `\"{}.{}\" = \"<reason>\"` in [anonymize.non_personal]",
                gap.table, gap.column, script_file.path, gap.table, gap.column
            ),
        };
        let f = &project.files[*file];
        let index = line_indexes[*file].get_or_insert_with(|| LineIndex::new(&f.text));
        if let Some(finding) = make_finding(
            policy,
            &hit,
            f,
            index,
            *span,
            Some(migration),
            ReportDirection::Up,
            summary,
        ) {
            out.push(finding);
        }
    }
    out
}

/// `missing-down`, following `require_down`.
fn missing_down(
    m: &MigrationInput,
    up: &PartResult,
    down: Option<&PartResult>,
    policy: &Policy,
) -> Option<Hit> {
    use crate::policy::RequireDown;
    let up_class = up.class?; // an empty up needs no down
    let required = match policy.require_down {
        RequireDown::All => true,
        RequireDown::Destructive => policy.gate_class(up_class) == Class::Destructive,
        RequireDown::Never => false,
    };
    if !required {
        return None;
    }
    // When nothing of the up could be read, whether a down exists is unknown too; the
    // unanalysable-sql finding already blocks the migration.
    if up.statements.is_empty() && m.up.chunks.iter().any(|c| c.unanalysable.is_some()) {
        return None;
    }
    let down_part = m.down.as_ref();
    let unreadable = down_part.is_some_and(|d| d.chunks.iter().any(|c| c.unanalysable.is_some()));
    let message = match (down_part, down) {
        (None, _) if m.tool == crate::sources::Tool::MikroOrm => format!(
            "migration `{}` has no down(): MikroORM's base class throws \"This migration cannot be reverted\" when it is rolled back",
            m.id
        ),
        (None, _) => format!("migration `{}` has no down migration", m.id),
        (Some(_), Some(r)) if r.statements.is_empty() && !unreadable => {
            format!("the down migration of `{}` is empty: it reverses nothing", m.id)
        }
        _ => return None,
    };
    let meta = rules::missing_down::META;
    Some(Hit {
        rule: meta.id,
        class: meta.class,
        message,
        help: "write a down that reverses the up and test up → down → up (`require_down` in tollgate.toml sets which migrations need one)".into(),
    })
}

fn default_level(rule: &str) -> Level {
    static DEFAULT: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(Policy::default_policy).level(rule)
}

/// Rules about a down that cannot run at all. `down_severity` caps findings in downs because a
/// down destroys what its up created by design; a down that fails on real data is no such design.
const DOWN_UNCAPPED: &[&str] = &[
    rules::fails_on_populated_table::META.id,
    rules::split_statement::META.id,
    // What the database did to a down is a fact about the down, not a lint of its style.
    rules::migration_failed::META.id,
    rules::down_does_not_restore::META.id,
    rules::down_loses_data::META.id,
];

fn severity_for(policy: &Policy, rule: &str, dir: ReportDirection) -> Option<Severity> {
    let level = policy.level(rule);
    let level = if dir == ReportDirection::Down && !DOWN_UNCAPPED.contains(&rule) {
        min_level(level, policy.down_severity)
    } else {
        level
    };
    level.severity()
}

fn min_level(a: Level, b: Level) -> Level {
    fn rank(l: Level) -> u8 {
        match l {
            Level::Off => 0,
            Level::Info => 1,
            Level::Warning => 2,
            Level::Error => 3,
        }
    }
    if rank(a) <= rank(b) {
        a
    } else {
        b
    }
}

fn to_file(part: &SqlPart, chunk: Option<usize>, span: Span) -> (usize, usize) {
    let Some(map) = chunk.and_then(|c| part.chunks.get(c)).map(|c| &c.map) else {
        return (span.start, span.end);
    };
    let start = map.to_file(span.start);
    let end = if span.is_empty() {
        start
    } else {
        map.to_file(span.end - 1) + 1
    };
    (start, end)
}

/// Lowers every statement of a piece of SQL, through `cache` when there is one.
fn lower_all(sql: &str, cache: Option<&LowerCache>) -> (split::SplitResult, Vec<Stmt>) {
    let result = split::split(sql);
    let mut stmts = Vec::new();
    for seg in result
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Statement)
    {
        let tokens = &result.tokens[seg.tokens.clone()];
        let lower = || lower_stmt(sql, tokens, seg.span);
        stmts.push(match cache {
            Some(cache) => {
                // The key is all the text the statement's tokens cover, trivia included.
                let from = tokens
                    .first()
                    .map_or(seg.span.start, |t| t.start.min(seg.span.start));
                let to = tokens
                    .last()
                    .map_or(seg.span.end, |t| t.end.max(seg.span.end));
                cache.get_or_lower(sql, from, to, lower)
            }
            None => lower(),
        });
    }
    (result, stmts)
}

/// Lowers one top-level statement and opens its bodies.
fn lower_stmt(sql: &str, tokens: &[Token], span: Span) -> Stmt {
    let lowered = Rc::new(analyze::lower(sql, tokens));
    let (do_body, fn_body) = open_bodies(sql, span.start, &lowered, 0);
    Stmt {
        chunk: 0,
        span,
        lowered,
        do_body,
        fn_body,
    }
}

/// Opens `DO` and function bodies of a lowered statement.
fn open_bodies(
    sql: &str,
    stmt_start: usize,
    lowered: &Lowered,
    depth: usize,
) -> (Vec<Nested>, Vec<Nested>) {
    let mut do_body = Vec::new();
    let mut fn_body = Vec::new();
    if depth >= MAX_NESTING {
        return (do_body, fn_body);
    }
    for op in &lowered.ops {
        match op {
            Op::DoBlock {
                language,
                body: Some((s, e)),
            } if is_plpgsql_or_sql(language) => {
                do_body.extend(body_statements(
                    sql,
                    Span::new(stmt_start + s, stmt_start + e),
                    depth + 1,
                ));
            }
            Op::CreateFunction {
                language,
                body: Some((s, e)),
                ..
            } if is_plpgsql_or_sql(language) => {
                fn_body.extend(body_statements(
                    sql,
                    Span::new(stmt_start + s, stmt_start + e),
                    depth + 1,
                ));
            }
            _ => {}
        }
    }
    (do_body, fn_body)
}

fn is_plpgsql_or_sql(language: &Option<String>) -> bool {
    match language.as_deref() {
        None => true,
        Some(l) => matches!(l, "plpgsql" | "sql"),
    }
}

/// SQL commands worth analysing inside a PL/pgSQL body; everything else is control flow.
const BODY_COMMANDS: &[&str] = &[
    "alter", "drop", "create", "truncate", "delete", "update", "insert", "comment", "grant",
    "revoke", "reindex", "vacuum", "cluster", "lock", "refresh", "with",
];

/// Finds the SQL statements in a PL/pgSQL (or SQL) body, with spans in the outer SQL.
fn body_statements(sql: &str, body: Span, depth: usize) -> Vec<Nested> {
    let text = &sql[body.start..body.end];
    let result = split::split(text);
    let mut out = Vec::new();
    for seg in result
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Statement)
    {
        let tokens = &result.tokens[seg.tokens.clone()];
        let significant: Vec<&Token> = tokens.iter().filter(|t| !t.is_trivia()).collect();
        let Some(start) = command_start(text, &significant) else {
            continue;
        };
        let first = significant[start];
        if lexer::is_keyword(first, text, "execute") {
            out.extend(execute_statement(
                text,
                &significant[start..],
                body.start,
                seg.span,
            ));
            continue;
        }
        if !BODY_COMMANDS
            .iter()
            .any(|k| lexer::is_keyword(first, text, k))
        {
            continue;
        }
        let from = tokens
            .iter()
            .position(|t| t.start == first.start)
            .unwrap_or(0);
        let lowered = Rc::new(analyze::lower(text, &tokens[from..]));
        let span = Span::new(first.start, seg.span.end).offset(body.start);
        let (inner_do, _) = open_bodies(text, first.start, &lowered, depth);
        let nested = inner_do
            .into_iter()
            .map(|mut n| {
                shift(&mut n, body.start);
                n
            })
            .collect();
        out.push(Nested {
            span,
            lowered,
            nested,
        });
    }
    out
}

fn shift(n: &mut Nested, by: usize) {
    n.span = n.span.offset(by);
    for c in &mut n.nested {
        shift(c, by);
    }
}

/// Skips PL/pgSQL control words (`BEGIN`, `IF … THEN`, `ELSE`, `LOOP`, labels) to the index of
/// the token that starts the actual command, if any.
fn command_start(text: &str, toks: &[&Token]) -> Option<usize> {
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let kw = |k: &str| lexer::is_keyword(t, text, k);
        if kw("declare") {
            // A declaration section: `DECLARE v int` up to the next `;` is not a command.
            return None;
        }
        if kw("begin") || kw("else") || kw("loop") || kw("exception") {
            i += 1;
        } else if kw("if")
            || kw("elsif")
            || kw("elseif")
            || kw("when")
            || kw("for")
            || kw("while")
            || kw("foreach")
        {
            // Skip the condition to its THEN / LOOP at paren depth 0.
            let mut depth = 0i32;
            let mut j = i + 1;
            let mut found = false;
            while j < toks.len() {
                let tj = toks[j];
                match tj.text(text) {
                    "(" => depth += 1,
                    ")" => depth -= 1,
                    _ if depth == 0
                        && (lexer::is_keyword(tj, text, "then")
                            || lexer::is_keyword(tj, text, "loop")) =>
                    {
                        found = true;
                        break;
                    }
                    _ => {}
                }
                j += 1;
            }
            if !found {
                return None;
            }
            i = j + 1;
        } else if kw("end") {
            // `END IF; DROP …` can't happen (the `;` splits), but `END` may lead a chunk.
            return None;
        } else if t.kind == TokenKind::Operator && t.text(text).starts_with("<<") {
            // `<<label>>`
            i += 1;
            while i < toks.len() && !toks[i].text(text).ends_with(">>") {
                i += 1;
            }
            i += 1;
        } else {
            return Some(i);
        }
    }
    None
}

/// `EXECUTE 'literal'` runs the literal; anything else is SQL built at run time.
fn execute_statement(text: &str, toks: &[&Token], base: usize, seg: Span) -> Option<Nested> {
    let span = Span::new(toks[0].start, seg.end).offset(base);
    let arg = toks.get(1)?;
    let literal_only = toks.len() == 2
        || toks.get(2).is_some_and(|t| t.text(text) == ";")
        || toks
            .get(2)
            .is_some_and(|t| lexer::is_keyword(t, text, "using"));
    if matches!(arg.kind, TokenKind::String | TokenKind::DollarString) && literal_only {
        if let Some(inner) = lexer::string_value(arg, text) {
            let result = split::split(&inner);
            let mut ops = Vec::new();
            let mut kind = String::from("execute");
            let mut parsed = true;
            for seg in result
                .segments
                .iter()
                .filter(|s| s.kind == SegmentKind::Statement)
            {
                let l = analyze::lower(&inner, &result.tokens[seg.tokens.clone()]);
                parsed &= l.parsed;
                kind = l.kind;
                ops.extend(l.ops);
            }
            let lowered = Rc::new(Lowered {
                ops,
                kind,
                parsed,
                parse_error: None,
            });
            return Some(Nested {
                span,
                lowered,
                nested: vec![],
            });
        }
    }
    // Dynamic SQL: read what the literal fragments say, and stay unknown about the rest.
    let fragments: Vec<String> = toks
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))
        .filter_map(|t| lexer::string_value(t, text))
        .collect();
    let joined = fragments
        .join(" x ")
        .replace("%I", "x")
        .replace("%s", "x")
        .replace("%L", "'x'");
    let result = split::split(&joined);
    let mut ops = vec![Op::Unknown {
        reason: "dynamic SQL built at run time (EXECUTE of an expression)".into(),
    }];
    for seg in result
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Statement)
    {
        let l = analyze::lower(&joined, &result.tokens[seg.tokens.clone()]);
        ops.extend(
            l.ops
                .into_iter()
                .filter(|o| !matches!(o, Op::Unknown { .. })),
        );
    }
    Some(Nested {
        span,
        lowered: Rc::new(Lowered {
            ops,
            kind: "execute".into(),
            parsed: false,
            parse_error: None,
        }),
        nested: vec![],
    })
}

/// Records what each statement creates, for the same-migration exemptions.
fn record_creations(scope: &mut MigrationScope, ops: &[Op], idx: usize) {
    for op in ops {
        scope.record_indexes(op, idx);
        match op {
            Op::CreateTable { table, .. } => scope.record(Namespace::Relation, table.key(), idx),
            Op::AddColumn { table, column, .. } => scope.record(
                Namespace::Column,
                rules::column_key(table, &column.name),
                idx,
            ),
            Op::CreateView { view, .. } => scope.record(Namespace::View, view.key(), idx),
            Op::CreateFunction { name, .. } => scope.record(Namespace::Function, name.key(), idx),
            Op::CreateTrigger { name, table } => {
                scope.record(Namespace::Trigger, trigger_key(name, Some(table)), idx)
            }
            Op::CreateIndex {
                name: Some(name), ..
            } => scope.record(Namespace::Index, name.key(), idx),
            Op::CreateType { name, .. } => scope.record(Namespace::Type, name.key(), idx),
            Op::CreateOther {
                kind,
                name: Some(name),
            } => scope.record(Namespace::of(*kind), name.key(), idx),
            // A table renamed into place, or an object renamed to a new name, is new under that
            // name as far as later statements of this migration are concerned only if the source
            // was new too; renames of existing objects are not creations.
            _ => {}
        }
    }
}

pub(crate) fn trigger_key(name: &str, table: Option<&ObjectName>) -> String {
    match table {
        Some(t) => format!("{}.{name}", t.key()),
        None => name.to_string(),
    }
}

/// An allow comment (with the chunk it sits in) and a used-flag per rule it names.
type Tracked = ((usize, suppress::Allow), Vec<bool>);

fn tracked(a: (usize, suppress::Allow)) -> Tracked {
    let n = a.1.rules.len();
    (a, vec![false; n])
}

struct PartState {
    in_explicit_transaction: bool,
    lock_timeout_set: bool,
}

/// What every part of a run is analysed with.
#[derive(Clone, Copy)]
struct Env<'a> {
    project: &'a Project,
    policy: &'a Policy,
    cache: Option<&'a LowerCache>,
}

fn analyze_part(
    env: Env<'_>,
    part: &SqlPart,
    migration: &MigrationInput,
    direction: Direction,
    schema: &mut Schema,
    inherited: Vec<(Namespace, String)>,
) -> PartResult {
    let Env {
        project,
        policy,
        cache,
    } = env;
    let file = &project.files[part.file];
    let mut stmts: Vec<Stmt> = Vec::new();
    let mut splits = Vec::with_capacity(part.chunks.len());
    let mut meta_hits: Vec<PlacedHit> = Vec::new();
    for (ci, chunk) in part.chunks.iter().enumerate() {
        let (split_result, chunk_stmts) = lower_all(chunk.text(file), cache);
        stmts.extend(chunk_stmts.into_iter().map(|s| Stmt { chunk: ci, ..s }));
        splits.push(split_result);
        if let Some(reason) = &chunk.unanalysable {
            let meta = rules::unanalysable_sql::META;
            meta_hits.push(PlacedHit {
                hit: Hit {
                    rule: meta.id,
                    class: meta.class,
                    message: format!("tollgate cannot read this SQL statically: {reason}"),
                    help: "pass a plain string literal so the SQL can be reviewed; with fail_closed (the default) this counts as destructive".into(),
                },
                span: chunk.span.unwrap_or_default(),
                chunk: None,
                stmt: None,
            });
        }
    }

    // Suppressions: an `allow` attaches to the next statement only; `allow-file` to all.
    let mut stmt_allows: Vec<Vec<Tracked>> = vec![Vec::new(); stmts.len()];
    let mut file_allows: Vec<Tracked> = Vec::new();
    let mut pending: Vec<suppress::Allow> = Vec::new();
    let mut stmt_idx = 0;
    for (ci, (chunk, split_result)) in part.chunks.iter().zip(&splits).enumerate() {
        let sql = chunk.text(file);
        for seg in &split_result.segments {
            match seg.kind {
                SegmentKind::Statement => {
                    if stmt_idx < stmt_allows.len() {
                        stmt_allows[stmt_idx] =
                            pending.drain(..).map(|a| tracked((ci, a))).collect();
                    }
                    stmt_idx += 1;
                }
                SegmentKind::Trivia | SegmentKind::MetaCommand => {
                    for t in &split_result.tokens[seg.tokens.clone()] {
                        if !matches!(t.kind, TokenKind::LineComment | TokenKind::BlockComment) {
                            continue;
                        }
                        match suppress::parse_comment(t.text(sql), t.span()) {
                            None => {}
                            Some(Parsed::Invalid { span, message }) => meta_hits.push(PlacedHit {
                                hit: Hit {
                                    rule: rules::invalid_suppression::META.id,
                                    class: None,
                                    message,
                                    help: "write `-- tollgate:allow <rule-id> -- <reason>` directly above the statement".into(),
                                },
                                span,
                                chunk: Some(ci),
                                stmt: None,
                            }),
                            Some(Parsed::Allow(a)) => {
                                for r in &a.rules {
                                    if !rules::is_known(r) {
                                        meta_hits.push(PlacedHit {
                                            hit: Hit {
                                                rule: rules::unknown_rule_in_suppression::META.id,
                                                class: None,
                                                message: format!("`{r}` is not a tollgate rule id"),
                                                help: suggest_rule(r),
                                            },
                                            span: a.span,
                                            chunk: Some(ci),
                                            stmt: None,
                                        });
                                    }
                                }
                                if a.file_wide {
                                    file_allows.push(tracked((ci, a)));
                                } else {
                                    pending.push(a);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // An allow after the last statement suppresses nothing.
    let last_chunk = part.chunks.len().saturating_sub(1);
    let trailing: Vec<Tracked> = pending
        .into_iter()
        .map(|a| tracked((last_chunk, a)))
        .collect();

    // Scope: what this part creates, and which functions it calls.
    let mut scope = MigrationScope::default();
    scope.inherit(inherited);
    let mut called: Vec<(String, usize)> = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        record_creations(&mut scope, &s.lowered.ops, i);
        scope.record_shapes(&s.lowered.ops, i);
        for n in flatten(&s.do_body) {
            record_creations(&mut scope, &n.lowered.ops, i);
        }
        for op in &s.lowered.ops {
            if let Op::Call { function } = op {
                called.push((function.key(), i));
            }
        }
    }

    let mut state = PartState {
        in_explicit_transaction: false,
        lock_timeout_set: false,
    };
    let mut result = PartResult::default();
    let mut raw_hits: Vec<PlacedHit> = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        let mut stmt_hits: Vec<PlacedHit> = Vec::new();
        let ctx_for = |state: &PartState, schema: &Schema, in_do: bool, f: &mut dyn FnMut(&Ctx)| {
            let ctx = Ctx {
                policy,
                direction,
                transaction: migration.transaction,
                batch_transaction: migration.batch_transaction,
                in_explicit_transaction: state.in_explicit_transaction,
                in_do_block: in_do,
                lock_timeout_set: state.lock_timeout_set,
                scope: &scope,
                stmt_index: i,
                schema,
            };
            f(&ctx);
        };
        // Top-level ops.
        for op in &s.lowered.ops {
            let mut hits = Hits::default();
            ctx_for(&state, schema, false, &mut |ctx| {
                run_rules(ctx, op, &mut hits)
            });
            stmt_hits.extend(hits.items.into_iter().map(|hit| PlacedHit {
                hit,
                span: s.span,
                chunk: Some(s.chunk),
                stmt: Some(i),
            }));
            track_state(&mut state, op);
            record_data_shape(&mut result, op, s.chunk, s.span);
            for event in column_events(op) {
                result.column_events.push((s.chunk, s.span, event));
            }
            schema.apply(op);
        }
        // DO bodies run now; so does the body of a function this migration calls later.
        let mut executed: Vec<&Nested> = flatten(&s.do_body);
        for op in &s.lowered.ops {
            if let Op::CreateFunction { name, .. } = op {
                if called.iter().any(|(k, at)| *k == name.key() && *at > i) {
                    executed.extend(flatten(&s.fn_body));
                }
            }
        }
        let runs_function_now = !executed.is_empty() && s.do_body.is_empty();
        for n in &executed {
            for op in &n.lowered.ops {
                let mut hits = Hits::default();
                ctx_for(&state, schema, true, &mut |ctx| {
                    run_rules(ctx, op, &mut hits)
                });
                stmt_hits.extend(hits.items.into_iter().map(|mut hit| {
                    hit.message = if runs_function_now {
                        format!("{} (inside a function this migration calls)", hit.message)
                    } else {
                        format!("{} (inside a DO block)", hit.message)
                    };
                    PlacedHit {
                        hit,
                        span: n.span,
                        chunk: Some(s.chunk),
                        stmt: Some(i),
                    }
                }));
                schema.apply(op);
                // DDL inside a DO block is usually conditional: don't trust the model blindly.
                for t in touched_tables(op) {
                    schema.mark_uncertain(t);
                }
            }
            if !n.lowered.parsed {
                stmt_hits.push(unparsed_hit(&n.lowered, n.span, s.chunk, i));
            }
        }
        // Function bodies that don't run now: report destructive DDL they would run.
        if !runs_function_now {
            stmt_hits.extend(function_body_hits(s, i));
        }
        if !s.lowered.parsed {
            stmt_hits.push(unparsed_hit(&s.lowered, s.span, s.chunk, i));
        }
        // What only the token fallback read is followed with less detail (a column default, a
        // constraint's columns): later verdicts on those tables say so.
        if !s.lowered.parsed {
            for op in &s.lowered.ops {
                for t in touched_tables(op) {
                    schema.mark_uncertain(t);
                }
            }
        }
        // Opt-in rules (off in the default policy) only count when the user switched them on;
        // rules the user switched off still count, so the review gate stays honest.
        stmt_hits.retain(|h| {
            !(policy.level(h.hit.rule) == Level::Off && default_level(h.hit.rule) == Level::Off)
        });
        let class = stmt_hits
            .iter()
            .filter_map(|h| h.hit.class)
            .max()
            .unwrap_or(Class::Additive);
        result.class = Some(result.class.map_or(class, |c: Class| c.max(class)));
        result.statements.push((
            s.chunk,
            s.span,
            s.lowered.kind.clone(),
            class,
            s.lowered.parsed,
        ));
        raw_hits.extend(stmt_hits);
    }

    // Apply suppressions, exactly scoped.
    for ph in raw_hits {
        let mut suppressed = false;
        if let Some(i) = ph.stmt {
            for ((_, allow), used) in stmt_allows[i].iter_mut() {
                if let Some(k) = allow.rules.iter().position(|r| r == ph.hit.rule) {
                    used[k] = true;
                    suppressed = true;
                }
            }
        }
        for ((_, allow), used) in file_allows.iter_mut() {
            if let Some(k) = allow.rules.iter().position(|r| r == ph.hit.rule) {
                used[k] = true;
                suppressed = true;
            }
        }
        if suppressed {
            result.suppressed += 1;
        } else {
            result.hits.push(ph);
        }
    }
    let all_allows = stmt_allows
        .iter()
        .flatten()
        .chain(file_allows.iter())
        .chain(trailing.iter());
    for ((ci, allow), used) in all_allows {
        for (r, u) in allow.rules.iter().zip(used) {
            if !u && rules::is_known(r) {
                result.hits.push(PlacedHit {
                    hit: Hit {
                        rule: rules::unused_suppression::META.id,
                        class: None,
                        message: if allow.file_wide {
                            format!("`tollgate:allow-file {r}` suppresses nothing in this file")
                        } else {
                            format!("`tollgate:allow {r}` suppresses nothing on the statement that follows it")
                        },
                        help: "remove the comment, or move it directly above the statement it is meant for".into(),
                    },
                    span: allow.span,
                    chunk: Some(*ci),
                    stmt: None,
                });
            }
        }
    }
    // Unreadable chunks count toward the part's class (fail closed).
    for h in &meta_hits {
        if let Some(c) = h.hit.class {
            result.class = Some(result.class.map_or(c, |r| r.max(c)));
        }
    }
    result.hits.extend(meta_hits);
    result.creations = scope.creations();
    result
}

fn flatten(nested: &[Nested]) -> Vec<&Nested> {
    let mut out = Vec::new();
    for n in nested {
        out.push(n);
        out.extend(flatten(&n.nested));
    }
    out
}

fn run_rules(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    for rule in RULES {
        (rule.check)(ctx, op, hits);
    }
}

/// Remembers drops and (re-)creations of tables and columns, for `down-restores-schema-only`.
fn record_data_shape(result: &mut PartResult, op: &Op, chunk: usize, span: Span) {
    match op {
        Op::DropColumn { table, column, .. } => result.dropped.push((
            chunk,
            span,
            format!("column `{table}.{column}`"),
            format!("column:{}", rules::column_key(table, column)),
        )),
        Op::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } => {
            for t in names {
                result.dropped.push((
                    chunk,
                    span,
                    format!("table `{t}`"),
                    format!("table:{}", t.key()),
                ));
            }
        }
        Op::AddColumn { table, column, .. } => result
            .recreated
            .push(format!("column:{}", rules::column_key(table, &column.name))),
        Op::CreateTable { table, .. } => result.recreated.push(format!("table:{}", table.key())),
        // A down that copies rows back (from a backup table) restores data, not only shape.
        Op::Insert { table } | Op::Update { table, .. } => {
            result.recreated.push(format!("restored:{}", table.key()))
        }
        _ => {}
    }
}

fn track_state(state: &mut PartState, op: &Op) {
    match op {
        Op::Transaction {
            control: TxControl::Begin,
        } => state.in_explicit_transaction = true,
        Op::Transaction {
            control: TxControl::Commit | TxControl::Rollback,
        } => state.in_explicit_transaction = false,
        Op::SetParameter { name, value, .. } if name == "lock_timeout" => {
            let v = value.trim().trim_matches('\'').trim();
            state.lock_timeout_set =
                !(v == "0" || v.eq_ignore_ascii_case("default") || v.is_empty());
        }
        Op::ResetParameter { name } if name.as_deref().is_none_or(|n| n == "lock_timeout") => {
            state.lock_timeout_set = false
        }
        _ => {}
    }
}

fn touched_tables(op: &Op) -> Vec<&ObjectName> {
    match op {
        Op::CreateTable { table, .. }
        | Op::AddColumn { table, .. }
        | Op::DropColumn { table, .. }
        | Op::RenameColumn { table, .. }
        | Op::AlterColumnType { table, .. }
        | Op::SetNotNull { table, .. }
        | Op::DropNotNull { table, .. }
        | Op::AddConstraint { table, .. }
        | Op::DropConstraint { table, .. }
        | Op::RenameConstraint { table, .. }
        | Op::SetDefault { table, .. }
        | Op::DropDefault { table, .. }
        | Op::CreateIndex { table, .. }
        | Op::Locking {
            table: Some(table), ..
        } => vec![table],
        Op::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } => names.iter().collect(),
        Op::Rename {
            kind: ObjectKind::Table,
            from,
            to,
        } => vec![from, to],
        _ => vec![],
    }
}

fn unparsed_hit(lowered: &Lowered, span: Span, chunk: usize, i: usize) -> PlacedHit {
    let meta = rules::unparsed_statement::META;
    let why = lowered
        .parse_error
        .as_deref()
        .unwrap_or("sqlparser could not read it");
    PlacedHit {
        hit: Hit {
            rule: meta.id,
            class: None,
            message: format!("`{}` statement analysed by the token-level fallback ({why})", lowered.kind),
            help: "the fallback recognises destructive and locking forms, but checks fewer details; review this statement by hand".into(),
        },
        span,
        chunk: Some(chunk),
        stmt: Some(i),
    }
}

/// `ddl-in-function-body`: destructive DDL inside a function that this migration does not call.
fn function_body_hits(s: &Stmt, i: usize) -> Vec<PlacedHit> {
    let meta = rules::ddl_in_function_body::META;
    let mut out = Vec::new();
    for n in flatten(&s.fn_body) {
        let what = n.lowered.ops.iter().find_map(|op| match op {
            Op::Drop { kind, names, .. } => Some(format!(
                "DROP {} {}",
                kind.label().to_uppercase(),
                names
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Op::DropColumn { table, column, .. } => {
                Some(format!("ALTER TABLE {table} DROP COLUMN {column}"))
            }
            Op::Truncate { tables } => Some(format!(
                "TRUNCATE {}",
                tables
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Op::Rename { kind, from, .. } => Some(format!("rename of {} {from}", kind.label())),
            Op::RenameColumn { table, from, .. } => {
                Some(format!("rename of column {table}.{from}"))
            }
            Op::AlterColumnType { table, column, .. } => {
                Some(format!("type change of {table}.{column}"))
            }
            _ => None,
        });
        if let Some(what) = what {
            out.push(PlacedHit {
                hit: Hit {
                    rule: meta.id,
                    class: meta.class,
                    message: format!("the function body runs {what} every time it is called"),
                    help: "keep schema changes in migrations; if the function must run DDL, review who calls it and guard it".into(),
                },
                span: n.span,
                chunk: Some(s.chunk),
                stmt: Some(i),
            });
        }
    }
    out
}

fn suggest_rule(unknown: &str) -> String {
    let best = RULES
        .iter()
        .map(|r| (edit_distance(unknown, r.meta.id), r.meta.id))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, id)) if d <= 3 => {
            format!("did you mean `{id}`? The rule list is in docs/rules/README.md")
        }
        _ => "see docs/rules/README.md for the rule ids".into(),
    }
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// One statement as a migration tool would send it to the server, with where it stands in
/// its file: what `tollgate verify` executes, and how a server error maps back to
/// file:line:column (inside a MikroORM `addSql` string too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecStatement {
    pub sql: String,
    /// Index into [`Project::files`].
    pub file: usize,
    /// Byte range in the file.
    pub start: usize,
    pub end: usize,
    /// The statement begins or ends a transaction itself (`BEGIN`, `COMMIT`, ...).
    pub transaction_control: bool,
}

/// The statements of one migration side, in execution order. psql meta-commands (`\restrict`,
/// `\connect`) are left out: a server cannot run them.
pub fn exec_statements(project: &Project, part: &SqlPart) -> Vec<ExecStatement> {
    let file = &project.files[part.file];
    let mut out = Vec::new();
    for (ci, chunk) in part.chunks.iter().enumerate() {
        let sql = chunk.text(file);
        let result = split::split(sql);
        for seg in result.statements() {
            let text = &sql[seg.span.start..seg.span.end];
            let (start, end) = to_file(part, Some(ci), seg.span);
            let first = result
                .segment_tokens(seg)
                .iter()
                .find(|t| !matches!(t.kind, TokenKind::LineComment | TokenKind::BlockComment))
                .map(|t| t.text(sql).to_ascii_uppercase())
                .unwrap_or_default();
            out.push(ExecStatement {
                sql: text.to_string(),
                file: part.file,
                start,
                end,
                transaction_control: matches!(
                    first.as_str(),
                    "BEGIN" | "COMMIT" | "ROLLBACK" | "END" | "ABORT" | "START"
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod exec_tests {
    use super::*;
    use crate::source::{SourceMap, SqlChunk};

    #[test]
    fn statements_keep_their_place_in_the_file() {
        let mut p = Project::default();
        let text =
            "-- up\nCREATE TABLE a (id int);\n\nBEGIN;\nALTER TABLE a ADD b text;\nCOMMIT;\n";
        let f = p.add_file("m.sql", text);
        let s = exec_statements(&p, &SqlPart::whole_file(f));
        let shown: Vec<(&str, &str, bool)> = s
            .iter()
            .map(|e| (e.sql.as_str(), &text[e.start..e.end], e.transaction_control))
            .collect();
        assert_eq!(shown.len(), 4);
        assert!(shown[0].0.contains("CREATE TABLE a (id int);"), "{shown:?}");
        assert!(shown[1].2 && shown[3].2 && !shown[2].2, "{shown:?}");
        for (sql, in_file, _) in &shown {
            assert_eq!(sql, in_file);
        }
    }

    #[test]
    fn a_chunk_maps_back_into_its_typescript_call() {
        let mut p = Project::default();
        let text = "this.addSql('alter table \"u\" add \"x\" int;');";
        let f = p.add_file("m.ts", text);
        let sql_start = text.find("alter").unwrap();
        let sql = "alter table \"u\" add \"x\" int;";
        let part = SqlPart {
            file: f,
            chunks: vec![SqlChunk {
                sql: Some(sql.to_string()),
                map: SourceMap::Pieces(vec![(0, sql_start)]),
                span: None,
                unanalysable: None,
            }],
        };
        let s = exec_statements(&p, &part);
        assert_eq!(s.len(), 1);
        assert_eq!(&text[s[0].start..s[0].end], sql);
    }
}
