//! `ddl-in-function-body`: A function or procedure body runs destructive DDL whenever it is called.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "ddl-in-function-body",
    class: Some(Class::Risky),
    summary: "A function or procedure body runs destructive DDL whenever it is called.",
};

/// Not an op rule: the engine opens function bodies and emits it for destructive DDL there.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn reports_ddl_in_body() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DROP TABLE sessions;
END $$;"#
        ));
    }

    #[test]
    fn called_function_is_analysed_like_a_do_block() {
        let out = run_rule(
            "drop-table",
            r#"CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DROP TABLE sessions;
END $$;
SELECT purge();"#,
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn quiet_for_dml_only_body() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  DELETE FROM sessions WHERE expires_at < now();
  RETURN NEW;
END $$;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
