//! `personal-column-not-anonymized`: A migration adds a personal column that the anonymisation script does not mask.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "personal-column-not-anonymized",
    class: None,
    summary: "A migration adds a personal column that the anonymisation script does not mask.",
};

/// Not an op rule: the engine replays every up migration, asks the anonymisation check
/// ([`crate::anonymize::gaps`]) which personal columns of the final schema the script leaves
/// unmasked, and reports each at the statement of a checked migration that introduced it
/// (created it, or renamed it to its current name), following later renames and drops.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    use crate::engine;
    use crate::model::TransactionMode;
    use crate::policy::Policy;
    use crate::rules::testing::project;

    const SCRIPT: &str = "\
UPDATE users SET email = 'user' || id || '@example.com', phone = NULL;
";

    /// Renders the rule's findings for `sql` (migrations after the base history; only the last
    /// is checked) against `script`.
    fn run(sql: &str, script: &str, tweak: impl FnOnce(&mut Policy)) -> String {
        let mut p = project(sql, TransactionMode::Transactional);
        let file = p.add_file("scripts/anonymize-data.sql", script);
        p.anonymize_script = Some(file);
        let mut policy = Policy::default_policy();
        tweak(&mut policy);
        let report = engine::check(&p, &policy);
        let mut out = String::new();
        for f in report
            .findings
            .iter()
            .filter(|f| f.rule == "personal-column-not-anonymized")
        {
            out.push_str(&format!(
                "{}:{} {} {}\n  help: {}\n",
                f.path, f.line, f.severity, f.message, f.help
            ));
        }
        out
    }

    #[test]
    fn reports_an_added_personal_column_the_script_misses() {
        insta::assert_snapshot!(run(
            "ALTER TABLE users ADD COLUMN birth_date date;\nALTER TABLE users ADD COLUMN shoe_size int;",
            SCRIPT,
            |_| {}
        ), @r#"
        migrations/001.sql:1 error `users.birth_date` holds personal data (date of birth), and scripts/anonymize-data.sql does not mask it
          help: add `UPDATE users SET birth_date = <mask>;` to scripts/anonymize-data.sql, or declare `"users.birth_date" = "<reason>"` in [anonymize.non_personal]
        "#);
    }

    #[test]
    fn reports_personal_columns_of_a_new_table() {
        let out = run(
            "CREATE TABLE adherent (id bigint PRIMARY KEY, prenom text, nom text, courriel text, categorie text);",
            SCRIPT,
            |_| {},
        );
        assert_eq!(out.matches(" error ").count(), 3, "{out}");
        for c in ["adherent.prenom", "adherent.nom", "adherent.courriel"] {
            assert!(out.contains(&format!("`{c}`")), "{c} missing from:\n{out}");
        }
        assert!(!out.contains("categorie"), "{out}");
    }

    #[test]
    fn silent_when_the_script_masks_it() {
        let script = format!("{SCRIPT}UPDATE users SET birth_date = date '1970-01-01';\n");
        assert_eq!(
            run(
                "ALTER TABLE users ADD COLUMN birth_date date;",
                &script,
                |_| {}
            ),
            ""
        );
        // Truncating the table covers every column.
        assert_eq!(
            run(
                "CREATE TABLE login_history (id bigint, ip_address inet);",
                &format!("{SCRIPT}TRUNCATE login_history;\n"),
                |_| {}
            ),
            ""
        );
    }

    #[test]
    fn a_self_assignment_is_no_mask_and_says_so() {
        let out = run(
            "ALTER TABLE users ADD COLUMN last_name text;",
            &format!("{SCRIPT}UPDATE users SET last_name = last_name;\n"),
            |_| {},
        );
        assert!(out.contains("`users.last_name`"), "{out}");
        assert!(out.contains("last_name = last_name"), "{out}");
    }

    #[test]
    fn follows_renames_to_the_final_name() {
        // The column is added, then renamed in the checked migration: the rename is what
        // the script must keep up with.
        let out = run(
            "ALTER TABLE users ADD COLUMN tel text;\n---\nALTER TABLE users RENAME COLUMN tel TO mobile_phone;",
            SCRIPT,
            |_| {},
        );
        assert!(out.contains("migrations/002.sql:1"), "{out}");
        assert!(out.contains("`users.mobile_phone`"), "{out}");
        // A table renamed after its column was added: still the adding statement, new name.
        let out = run(
            "CREATE TABLE adh (id int, courriel text);\nALTER TABLE adh RENAME TO adherent;",
            SCRIPT,
            |_| {},
        );
        assert!(out.contains("migrations/001.sql:1"), "{out}");
        assert!(out.contains("`adherent.courriel`"), "{out}");
    }

    #[test]
    fn a_column_dropped_later_or_added_in_history_is_not_reported() {
        assert_eq!(
            run(
                "ALTER TABLE users ADD COLUMN birth_date date;\nALTER TABLE users DROP COLUMN birth_date;",
                SCRIPT,
                |_| {}
            ),
            ""
        );
        // One DROP of several tables drops each.
        assert_eq!(
            run(
                "CREATE TABLE adh (id int, courriel text);\nCREATE TABLE x (id int);\nDROP TABLE x, adh;",
                SCRIPT,
                |_| {}
            ),
            ""
        );
        // The personal column comes from an unchecked (already merged) migration.
        assert_eq!(
            run(
                "ALTER TABLE users ADD COLUMN birth_date date;\n---\nALTER TABLE users ADD COLUMN shoe_size int;",
                SCRIPT,
                |_| {}
            ),
            ""
        );
    }

    #[test]
    fn non_personal_declarations_and_rule_level_apply() {
        let sql = "ALTER TABLE users ADD COLUMN birth_date date;";
        assert_eq!(
            run(sql, SCRIPT, |p| {
                p.anonymize
                    .non_personal
                    .insert("users.birth_date".into(), "a test column".into());
            }),
            ""
        );
        assert_eq!(
            run(sql, SCRIPT, |p| {
                p.set_rule_level("personal-column-not-anonymized", crate::model::Level::Off)
                    .unwrap();
            }),
            ""
        );
    }

    #[test]
    fn silent_without_a_script() {
        let p = project(
            "ALTER TABLE users ADD COLUMN birth_date date;",
            TransactionMode::Transactional,
        );
        let report = engine::check(&p, &Policy::default_policy());
        assert!(report
            .findings
            .iter()
            .all(|f| f.rule != "personal-column-not-anonymized"));
    }
}
