//! The policy: which findings fail the check, which migrations need the review label, where
//! migrations live, and the level of every rule.
//!
//! The defaults are data, in `policies/default.toml`, embedded as [`DEFAULT_POLICY_TOML`].
//! [`Policy::default_policy`] lays that file over a hard-coded base through the same code path
//! that reads a user's `tollgate.toml` ([`Policy::overlay_toml`]), so the file is the single
//! source of truth and is validated exactly like user configuration.
//!
//! Overlay semantics:
//! - a key that is absent keeps its current value;
//! - `[rules]` entries replace only the rules they name;
//! - `paths.include` and `paths.exclude` REPLACE the current lists (so a repository can narrow
//!   discovery), while `paths.extra_exclude` APPENDS to `paths.exclude` (applied after
//!   `exclude` when both appear in one file);
//! - an unknown key, an unknown rule id or an invalid value is a [`PolicyError`] that points at
//!   the offending key or value (file, 1-based line and column); nothing is applied then.
//!
//! Parsing goes through `toml::de::DeTable`, which keeps the byte span of every key and value.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::model::{Class, Level, Severity};
use crate::span::LineIndex;

/// The embedded default policy (`policies/default.toml`).
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../policies/default.toml");
// What is parsed: the same text without its comment lines (see `embedded`).
crate::embedded::stripped!(pub(crate) DEFAULT_POLICY_PARSED = DEFAULT_POLICY_TOML);

/// Where the rule documentation index lives, for error messages.
const RULES_DOC: &str = "docs/rules/README.md";

/// Oldest and newest supported PostgreSQL major versions.
pub const MIN_POSTGRES_VERSION: u32 = 11;
pub const MAX_POSTGRES_VERSION: u32 = 18;

const TOP_KEYS: &[&str] = &[
    "fail_on",
    "fail_closed",
    "postgres_version",
    "require_down",
    "require_migrations",
    "down_severity",
    "layout",
    "mikro_orm_all_or_nothing",
    "review",
    "paths",
    "rules",
    "dumps",
    "anonymize",
    "pii",
];
const DUMPS_KEYS: &[&str] = &["scan", "allow_opaque", "fixtures", "baseline"];
const ANONYMIZE_KEYS: &[&str] = &["script", "non_personal"];
const REVIEW_KEYS: &[&str] = &["label", "class", "require_approving_review"];
const PATHS_KEYS: &[&str] = &["include", "exclude", "extra_exclude"];

/// The lowest severity that fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    const CHOICES: &'static [(&'static str, FailOn)] = &[
        ("error", FailOn::Error),
        ("warning", FailOn::Warning),
        ("info", FailOn::Info),
        ("never", FailOn::Never),
    ];

    pub fn parse(s: &str) -> Option<FailOn> {
        lookup(Self::CHOICES, s)
    }

    pub fn as_str(self) -> &'static str {
        name_of(Self::CHOICES, self)
    }
}

/// Which up migrations need a down migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequireDown {
    All,
    Destructive,
    Never,
}

impl RequireDown {
    const CHOICES: &'static [(&'static str, RequireDown)] = &[
        ("all", RequireDown::All),
        ("destructive", RequireDown::Destructive),
        ("never", RequireDown::Never),
    ];

    pub fn parse(s: &str) -> Option<RequireDown> {
        lookup(Self::CHOICES, s)
    }

    pub fn as_str(self) -> &'static str {
        name_of(Self::CHOICES, self)
    }
}

/// `layout`: "auto" (detect per directory) or a tool name that every directory follows.
const LAYOUT_CHOICES: &[(&str, Option<crate::sources::Tool>)] = &[
    ("auto", None),
    ("plain", Some(crate::sources::Tool::Plain)),
    ("golang-migrate", Some(crate::sources::Tool::GolangMigrate)),
    ("sqlx", Some(crate::sources::Tool::Sqlx)),
    ("diesel", Some(crate::sources::Tool::Diesel)),
    ("dbmate", Some(crate::sources::Tool::Dbmate)),
    ("flyway", Some(crate::sources::Tool::Flyway)),
    ("liquibase", Some(crate::sources::Tool::Liquibase)),
    ("prisma", Some(crate::sources::Tool::Prisma)),
    ("ory", Some(crate::sources::Tool::Ory)),
];

const LEVEL_CHOICES: &[(&str, Level)] = &[
    ("error", Level::Error),
    ("warning", Level::Warning),
    ("info", Level::Info),
    ("off", Level::Off),
];

/// `review.class` accepts only these: `unknown` is governed by `fail_closed`, `additive` would
/// make every migration need the label.
const REVIEW_CLASS_CHOICES: &[(&str, Class)] =
    &[("risky", Class::Risky), ("destructive", Class::Destructive)];

fn lookup<T: Copy>(choices: &[(&str, T)], s: &str) -> Option<T> {
    choices.iter().find(|(name, _)| *name == s).map(|&(_, v)| v)
}

fn name_of<T: Copy + PartialEq>(choices: &[(&'static str, T)], v: T) -> &'static str {
    choices
        .iter()
        .find(|(_, c)| *c == v)
        .map_or("", |&(name, _)| name)
}

/// The review-label gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPolicy {
    /// The label that approves a migration needing review.
    pub label: String,
    /// The lowest class that needs the label: `Risky` or `Destructive`.
    pub class: Class,
    /// Whether an approving review is required on top of the label.
    pub require_approving_review: bool,
}

/// Migration discovery globs, relative to the repository root.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsPolicy {
    pub include: Vec<String>,
    /// Includes any `extra_exclude` globs, appended in order.
    pub exclude: Vec<String>,
}

/// The dump guard (`tollgate dumps`, and `tollgate check` over `scan`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DumpsPolicy {
    /// Globs of the files `tollgate check` runs the dump guard over.
    pub scan: Vec<String>,
    /// Globs of binary or custom-format dumps that may be committed (they cannot be read row by
    /// row, so they are blocked unless named here).
    pub allow_opaque: Vec<String>,
    /// Globs of fixture files allowed to hold personal-looking data, but only when every value is
    /// synthetic (for example every email on a reserved domain such as example.com).
    pub fixtures: Vec<String>,
    /// The baseline file of content fingerprints, relative to the repository root. Nothing is
    /// suppressed when the file does not exist.
    pub baseline: String,
}

/// The anonymisation coverage check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnonymizePolicy {
    /// The script that masks personal columns before a production copy leaves production,
    /// relative to the repository root. Coverage is checked only when it exists.
    pub script: String,
    /// `"table.column"` → why it is not personal data.
    pub non_personal: BTreeMap<String, String>,
}

/// The effective policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub fail_on: FailOn,
    pub fail_closed: bool,
    pub postgres_version: u32,
    pub require_down: RequireDown,
    pub require_migrations: bool,
    /// Force one SQL layout for every migrations directory; `None` detects per directory.
    pub layout: Option<crate::sources::Tool>,
    /// MikroORM's `migrations.allOrNothing` (default true): every pending migration runs inside one
    /// master transaction. tollgate also reads `allOrNothing: false` from `mikro-orm.config.*`.
    pub mikro_orm_all_or_nothing: bool,
    pub down_severity: Level,
    pub review: ReviewPolicy,
    pub paths: PathsPolicy,
    pub rules: BTreeMap<String, Level>,
    pub dumps: DumpsPolicy,
    pub anonymize: AnonymizePolicy,
    /// Personal-data dictionaries, value checks and thresholds: `policies/pii.toml` with the
    /// `[pii]` table of the user's file laid over it.
    #[serde(skip)]
    pub pii: crate::pii::PiiPolicy,
}

/// A configuration error, pointing at the offending key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file (or command-line flag) the configuration came from.
    pub path: String,
    /// 1-based line, when the error has a position.
    pub line: Option<usize>,
    /// 1-based column in characters, when the error has a position.
    pub column: Option<usize>,
    /// The dotted key concerned (`review.class`, `rules.drop-table`), when there is one.
    pub key: Option<String>,
    /// One line saying what is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// The base the embedded default file is laid over. Every field the file sets is
    /// overwritten; the rule map starts empty so a rule missing from the file is caught by tests.
    fn hard_base() -> Policy {
        Policy {
            fail_on: FailOn::Error,
            fail_closed: true,
            postgres_version: 15,
            require_down: RequireDown::All,
            require_migrations: false,
            layout: None,
            mikro_orm_all_or_nothing: true,
            down_severity: Level::Info,
            review: ReviewPolicy {
                label: "migration:destructive-approved".to_string(),
                class: Class::Destructive,
                require_approving_review: false,
            },
            paths: PathsPolicy {
                include: Vec::new(),
                exclude: Vec::new(),
            },
            rules: BTreeMap::new(),
            dumps: DumpsPolicy {
                scan: Vec::new(),
                allow_opaque: Vec::new(),
                fixtures: Vec::new(),
                baseline: String::new(),
            },
            anonymize: AnonymizePolicy {
                script: String::new(),
                non_personal: BTreeMap::new(),
            },
            pii: crate::pii::PiiPolicy::default_policy(),
        }
    }

    /// The embedded default policy. Never fails: a unit test parses the embedded file.
    pub fn default_policy() -> Policy {
        static DEFAULT: OnceLock<Policy> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                let mut policy = Policy::hard_base();
                if let Err(e) = policy.overlay_toml("policies/default.toml", DEFAULT_POLICY_PARSED)
                {
                    panic!("the embedded default policy is invalid: {e}");
                }
                policy
            })
            .clone()
    }

    /// Lays a `tollgate.toml` over `self`; see the module documentation for the semantics.
    /// On error `self` is left unchanged.
    pub fn overlay_toml(&mut self, path: &str, text: &str) -> Result<(), PolicyError> {
        let cx = Cx {
            path,
            text,
            index: LineIndex::new(text),
        };
        let root = DeTable::parse(text).map_err(|e| cx.syntax_error(&e))?;
        let mut next = self.clone();
        next.apply_root(&cx, root.get_ref())?;
        *self = next;
        Ok(())
    }

    /// A command-line override of one rule's level (`--rule id=level`).
    pub fn set_rule_level(&mut self, rule: &str, level: Level) -> Result<(), PolicyError> {
        if !crate::rules::is_known(rule) {
            return Err(PolicyError {
                path: "--rule".to_string(),
                line: None,
                column: None,
                key: Some(format!("rules.{rule}")),
                message: unknown_rule_message(rule, ""),
            });
        }
        self.rules.insert(rule.to_string(), level);
        Ok(())
    }

    /// The configured level of a rule; `Off` for an unknown id.
    pub fn level(&self, rule: &str) -> Level {
        self.rules.get(rule).copied().unwrap_or(Level::Off)
    }

    /// Does a finding of this severity fail the check?
    pub fn fails(&self, severity: Severity) -> bool {
        match self.fail_on {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }

    /// The class used for gating: `Unknown` counts as `Destructive` when failing closed, and
    /// stays `Unknown` otherwise. Other classes are unchanged.
    pub fn gate_class(&self, class: Class) -> Class {
        match class {
            Class::Unknown if self.fail_closed => Class::Destructive,
            other => other,
        }
    }

    /// Does a migration of this class need the review label?
    ///
    /// - `Additive`: never.
    /// - `Risky`: only when `review.class` is `risky`.
    /// - `Destructive`: always (`review.class` is at most `destructive`).
    /// - `Unknown`: exactly when `fail_closed` is true (it then gates as `Destructive`); with
    ///   `fail_closed = false` unknown statements never need the label.
    pub fn needs_review(&self, class: Class) -> bool {
        match self.gate_class(class) {
            Class::Additive | Class::Unknown => false,
            gated => gated >= self.review.class,
        }
    }

    /// The compiled discovery globs.
    pub fn path_matcher(&self) -> Result<PathMatcher, PolicyError> {
        Ok(PathMatcher {
            include: build_set(&self.paths.include, "paths.include")?,
            exclude: build_set(&self.paths.exclude, "paths.exclude")?,
        })
    }

    fn apply_root(&mut self, cx: &Cx<'_>, root: &DeTable<'_>) -> Result<(), PolicyError> {
        for (key, value) in sorted_entries(root) {
            let name = key.get_ref().as_ref();
            match name {
                "fail_on" => self.fail_on = cx.choice(name, value, FailOn::CHOICES)?,
                "fail_closed" => self.fail_closed = cx.boolean(name, value)?,
                "postgres_version" => self.postgres_version = cx.postgres_version(name, value)?,
                "require_down" => {
                    self.require_down = cx.choice(name, value, RequireDown::CHOICES)?
                }
                "require_migrations" => self.require_migrations = cx.boolean(name, value)?,
                "layout" => self.layout = cx.choice(name, value, LAYOUT_CHOICES)?,
                "mikro_orm_all_or_nothing" => {
                    self.mikro_orm_all_or_nothing = cx.boolean(name, value)?
                }
                "down_severity" => self.down_severity = cx.choice(name, value, LEVEL_CHOICES)?,
                "review" => self.apply_review(cx, cx.table(name, value)?)?,
                "paths" => self.apply_paths(cx, cx.table(name, value)?)?,
                "rules" => self.apply_rules(cx, cx.table(name, value)?)?,
                "dumps" => self.apply_dumps(cx, cx.table(name, value)?)?,
                "anonymize" => self.apply_anonymize(cx, cx.table(name, value)?)?,
                "pii" => {
                    let table = cx.table(name, value)?;
                    self.pii
                        .overlay_table(cx.path, cx.text, table)
                        .map_err(|e| pii_error(cx.path, &e))?;
                }
                _ => {
                    let hint = if crate::rules::is_known(name) {
                        "rule levels go in the [rules] table; ".to_string()
                    } else {
                        did_you_mean(name, TOP_KEYS.iter().copied())
                            .map(|s| format!("did you mean `{s}`? "))
                            .unwrap_or_default()
                    };
                    return Err(cx.error(
                        key.span(),
                        name,
                        format!(
                            "unknown key `{name}` ({hint}expected one of: {})",
                            TOP_KEYS.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn apply_review(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), PolicyError> {
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let full = format!("review.{name}");
            match name {
                "label" => {
                    let label =
                        cx.string(&full, value, "a label name, e.g. \"migration:approved\"")?;
                    if label.trim().is_empty() {
                        return Err(cx.error(
                            value.span(),
                            &full,
                            format!("`{full}` must name the label that approves a migration, got an empty string"),
                        ));
                    }
                    self.review.label = label.to_string();
                }
                "class" => self.review.class = cx.choice(&full, value, REVIEW_CLASS_CHOICES)?,
                "require_approving_review" => {
                    self.review.require_approving_review = cx.boolean(&full, value)?
                }
                _ => return Err(cx.unknown_in_table(key, "review", REVIEW_KEYS)),
            }
        }
        Ok(())
    }

    fn apply_paths(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), PolicyError> {
        let mut extra = None;
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let full = format!("paths.{name}");
            match name {
                "include" => self.paths.include = cx.globs(&full, value)?,
                "exclude" => self.paths.exclude = cx.globs(&full, value)?,
                "extra_exclude" => extra = Some(cx.globs(&full, value)?),
                _ => return Err(cx.unknown_in_table(key, "paths", PATHS_KEYS)),
            }
        }
        if let Some(extra) = extra {
            self.paths.exclude.extend(extra);
        }
        Ok(())
    }

    fn apply_dumps(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), PolicyError> {
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let full = format!("dumps.{name}");
            match name {
                "scan" => self.dumps.scan = cx.globs(&full, value)?,
                "allow_opaque" => self.dumps.allow_opaque = cx.globs(&full, value)?,
                "fixtures" => self.dumps.fixtures = cx.globs(&full, value)?,
                "baseline" => {
                    self.dumps.baseline = cx
                        .string(&full, value, "a path, e.g. \"tollgate.baseline.toml\"")?
                        .to_string()
                }
                _ => return Err(cx.unknown_in_table(key, "dumps", DUMPS_KEYS)),
            }
        }
        Ok(())
    }

    fn apply_anonymize(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), PolicyError> {
        for (key, value) in sorted_entries(table) {
            let name = key.get_ref().as_ref();
            let full = format!("anonymize.{name}");
            match name {
                "script" => {
                    self.anonymize.script = cx
                        .string(&full, value, "a path, e.g. \"scripts/anonymize-data.sql\"")?
                        .to_string()
                }
                "non_personal" => {
                    for (col, reason) in sorted_entries(cx.table(&full, value)?) {
                        let col_name = col.get_ref().as_ref();
                        let entry = format!("{full}.\"{col_name}\"");
                        let reason =
                            cx.string(&entry, reason, "why the column is not personal data")?;
                        if !col_name.contains('.') || reason.trim().is_empty() {
                            return Err(cx.error(
                                col.span(),
                                &entry,
                                format!("`{entry}` needs a `\"table.column\" = \"reason\"` entry with a reason"),
                            ));
                        }
                        self.anonymize
                            .non_personal
                            .insert(col_name.to_lowercase(), reason.to_string());
                    }
                }
                _ => return Err(cx.unknown_in_table(key, "anonymize", ANONYMIZE_KEYS)),
            }
        }
        Ok(())
    }

    fn apply_rules(&mut self, cx: &Cx<'_>, table: &DeTable<'_>) -> Result<(), PolicyError> {
        for (key, value) in sorted_entries(table) {
            let id = key.get_ref().as_ref();
            let full = format!("rules.{id}");
            if !crate::rules::is_known(id) {
                return Err(cx.error(key.span(), &full, unknown_rule_message(id, " in [rules]")));
            }
            let level = cx.choice(&full, value, LEVEL_CHOICES)?;
            self.rules.insert(id.to_string(), level);
        }
        Ok(())
    }
}

/// Compiled include/exclude globs.
#[derive(Debug, Clone)]
pub struct PathMatcher {
    include: GlobSet,
    exclude: GlobSet,
}

impl PathMatcher {
    /// Is `rel` (a `/`-separated path relative to the repository root) a migration: matched by
    /// an include glob and not excluded?
    pub fn is_match(&self, rel: &str) -> bool {
        let rel = normalize(rel);
        self.include.is_match(rel) && !self.is_excluded(rel)
    }

    /// Is `rel` excluded: matched by an exclude glob itself, or inside a directory that is?
    /// A directory counts as matched by `dir/**`-style globs, so a walker can call this on
    /// directories to prune them (`node_modules` is excluded by `**/node_modules/**`).
    pub fn is_excluded(&self, rel: &str) -> bool {
        let rel = normalize(rel);
        if rel.is_empty() {
            return false;
        }
        if self.exclude.is_match(rel) {
            return true;
        }
        // The path itself taken as a directory, then each ancestor directory.
        let mut end = rel.len();
        loop {
            let dir = &rel[..end];
            if self.exclude.is_match(format!("{dir}/")) {
                return true;
            }
            if dir != rel && self.exclude.is_match(dir) {
                return true;
            }
            match dir.rfind('/') {
                Some(slash) => end = slash,
                None => return false,
            }
        }
    }
}

fn normalize(rel: &str) -> &str {
    let mut rel = rel;
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    rel.trim_start_matches('/')
}

/// Compiles one glob the way [`PathMatcher`] uses it: `*` and `?` never cross `/`.
fn compile_glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

fn build_set(patterns: &[String], key: &str) -> Result<GlobSet, PolicyError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = compile_glob(pattern).map_err(|e| PolicyError {
            path: "policy".to_string(),
            line: None,
            column: None,
            key: Some(key.to_string()),
            message: glob_message(pattern, key, &e),
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| PolicyError {
        path: "policy".to_string(),
        line: None,
        column: None,
        key: Some(key.to_string()),
        message: format!(
            "cannot compile the globs in `{key}`: {}",
            one_line(&e.to_string())
        ),
    })
}

fn glob_message(pattern: &str, key: &str, e: &globset::Error) -> String {
    format!(
        "invalid glob {pattern:?} in `{key}`: {} (globs use globset syntax, e.g. \"**/migrations/*.sql\")",
        one_line(&e.kind().to_string())
    )
}

fn unknown_rule_message(id: &str, place: &str) -> String {
    let ids = crate::rules::RULES.iter().map(|r| r.meta.id);
    match did_you_mean(id, ids) {
        Some(s) => format!("unknown rule id `{id}`{place} (did you mean `{s}`?; see {RULES_DOC})"),
        None => format!("unknown rule id `{id}`{place} (see {RULES_DOC} for the list of rules)"),
    }
}

/// Entries in source order, so the first problem in the file is the one reported.
fn sorted_entries<'a, 'i>(
    table: &'a DeTable<'i>,
) -> Vec<(
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// Collapses a possibly multi-line message to one line.
fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn a_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The closest candidate within a small edit distance, if any.
fn did_you_mean<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (input.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = edit_distance(input, candidate);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions each cost 1.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = v;
        }
    }
    d[a.len() * width + b.len()]
}

/// The file being read, for turning spans into positioned errors.
/// Turns a PII policy error (`path:line:column: message`) into a [`PolicyError`].
fn pii_error(path: &str, e: &str) -> PolicyError {
    let rest = e
        .strip_prefix(path)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or(e);
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|l| l.parse::<usize>().ok());
    let column = parts.next().and_then(|c| c.parse::<usize>().ok());
    let message = match (line, column) {
        (Some(_), Some(_)) => parts.next().unwrap_or("").trim().to_string(),
        _ => rest.trim().to_string(),
    };
    PolicyError {
        path: path.to_string(),
        line,
        column: column.filter(|_| line.is_some()),
        key: Some("pii".to_string()),
        message: format!("[pii]: {message}"),
    }
}

struct Cx<'a> {
    path: &'a str,
    text: &'a str,
    index: LineIndex,
}

impl Cx<'_> {
    fn error(&self, span: Range<usize>, key: &str, message: String) -> PolicyError {
        let pos = self.index.position(self.text, span.start);
        PolicyError {
            path: self.path.to_string(),
            line: Some(pos.line),
            column: Some(pos.column),
            key: Some(key.to_string()),
            message,
        }
    }

    fn syntax_error(&self, e: &toml::de::Error) -> PolicyError {
        let (line, column) = match e.span() {
            Some(span) => {
                let pos = self.index.position(self.text, span.start);
                (Some(pos.line), Some(pos.column))
            }
            None => (None, None),
        };
        PolicyError {
            path: self.path.to_string(),
            line,
            column,
            key: None,
            message: format!("invalid TOML: {}", one_line(e.message())),
        }
    }

    /// The value as the user wrote it, on one line and shortened, for messages.
    fn shown(&self, span: Range<usize>) -> String {
        let raw = self.text.get(span).unwrap_or("");
        let flat = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 40 {
            let cut: String = flat.chars().take(37).collect();
            format!("{cut}...")
        } else {
            flat
        }
    }

    fn unknown_in_table(
        &self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        table: &str,
        keys: &[&str],
    ) -> PolicyError {
        let name = key.get_ref().as_ref();
        let hint = did_you_mean(name, keys.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        self.error(
            key.span(),
            &format!("{table}.{name}"),
            format!(
                "unknown key `{name}` in [{table}] ({hint}expected one of: {})",
                keys.join(", ")
            ),
        )
    }

    fn choice<T: Copy>(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        choices: &[(&str, T)],
    ) -> Result<T, PolicyError> {
        if let DeValue::String(s) = value.get_ref() {
            if let Some(v) = lookup(choices, s) {
                return Ok(v);
            }
        }
        let expected = choices
            .iter()
            .map(|(name, _)| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(", ");
        Err(self.error(
            value.span(),
            key,
            format!(
                "invalid value {} for `{key}`: expected one of {expected}",
                self.shown(value.span())
            ),
        ))
    }

    fn boolean(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<bool, PolicyError> {
        match value.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            other => Err(self.error(
                value.span(),
                key,
                format!(
                    "`{key}` must be true or false (without quotes), got {} {}",
                    a_type(other),
                    self.shown(value.span())
                ),
            )),
        }
    }

    fn string<'v>(
        &self,
        key: &str,
        value: &'v Spanned<DeValue<'_>>,
        example: &str,
    ) -> Result<&'v str, PolicyError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.as_ref()),
            other => Err(self.error(
                value.span(),
                key,
                format!(
                    "`{key}` must be a quoted string ({example}), got {} {}",
                    a_type(other),
                    self.shown(value.span())
                ),
            )),
        }
    }

    fn table<'v, 'i>(
        &self,
        key: &str,
        value: &'v Spanned<DeValue<'i>>,
    ) -> Result<&'v DeTable<'i>, PolicyError> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(t),
            other => Err(self.error(
                value.span(),
                key,
                format!(
                    "`{key}` must be a table (write a `[{key}]` section), got {} {}",
                    a_type(other),
                    self.shown(value.span())
                ),
            )),
        }
    }

    fn postgres_version(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<u32, PolicyError> {
        let range = format!("between {MIN_POSTGRES_VERSION} and {MAX_POSTGRES_VERSION}");
        match value.get_ref() {
            DeValue::Integer(i) => {
                let n = i64::from_str_radix(i.as_str(), i.radix()).ok();
                match n {
                    Some(n)
                        if (i64::from(MIN_POSTGRES_VERSION)..=i64::from(MAX_POSTGRES_VERSION))
                            .contains(&n) =>
                    {
                        Ok(n as u32)
                    }
                    _ => Err(self.error(
                        value.span(),
                        key,
                        format!("`{key}` must be {range}, got {}", self.shown(value.span())),
                    )),
                }
            }
            other => Err(self.error(
                value.span(),
                key,
                format!(
                    "`{key}` must be an integer {range} written without quotes (e.g. `{key} = 15`), got {} {}",
                    a_type(other),
                    self.shown(value.span())
                ),
            )),
        }
    }

    fn globs(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, PolicyError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.error(
                value.span(),
                key,
                format!(
                    "`{key}` must be an array of glob strings (e.g. `{key} = [\"**/migrations/*.sql\"]`), got {} {}",
                    a_type(value.get_ref()),
                    self.shown(value.span())
                ),
            ));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            let DeValue::String(pattern) = item.get_ref() else {
                return Err(self.error(
                    item.span(),
                    key,
                    format!(
                        "every entry of `{key}` must be a quoted glob string, got {} {}",
                        a_type(item.get_ref()),
                        self.shown(item.span())
                    ),
                ));
            };
            if let Err(e) = compile_glob(pattern) {
                return Err(self.error(item.span(), key, glob_message(pattern, key, &e)));
            }
            out.push(pattern.to_string());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ERROR_RULES: &[&str] = &[
        "migration-failed",
        "down-does-not-restore",
        "classification-mismatch",
        "personal-data-in-dump",
        "opaque-dump",
        "dump-not-scanned",
        "personal-column-not-anonymized",
        "drop-table",
        "drop-column",
        "drop-schema",
        "drop-database",
        "drop-sequence",
        "drop-type",
        "drop-enum-value",
        "rename-enum-value",
        "truncate-table",
        "delete-rows",
        "rename-table",
        "rename-column",
        "rename-object",
        "unsafe-type-change",
        "rename-as-drop-add",
        "split-statement",
        "concurrently-in-transaction",
        "unknown-statement",
        "unanalysable-sql",
        "missing-down",
        "mikro-orm-all-or-nothing",
        "duplicate-migration-version",
        "out-of-order-migration",
        "applied-migration-changed",
        "schema-sync-at-startup",
    ];
    const WARNING_RULES: &[&str] = &[
        "drop-materialized-view",
        "drop-view",
        "drop-function",
        "drop-trigger",
        "create-index-without-concurrently",
        "drop-index-without-concurrently",
        "reindex-without-concurrently",
        "fails-on-populated-table",
        "set-not-null",
        "constraint-without-not-valid",
        "unique-constraint-without-index",
        "volatile-default",
        "type-change-rewrite",
        "vacuum-full",
        "cluster-table",
        "lock-table",
        "locking-statement",
        "update-rows",
        "enum-value-in-transaction",
        "ddl-in-function-body",
        "unknown-rule-in-suppression",
        "unused-suppression",
        "invalid-suppression",
        "orphan-down-migration",
        "unrecognised-migration-file",
        "migration-failure-ignored",
        "down-loses-data",
        "blocking-lock-without-timeout",
        "table-rewrite",
    ];
    const INFO_RULES: &[&str] = &[
        "unparsed-statement",
        "down-restores-schema-only",
        "blocking-lock",
    ];
    const OFF_RULES: &[&str] = &[
        "lock-timeout-missing",
        "prefer-jsonb",
        "foreign-key-without-index",
    ];

    fn overlay(text: &str) -> Result<Policy, PolicyError> {
        let mut p = Policy::default_policy();
        p.overlay_toml("tollgate.toml", text)?;
        Ok(p)
    }

    fn overlay_err(text: &str) -> PolicyError {
        overlay(text).expect_err("the overlay should fail")
    }

    #[test]
    fn default_policy_parses_with_documented_values() {
        let p = Policy::default_policy();
        assert_eq!(p.fail_on, FailOn::Error);
        assert!(p.fail_closed);
        assert_eq!(p.postgres_version, 15);
        assert_eq!(p.require_down, RequireDown::All);
        assert!(!p.require_migrations);
        assert_eq!(p.down_severity, Level::Info);
        assert_eq!(p.review.label, "migration:destructive-approved");
        assert_eq!(p.review.class, Class::Destructive);
        assert!(!p.review.require_approving_review);
        assert_eq!(
            p.paths.include,
            [
                "**/migrations/**",
                "**/migration/**",
                "**/db/migrate/**",
                "**/sql/migrations/**",
                "**/flyway/**",
                "**/changelog/**",
            ]
        );
        assert_eq!(
            p.paths.exclude,
            [
                "**/node_modules/**",
                "**/target/**",
                "**/.git/**",
                "**/vendor/**"
            ]
        );
        for (ids, level) in [
            (ERROR_RULES, Level::Error),
            (WARNING_RULES, Level::Warning),
            (INFO_RULES, Level::Info),
            (OFF_RULES, Level::Off),
        ] {
            for id in ids {
                assert_eq!(p.rules.get(*id), Some(&level), "default level of {id}");
            }
        }
        let listed = ERROR_RULES.len() + WARNING_RULES.len() + INFO_RULES.len() + OFF_RULES.len();
        assert_eq!(p.rules.len(), listed);
        p.path_matcher().expect("default globs compile");
    }

    #[test]
    fn default_toml_names_every_rule_and_only_known_rules() {
        let root = DeTable::parse(DEFAULT_POLICY_TOML).expect("default.toml is valid TOML");
        let rules = root.get_ref().get("rules").expect("[rules] table");
        let DeValue::Table(rules) = rules.get_ref() else {
            panic!("[rules] is a table")
        };
        let in_file: Vec<&str> = rules.iter().map(|(k, _)| k.get_ref().as_ref()).collect();
        for id in &in_file {
            assert!(
                crate::rules::is_known(id),
                "default.toml names unknown rule `{id}`"
            );
        }
        for rule in crate::rules::RULES.iter() {
            assert!(
                in_file.contains(&rule.meta.id),
                "rule `{}` has no entry in policies/default.toml",
                rule.meta.id
            );
        }
        assert_eq!(in_file.len(), crate::rules::RULES.len());
        let p = Policy::default_policy();
        assert_eq!(p.rules.len(), crate::rules::RULES.len());
    }

    #[test]
    fn unknown_top_level_key() {
        let e = overlay_err("fail_closed = false\nfail_onn = \"warning\"\n");
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert_eq!(e.key.as_deref(), Some("fail_onn"));
        assert!(
            e.message
                .starts_with("unknown key `fail_onn` (did you mean `fail_on`?"),
            "{e}"
        );
        assert!(
            e.message.contains("expected one of: fail_on, fail_closed,"),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("tollgate.toml:2:1: unknown key `fail_onn`"),
            "{e}"
        );
    }

    #[test]
    fn rule_id_at_top_level_points_to_rules_table() {
        let e = overlay_err("drop-table = \"off\"\n");
        assert!(e.message.contains("[rules]"), "{e}");
    }

    #[test]
    fn unknown_key_in_review() {
        let e = overlay_err("[review]\n  lable = \"x\"\n");
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert_eq!(e.key.as_deref(), Some("review.lable"));
        assert!(e.message.contains("unknown key `lable` in [review]"), "{e}");
        assert!(e.message.contains("did you mean `label`?"), "{e}");
    }

    #[test]
    fn unknown_key_in_paths() {
        let e = overlay_err("[paths]\nincludes = []\n");
        assert_eq!(e.key.as_deref(), Some("paths.includes"));
        assert!(e.message.contains("did you mean `include`?"), "{e}");
    }

    #[test]
    fn unknown_rule_id_suggests_the_closest() {
        let e = overlay_err("[rules]\ndrop-tabel = \"off\"\n");
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert_eq!(e.key.as_deref(), Some("rules.drop-tabel"));
        assert_eq!(
            e.message,
            "unknown rule id `drop-tabel` in [rules] (did you mean `drop-table`?; see docs/rules/README.md)"
        );
        let e = overlay_err("[rules]\ncompletely-made-up-thing = \"off\"\n");
        assert!(!e.message.contains("did you mean"), "{e}");
        assert!(e.message.contains("docs/rules/README.md"), "{e}");
    }

    #[test]
    fn invalid_rule_level() {
        let e = overlay_err("[rules]\ndrop-table = \"fatal\"\n");
        assert_eq!((e.line, e.column), (Some(2), Some(14)));
        assert_eq!(e.key.as_deref(), Some("rules.drop-table"));
        assert_eq!(
            e.message,
            "invalid value \"fatal\" for `rules.drop-table`: expected one of \"error\", \"warning\", \"info\", \"off\""
        );
        // Dotted keys reach the same validation.
        let e = overlay_err("rules.drop-table = true\n");
        assert_eq!(e.key.as_deref(), Some("rules.drop-table"));
    }

    #[test]
    fn invalid_fail_on_and_other_choices() {
        let e = overlay_err("fail_on = \"warn\"\n");
        assert_eq!((e.line, e.column), (Some(1), Some(11)));
        assert_eq!(e.key.as_deref(), Some("fail_on"));
        assert_eq!(
            e.message,
            "invalid value \"warn\" for `fail_on`: expected one of \"error\", \"warning\", \"info\", \"never\""
        );
        let e = overlay_err("require_down = true\n");
        assert!(
            e.message.contains("\"all\", \"destructive\", \"never\""),
            "{e}"
        );
        let e = overlay_err("[review]\nclass = \"unknown\"\n");
        assert_eq!(e.key.as_deref(), Some("review.class"));
        assert!(e.message.contains("\"risky\", \"destructive\""), "{e}");
        let e = overlay_err("down_severity = \"fatal\"\n");
        assert!(e.message.contains("\"off\""), "{e}");
    }

    #[test]
    fn wrong_types() {
        let e = overlay_err("postgres_version = \"15\"\n");
        assert_eq!((e.line, e.column), (Some(1), Some(20)));
        assert_eq!(e.key.as_deref(), Some("postgres_version"));
        assert!(
            e.message.contains("must be an integer between 11 and 18"),
            "{e}"
        );
        assert!(e.message.contains("got a string \"15\""), "{e}");
        let e = overlay_err("fail_closed = \"yes\"\n");
        assert!(
            e.message.contains("`fail_closed` must be true or false"),
            "{e}"
        );
        let e = overlay_err("review = 3\n");
        assert!(e.message.contains("`review` must be a table"), "{e}");
        let e = overlay_err("[review]\nlabel = 7\n");
        assert!(
            e.message.contains("`review.label` must be a quoted string"),
            "{e}"
        );
        let e = overlay_err("[review]\nlabel = \" \"\n");
        assert!(e.message.contains("got an empty string"), "{e}");
        let e = overlay_err("[paths]\ninclude = \"**/*.sql\"\n");
        assert!(
            e.message.contains("must be an array of glob strings"),
            "{e}"
        );
        let e = overlay_err("[paths]\ninclude = [\"a/*.sql\", 3]\n");
        assert_eq!((e.line, e.column), (Some(2), Some(23)));
        assert!(e.message.contains("every entry of `paths.include`"), "{e}");
    }

    #[test]
    fn postgres_version_range() {
        let e = overlay_err("postgres_version = 9\n");
        assert_eq!(
            e.message,
            "`postgres_version` must be between 11 and 18, got 9"
        );
        assert_eq!((e.line, e.column), (Some(1), Some(20)));
        assert!(overlay_err("postgres_version = 19\n")
            .message
            .contains("got 19"));
        assert!(overlay_err("postgres_version = -1\n")
            .message
            .contains("got -1"));
        assert!(overlay_err("postgres_version = 99999999999999999\n")
            .message
            .contains("between"));
        assert_eq!(
            overlay("postgres_version = 11").unwrap().postgres_version,
            11
        );
        assert_eq!(
            overlay("postgres_version = 18").unwrap().postgres_version,
            18
        );
        assert_eq!(
            overlay("postgres_version = 0x10").unwrap().postgres_version,
            16
        );
    }

    #[test]
    fn invalid_glob_is_reported_at_the_entry() {
        let e = overlay_err("[paths]\nexclude = [\n  \"ok/**\",\n  \"bad/[\",\n]\n");
        assert_eq!((e.line, e.column), (Some(4), Some(3)));
        assert_eq!(e.key.as_deref(), Some("paths.exclude"));
        assert!(
            e.message
                .starts_with("invalid glob \"bad/[\" in `paths.exclude`:"),
            "{e}"
        );
        assert!(!e.to_string().contains('\n'));
        // Globs set from code are checked when the matcher is built.
        let mut p = Policy::default_policy();
        p.paths.include.push("{a,b".to_string());
        let e = p.path_matcher().expect_err("bad glob");
        assert_eq!(e.key.as_deref(), Some("paths.include"));
    }

    #[test]
    fn syntax_errors_are_one_line_with_a_position() {
        let e = overlay_err("fail_on = \"error\"\nfail_closed = \n");
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.column.is_some());
        assert!(e.message.starts_with("invalid TOML: "), "{e}");
        let shown = e.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert!(shown.starts_with("tollgate.toml:2:"), "{shown}");
        let e = overlay_err("[review]\nlabel = \"a\"\nlabel = \"b\"\n");
        assert_eq!(e.line, Some(3), "{e}");
        let e = overlay_err("[rules\n");
        assert_eq!(e.line, Some(1), "{e}");
    }

    #[test]
    fn overlay_keeps_unspecified_keys() {
        let base = Policy::default_policy();
        let p =
            overlay("fail_on = \"warning\"\n[review]\nrequire_approving_review = true\n").unwrap();
        assert_eq!(p.fail_on, FailOn::Warning);
        assert!(p.review.require_approving_review);
        assert_eq!(p.review.label, base.review.label);
        assert_eq!(p.review.class, base.review.class);
        assert_eq!(p.fail_closed, base.fail_closed);
        assert_eq!(p.postgres_version, base.postgres_version);
        assert_eq!(p.paths, base.paths);
        assert_eq!(p.rules, base.rules);
        // An empty file changes nothing.
        assert_eq!(overlay("").unwrap(), base);
        assert_eq!(overlay("# only a comment\n\r\n").unwrap(), base);
    }

    #[test]
    fn failed_overlay_leaves_policy_unchanged() {
        let mut p = Policy::default_policy();
        let err = p.overlay_toml("t.toml", "fail_on = \"never\"\n[rules]\nnope = \"off\"\n");
        assert!(err.is_err());
        assert_eq!(p, Policy::default_policy());
    }

    #[test]
    fn rules_overlay_only_touches_named_rules() {
        let base = Policy::default_policy();
        let p = overlay("[rules]\ndrop-table = \"warning\"\nprefer-jsonb = \"info\"\n").unwrap();
        assert_eq!(p.level("drop-table"), Level::Warning);
        assert_eq!(p.level("prefer-jsonb"), Level::Info);
        for (id, level) in &base.rules {
            if id != "drop-table" && id != "prefer-jsonb" {
                assert_eq!(p.rules.get(id), Some(level), "{id}");
            }
        }
        assert_eq!(p.rules.len(), base.rules.len());
        // Inline tables work too.
        let p = overlay("rules = { drop-column = \"off\" }\n").unwrap();
        assert_eq!(p.level("drop-column"), Level::Off);
        assert_eq!(p.level("drop-table"), Level::Error);
    }

    #[test]
    fn paths_include_and_exclude_replace_extra_exclude_appends() {
        let p = overlay("[paths]\ninclude = [\"db/*.sql\"]\n").unwrap();
        assert_eq!(p.paths.include, ["db/*.sql"]);
        assert_eq!(p.paths.exclude, Policy::default_policy().paths.exclude);

        let p = overlay("[paths]\nextra_exclude = [\"**/legacy/**\"]\n").unwrap();
        assert_eq!(p.paths.exclude.len(), 5);
        assert_eq!(
            p.paths.exclude.last().map(String::as_str),
            Some("**/legacy/**")
        );

        // `extra_exclude` applies after `exclude` whatever the order in the file.
        let p = overlay("[paths]\nextra_exclude = [\"b/**\"]\nexclude = [\"a/**\"]\n").unwrap();
        assert_eq!(p.paths.exclude, ["a/**", "b/**"]);
    }

    #[test]
    fn set_rule_level_validates_the_id() {
        let mut p = Policy::default_policy();
        p.set_rule_level("drop-table", Level::Off).unwrap();
        assert_eq!(p.level("drop-table"), Level::Off);
        let e = p.set_rule_level("drop-tabel", Level::Off).unwrap_err();
        assert_eq!(e.path, "--rule");
        assert_eq!(e.line, None);
        assert_eq!(e.key.as_deref(), Some("rules.drop-tabel"));
        assert!(e.message.contains("did you mean `drop-table`?"), "{e}");
        assert!(
            e.to_string()
                .starts_with("--rule: unknown rule id `drop-tabel`"),
            "{e}"
        );
        assert_eq!(p.level("drop-tabel"), Level::Off);
        assert!(!p.rules.contains_key("drop-tabel"));
    }

    #[test]
    fn fails_for_each_fail_on() {
        let mut p = Policy::default_policy();
        let all = [Severity::Info, Severity::Warning, Severity::Error];
        let cases = [
            (FailOn::Error, [false, false, true]),
            (FailOn::Warning, [false, true, true]),
            (FailOn::Info, [true, true, true]),
            (FailOn::Never, [false, false, false]),
        ];
        for (fail_on, expected) in cases {
            p.fail_on = fail_on;
            for (severity, want) in all.iter().zip(expected) {
                assert_eq!(p.fails(*severity), want, "{fail_on:?} / {severity:?}");
            }
        }
    }

    #[test]
    fn gate_class_and_needs_review() {
        let mut p = Policy::default_policy();
        assert_eq!(p.gate_class(Class::Unknown), Class::Destructive);
        assert_eq!(p.gate_class(Class::Risky), Class::Risky);
        assert_eq!(p.gate_class(Class::Additive), Class::Additive);
        assert_eq!(p.gate_class(Class::Destructive), Class::Destructive);
        assert!(!p.needs_review(Class::Additive));
        assert!(!p.needs_review(Class::Risky));
        assert!(p.needs_review(Class::Unknown));
        assert!(p.needs_review(Class::Destructive));

        p.review.class = Class::Risky;
        assert!(!p.needs_review(Class::Additive));
        assert!(p.needs_review(Class::Risky));
        assert!(p.needs_review(Class::Unknown));
        assert!(p.needs_review(Class::Destructive));

        p.fail_closed = false;
        assert_eq!(p.gate_class(Class::Unknown), Class::Unknown);
        assert!(!p.needs_review(Class::Unknown));
        assert!(p.needs_review(Class::Risky));
        p.review.class = Class::Destructive;
        assert!(!p.needs_review(Class::Unknown));
        assert!(!p.needs_review(Class::Risky));
        assert!(p.needs_review(Class::Destructive));
    }

    #[test]
    fn path_matcher_include_and_exclude() {
        let m = Policy::default_policy().path_matcher().unwrap();
        assert!(m.is_match("migrations/001_init.sql"));
        assert!(m.is_match("./migrations/001_init.sql"));
        assert!(m.is_match("migrations/2024/001_init.sql"));
        assert!(m.is_match("services/api/db/migrate/20240101_add.sql"));
        assert!(m.is_match("flyway/V1__init.sql"));
        // Directories match; discovery then reads only the file types it knows.
        assert!(m.is_match("migrations/README.md"));
        assert!(m.is_match("apps/api/src/migrations/Migration20240101.ts"));
        assert!(!m.is_match("src/schema.sql"));
        assert!(!m.is_match("node_modules/pkg/migrations/001.sql"));
        assert!(!m.is_match("app/vendor/x/migrations/001.sql"));
        assert!(m.is_excluded("node_modules"));
        assert!(m.is_excluded("web/node_modules"));
        assert!(m.is_excluded("web/node_modules/pkg/migrations/001.sql"));
        assert!(m.is_excluded(".git"));
        assert!(!m.is_excluded("migrations"));
        assert!(!m.is_excluded("migrations/001.sql"));
        assert!(!m.is_excluded(""));

        // `*` does not cross directories.
        let p =
            overlay("[paths]\ninclude = [\"db/*.sql\"]\nexclude = [\"db/old_*.sql\"]\n").unwrap();
        let m = p.path_matcher().unwrap();
        assert!(m.is_match("db/001.sql"));
        assert!(!m.is_match("db/sub/001.sql"));
        assert!(!m.is_match("db/old_001.sql"));
        assert!(m.is_excluded("db/old_001.sql"));
    }

    #[test]
    fn did_you_mean_uses_a_small_distance() {
        assert_eq!(edit_distance("drop-tabel", "drop-table"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("fail_onn", TOP_KEYS.iter().copied()),
            Some("fail_on")
        );
        assert_eq!(did_you_mean("zzz", TOP_KEYS.iter().copied()), None);
    }

    #[test]
    fn display_omits_unknown_positions() {
        let mut e = PolicyError {
            path: "p.toml".into(),
            line: Some(3),
            column: Some(7),
            key: None,
            message: "m".into(),
        };
        assert_eq!(e.to_string(), "p.toml:3:7: m");
        e.column = None;
        assert_eq!(e.to_string(), "p.toml:3: m");
        e.line = None;
        assert_eq!(e.to_string(), "p.toml: m");
    }

    #[test]
    fn enums_round_trip_their_names() {
        for (name, v) in FailOn::CHOICES {
            assert_eq!(FailOn::parse(name), Some(*v));
            assert_eq!(v.as_str(), *name);
        }
        for (name, v) in RequireDown::CHOICES {
            assert_eq!(RequireDown::parse(name), Some(*v));
            assert_eq!(v.as_str(), *name);
        }
    }
}
