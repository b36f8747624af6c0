//! `drop-enum-value`: Removes a value from an enum type; rows holding it break.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "drop-enum-value",
    class: Some(Class::Destructive),
    summary: "Removes a value from an enum type; rows holding it break.",
};

pub fn check(_ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::DropEnumValue { type_name } = op {
        let which = type_name
            .as_ref()
            .map(|t| format!(" of `{t}`"))
            .unwrap_or_default();
        hits.push(
            &META,
            format!("removes an enum value{which} by editing pg_enum; rows that hold it become unreadable"),
            "migrate the rows to another value first, then re-create the type without the value (new type, ALTER COLUMN … TYPE new USING col::text::new, drop the old type)",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_pg_enum_delete() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DELETE FROM pg_enum WHERE enumlabel = 'archived';"#
        ));
    }

    #[test]
    fn ignores_ordinary_delete_target() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"INSERT INTO statuses (name) VALUES ('archived');"#
        ));
    }

    const META_ID: &str = super::META.id;
}
