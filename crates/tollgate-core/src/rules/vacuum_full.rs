//! `vacuum-full`: VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "vacuum-full",
    class: Some(Class::Risky),
    summary: "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock.",
};

pub fn check(_ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::VacuumFull { tables } = op {
        let what = if tables.is_empty() {
            "every table".to_string()
        } else {
            tables
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        hits.push(
            &META,
            format!("VACUUM FULL rewrites {what} under an ACCESS EXCLUSIVE lock"),
            "use plain VACUUM, or pg_repack / pg_squeeze outside the migration",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_full() {
        insta::assert_snapshot!(run_rule(META_ID, r#"VACUUM FULL users;"#));
    }

    #[test]
    fn ignores_plain() {
        insta::assert_snapshot!(run_rule(META_ID, r#"VACUUM ANALYZE users;"#));
    }

    const META_ID: &str = super::META.id;
}
