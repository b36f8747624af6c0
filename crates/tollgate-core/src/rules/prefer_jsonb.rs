//! `prefer-jsonb`: A json column; jsonb is smaller to query and can be indexed.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "prefer-jsonb",
    class: Some(Class::Additive),
    summary: "A json column; jsonb is smaller to query and can be indexed.",
};

pub fn check(_ctx: &Ctx, op: &Op, hits: &mut Hits) {
    let (table, columns): (_, Vec<&crate::ops::ColumnDef>) = match op {
        Op::AddColumn { table, column, .. } => (table, vec![column]),
        Op::CreateTable { table, columns, .. } => (table, columns.iter().collect()),
        _ => return,
    };
    for c in columns {
        // Parsing the type allocates; a type whose text has no `json` cannot be `json`.
        if c.data_type.as_deref().is_some_and(|t| {
            t.as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"json"))
                && crate::types::PgType::parse(t).base == "json"
        }) {
            hits.push(
                &META,
                format!("column `{table}.{}` is `json`", c.name),
                "use `jsonb`: it supports indexes, equality and containment operators",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_json() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN prefs json;"#
        ));
    }

    #[test]
    fn ignores_jsonb() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN prefs jsonb;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
