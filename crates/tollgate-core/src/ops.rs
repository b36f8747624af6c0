//! The operation model: what a statement *does*, independent of how it was understood.
//!
//! Both the sqlparser path ([`crate::analyze`]) and the token-level fallback ([`crate::fallback`])
//! lower a statement to a list of [`Op`]s. Rules look only at ops, so a statement that sqlparser
//! rejects is judged by the very same rules as one it accepts. One statement can yield several ops
//! (`ALTER TABLE t ADD COLUMN a int, DROP COLUMN b`).
//!
//! Identifiers are normalised the way PostgreSQL folds them: unquoted names are lower-cased,
//! quoted names are kept verbatim (without the quotes).

use serde::Serialize;

/// A possibly schema-qualified object name, already case-folded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjectName {
    pub schema: Option<String>,
    pub name: String,
}

impl ObjectName {
    pub fn new(name: impl Into<String>) -> Self {
        ObjectName {
            schema: None,
            name: name.into(),
        }
    }

    pub fn qualified(schema: impl Into<String>, name: impl Into<String>) -> Self {
        ObjectName {
            schema: Some(schema.into()),
            name: name.into(),
        }
    }

    /// Builds a name from folded parts (`[schema.]name`, extra leading parts such as a database
    /// name are dropped).
    pub fn from_parts(mut parts: Vec<String>) -> Option<Self> {
        let name = parts.pop()?;
        let schema = parts.pop();
        Some(ObjectName { schema, name })
    }

    /// The key used to match objects across statements. `public.users` and `users` are the same
    /// object for our purposes: migrations almost never rely on search_path tricks, and treating
    /// them as different would make the same-migration exemptions miss.
    pub fn key(&self) -> String {
        match self.schema.as_deref() {
            None | Some("public") => self.name.clone(),
            Some(schema) => format!("{schema}.{}", self.name),
        }
    }
}

impl std::fmt::Display for ObjectName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// What kind of default a column gets; decides whether `ADD COLUMN` rewrites the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultKind {
    /// No `DEFAULT` clause.
    #[default]
    None,
    /// A constant or a stable expression: PostgreSQL 11+ stores it in the catalog, no rewrite.
    Constant,
    /// A volatile expression (`now()` is stable, but `clock_timestamp()`, `random()`,
    /// `gen_random_uuid()` are volatile): every existing row is rewritten.
    Volatile,
    /// An expression we could not judge.
    Unknown,
}

/// A column as declared in `CREATE TABLE` or `ADD COLUMN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnDef {
    pub name: String,
    /// The declared type, normalised to lower case with single spaces (`character varying(20)`
    /// stays as written, see [`crate::types`] for comparisons). `None` when unknown.
    pub data_type: Option<String>,
    pub not_null: bool,
    pub default: DefaultKind,
    pub primary_key: bool,
    pub unique: bool,
    pub references: Option<ObjectName>,
    pub check: bool,
    /// `GENERATED ALWAYS AS (…) STORED`: computing it rewrites the table.
    pub generated_stored: bool,
    /// `GENERATED … AS IDENTITY`, `serial`, `bigserial`: filled for existing rows.
    pub identity: bool,
}

impl ColumnDef {
    pub fn named(name: impl Into<String>) -> Self {
        ColumnDef {
            name: name.into(),
            data_type: None,
            not_null: false,
            default: DefaultKind::None,
            primary_key: false,
            unique: false,
            references: None,
            check: false,
            generated_stored: false,
            identity: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Exclude,
    NotNull,
}

impl ConstraintKind {
    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "PRIMARY KEY",
            ConstraintKind::Unique => "UNIQUE",
            ConstraintKind::ForeignKey => "FOREIGN KEY",
            ConstraintKind::Check => "CHECK",
            ConstraintKind::Exclude => "EXCLUDE",
            ConstraintKind::NotNull => "NOT NULL",
        }
    }
}

/// A constraint declared in `CREATE TABLE`, on a column (`id int PRIMARY KEY`, `x int
/// REFERENCES t`) or on the table (`CONSTRAINT fk FOREIGN KEY (a) REFERENCES t (id)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstraintDef {
    pub kind: ConstraintKind,
    pub name: Option<String>,
    /// The constrained columns, folded like other identifiers; empty when unknown (CHECK,
    /// EXCLUDE, `USING INDEX`). An expression is kept as its text in parentheses.
    pub columns: Vec<String>,
    /// The referenced table of a foreign key.
    pub references: Option<ObjectName>,
}

impl ConstraintDef {
    pub fn new(kind: ConstraintKind) -> Self {
        ConstraintDef {
            kind,
            name: None,
            columns: vec![],
            references: None,
        }
    }
}

/// Object kinds that can be created, dropped or renamed generically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    View,
    MaterializedView,
    Index,
    Sequence,
    Schema,
    Type,
    Domain,
    Function,
    Procedure,
    Trigger,
    Extension,
    Database,
    Policy,
    Rule,
    Other,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Index => "index",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Schema => "schema",
            ObjectKind::Type => "type",
            ObjectKind::Domain => "domain",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Extension => "extension",
            ObjectKind::Database => "database",
            ObjectKind::Policy => "policy",
            ObjectKind::Rule => "rule",
            ObjectKind::Other => "object",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxControl {
    Begin,
    Commit,
    Rollback,
}

/// One effect of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    CreateTable {
        table: ObjectName,
        columns: Vec<ColumnDef>,
        /// Every constraint declared in the body: column-level ones (with that one column) and
        /// table-level ones.
        constraints: Vec<ConstraintDef>,
        if_not_exists: bool,
    },
    /// `CREATE [MATERIALIZED] VIEW`, with or without `OR REPLACE`.
    CreateView {
        view: ObjectName,
        materialized: bool,
        or_replace: bool,
    },
    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`. `body` is the byte range of the body *inside the
    /// statement text* (relative to the statement start), when it is a literal we can look into.
    CreateFunction {
        name: ObjectName,
        procedure: bool,
        or_replace: bool,
        language: Option<String>,
        body: Option<(usize, usize)>,
    },
    CreateTrigger {
        name: String,
        table: ObjectName,
    },
    CreateIndex {
        name: Option<ObjectName>,
        table: ObjectName,
        concurrently: bool,
        unique: bool,
        if_not_exists: bool,
        /// The key columns in order, folded like other identifiers; an expression key is its
        /// text in parentheses (`(lower(email))`), so it never matches a plain column.
        columns: Vec<String>,
    },
    /// `CREATE TYPE … AS ENUM (…)` has `enum_labels`; other types have `None`.
    CreateType {
        name: ObjectName,
        enum_labels: Option<Vec<String>>,
    },
    /// Any other creation of a new object (schema, sequence, extension, domain, policy, …).
    CreateOther {
        kind: ObjectKind,
        name: Option<ObjectName>,
    },
    /// `DROP <kind> …` of one or more objects. Triggers and policies carry their table.
    Drop {
        kind: ObjectKind,
        names: Vec<ObjectName>,
        table: Option<ObjectName>,
        if_exists: bool,
        cascade: bool,
        concurrently: bool,
    },
    /// `ALTER <kind> a RENAME TO b` (tables, views, schemas, types, sequences, indexes, …).
    Rename {
        kind: ObjectKind,
        from: ObjectName,
        to: ObjectName,
    },
    AddColumn {
        table: ObjectName,
        column: ColumnDef,
        if_not_exists: bool,
    },
    DropColumn {
        table: ObjectName,
        column: String,
        if_exists: bool,
    },
    RenameColumn {
        table: ObjectName,
        from: String,
        to: String,
    },
    /// `ALTER COLUMN … [SET DATA] TYPE t [USING expr]`. `using` is the expression text.
    AlterColumnType {
        table: ObjectName,
        column: String,
        new_type: Option<String>,
        using: Option<String>,
    },
    SetNotNull {
        table: ObjectName,
        column: String,
    },
    DropNotNull {
        table: ObjectName,
        column: String,
    },
    SetDefault {
        table: ObjectName,
        column: String,
        default: DefaultKind,
    },
    DropDefault {
        table: ObjectName,
        column: String,
    },
    AddConstraint {
        table: ObjectName,
        name: Option<String>,
        kind: ConstraintKind,
        not_valid: bool,
        /// `UNIQUE USING INDEX` / `PRIMARY KEY USING INDEX`: no scan, the index exists.
        using_index: bool,
        /// Columns named by the constraint, when known (for FK index checks later).
        columns: Vec<String>,
        /// The referenced table of a foreign key.
        references: Option<ObjectName>,
    },
    ValidateConstraint {
        table: ObjectName,
        name: String,
    },
    DropConstraint {
        table: ObjectName,
        name: Option<String>,
        if_exists: bool,
    },
    RenameConstraint {
        table: ObjectName,
        from: String,
        to: String,
    },
    /// `ALTER TYPE … ADD VALUE`.
    AddEnumValue {
        type_name: ObjectName,
        value: String,
        if_not_exists: bool,
    },
    /// `ALTER TYPE … RENAME VALUE`.
    RenameEnumValue {
        type_name: ObjectName,
        from: String,
        to: String,
    },
    /// Removing an enum label (`DELETE FROM pg_enum …`), which PostgreSQL has no DDL for.
    DropEnumValue {
        type_name: Option<ObjectName>,
    },
    Reindex {
        concurrently: bool,
        target: Option<ObjectName>,
    },
    Truncate {
        tables: Vec<ObjectName>,
    },
    Delete {
        table: ObjectName,
        has_where: bool,
    },
    Update {
        table: ObjectName,
        has_where: bool,
    },
    Insert {
        table: ObjectName,
    },
    VacuumFull {
        tables: Vec<ObjectName>,
    },
    Cluster {
        table: Option<ObjectName>,
    },
    LockTable {
        tables: Vec<ObjectName>,
        mode: String,
    },
    /// `SET [LOCAL|SESSION] name = value` / `SET name TO value`; `value` is the raw text.
    SetParameter {
        name: String,
        value: String,
        local: bool,
    },
    ResetParameter {
        name: Option<String>,
    },
    Transaction {
        control: TxControl,
    },
    /// `DO [LANGUAGE x] $$ … $$`; `body` is the byte range of the body relative to the statement.
    DoBlock {
        language: Option<String>,
        body: Option<(usize, usize)>,
    },
    /// `SELECT f()` / `CALL p()`: calls that run code created in the migration.
    Call {
        function: ObjectName,
    },
    /// A recognised statement that changes no existing object in a harmful way: comments,
    /// grants, `ALTER TABLE … OWNER TO`, `ANALYZE`, plain `SELECT`s, `ALTER … SET (options)`.
    Benign {
        what: String,
    },
    /// A recognised statement that keeps data but locks or rewrites an existing table in a way
    /// no specific op describes (for example `ALTER TABLE … SET LOGGED`, `REFRESH MATERIALIZED
    /// VIEW` without CONCURRENTLY).
    Locking {
        what: String,
        table: Option<ObjectName>,
    },
    /// A statement we could not understand at all.
    Unknown {
        reason: String,
    },
}
