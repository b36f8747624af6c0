//! `foreign-key-without-index`: Adds a foreign key whose columns have no index: deletes on the
//! parent table scan this table.
//!
//! PostgreSQL indexes the referenced side of a foreign key (it must be a primary key or unique),
//! never the referencing side, and MikroORM does not add one either. Every `DELETE` or key
//! `UPDATE` on the parent then looks for referencing rows with a sequential scan of the child
//! table, and joins along the relation are slow. About performance, not safety: the rule is
//! opt-in and gives no class.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::{ConstraintKind, ObjectName, Op};
use crate::schema::key_leads_with;

pub const META: RuleMeta = RuleMeta {
    id: "foreign-key-without-index",
    class: None,
    summary: "Adds a foreign key whose columns have no index: deletes on the parent table scan this table.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    match op {
        Op::CreateTable {
            table, constraints, ..
        } => {
            let pk_lead = constraints
                .iter()
                .find(|c| c.kind == ConstraintKind::PrimaryKey)
                .and_then(|c| c.columns.first());
            for fk in constraints
                .iter()
                .filter(|c| c.kind == ConstraintKind::ForeignKey)
            {
                // A new table: what the history knew under this name is gone, so only its own
                // constraints and the indexes made in this part count.
                let fk = Fk {
                    table,
                    columns: &fk.columns,
                    references: fk.references.as_ref(),
                };
                if pk_lead.is_none() || fk.columns.first() != pk_lead {
                    report(ctx, &fk, true, hits);
                }
            }
        }
        Op::AddColumn { table, column, .. } if !column.unique && !column.primary_key => {
            if let Some(references) = &column.references {
                let columns = [column.name.clone()];
                let fk = Fk {
                    table,
                    columns: &columns,
                    references: Some(references),
                };
                if knows_no_index(ctx, &fk) {
                    report(ctx, &fk, ctx.table_is_new(table), hits);
                }
            }
        }
        Op::AddConstraint {
            table,
            kind: ConstraintKind::ForeignKey,
            columns,
            references,
            ..
        } => {
            let fk = Fk {
                table,
                columns,
                references: references.as_ref(),
            };
            if knows_no_index(ctx, &fk) {
                report(ctx, &fk, ctx.table_is_new(table), hits);
            }
        }
        _ => {}
    }
}

struct Fk<'a> {
    table: &'a ObjectName,
    columns: &'a [String],
    references: Option<&'a ObjectName>,
}

/// For a foreign key added to a table that already exists: the history knows the table (so a
/// missing index is a fact, not a gap in what tollgate could follow) and it has no index that
/// covers the key, nor is the key the start of its primary key.
fn knows_no_index(ctx: &Ctx, fk: &Fk) -> bool {
    if ctx.table_is_new(fk.table) {
        return true; // the indexes made here are checked in `report`
    }
    let Some(t) = ctx.schema.table(fk.table) else {
        return false;
    };
    if ctx.schema.is_uncertain(fk.table) || t.has_index_leading_with(fk.columns) {
        return false;
    }
    let pk_lead = t.primary_key().and_then(|pk| pk.columns.first());
    pk_lead.is_none() || pk_lead != fk.columns.first()
}

fn report(ctx: &Ctx, fk: &Fk, new_table: bool, hits: &mut Hits) {
    if fk.columns.is_empty() {
        return;
    }
    // MikroORM often emits the index after the foreign key: anywhere in this part counts.
    if ctx
        .scope
        .indexes_created_in_part(&fk.table.key())
        .any(|k| key_leads_with(k, fk.columns))
    {
        return;
    }
    let table = fk.table;
    let cols = if fk.columns.len() == 1 {
        format!("{table}.{}", fk.columns[0])
    } else {
        format!("{table} ({})", fk.columns.join(", "))
    };
    let message = match fk.references {
        Some(parent) => format!(
            "foreign key `{cols}` → `{parent}` has no index: deleting or updating a row of `{parent}` scans `{table}`"
        ),
        None => format!(
            "foreign key `{cols}` has no index: deleting or updating a referenced row scans `{table}`"
        ),
    };
    let index_name = quote(&format!("{}_{}_idx", table.name, fk.columns.join("_")));
    let on = match &table.schema {
        Some(s) => format!("{}.{}", quote(s), quote(&table.name)),
        None => quote(&table.name),
    };
    let key = fk
        .columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ");
    // A table created in this migration is empty: a plain CREATE INDEX is instant and, unlike
    // CONCURRENTLY, works inside the migration's transaction.
    let concurrently = if new_table { "" } else { " CONCURRENTLY" };
    hits.push(
        &META,
        message,
        format!(
            "CREATE INDEX{concurrently} {index_name} ON {on} ({key}); (MikroORM: add `@Index()` on the relation property)"
        ),
    );
}

/// PostgreSQL's reserved key words, which need quotes as identifiers.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// An identifier as SQL: bare when PostgreSQL would read it back unchanged, quoted otherwise.
fn quote(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_create_table_with_unindexed_foreign_keys() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE author (id serial PRIMARY KEY, name text);
CREATE TABLE "user" (id serial PRIMARY KEY);
CREATE TABLE book (
    id serial PRIMARY KEY,
    author_id int NOT NULL REFERENCES author (id) ON DELETE CASCADE,
    "Owner" int,
    CONSTRAINT book_owner_fk FOREIGN KEY ("Owner") REFERENCES "user" (id)
);"#
        ));
    }

    #[test]
    fn flags_alter_table_add_constraint_and_add_column() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD CONSTRAINT users_club_id_foreign FOREIGN KEY (club_id) REFERENCES clubs (id) ON UPDATE CASCADE;
ALTER TABLE sessions ADD COLUMN user_id integer REFERENCES users;"#
        ));
    }

    #[test]
    fn ignores_index_created_later_in_the_same_migration() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE book (id serial PRIMARY KEY, author_id int NOT NULL);
ALTER TABLE book ADD CONSTRAINT book_author_id_foreign FOREIGN KEY (author_id) REFERENCES users (id);
ALTER TABLE users ADD CONSTRAINT users_club_id_foreign FOREIGN KEY (club_id) REFERENCES clubs (id);
CREATE INDEX book_author_id_index ON book (author_id);
CREATE INDEX CONCURRENTLY users_club_id_email_index ON users (club_id, email);"#
        ));
    }

    #[test]
    fn ignores_index_from_the_history() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE INDEX members_user_id_idx ON members (user_id);
---
ALTER TABLE members ADD CONSTRAINT members_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE users ADD CONSTRAINT users_email_fk FOREIGN KEY (email) REFERENCES users (email);"#
        ));
    }

    #[test]
    fn composite_primary_key_covers_only_its_leading_column() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE user_clubs (
    user_id int NOT NULL REFERENCES users (id),
    club_id bigint NOT NULL REFERENCES clubs (id),
    PRIMARY KEY (user_id, club_id)
);"#
        ));
    }

    #[test]
    fn ignores_unique_foreign_key_columns() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE profile (id serial PRIMARY KEY, user_id int UNIQUE REFERENCES users (id));
ALTER TABLE sessions ADD COLUMN owner_id integer UNIQUE REFERENCES users;
ALTER TABLE members ADD CONSTRAINT members_user_id_key UNIQUE (user_id);
ALTER TABLE members ADD CONSTRAINT members_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"#
        ));
    }

    #[test]
    fn ignores_tables_the_history_does_not_know() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE legacy ADD CONSTRAINT legacy_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"#
        ));
    }

    #[test]
    fn off_by_default_and_never_raises_the_class() {
        use crate::model::{Level, TransactionMode};
        use crate::policy::Policy;
        let sql = "CREATE TABLE book (id int PRIMARY KEY, author_id int REFERENCES users);";
        let project = crate::rules::testing::project(sql, TransactionMode::Transactional);
        let report = crate::engine::check(&project, &Policy::default_policy());
        assert!(report.findings.iter().all(|f| f.rule != META_ID));
        let mut policy = Policy::default_policy();
        policy.set_rule_level(META_ID, Level::Info).unwrap();
        let report = crate::engine::check(&project, &policy);
        let f = report.findings.iter().find(|f| f.rule == META_ID).unwrap();
        assert_eq!(f.severity, crate::model::Severity::Info);
        assert_eq!(f.class, None);
        assert_eq!(report.migrations[0].class.as_str(), "additive");
    }

    #[test]
    fn quotes_identifiers_in_the_suggested_index() {
        assert_eq!(super::quote("author_id"), "author_id");
        assert_eq!(super::quote("Owner"), "\"Owner\"");
        assert_eq!(super::quote("user"), "\"user\"");
        assert_eq!(super::quote("1a"), "\"1a\"");
    }

    const META_ID: &str = super::META.id;
}
