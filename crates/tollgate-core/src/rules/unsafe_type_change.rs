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
    use crate::types::PgType;
    let target = PgType::parse(new_type);
    let mut e = strip_parens(expr);
    // One cast of the column itself: `(("email")::varchar(255))`, `CAST(x AS t)`. A cast through
    // another type (`kind::text::new_enum`) converts values and is not plain.
    let mut outermost = true;
    loop {
        let lower = e.to_lowercase();
        let (inner, ty) = if lower.starts_with("cast") && e.ends_with(')') {
            let Some(open) = e.find('(') else {
                return false;
            };
            let body = &e[open + 1..e.len() - 1];
            let Some(at) = body.to_lowercase().rfind(" as ") else {
                return false;
            };
            (&body[..at], &body[at + 4..])
        } else if let Some(at) = e.rfind("::") {
            (&e[..at], &e[at + 2..])
        } else {
            let name = e.trim().trim_matches('"');
            let folded = if e.trim().starts_with('"') {
                name.to_string()
            } else {
                name.to_lowercase()
            };
            return !outermost && folded == column;
        };
        if !outermost || PgType::parse(strip_parens(ty)) != target {
            return false;
        }
        outermost = false;
        e = strip_parens(inner);
    }
}

/// `((x))` → `x`, when the outer parentheses enclose the whole expression.
fn strip_parens(mut e: &str) -> &str {
    loop {
        e = e.trim();
        if !(e.starts_with('(') && e.ends_with(')')) {
            return e;
        }
        let mut depth = 0i32;
        let inner = &e[1..e.len() - 1];
        for ch in inner.chars() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        return e;
                    }
                }
                _ => {}
            }
        }
        e = inner;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn generator_same_type_and_widening_are_not_flagged() {
        // MikroORM writes `using ("col"::type)` on every type change, and a redundant same-type
        // change before `set not null`.
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"alter table "users" alter column "email" type varchar(255) using ("email"::varchar(255));
alter table "users" alter column "email" set not null;
alter table "users" alter column "email" type varchar(320) using ("email"::varchar(320));
alter table "users" alter column "club_id" type int8 using (CAST("club_id" AS bigint));
alter table "users" alter column "id" type bigint using ((("id"))::bigint);"#
        ));
    }

    #[test]
    fn plain_cast_reader() {
        use super::is_plain_cast;
        assert!(is_plain_cast(
            r#"("email"::VARCHAR(255))"#,
            "email",
            "varchar(255)"
        ));
        assert!(is_plain_cast("CAST(n AS INTEGER)", "n", "int"));
        assert!(!is_plain_cast("n::text::integer", "n", "int4"));
        assert!(!is_plain_cast("n::varchar(10)", "n", "varchar(20)"));
        assert!(!is_plain_cast(
            "left(n, 10)::varchar(20)",
            "n",
            "varchar(20)"
        ));
        assert!(!is_plain_cast("other::integer", "n", "integer"));
        assert!(!is_plain_cast("n", "n", "integer"));
        assert!(!is_plain_cast(r#""N"::integer"#, "n", "integer"));
        assert!(is_plain_cast(r#""N"::integer"#, "N", "integer"));
    }

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
                    data_type: Some("varchar(255)".into()),
                    ..Column::named("nickname")
                }],
                ..Table::default()
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
