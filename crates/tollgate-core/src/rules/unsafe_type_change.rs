//! `unsafe-type-change`: Changes a column's type in a way that can lose data or fail on existing rows.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "unsafe-type-change",
    class: Some(Class::Destructive),
    summary: "Changes a column's type in a way that can lose data or fail on existing rows.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::AlterColumnType {
        table,
        column,
        new_type,
        using,
    } = op
    {
        if ctx.table_is_new(table) || ctx.column_is_new(table, column) {
            return;
        }
        let Some(verdict) = judge(ctx, table, column, new_type.as_deref(), using.as_deref()) else {
            return;
        };
        if let Verdict::Lossy(message) = verdict {
            hits.push(
                &META,
                message,
                "add a new column of the new type, backfill it in batches (checking which rows don't convert), switch reads, then drop the old column",
            );
        }
    }
}

/// The shared verdict on a type change, used by this rule and `type-change-rewrite`.
pub(crate) enum Verdict {
    Lossy(String),
    Rewrite(String),
}

pub(crate) fn judge(
    ctx: &Ctx,
    table: &crate::ops::ObjectName,
    column: &str,
    new_type: Option<&str>,
    using: Option<&str>,
) -> Option<Verdict> {
    use crate::types::{type_change, PgType, TypeChange};
    let col = format!("`{table}.{column}`");
    let Some(new_type) = new_type else {
        return Some(Verdict::Lossy(format!(
            "changes the type of {col} to a type tollgate could not read"
        )));
    };
    let old = ctx
        .schema
        .column(table, column)
        .and_then(|c| c.data_type.as_deref());
    let uncertain = if ctx.schema.is_uncertain(table) {
        " (the table's history could not be fully followed)"
    } else {
        ""
    };
    let change = type_change(old, new_type, ctx.policy.postgres_version);
    let n = PgType::parse(new_type);
    if let Some(expr) = using {
        let trivial = is_plain_cast(expr, column, new_type);
        match change {
            TypeChange::Same | TypeChange::Free if trivial => return None,
            TypeChange::Rewrite if trivial => {
                return Some(Verdict::Rewrite(format!(
                    "changes {col} from `{}` to `{new_type}`: every row is rewritten{uncertain}",
                    old.unwrap_or("?")
                )));
            }
            _ => {}
        }
        let bounded_text = matches!(n.base.as_str(), "varchar" | "char") && !n.modifiers.is_empty();
        let from_text = old
            .map(|o| {
                matches!(
                    PgType::parse(o).base.as_str(),
                    "text" | "varchar" | "char" | "citext"
                )
            })
            .unwrap_or(false);
        let explicit_cast = {
            let e = expr.to_lowercase().replace(' ', "");
            [
                "::varchar(",
                "::charactervarying(",
                "::char(",
                "::character(",
                "asvarchar(",
                "ascharactervarying(",
            ]
            .iter()
            .any(|c| e.contains(c))
        };
        let message = if bounded_text && explicit_cast {
            format!("`USING {expr}` casts {col} to `{new_type}` explicitly, which truncates silently every longer value{uncertain}")
        } else if bounded_text {
            format!("`USING {expr}` converts {col} to `{new_type}`: up fails on the first value longer than the new limit{uncertain}")
        } else if from_text || old.is_none() {
            format!("`USING {expr}` converts {col} to `{new_type}`: up fails on the first row that does not convert, or the cast changes values; check the data first{uncertain}")
        } else {
            format!("`USING {expr}` rewrites {col} into `{new_type}`; values that don't convert fail or change{uncertain}")
        };
        return Some(Verdict::Lossy(message));
    }
    match change {
        TypeChange::Same | TypeChange::Free => None,
        TypeChange::Rewrite => Some(Verdict::Rewrite(format!(
            "changes {col} from `{}` to `{new_type}`: the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock{uncertain}",
            old.unwrap_or("?")
        ))),
        TypeChange::Lossy(why) => Some(Verdict::Lossy(format!("changes the type of {col}: {why}{uncertain}"))),
        TypeChange::Unknown => {
            let hint = ctx
                .schema
                .hinted_column(table, column)
                .and_then(|c| c.data_type.as_deref())
                .map(|t| format!(" (the ORM's schema snapshot says it is `{t}`, but the migration history does not show it)"))
                .unwrap_or_default();
            let wide = matches!(n.base.as_str(), "text" | "bigint" | "jsonb" | "timestamptz" | "double precision")
                || (matches!(n.base.as_str(), "varchar" | "numeric") && n.modifiers.is_empty());
            if wide {
                Some(Verdict::Rewrite(format!("changes {col} to `{new_type}`; its previous type is unknown, so this may rewrite the table{hint}")))
            } else {
                Some(Verdict::Lossy(format!("changes {col} to `{new_type}`; its previous type is unknown, and this type can be narrower{hint}")))
            }
        }
    }
}

/// `col::type`, `CAST(col AS type)`, `col::text::type` style casts of the column itself.
fn is_plain_cast(expr: &str, column: &str, new_type: &str) -> bool {
    let e: String = expr
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '(' && *c != ')')
        .collect::<String>()
        .to_lowercase();
    let t: String = new_type
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let c = column.to_lowercase();
    e == format!("{c}::{t}") || e == format!("cast{c}as{t}")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_narrowing() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN email TYPE varchar(20);"#
        ));
    }

    #[test]
    fn flags_using_truncation() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN email TYPE varchar(20) USING (email::varchar(20));"#
        ));
    }

    #[test]
    fn flags_text_to_int() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN nickname TYPE integer USING nickname::integer;"#
        ));
    }

    #[test]
    fn ignores_widening() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN email TYPE varchar(500);"#
        ));
    }

    #[test]
    fn ignores_same_type() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN email TYPE character varying(255);"#
        ));
    }

    const META_ID: &str = super::META.id;

    #[test]
    fn orm_snapshot_hint_only_informs_the_message() {
        use crate::engine;
        use crate::model::TransactionMode;
        use crate::ops::ObjectName;
        use crate::policy::Policy;
        use crate::schema::{Column, Table};
        use crate::source::{MigrationInput, Project};

        let mut p = Project::default();
        let f = p.add_file(
            "m.sql",
            "ALTER TABLE member ALTER COLUMN nickname TYPE varchar(20);",
        );
        p.migrations.push(MigrationInput::from_file(
            "m",
            f,
            TransactionMode::Transactional,
        ));
        p.schema_hints.push((
            ObjectName::new("member"),
            Table {
                columns: vec![Column {
                    name: "nickname".into(),
                    data_type: Some("varchar(255)".into()),
                    not_null: false,
                }],
            },
        ));
        let r = engine::check(&p, &Policy::default_policy());
        let f = r
            .findings
            .iter()
            .find(|f| f.rule == META_ID)
            .expect("still reported");
        // The verdict comes from what the history knows (nothing): a hint never decides.
        assert_eq!(f.class, Some(crate::model::Class::Destructive));
        assert!(
            f.message.contains("snapshot says it is `varchar(255)`"),
            "{}",
            f.message
        );
    }
}
