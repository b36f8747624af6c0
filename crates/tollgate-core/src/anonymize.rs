//! Anonymisation coverage: does `scripts/anonymize-data.sql` mask every personal column?
//!
//! The script is read statement by statement. What counts as covering a column:
//! `UPDATE t SET col = <anything but col>` without a `WHERE` (or with a `WHERE` that only skips
//! rows where the column is NULL or empty), `TRUNCATE t`, an unconditional `DELETE FROM t`,
//! `ALTER TABLE t DROP COLUMN col`, `DROP TABLE t`, and `SECURITY LABEL … ON COLUMN t.col IS
//! 'MASKED WITH …'` (PostgreSQL Anonymizer). What looks like cover but is not — `SET col = col`,
//! an UPDATE whose `WHERE` leaves rows unmasked — is reported, and so is a statement tollgate
//! cannot read.
//!
//! The columns to cover come from the schema model after every up migration, so renames and
//! drops in the history are followed.

use sqlparser::ast::{self, AssignmentTarget, Expr, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::analyze;
use crate::lexer::{self, TokenKind};
use crate::ops::{ObjectKind, Op};
use crate::span::Span;
use crate::split;

/// How a column (or a whole table, when `column` is `None`) is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cover {
    Updated,
    Truncated,
    Deleted,
    ColumnDropped,
    TableDropped,
    SecurityLabel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered {
    /// [`crate::ops::ObjectName::key`] of the table.
    pub table: String,
    pub column: Option<String>,
    pub how: Cover,
    pub span: Span,
}

/// Something in the script that looks like cover but is not, or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptProblem {
    pub table: Option<String>,
    pub column: Option<String>,
    pub message: String,
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptAnalysis {
    pub covered: Vec<Covered>,
    pub problems: Vec<ScriptProblem>,
}

impl ScriptAnalysis {
    /// How `table.column` is covered, if it is.
    pub fn covers(&self, table: &str, column: &str) -> Option<&Covered> {
        self.covered
            .iter()
            .find(|c| c.table == table && c.column.as_deref().is_none_or(|col| col == column))
    }
}

/// Reads an anonymisation script.
pub fn analyze_script(sql: &str) -> ScriptAnalysis {
    let mut out = ScriptAnalysis::default();
    let result = split::split(sql);
    for seg in result.statements() {
        let tokens = result.segment_tokens(seg);
        let text = &sql[seg.span.start..seg.span.end];
        if let Some(label) = security_label(sql, tokens) {
            match label {
                Ok((table, column)) => out.covered.push(Covered {
                    table,
                    column: Some(column),
                    how: Cover::SecurityLabel,
                    span: seg.span,
                }),
                Err(message) => out.problems.push(ScriptProblem {
                    table: None,
                    column: None,
                    message,
                    span: seg.span,
                }),
            }
            continue;
        }
        let lowered = analyze::lower(sql, tokens);
        for op in &lowered.ops {
            match op {
                Op::Truncate { tables } => {
                    for t in tables {
                        out.covered.push(Covered {
                            table: t.key(),
                            column: None,
                            how: Cover::Truncated,
                            span: seg.span,
                        });
                    }
                }
                Op::Delete { table, has_where } => {
                    if *has_where {
                        out.problems.push(ScriptProblem {
                            table: Some(table.key()),
                            column: None,
                            message: format!("`DELETE FROM {table} WHERE …` keeps the rows the condition skips, unmasked"),
                            span: seg.span,
                        });
                    } else {
                        out.covered.push(Covered {
                            table: table.key(),
                            column: None,
                            how: Cover::Deleted,
                            span: seg.span,
                        });
                    }
                }
                Op::DropColumn { table, column, .. } => out.covered.push(Covered {
                    table: table.key(),
                    column: Some(column.clone()),
                    how: Cover::ColumnDropped,
                    span: seg.span,
                }),
                Op::Drop {
                    kind: ObjectKind::Table,
                    names,
                    ..
                } => {
                    for t in names {
                        out.covered.push(Covered {
                            table: t.key(),
                            column: None,
                            how: Cover::TableDropped,
                            span: seg.span,
                        });
                    }
                }
                Op::Update { table, .. } => update(text, table.key(), seg.span, &mut out),
                Op::DoBlock { .. } | Op::Unknown { .. } => out.problems.push(ScriptProblem {
                    table: None,
                    column: None,
                    message: format!(
                        "tollgate cannot read which columns this `{}` statement masks",
                        lowered.kind
                    ),
                    span: seg.span,
                }),
                _ => {}
            }
        }
    }
    out
}

/// `SECURITY LABEL [FOR provider] ON COLUMN t.c IS 'MASKED WITH …'`: `None` when the statement is
/// not a security label; an error when it is one that masks nothing.
fn security_label(sql: &str, tokens: &[lexer::Token]) -> Option<Result<(String, String), String>> {
    let sig: Vec<&lexer::Token> = tokens.iter().filter(|t| !t.is_trivia()).collect();
    let kw = |i: usize, k: &str| sig.get(i).is_some_and(|t| lexer::is_keyword(t, sql, k));
    if !(kw(0, "security") && kw(1, "label")) {
        return None;
    }
    let mut i = 2;
    if kw(i, "for") {
        i += 2;
    }
    if !(kw(i, "on") && kw(i + 1, "column")) {
        return Some(Err(
            "a SECURITY LABEL that is not on a column masks nothing".into(),
        ));
    }
    i += 2;
    let mut parts = Vec::new();
    while let Some(t) = sig.get(i) {
        if lexer::is_keyword(t, sql, "is") {
            break;
        }
        if t.text(sql) != "." {
            parts.push(lexer::ident_value(t, sql).unwrap_or_default());
        }
        i += 1;
    }
    let label = sig
        .get(i + 1)
        .filter(|t| t.kind == TokenKind::String)
        .and_then(|t| lexer::string_value(t, sql))
        .unwrap_or_default();
    if parts.len() < 2 {
        return Some(Err(
            "cannot read the column this SECURITY LABEL names".into()
        ));
    }
    if !label.trim_start().to_uppercase().starts_with("MASKED WITH") {
        return Some(Err(format!(
            "SECURITY LABEL `{label}` is not a masking rule (`MASKED WITH …`)"
        )));
    }
    let column = parts.pop().unwrap_or_default();
    let table = parts.pop().unwrap_or_default();
    let table = match parts.pop() {
        Some(schema) if schema != "public" => format!("{schema}.{table}"),
        _ => table,
    };
    Some(Ok((table, column)))
}

fn update(text: &str, table: String, span: Span, out: &mut ScriptAnalysis) {
    let parsed = Parser::parse_sql(&PostgreSqlDialect {}, text);
    let Some(Statement::Update(u)) = parsed.ok().and_then(|mut v| v.pop()) else {
        out.problems.push(ScriptProblem {
            table: Some(table),
            column: None,
            message: "tollgate cannot read which columns this UPDATE masks".into(),
            span,
        });
        return;
    };
    let mut columns = Vec::new();
    for a in &u.assignments {
        let targets: Vec<&ast::ObjectName> = match &a.target {
            AssignmentTarget::ColumnName(n) => vec![n],
            AssignmentTarget::Tuple(ns) => ns.iter().collect(),
        };
        for n in targets {
            let Some(col) = n.0.last().and_then(|p| p.as_ident()).map(fold) else {
                continue;
            };
            if is_same_column(&a.value, &col) {
                out.problems.push(ScriptProblem {
                    table: Some(table.clone()),
                    column: Some(col.clone()),
                    message: format!(
                        "`SET {col} = {col}` leaves the value as it is: it masks nothing"
                    ),
                    span,
                });
            } else {
                columns.push(col);
            }
        }
    }
    for col in columns {
        let partial = u.selection.as_ref().filter(|w| !only_skips_empty(w, &col));
        if let Some(w) = partial {
            out.problems.push(ScriptProblem {
                table: Some(table.clone()),
                column: Some(col.clone()),
                message: format!(
                    "the UPDATE of `{table}.{col}` has `WHERE {w}`: rows it skips stay unmasked"
                ),
                span,
            });
        } else {
            out.covered.push(Covered {
                table: table.clone(),
                column: Some(col),
                how: Cover::Updated,
                span,
            });
        }
    }
}

fn fold(id: &ast::Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

fn is_same_column(e: &Expr, col: &str) -> bool {
    match e {
        Expr::Identifier(id) => fold(id) == col,
        Expr::CompoundIdentifier(ids) => ids.last().is_some_and(|id| fold(id) == col),
        Expr::Nested(inner) => is_same_column(inner, col),
        _ => false,
    }
}

/// `WHERE col IS NOT NULL`, `WHERE col <> ''` and their conjunctions only skip rows with nothing
/// to mask.
fn only_skips_empty(w: &Expr, col: &str) -> bool {
    match w {
        Expr::IsNotNull(e) => is_same_column(e, col),
        Expr::BinaryOp { left, op, right } => match op {
            ast::BinaryOperator::And => only_skips_empty(left, col) && only_skips_empty(right, col),
            ast::BinaryOperator::NotEq => {
                is_same_column(left, col)
                    && matches!(&**right, Expr::Value(v) if v.to_string() == "''")
            }
            _ => false,
        },
        Expr::Nested(inner) => only_skips_empty(inner, col),
        Expr::Value(v) => v.to_string().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A personal column the script does not cover.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    /// [`crate::ops::ObjectName::key`] of the table.
    pub table: String,
    pub column: String,
    pub kind: crate::pii::PiiKind,
    /// Why what the script does to the column does not count, when it touches it at all.
    pub false_cover: Option<String>,
}

/// Every personal column of `schema` (as `pii` and `non_personal` judge them) that `script`
/// does not cover, in table then column order.
pub fn gaps(
    schema: &crate::schema::Schema,
    script: &ScriptAnalysis,
    pii: &crate::pii::PiiPolicy,
    non_personal: &std::collections::BTreeMap<String, String>,
) -> Vec<Gap> {
    let mut out = Vec::new();
    for (key, table) in &schema.tables {
        let bare = key.rsplit('.').next().unwrap_or(key);
        let siblings: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        for col in &table.columns {
            let full = format!("{key}.{}", col.name).to_lowercase();
            let bare_full = format!("{bare}.{}", col.name).to_lowercase();
            if non_personal.contains_key(&full)
                || non_personal.contains_key(&bare_full)
                || pii.is_non_personal(bare, &col.name).is_some()
            {
                continue;
            }
            let Some(kind) = pii.column_kind(bare, &col.name, &siblings) else {
                continue;
            };
            if script.covers(key, &col.name).is_some() {
                continue;
            }
            let false_cover = script
                .problems
                .iter()
                .find(|p| {
                    p.table.as_deref() == Some(key.as_str())
                        && p.column.as_deref().is_none_or(|c| c == col.name)
                })
                .map(|p| p.message.clone());
            out.push(Gap {
                table: key.clone(),
                column: col.name.clone(),
                kind,
                false_cover,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(a: &ScriptAnalysis, sql: &str) -> String {
        let mut s = String::new();
        for c in &a.covered {
            s.push_str(&format!(
                "cover {}.{} {:?} @{}\n",
                c.table,
                c.column.as_deref().unwrap_or("*"),
                c.how,
                sql[..c.span.start].lines().count() + 1
            ));
        }
        for p in &a.problems {
            s.push_str(&format!(
                "problem {}.{}: {}\n",
                p.table.as_deref().unwrap_or("?"),
                p.column.as_deref().unwrap_or("*"),
                p.message
            ));
        }
        s
    }

    #[test]
    fn reads_every_form_of_cover_and_false_cover() {
        let sql = r#"-- anonymise a production copy
UPDATE adherent SET email = 'adherent' || id || '@example.com', prenom = 'Prénom', "Nom" = md5(nom);
UPDATE adherent SET telephone = NULL WHERE telephone IS NOT NULL;
UPDATE adherent SET notes = notes;
UPDATE adherent SET adresse = 'rue' WHERE club_id = 3;
UPDATE public.adherent AS a SET (ville, cp) = ('Paris', '75000');
TRUNCATE login_history, audit_log;
DELETE FROM sessions;
DELETE FROM messages WHERE created_at < now() - interval '1 year';
ALTER TABLE adherent DROP COLUMN nir;
DROP TABLE IF EXISTS payment_card;
SECURITY LABEL FOR anon ON COLUMN adherent.date_naissance IS 'MASKED WITH FUNCTION anon.random_date()';
SECURITY LABEL FOR anon ON COLUMN adherent.photo IS 'NOT MASKED';
DO $$ BEGIN EXECUTE 'UPDATE x SET y = 1'; END $$;
"#;
        insta::assert_snapshot!(render(&analyze_script(sql), sql));
    }

    #[test]
    fn gaps_follow_the_replayed_schema() {
        use crate::ops::ObjectName;
        let mut project = crate::source::Project::default();
        let history = [
            "CREATE TABLE adherent (id serial PRIMARY KEY, prenom text, nom text, email text, telephone text, club_id int);",
            "ALTER TABLE adherent RENAME COLUMN email TO courriel;\nALTER TABLE adherent ADD COLUMN date_naissance date;",
            "ALTER TABLE adherent DROP COLUMN telephone;\nCREATE TABLE product (id serial PRIMARY KEY, name text, photo text, price numeric);\nCREATE TABLE login_history (id bigserial PRIMARY KEY, ip_address inet);",
        ];
        for (i, sql) in history.iter().enumerate() {
            let f = project.add_file(format!("m/{i}.sql"), *sql);
            project
                .migrations
                .push(crate::source::MigrationInput::from_file(
                    i.to_string(),
                    f,
                    crate::model::TransactionMode::Transactional,
                ));
        }
        let (_, schema) =
            crate::engine::check_with_schema(&project, &crate::policy::Policy::default_policy());
        assert!(schema
            .column(&ObjectName::new("adherent"), "courriel")
            .is_some());
        let script = analyze_script(
            "UPDATE adherent SET prenom = 'x', nom = nom;\nUPDATE adherent SET email = 'a@example.com';",
        );
        let pii = crate::pii::PiiPolicy::default_policy();
        let mut non_personal = std::collections::BTreeMap::new();
        let gaps = gaps(&schema, &script, &pii, &non_personal);
        let text: Vec<String> = gaps
            .iter()
            .map(|g| {
                format!(
                    "{}.{} {} {}",
                    g.table,
                    g.column,
                    g.kind.as_str(),
                    g.false_cover.as_deref().unwrap_or("-")
                )
            })
            .collect();
        insta::assert_snapshot!(text.join("\n"));
        non_personal.insert(
            "login_history.ip_address".to_string(),
            "hashed upstream".to_string(),
        );
        assert!(gaps_after(&schema, &script, &pii, &non_personal)
            .iter()
            .all(|g| g != "login_history.ip_address"));
    }

    fn gaps_after(
        schema: &crate::schema::Schema,
        script: &ScriptAnalysis,
        pii: &crate::pii::PiiPolicy,
        non_personal: &std::collections::BTreeMap<String, String>,
    ) -> Vec<String> {
        gaps(schema, script, pii, non_personal)
            .into_iter()
            .map(|g| format!("{}.{}", g.table, g.column))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn never_panics(sql in "[ -~\\n]{0,200}") {
            let _ = analyze_script(&sql);
        }
    }
}
