//! Lowering of one statement to [`Op`]s.
//!
//! Every statement is parsed **on its own** with sqlparser's PostgreSQL dialect, so one statement
//! the parser rejects never hides the others. When sqlparser accepts it, the AST gives precise
//! facts (column types, defaults, constraint kinds). When it rejects it, or when the AST node is
//! one we do not lower ourselves, the token-level [`crate::fallback`] classifier takes over, so no
//! statement is ever skipped.

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, AlterTypeOperation, ColumnOption, Expr,
    ObjectNamePart, ObjectType, Statement, TableConstraint,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::fallback;
use crate::lexer::{self, Token, TokenKind};
use crate::ops::{
    ColumnDef, ConstraintDef, ConstraintKind, DefaultKind, ObjectKind, ObjectName, Op, TxControl,
};
use crate::types;

/// How a statement was understood.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub ops: Vec<Op>,
    /// snake_case statement kind (`alter_table`, `create_index`, …).
    pub kind: String,
    /// `true` when sqlparser accepted the statement.
    pub parsed: bool,
    /// The parser's message when it rejected the statement.
    pub parse_error: Option<String>,
}

/// Lowers the statement made of `tokens` (a slice of the file's tokens) in `src`.
pub fn lower(src: &str, tokens: &[Token]) -> Lowered {
    let Some(first) = tokens.iter().find(|t| !t.is_trivia()) else {
        return Lowered {
            ops: vec![],
            kind: "empty".into(),
            parsed: true,
            parse_error: None,
        };
    };
    let last = tokens
        .iter()
        .rev()
        .find(|t| !t.is_trivia())
        .unwrap_or(first);
    let start = first.start;
    let text = &src[start..last.end];
    // Unterminated tokens cannot be parsed reliably; the fallback still reads what is there.
    let unterminated = tokens.iter().any(|t| t.unterminated);
    if !unterminated {
        match parse_one(text) {
            Ok(stmt) => {
                let kind = statement_kind(&stmt);
                if let Some(ops) = lower_ast(&stmt, src, tokens, start) {
                    return Lowered {
                        ops,
                        kind,
                        parsed: true,
                        parse_error: None,
                    };
                }
                // Parsed, but a node we don't lower ourselves: the token classifier reads it.
                let fb = fallback::classify(src, tokens);
                return Lowered {
                    ops: fb.ops,
                    kind: fb.kind,
                    parsed: true,
                    parse_error: None,
                };
            }
            Err(err) => {
                let fb = fallback::classify(src, tokens);
                return Lowered {
                    ops: fb.ops,
                    kind: fb.kind,
                    parsed: false,
                    parse_error: Some(err),
                };
            }
        }
    }
    let fb = fallback::classify(src, tokens);
    Lowered {
        ops: fb.ops,
        kind: fb.kind,
        parsed: false,
        parse_error: Some(
            "the statement has an unterminated quote, dollar quote or comment".into(),
        ),
    }
}

fn parse_one(text: &str) -> Result<Statement, String> {
    let dialect = PostgreSqlDialect {};
    let mut stmts = Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| e.to_string())?;
    match stmts.len() {
        1 => Ok(stmts.remove(0)),
        0 => Err("no statement".into()),
        // The splitter and sqlparser disagree on where the statement ends; don't guess.
        n => Err(format!(
            "sqlparser read {n} statements where the splitter found one"
        )),
    }
}

fn ident(id: &ast::Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

fn object_name(name: &ast::ObjectName) -> ObjectName {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => ident(id),
            other => other.to_string().to_lowercase(),
        })
        .collect();
    ObjectName::from_parts(parts).unwrap_or_else(|| ObjectName::new(""))
}

fn statement_kind(stmt: &Statement) -> String {
    let kind = match stmt {
        Statement::CreateTable(_) => "create_table",
        Statement::AlterTable(_) => "alter_table",
        Statement::CreateIndex(_) => "create_index",
        Statement::CreateView(v) if v.materialized => "create_materialized_view",
        Statement::CreateView(_) => "create_view",
        Statement::CreateFunction(_) => "create_function",
        Statement::CreateProcedure { .. } => "create_procedure",
        Statement::CreateTrigger(_) => "create_trigger",
        Statement::CreateType { .. } => "create_type",
        Statement::CreateSchema { .. } => "create_schema",
        Statement::CreateSequence { .. } => "create_sequence",
        Statement::CreateExtension(_) => "create_extension",
        Statement::CreateDomain(_) => "create_domain",
        Statement::Drop { object_type, .. } => match object_type {
            ObjectType::Table => "drop_table",
            ObjectType::View => "drop_view",
            ObjectType::MaterializedView => "drop_materialized_view",
            ObjectType::Index => "drop_index",
            ObjectType::Schema => "drop_schema",
            ObjectType::Database => "drop_database",
            ObjectType::Sequence => "drop_sequence",
            ObjectType::Type => "drop_type",
            _ => "drop",
        },
        Statement::DropFunction(_) => "drop_function",
        Statement::DropProcedure { .. } => "drop_procedure",
        Statement::DropTrigger(_) => "drop_trigger",
        Statement::DropDomain(_) => "drop_domain",
        Statement::DropExtension(_) => "drop_extension",
        Statement::AlterType(_) => "alter_type",
        Statement::AlterIndex { .. } => "alter_index",
        Statement::AlterView(_) => "alter_view",
        Statement::AlterSchema(_) => "alter_schema",
        Statement::Truncate(_) => "truncate",
        Statement::Delete(_) => "delete",
        Statement::Update(_) => "update",
        Statement::Insert(_) => "insert",
        Statement::Query(_) => "select",
        Statement::Set(_) => "set",
        Statement::Reset(_) => "reset",
        Statement::StartTransaction { .. } => "begin",
        Statement::Commit { .. } => "commit",
        Statement::Rollback { .. } => "rollback",
        Statement::Comment { .. } => "comment",
        Statement::Grant(_) => "grant",
        Statement::Revoke(_) => "revoke",
        Statement::Lock(_) => "lock",
        Statement::Vacuum(_) => "vacuum",
        Statement::Copy { .. } => "copy",
        Statement::Call(_) => "call",
        Statement::RefreshMaterializedView(_) => "refresh_materialized_view",
        Statement::Analyze(_) => "analyze",
        _ => "other",
    };
    kind.to_string()
}

/// Lowers the AST; `None` means "let the token classifier read it".
fn lower_ast(stmt: &Statement, src: &str, tokens: &[Token], start: usize) -> Option<Vec<Op>> {
    let ops = match stmt {
        Statement::CreateTable(ct) => {
            let mut columns = Vec::with_capacity(ct.columns.len());
            let mut constraints = Vec::new();
            for c in &ct.columns {
                let (col, cons) = column_def(c);
                columns.push(col);
                constraints.extend(cons);
            }
            constraints.extend(ct.constraints.iter().map(|c| table_constraint(c).0));
            vec![Op::CreateTable {
                table: object_name(&ct.name),
                columns,
                constraints,
                if_not_exists: ct.if_not_exists,
            }]
        }
        Statement::AlterTable(at) => {
            let table = object_name(&at.name);
            let mut ops = Vec::with_capacity(at.operations.len());
            for op in &at.operations {
                ops.push(alter_table_op(&table, op)?);
            }
            ops
        }
        Statement::CreateIndex(ci) => vec![Op::CreateIndex {
            name: ci.name.as_ref().map(object_name),
            table: object_name(&ci.table_name),
            concurrently: ci.concurrently,
            unique: ci.unique,
            if_not_exists: ci.if_not_exists,
            columns: ci
                .columns
                .iter()
                .map(|c| key_column(&c.column.expr))
                .collect(),
        }],
        Statement::CreateView(v) => vec![Op::CreateView {
            view: object_name(&v.name),
            materialized: v.materialized,
            or_replace: v.or_replace,
        }],
        Statement::CreateFunction(f) => vec![Op::CreateFunction {
            name: object_name(&f.name),
            procedure: false,
            or_replace: f.or_replace,
            language: f.language.as_ref().map(ident),
            body: body_after_as(src, tokens, start),
        }],
        Statement::CreateTrigger(t) => vec![Op::CreateTrigger {
            name: object_name(&t.name).name,
            table: object_name(&t.table_name),
        }],
        Statement::CreateType {
            name,
            representation,
        } => {
            let enum_labels = match representation {
                Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
                    Some(labels.iter().map(|l| l.value.clone()).collect())
                }
                _ => None,
            };
            vec![Op::CreateType {
                name: object_name(name),
                enum_labels,
            }]
        }
        Statement::CreateSchema { schema_name, .. } => {
            let name = match schema_name {
                ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                    Some(object_name(n))
                }
                ast::SchemaName::UnnamedAuthorization(id) => Some(ObjectName::new(ident(id))),
            };
            vec![Op::CreateOther {
                kind: ObjectKind::Schema,
                name,
            }]
        }
        Statement::CreateSequence { name, .. } => {
            vec![Op::CreateOther {
                kind: ObjectKind::Sequence,
                name: Some(object_name(name)),
            }]
        }
        Statement::CreateExtension(e) => vec![Op::CreateOther {
            kind: ObjectKind::Extension,
            name: Some(ObjectName::new(ident(&e.name))),
        }],
        Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            table,
            ..
        } => {
            let kind = match object_type {
                ObjectType::Table | ObjectType::ForeignTable => ObjectKind::Table,
                ObjectType::View => ObjectKind::View,
                ObjectType::MaterializedView => ObjectKind::MaterializedView,
                ObjectType::Index => ObjectKind::Index,
                ObjectType::Schema => ObjectKind::Schema,
                ObjectType::Database => ObjectKind::Database,
                ObjectType::Sequence => ObjectKind::Sequence,
                ObjectType::Type => ObjectKind::Type,
                _ => ObjectKind::Other,
            };
            vec![Op::Drop {
                kind,
                names: names.iter().map(object_name).collect(),
                table: table.as_ref().map(object_name),
                if_exists: *if_exists,
                cascade: *cascade,
                concurrently: false,
            }]
        }
        Statement::DropFunction(df) => vec![Op::Drop {
            kind: ObjectKind::Function,
            names: df.func_desc.iter().map(|d| object_name(&d.name)).collect(),
            table: None,
            if_exists: df.if_exists,
            cascade: matches!(df.drop_behavior, Some(ast::DropBehavior::Cascade)),
            concurrently: false,
        }],
        Statement::DropTrigger(dt) => vec![Op::Drop {
            kind: ObjectKind::Trigger,
            names: vec![object_name(&dt.trigger_name)],
            table: dt.table_name.as_ref().map(object_name),
            if_exists: dt.if_exists,
            cascade: false,
            concurrently: false,
        }],
        Statement::DropDomain(dd) => vec![Op::Drop {
            kind: ObjectKind::Domain,
            names: vec![object_name(&dd.name)],
            table: None,
            if_exists: dd.if_exists,
            cascade: matches!(dd.drop_behavior, Some(ast::DropBehavior::Cascade)),
            concurrently: false,
        }],
        Statement::AlterType(at) => {
            let type_name = object_name(&at.name);
            match &at.operation {
                AlterTypeOperation::Rename(r) => vec![Op::Rename {
                    kind: ObjectKind::Type,
                    to: ObjectName {
                        schema: type_name.schema.clone(),
                        name: ident(&r.new_name),
                    },
                    from: type_name,
                }],
                AlterTypeOperation::AddValue(v) => vec![Op::AddEnumValue {
                    type_name,
                    value: v.value.value.clone(),
                    if_not_exists: v.if_not_exists,
                }],
                AlterTypeOperation::RenameValue(v) => vec![Op::RenameEnumValue {
                    type_name,
                    from: v.from.value.clone(),
                    to: v.to.value.clone(),
                }],
            }
        }
        Statement::AlterIndex { name, operation } => match operation {
            ast::AlterIndexOperation::RenameIndex { index_name } => {
                vec![Op::Rename {
                    kind: ObjectKind::Index,
                    from: object_name(name),
                    to: object_name(index_name),
                }]
            }
        },
        Statement::AlterView(av) => {
            let kind = if av.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            };
            match &av.operation {
                ast::AlterViewOperation::RenameTo { new_name } => {
                    vec![Op::Rename {
                        kind,
                        from: object_name(&av.name),
                        to: object_name(new_name),
                    }]
                }
                _ => return None,
            }
        }
        Statement::Truncate(t) => {
            vec![Op::Truncate {
                tables: t.table_names.iter().map(|t| object_name(&t.name)).collect(),
            }]
        }
        Statement::Delete(d) => {
            let tables: Vec<&ast::TableWithJoins> = match &d.from {
                ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => {
                    t.iter().collect()
                }
            };
            let table = tables.first().and_then(|t| relation_name(&t.relation))?;
            if is_pg_enum(&table) {
                vec![Op::DropEnumValue { type_name: None }]
            } else {
                vec![Op::Delete {
                    table,
                    has_where: d.selection.is_some(),
                }]
            }
        }
        Statement::Update(u) => {
            let table = relation_name(&u.table.relation)?;
            if is_pg_enum(&table) {
                vec![Op::Unknown {
                    reason: "writes the system catalog pg_enum directly".into(),
                }]
            } else {
                vec![Op::Update {
                    table,
                    has_where: u.selection.is_some(),
                }]
            }
        }
        Statement::Insert(i) => match &i.table {
            ast::TableObject::TableName(n) => vec![Op::Insert {
                table: object_name(n),
            }],
            _ => return None,
        },
        Statement::StartTransaction { .. } => vec![Op::Transaction {
            control: TxControl::Begin,
        }],
        Statement::Commit { .. } => vec![Op::Transaction {
            control: TxControl::Commit,
        }],
        Statement::Rollback {
            savepoint: None, ..
        } => {
            vec![Op::Transaction {
                control: TxControl::Rollback,
            }]
        }
        Statement::Comment { .. } | Statement::Grant(_) | Statement::Revoke(_) => {
            vec![Op::Benign {
                what: statement_kind(stmt),
            }]
        }
        Statement::Analyze(_) => vec![Op::Benign {
            what: "analyze".into(),
        }],
        Statement::Lock(l) => vec![Op::LockTable {
            tables: l.tables.iter().map(|t| object_name(&t.name)).collect(),
            mode: l
                .lock_mode
                .as_ref()
                .map(|m| m.to_string().to_uppercase())
                .unwrap_or_else(|| "ACCESS EXCLUSIVE".into()),
        }],
        Statement::Vacuum(v) if v.full => vec![Op::VacuumFull {
            tables: v.table_name.iter().map(object_name).collect(),
        }],
        Statement::Vacuum(_) => vec![Op::Benign {
            what: "vacuum".into(),
        }],
        Statement::RefreshMaterializedView(r) if r.concurrently => {
            vec![Op::Benign {
                what: "refresh materialized view concurrently".into(),
            }]
        }
        Statement::RefreshMaterializedView(r) => vec![Op::Locking {
            what: "REFRESH MATERIALIZED VIEW without CONCURRENTLY".into(),
            table: Some(object_name(&r.name)),
        }],
        // SET, SELECT, CALL, COPY, DO and the many rarer forms: the token classifier knows the
        // details that matter there (parameter values, single function calls).
        _ => return None,
    };
    Some(ops)
}

fn is_pg_enum(name: &ObjectName) -> bool {
    name.name == "pg_enum" && matches!(name.schema.as_deref(), None | Some("pg_catalog"))
}

fn relation_name(rel: &ast::TableFactor) -> Option<ObjectName> {
    match rel {
        ast::TableFactor::Table { name, .. } => Some(object_name(name)),
        _ => None,
    }
}

/// The body of `CREATE FUNCTION … AS $$…$$`, relative to the statement start.
fn body_after_as(src: &str, tokens: &[Token], start: usize) -> Option<(usize, usize)> {
    let mut after_as = false;
    for t in tokens.iter().filter(|t| !t.is_trivia()) {
        if after_as && matches!(t.kind, TokenKind::DollarString | TokenKind::String) {
            let body = match t.kind {
                TokenKind::DollarString => lexer::dollar_body(t, src)?,
                _ => crate::span::Span::new(t.start + 1, t.end.saturating_sub(1).max(t.start + 1)),
            };
            return Some((body.start - start, body.end - start));
        }
        after_as = lexer::is_keyword(t, src, "as");
    }
    None
}

/// One key column of an index or constraint: a plain column folds like any identifier; an
/// expression keeps its text in parentheses, so it never matches a plain column.
fn key_column(e: &Expr) -> String {
    match e {
        Expr::Identifier(id) => ident(id),
        Expr::Collate { expr, .. } => key_column(expr),
        Expr::Nested(_) => e.to_string().to_lowercase(),
        _ => format!("({})", e.to_string().to_lowercase()),
    }
}

fn column_def(c: &ast::ColumnDef) -> (ColumnDef, Vec<ConstraintDef>) {
    let mut col = ColumnDef::named(ident(&c.name));
    let data_type = c.data_type.to_string().to_lowercase();
    if types::is_serial(&data_type) {
        col.identity = true;
    }
    col.data_type = Some(data_type);
    let mut constraints = Vec::new();
    for opt in &c.options {
        let constraint = |kind, inner_name: Option<&ast::Ident>| ConstraintDef {
            kind,
            name: opt.name.as_ref().or(inner_name).map(ident),
            columns: vec![col.name.clone()],
            references: None,
        };
        match &opt.option {
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Null => col.not_null = false,
            ColumnOption::Default(e) => col.default = default_kind(e),
            ColumnOption::PrimaryKey(pk) => {
                constraints.push(constraint(ConstraintKind::PrimaryKey, pk.name.as_ref()));
                col.primary_key = true;
                col.not_null = true;
            }
            ColumnOption::Unique(u) => {
                constraints.push(constraint(ConstraintKind::Unique, u.name.as_ref()));
                col.unique = true;
            }
            ColumnOption::ForeignKey(fk) => {
                let references = object_name(&fk.foreign_table);
                constraints.push(ConstraintDef {
                    references: Some(references.clone()),
                    ..constraint(ConstraintKind::ForeignKey, fk.name.as_ref())
                });
                col.references = Some(references);
            }
            ColumnOption::Check(ch) => {
                constraints.push(constraint(ConstraintKind::Check, ch.name.as_ref()));
                col.check = true;
            }
            ColumnOption::Generated {
                generation_expr,
                generation_expr_mode,
                ..
            } => {
                if generation_expr.is_some() {
                    // PostgreSQL only has STORED generated columns before 18; VIRTUAL ones
                    // compute on read and don't rewrite.
                    col.generated_stored = !matches!(
                        generation_expr_mode,
                        Some(ast::GeneratedExpressionMode::Virtual)
                    );
                } else {
                    col.identity = true;
                }
            }
            ColumnOption::Identity(_) => col.identity = true,
            _ => {}
        }
    }
    (col, constraints)
}

fn default_kind(e: &Expr) -> DefaultKind {
    types::default_volatility(&e.to_string())
}

/// A table-level constraint, and whether it is `… USING INDEX` (promotes an existing index).
fn table_constraint(c: &TableConstraint) -> (ConstraintDef, bool) {
    let def = |kind, name: &Option<ast::Ident>, columns: Vec<String>| ConstraintDef {
        kind,
        name: name.as_ref().map(ident),
        columns,
        references: None,
    };
    let keys = |cols: &[ast::IndexColumn]| -> Vec<String> {
        cols.iter().map(|c| key_column(&c.column.expr)).collect()
    };
    match c {
        TableConstraint::PrimaryKey(pk) => (
            def(ConstraintKind::PrimaryKey, &pk.name, keys(&pk.columns)),
            false,
        ),
        TableConstraint::Unique(u) => (
            def(ConstraintKind::Unique, &u.name, keys(&u.columns)),
            false,
        ),
        TableConstraint::ForeignKey(fk) => (
            ConstraintDef {
                references: Some(object_name(&fk.foreign_table)),
                ..def(
                    ConstraintKind::ForeignKey,
                    &fk.name,
                    fk.columns.iter().map(ident).collect(),
                )
            },
            false,
        ),
        TableConstraint::Check(ch) => (def(ConstraintKind::Check, &ch.name, vec![]), false),
        // Without a name of its own, the constraint takes the index's name.
        TableConstraint::PrimaryKeyUsingIndex(u) => {
            let name = u.name.clone().or_else(|| Some(u.index_name.clone()));
            (def(ConstraintKind::PrimaryKey, &name, vec![]), true)
        }
        TableConstraint::UniqueUsingIndex(u) => {
            let name = u.name.clone().or_else(|| Some(u.index_name.clone()));
            (def(ConstraintKind::Unique, &name, vec![]), true)
        }
        TableConstraint::Exclude(ex) => {
            let columns = ex
                .elements
                .iter()
                .map(|e| key_column(&e.column.column.expr))
                .collect();
            (def(ConstraintKind::Exclude, &ex.name, columns), false)
        }
        _ => (def(ConstraintKind::Check, &None, vec![]), false),
    }
}

fn alter_table_op(table: &ObjectName, op: &AlterTableOperation) -> Option<Op> {
    let table = table.clone();
    Some(match op {
        AlterTableOperation::AddColumn {
            if_not_exists,
            column_def: c,
            ..
        } => {
            let (column, _) = column_def(c);
            Op::AddColumn {
                table,
                column,
                if_not_exists: *if_not_exists,
            }
        }
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } => {
            // PostgreSQL allows one column per DROP COLUMN action; several actions are several
            // ops, so a list here only comes from other dialects' syntax.
            let column = column_names.first().map(ident)?;
            Op::DropColumn {
                table,
                column,
                if_exists: *if_exists,
            }
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => Op::RenameColumn {
            table,
            from: ident(old_column_name),
            to: ident(new_column_name),
        },
        AlterTableOperation::RenameTable { table_name } => {
            let to = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => object_name(n),
            };
            let to = ObjectName {
                schema: to.schema.or_else(|| table.schema.clone()),
                name: to.name,
            };
            Op::Rename {
                kind: ObjectKind::Table,
                from: table,
                to,
            }
        }
        AlterTableOperation::RenameConstraint { old_name, new_name } => Op::RenameConstraint {
            table,
            from: ident(old_name),
            to: ident(new_name),
        },
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => {
            let (def, using_index) = table_constraint(constraint);
            Op::AddConstraint {
                table,
                name: def.name,
                kind: def.kind,
                not_valid: *not_valid,
                using_index,
                columns: def.columns,
                references: def.references,
            }
        }
        AlterTableOperation::DropConstraint {
            if_exists, name, ..
        } => Op::DropConstraint {
            table,
            name: Some(ident(name)),
            if_exists: *if_exists,
        },
        AlterTableOperation::ValidateConstraint { name } => Op::ValidateConstraint {
            table,
            name: ident(name),
        },
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = ident(column_name);
            match op {
                AlterColumnOperation::SetNotNull => Op::SetNotNull { table, column },
                AlterColumnOperation::DropNotNull => Op::DropNotNull { table, column },
                AlterColumnOperation::SetDefault { value } => Op::SetDefault {
                    table,
                    column,
                    default: default_kind(value),
                },
                AlterColumnOperation::DropDefault => Op::DropDefault { table, column },
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => Op::AlterColumnType {
                    table,
                    column,
                    new_type: Some(data_type.to_string().to_lowercase()),
                    using: using.as_ref().map(|u| u.to_string()),
                },
                AlterColumnOperation::AddGenerated { .. } => Op::Benign {
                    what: "add identity to column".into(),
                },
                _ => return None,
            }
        }
        AlterTableOperation::OwnerTo { .. }
        | AlterTableOperation::EnableTrigger { .. }
        | AlterTableOperation::DisableTrigger { .. }
        | AlterTableOperation::EnableRowLevelSecurity
        | AlterTableOperation::DisableRowLevelSecurity
        | AlterTableOperation::ForceRowLevelSecurity
        | AlterTableOperation::NoForceRowLevelSecurity
        | AlterTableOperation::EnableRule { .. }
        | AlterTableOperation::DisableRule { .. }
        | AlterTableOperation::ReplicaIdentity { .. }
        | AlterTableOperation::SetOptionsParens { .. }
        | AlterTableOperation::ResetOptions { .. } => Op::Benign {
            what: "alter table metadata".into(),
        },
        AlterTableOperation::SetLogged | AlterTableOperation::SetUnlogged => Op::Locking {
            what: "SET LOGGED / SET UNLOGGED rewrites the table".into(),
            table: Some(table),
        },
        _ => return None,
    })
}
