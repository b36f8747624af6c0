//! The API as plain Rust, so it is tested natively and its results compared with the CLI's;
//! `lib.rs` only converts to and from JavaScript values.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use tollgate_core::policy::Policy;
use tollgate_core::report::{MigrationClass, Report, StatementReport};
use tollgate_core::rules::RULES;
use tollgate_core::sources::load;
use tollgate_core::{LowerCache, Project};

thread_local! {
    /// Statements lowered by earlier calls: an editor lints the same file again on every
    /// keystroke, and only the statement being typed has new text. The report does not depend
    /// on it (tests compare cached and uncached reports); it only saves the parsing.
    static CACHE: LowerCache = LowerCache::new();
}

/// `tollgate_core::check`, through this instance's [`CACHE`]; each call is one round of it.
fn check(project: &Project, policy: &Policy) -> Report {
    CACHE.with(|cache| {
        let report = tollgate_core::check_cached(project, policy, cache);
        cache.sweep();
        report
    })
}

/// How the statement cache has done in this thread.
pub fn cache_stats() -> tollgate_core::engine::CacheStats {
    CACHE.with(|cache| cache.stats())
}

/// Script migrations (MikroORM, TypeORM) are read by content from these extensions.
const SCRIPT_EXTENSIONS: &[&str] = &[".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/// The policy: the embedded defaults with the text of a `tollgate.toml` laid over them, as the
/// CLI does. Errors name the file and the key.
///
/// The last policy is kept by its text: an editor sends the same `tollgate.toml` with every
/// keystroke, and a policy depends on its text alone.
pub fn policy(text: Option<&str>) -> Result<Rc<Policy>, String> {
    thread_local! {
        static LAST: RefCell<Option<(Option<String>, Rc<Policy>)>> = const { RefCell::new(None) };
    }
    let text = text.filter(|t| !t.trim().is_empty());
    let hit = LAST.with_borrow(|last| {
        last.as_ref()
            .filter(|(last_text, _)| last_text.as_deref() == text)
            .map(|(_, policy)| Rc::clone(policy))
    });
    if let Some(policy) = hit {
        return Ok(policy);
    }
    let mut policy = Policy::default_policy();
    if let Some(text) = text {
        policy
            .overlay_toml("tollgate.toml", text)
            .map_err(|e| e.to_string())?;
    }
    let policy = Rc::new(policy);
    LAST.set(Some((text.map(str::to_owned), Rc::clone(&policy))));
    Ok(policy)
}

/// The part of `path` below its migrations directory: the file name, or `<dir>/up.sql` for
/// the layouts that keep one migration per directory (diesel, Prisma, ory).
pub fn root_relative(path: &str) -> &str {
    let path = path.trim_start_matches("./");
    let mut parts = path.rsplitn(3, '/');
    let name = parts.next().unwrap_or(path);
    let parent = parts.next();
    match (name, parent) {
        ("up.sql" | "down.sql" | "metadata.toml" | "migration.sql", Some(dir)) => {
            &path[path.len() - name.len() - dir.len() - 1..]
        }
        _ => name,
    }
}

/// Lints one migration file: `.sql` in any layout, or a MikroORM/TypeORM `.ts`/`.js` class.
pub fn lint(source: &str, path: &str, policy_text: Option<&str>) -> Result<Report, String> {
    if path.trim().is_empty() {
        return Err("`path` is required: it decides how the source is read (e.g. `migrations/0001_init.up.sql` or `src/migrations/Migration20240101.ts`)".into());
    }
    let policy = policy(policy_text)?;
    let mut project = Project::default();
    let mut notices = Vec::new();
    let lower = path.to_ascii_lowercase();
    if SCRIPT_EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let read = load::add_script_file(
            &mut project,
            load::stem(name),
            path,
            source,
            policy.mikro_orm_all_or_nothing,
            &mut notices,
        );
        project.migrations.extend(read.into_iter().map(|m| m.input));
        if project.migrations.is_empty() {
            notices.push(format!(
                "{path}: no MikroORM or TypeORM migration class found"
            ));
        }
    } else {
        let file = load::SqlFile {
            rel: root_relative(path),
            shown: path,
            text: source,
        };
        load::add_sql_dir(&mut project, &[file], &policy);
    }
    let mut report = check(&project, &policy);
    report.notices.extend(notices);
    Ok(report)
}

/// One file given to [`lint_files`].
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub source: String,
}

fn is_script(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    SCRIPT_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Lints several files as one project, the way `tollgate check` reads them from disk: SQL files
/// grouped by migrations directory (so an `.up.sql` meets its `.down.sql`, and a history is
/// checked in its tool's order), script migrations by their directory in version order. An
/// editor passes the file being edited with its siblings; a pre-commit hook the staged files.
pub fn lint_files(files: &[SourceFile], policy_text: Option<&str>) -> Result<Report, String> {
    use std::collections::{BTreeMap, BTreeSet};
    let policy = policy(policy_text)?;
    let mut seen = BTreeSet::new();
    for f in files {
        if f.path.trim().is_empty() {
            return Err("every file needs a `path`: it decides how the source is read".into());
        }
        if !seen.insert(f.path.trim_start_matches("./")) {
            return Err(format!("{}: given twice", f.path));
        }
    }
    // The directory a file's history lives in: its parent, or its grandparent for the layouts
    // with one directory per migration (what `root_relative` leaves out).
    let mut sql_dirs: BTreeMap<&str, Vec<&SourceFile>> = BTreeMap::new();
    let mut script_dirs: BTreeMap<&str, Vec<&SourceFile>> = BTreeMap::new();
    for f in files {
        let path = f.path.trim_start_matches("./");
        if is_script(path) {
            let dir = path.rfind('/').map_or("", |i| &path[..i]);
            script_dirs.entry(dir).or_default().push(f);
        } else {
            let rel = root_relative(path);
            let dir = path[..path.len() - rel.len()].trim_end_matches('/');
            sql_dirs.entry(dir).or_default().push(f);
        }
    }
    let mut dirs: Vec<&str> = sql_dirs.keys().chain(script_dirs.keys()).copied().collect();
    dirs.sort_unstable();
    dirs.dedup();

    let mut project = Project::default();
    let mut notices = Vec::new();
    for dir in dirs {
        if let Some(sql) = sql_dirs.get(dir) {
            let mut sql = sql.clone();
            sql.sort_by(|a, b| a.path.cmp(&b.path));
            let list: Vec<load::SqlFile> = sql
                .iter()
                .map(|f| load::SqlFile {
                    rel: root_relative(&f.path),
                    shown: &f.path,
                    text: &f.source,
                })
                .collect();
            load::add_sql_dir(&mut project, &list, &policy);
        }
        if let Some(scripts) = script_dirs.get(dir) {
            let mut scripts = scripts.clone();
            scripts.sort_by(|a, b| a.path.cmp(&b.path));
            let mut read = Vec::new();
            for f in scripts {
                let name = f.path.rsplit('/').next().unwrap_or(&f.path);
                let found = load::add_script_file(
                    &mut project,
                    load::stem(name),
                    &f.path,
                    &f.source,
                    policy.mikro_orm_all_or_nothing,
                    &mut notices,
                );
                if found.is_empty() {
                    notices.push(format!(
                        "{}: no MikroORM or TypeORM migration class found",
                        f.path
                    ));
                }
                read.extend(found);
            }
            // Their tools run them in version order, whatever the file names.
            read.sort_by(|a, b| a.key.cmp(&b.key));
            project.migrations.extend(read.into_iter().map(|m| m.input));
        }
    }
    let mut report = check(&project, &policy);
    report.notices.extend(notices);
    Ok(report)
}

/// The statements of a piece of SQL with their classes, and the class of the whole.
#[derive(Debug, Serialize)]
pub struct Classified {
    pub class: MigrationClass,
    pub statements: Vec<StatementReport>,
}

pub fn classify(sql: &str) -> Result<Classified, String> {
    let report = lint(sql, "migration.sql", None)?;
    let m = report.migrations.into_iter().next();
    Ok(Classified {
        class: m.as_ref().map_or(MigrationClass::Empty, |m| m.class),
        statements: m.map(|m| m.statements).unwrap_or_default(),
    })
}

#[derive(Debug, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    pub class: Option<&'static str>,
    /// The severity the given policy (or the default one) gives it: error, warning, info or off.
    pub severity: &'static str,
    pub description: &'static str,
    pub doc_url: String,
}

pub fn rules(policy_text: Option<&str>) -> Result<Vec<RuleInfo>, String> {
    let policy = policy(policy_text)?;
    Ok(RULES
        .iter()
        .map(|r| RuleInfo {
            id: r.meta.id,
            class: r.meta.class.map(|c| c.as_str()),
            severity: policy.level(r.meta.id).as_str(),
            description: r.meta.summary,
            doc_url: r.meta.doc_url(),
        })
        .collect())
}

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_rereads_only_the_statement_an_edit_changed() {
        let text = |column: &str| {
            format!("CREATE TABLE t (id int);\nALTER TABLE members DROP COLUMN {column};\nDROP INDEX idx;\n")
        };
        let path = "db/migrations/000001_x.up.sql";
        lint(&text("fax"), path, None).unwrap();
        let before = cache_stats();
        let edited = lint(&text("faxe"), path, None).unwrap();
        let after = cache_stats();
        assert_eq!(
            after.misses - before.misses,
            1,
            "only the edited statement is lowered"
        );
        assert_eq!(after.hits - before.hits, 2);
        // The same report as without any cache.
        let mut project = Project::default();
        let file = load::SqlFile {
            rel: root_relative(path),
            shown: path,
            text: &text("faxe"),
        };
        let policy = policy(None).unwrap();
        load::add_sql_dir(&mut project, &[file], &policy);
        let fresh = tollgate_core::check(&project, &policy);
        assert_eq!(
            serde_json::to_string(&edited).unwrap(),
            serde_json::to_string(&fresh).unwrap()
        );
    }

    #[test]
    fn layouts_keep_their_directory() {
        assert_eq!(
            root_relative("db/migrations/0001_init.up.sql"),
            "0001_init.up.sql"
        );
        assert_eq!(
            root_relative("migrations/2024-01-01-000000_create/up.sql"),
            "2024-01-01-000000_create/up.sql"
        );
        assert_eq!(root_relative("up.sql"), "up.sql");
        assert_eq!(root_relative("./V1__init.sql"), "V1__init.sql");
    }

    #[test]
    fn a_destructive_sql_migration() {
        let r = lint(
            "ALTER TABLE members DROP COLUMN fax;\n",
            "db/migrations/000002_drop_fax.up.sql",
            None,
        )
        .unwrap();
        assert_eq!(r.migrations[0].class, MigrationClass::Destructive);
        let f = r.findings.iter().find(|f| f.rule == "drop-column").unwrap();
        assert_eq!((f.line, f.column, f.column_utf16), (1, 1, 1));
        assert!(f.doc_url.ends_with("docs/rules/drop-column.md"));
    }

    #[test]
    fn the_policy_applies_as_in_the_cli() {
        let sql = "ALTER TABLE members DROP COLUMN fax;\n";
        let path = "db/000002_drop_fax.up.sql";
        let off = lint(sql, path, Some("[rules]\ndrop-column = \"off\"\n")).unwrap();
        assert!(!off.findings.iter().any(|f| f.rule == "drop-column"));
        let e = lint(sql, path, Some("[rules]\ndrop-colum = \"off\"\n")).unwrap_err();
        assert!(e.starts_with("tollgate.toml:2"), "{e}");
        assert!(e.contains("drop-column"), "{e}");
    }

    #[test]
    fn the_kept_policy_follows_its_text() {
        let sql = "ALTER TABLE members DROP COLUMN fax;\n";
        let path = "db/000002_drop_fax.up.sql";
        let off = "[rules]\ndrop-column = \"off\"\n";
        let has_drop = |policy: Option<&str>| {
            lint(sql, path, policy)
                .unwrap()
                .findings
                .iter()
                .any(|f| f.rule == "drop-column")
        };
        assert!(!has_drop(Some(off)));
        assert!(!has_drop(Some(off)), "the same text, the same policy");
        assert!(has_drop(None), "no text: the defaults again");
        assert!(!has_drop(Some(off)));
        // A bad policy is an error every time, and does not replace the one kept.
        for _ in 0..2 {
            assert!(lint(sql, path, Some("[rules]\nnope = 1\n")).is_err());
        }
        assert!(has_drop(Some("  \n")), "a blank text is the defaults");
        assert!(Rc::ptr_eq(
            &policy(Some(off)).unwrap(),
            &policy(Some(off)).unwrap()
        ));
    }

    #[test]
    fn a_mikro_orm_migration_points_inside_its_string_literal() {
        let ts = "import { Migration } from '@mikro-orm/migrations';\n\nexport class Migration20240101000000 extends Migration {\n  async up(): Promise<void> {\n    this.addSql('alter table \"café\" drop column \"x\";');\n  }\n  async down(): Promise<void> {\n    this.addSql('alter table \"café\" add column \"x\" int;');\n  }\n}\n";
        let r = lint(ts, "src/migrations/Migration20240101000000.ts", None).unwrap();
        let f = r.findings.iter().find(|f| f.rule == "drop-column").unwrap();
        assert_eq!(f.line, 5);
        assert_eq!(f.column, 18, "inside the literal");
        assert_eq!(r.migrations[0].id, "Migration20240101000000");
    }

    #[test]
    fn bad_input_is_an_error_or_a_finding_never_a_panic() {
        assert!(lint("x", "", None).is_err());
        let r = lint("\u{0}\u{1}garbage ;;; $$ unterminated", "m.sql", None).unwrap();
        assert!(!r.findings.is_empty());
        let r = lint("export const x = 1;", "m.ts", None).unwrap();
        assert!(r
            .notices
            .iter()
            .any(|n| n.contains("no MikroORM or TypeORM")));
        assert_eq!(classify("").unwrap().class, MigrationClass::Empty);
    }

    fn file(path: &str, source: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            source: source.into(),
        }
    }

    #[test]
    fn lint_files_pairs_an_up_with_its_down() {
        let files = [
            file(
                "db/000001_members.up.sql",
                "CREATE TABLE members (id int, fax text);\n",
            ),
            file("db/000001_members.down.sql", "DROP TABLE members;\n"),
            file(
                "db/000002_drop_fax.up.sql",
                "ALTER TABLE members DROP COLUMN fax;\n",
            ),
            file(
                "db/000002_drop_fax.down.sql",
                "ALTER TABLE members ADD COLUMN fax text;\n",
            ),
        ];
        let r = lint_files(&files, None).unwrap();
        assert_eq!(r.migrations.len(), 2);
        assert!(r.migrations.iter().all(|m| m.down.is_some()));
        let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(!rules.contains(&"missing-down"), "{rules:?}");
        assert!(rules.contains(&"drop-column"), "{rules:?}");
        // One file alone misses its down, as `tollgate check <file>` does.
        let alone = lint_files(&files[2..3], None).unwrap();
        assert!(alone.findings.iter().any(|f| f.rule == "missing-down"));
    }

    #[test]
    fn lint_files_reads_scripts_in_version_order_and_refuses_bad_lists() {
        let m = |v: &str, sql: &str| {
            format!("import {{ Migration }} from '@mikro-orm/migrations';\nexport class Migration{v} extends Migration {{\n  async up(): Promise<void> {{\n    this.addSql('{sql}');\n  }}\n}}\n")
        };
        let files = [
            file(
                "src/migrations/Migration20240201000000.ts",
                &m("20240201000000", "alter table \"t\" drop column \"x\";"),
            ),
            file(
                "src/migrations/Migration20240101000000.ts",
                &m("20240101000000", "create table \"t\" (\"x\" int);"),
            ),
        ];
        // The tool's order, whatever the order of the list.
        let ids =
            |r: &Report| -> Vec<String> { r.migrations.iter().map(|m| m.id.clone()).collect() };
        let r = lint_files(&files, None).unwrap();
        assert_eq!(
            ids(&r),
            ["Migration20240101000000", "Migration20240201000000"]
        );
        let reversed = [files[1].clone(), files[0].clone()];
        assert_eq!(ids(&lint_files(&reversed, None).unwrap()), ids(&r));
        // The history is read across the files: the drop is of a table created earlier in it.
        assert!(r.findings.iter().any(|f| f.rule == "drop-column"));
        assert!(lint_files(&[file("", "x")], None).is_err());
        let twice = lint_files(&[file("a.sql", "x"), file("./a.sql", "y")], None).unwrap_err();
        assert!(twice.contains("given twice"), "{twice}");
        assert!(lint_files(&[], None).unwrap().migrations.is_empty());
    }

    #[test]
    fn classify_and_rules() {
        let c = classify("CREATE TABLE t (id int); DROP TABLE old_t;").unwrap();
        assert_eq!(c.class, MigrationClass::Destructive);
        assert_eq!(c.statements.len(), 2);
        let rules = rules(None).unwrap();
        assert!(rules
            .iter()
            .any(|r| r.id == "drop-table" && r.severity == "error"));
        assert!(!version().is_empty());
    }
}
