//! Finding migrations on disk and reading them the way their tools do.
//!
//! SQL files are grouped into migration directories and each directory is planned with its
//! layout (golang-migrate, sqlx, diesel, dbmate, Flyway, Liquibase, Prisma, ory, plain).
//! TypeScript and JavaScript files are read by content: any MikroORM or TypeORM migration class
//! counts, whatever the file is called. All the I/O lives here; the planning is in the core.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use tollgate_core::ops::{ConstraintKind, DefaultKind, ObjectName};
use tollgate_core::policy::{PathMatcher, Policy};
use tollgate_core::source::SourceIssue;
use tollgate_core::sources::load;
use tollgate_core::sources::Tool;
use tollgate_core::{MigrationInput, Project};

use crate::error::CliError;

/// Files larger than this are refused rather than read (a migration this size is a dump).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Directories never worth walking into.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".hg",
    ".svn",
    "dist",
    ".venv",
    "vendor",
];

const SCRIPT_EXTENSIONS: &[&str] = &[".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

fn is_sql_side_file(name: &str) -> bool {
    name.ends_with(".sql") || name == "metadata.toml" || name.ends_with(".sql.conf")
}

fn is_script(name: &str) -> bool {
    SCRIPT_EXTENSIONS.iter().any(|e| name.ends_with(e))
        && !name.ends_with(".d.ts")
        && !name.ends_with(".d.mts")
        && !name.ends_with(".d.cts")
}

fn is_deploy_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || ((lower.starts_with("docker-compose") || lower.starts_with("compose"))
            && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
        || lower == "package.json"
        || lower == "procfile"
        || lower.ends_with(".sh")
}

fn is_mikro_orm_config(name: &str) -> bool {
    name.starts_with("mikro-orm.config.") || name.starts_with("mikro-orm.")
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Candidates {
    /// Migration files (SQL sides and scripts), absolute or cwd-relative paths.
    pub migration_files: Vec<PathBuf>,
    /// Files that may start the app in production.
    pub deploy_files: Vec<PathBuf>,
    /// `mikro-orm.config.*` files.
    pub mikro_orm_configs: Vec<PathBuf>,
}

/// Collects candidate files. With explicit paths, files are taken as they are and directories
/// give every migration file below them; with none, the policy's include globs select them
/// under `root`.
pub fn collect(
    paths: &[PathBuf],
    root: &Path,
    matcher: &PathMatcher,
) -> Result<Candidates, CliError> {
    let mut c = Candidates::default();
    let visit = |rel: &str, path: &Path, explicit_dir: bool, c: &mut Candidates| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if matcher.is_excluded(rel) {
            return;
        }
        if is_deploy_file(&name) {
            c.deploy_files.push(path.to_path_buf());
        }
        if is_mikro_orm_config(&name) && is_script(&name) {
            c.mikro_orm_configs.push(path.to_path_buf());
        }
        let selected = explicit_dir || matcher.is_match(rel);
        if selected && (is_sql_side_file(&name) || is_script(&name)) {
            c.migration_files.push(path.to_path_buf());
        }
    };
    if paths.is_empty() {
        walk(root, root, matcher, &mut |rel, path| {
            visit(rel, path, false, &mut c)
        })?;
    } else {
        for p in paths {
            let meta = fs::metadata(p).map_err(|e| CliError::io(p, &e, "check the path"))?;
            if meta.is_dir() {
                walk(p, p, matcher, &mut |rel, path| {
                    visit(rel, path, true, &mut c)
                })?;
            } else {
                c.migration_files.push(p.clone());
            }
        }
    }
    for v in [
        &mut c.migration_files,
        &mut c.deploy_files,
        &mut c.mikro_orm_configs,
    ] {
        v.sort();
        v.dedup();
    }
    Ok(c)
}

fn walk(
    base: &Path,
    dir: &Path,
    matcher: &PathMatcher,
    f: &mut dyn FnMut(&str, &Path),
) -> Result<(), CliError> {
    let entries = fs::read_dir(dir)
        .map_err(|e| CliError::io(dir, &e, "check the directory's permissions"))?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = entry.file_type() else { continue };
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if ft.is_dir() {
            if SKIP_DIRS.contains(&name.as_ref()) || matcher.is_excluded(&rel) {
                continue;
            }
            walk(base, &path, matcher, f)?;
        } else if ft.is_file() {
            f(&rel, &path);
        }
    }
    Ok(())
}

/// Reads a file as UTF-8 text, refusing binary, huge and non-UTF-8 files with a clear error.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    let file = fs::File::open(path)
        .map_err(|e| CliError::io(path, &e, "check the path and its permissions"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE_BYTES {
        return Err(CliError::input(
            path,
            format!(
                "file is {} MiB, over the {} MiB limit for a migration; if it is a dump, exclude it with `paths.exclude` in tollgate.toml",
                len / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(path, &e, "check the file"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CliError::input(
            path,
            "file grew past the size limit while being read".into(),
        ));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(CliError::input(
            path,
            format!("binary file (NUL byte at offset {pos}), not SQL text; exclude it with `paths.exclude` in tollgate.toml"),
        ));
    }
    // Strip a UTF-8 byte-order mark: editors on Windows write one.
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        CliError::input(
            path,
            format!("not valid UTF-8 (first bad byte at offset {at}); re-save the file as UTF-8"),
        )
    })
}

/// The directory a migration file belongs to: diesel and Prisma keep one migration per
/// sub-directory, so their root is one level up.
fn migration_root(path: &Path) -> PathBuf {
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if matches!(
        name.as_str(),
        "up.sql" | "down.sql" | "metadata.toml" | "migration.sql"
    ) {
        parent.parent().map(Path::to_path_buf).unwrap_or(parent)
    } else {
        parent
    }
}

/// A path as the user should see it: relative to the working directory when possible.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

/// Where each migration came from on disk, for `--base`.
#[derive(Debug, Clone)]
pub struct MigrationFiles {
    /// The migrations directory (the layout root), for out-of-order comparisons.
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    /// The tool's ordering key as comparable text parts.
    pub version: Vec<VersionKey>,
}

pub use tollgate_core::sources::load::{natural_key, VersionKey};

/// Everything read from disk.
pub struct Loaded {
    pub project: Project,
    /// Parallel to `project.migrations`.
    pub origins: Vec<MigrationFiles>,
    pub notices: Vec<String>,
}

/// Reads every candidate into a project: migrations in the order their tools run them, plus the
/// deploy checks' findings and layout problems as source issues.
pub fn load(c: &Candidates, policy: &Policy, cwd: &Path) -> Result<Loaded, CliError> {
    let mut project = Project::default();
    let mut origins = Vec::new();
    let mut notices = Vec::new();

    // Group SQL-side files by migration directory; scripts by their directory too.
    let mut sql_dirs: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut script_dirs: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for f in &c.migration_files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if is_script(&name) {
            if !is_mikro_orm_config(&name) {
                script_dirs
                    .entry(f.parent().map(Path::to_path_buf).unwrap_or_default())
                    .or_default()
                    .push(f.clone());
            }
        } else {
            sql_dirs
                .entry(migration_root(f))
                .or_default()
                .push(f.clone());
        }
    }

    // Directories may hold both (a TypeORM project with raw .sql seeds); each is its own history
    // in path order.
    let mut dirs: Vec<&PathBuf> = sql_dirs.keys().chain(script_dirs.keys()).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        if let Some(files) = sql_dirs.get(dir) {
            load_sql_dir(dir, files, policy, cwd, &mut project, &mut origins)?;
        }
        if let Some(files) = script_dirs.get(dir) {
            let all_or_nothing = mikro_orm_all_or_nothing(dir, c, policy);
            load_script_dir(
                dir,
                files,
                all_or_nothing,
                cwd,
                &mut project,
                &mut origins,
                &mut notices,
            )?;
        }
    }

    // Deployment files: only the ones that can start the app matter, but read them all once.
    let mut deploy_texts = Vec::new();
    for f in &c.deploy_files {
        match read_text(f) {
            Ok(text) => deploy_texts.push((display_path(f, cwd), text)),
            // A broken shell script next to the app is not a migration error.
            Err(e) => notices.push(format!("skipped for deploy checks: {e}")),
        }
    }
    let deploy_files: Vec<tollgate_core::deploy::DeployFile> = deploy_texts
        .iter()
        .map(|(p, t)| tollgate_core::deploy::DeployFile { path: p, text: t })
        .collect();
    let issues = tollgate_core::deploy::check(&deploy_files);
    for issue in issues {
        let Some(pos) = deploy_texts.iter().position(|(p, _)| *p == issue.path) else {
            continue;
        };
        let (path, text) = &deploy_texts[pos];
        let file = match project.files.iter().position(|f| f.path == *path) {
            Some(i) => i,
            None => project.add_file(path.clone(), text.clone()),
        };
        let rule = match issue.kind {
            tollgate_core::deploy::DeployIssueKind::SchemaSyncAtStartup => "schema-sync-at-startup",
            tollgate_core::deploy::DeployIssueKind::MigrationFailureIgnored => {
                "migration-failure-ignored"
            }
        };
        project.issues.push(SourceIssue {
            rule,
            file,
            span: issue.span,
            message: issue.message,
            help: issue.help,
            migration: None,
        });
    }
    Ok(Loaded {
        project,
        origins,
        notices,
    })
}

fn load_sql_dir(
    dir: &Path,
    files: &[PathBuf],
    policy: &Policy,
    cwd: &Path,
    project: &mut Project,
    origins: &mut Vec<MigrationFiles>,
) -> Result<(), CliError> {
    let mut texts = Vec::with_capacity(files.len());
    for f in files {
        texts.push(read_text(f)?);
    }
    let rels: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(dir)
                .unwrap_or(f)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let shown: Vec<String> = files.iter().map(|f| display_path(f, cwd)).collect();
    let sql_files: Vec<load::SqlFile> = (0..files.len())
        .map(|i| load::SqlFile {
            rel: &rels[i],
            shown: &shown[i],
            text: &texts[i],
        })
        .collect();
    for planned in load::add_sql_dir(project, &sql_files, policy) {
        origins.push(MigrationFiles {
            dir: dir.to_path_buf(),
            files: planned.files.iter().map(|&i| dir.join(&rels[i])).collect(),
            version: planned.version,
        });
    }
    Ok(())
}

/// MikroORM's `allOrNothing` for migrations in `dir`: the policy's value, unless the nearest
/// `mikro-orm.config.*` (walking up from the directory, or one found by the walk) turns it off.
fn mikro_orm_all_or_nothing(dir: &Path, c: &Candidates, policy: &Policy) -> bool {
    if !policy.mikro_orm_all_or_nothing {
        return false;
    }
    let mut configs: Vec<PathBuf> = Vec::new();
    for ancestor in dir.ancestors().take(6) {
        for ext in ["ts", "js", "mjs", "cjs", "mts", "cts"] {
            for name in [
                format!("mikro-orm.config.{ext}"),
                format!("src/mikro-orm.config.{ext}"),
            ] {
                let p = ancestor.join(name);
                if p.is_file() {
                    configs.push(p);
                }
            }
        }
        if !configs.is_empty() {
            break;
        }
    }
    if configs.is_empty() {
        configs.extend(c.mikro_orm_configs.iter().cloned());
    }
    !configs.iter().any(|f| {
        read_text(f).is_ok_and(|text| {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("allOrNothing:false")
        })
    })
}

fn load_script_dir(
    dir: &Path,
    files: &[PathBuf],
    all_or_nothing: bool,
    cwd: &Path,
    project: &mut Project,
    origins: &mut Vec<MigrationFiles>,
    notices: &mut Vec<String>,
) -> Result<(), CliError> {
    struct Entry {
        key: Vec<VersionKey>,
        input: MigrationInput,
        path: PathBuf,
    }
    let mut entries: Vec<Entry> = Vec::new();
    for f in files {
        let text = read_text(f)?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let shown = display_path(f, cwd);
        let read = load::add_script_file(
            project,
            load::stem(&name),
            &shown,
            &text,
            all_or_nothing,
            notices,
        );
        for m in read {
            entries.push(Entry {
                key: m.key,
                input: m.input,
                path: f.clone(),
            });
        }
    }
    if entries.iter().any(|e| e.input.tool == Tool::MikroOrm) {
        project
            .schema_hints
            .extend(mikro_orm_snapshot_hints(dir, notices));
    }
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    for e in entries {
        origins.push(MigrationFiles {
            dir: dir.to_path_buf(),
            files: vec![e.path],
            version: e.key,
        });
        project.migrations.push(e.input);
    }
    Ok(())
}

/// Table shapes from MikroORM's `.snapshot-*.json` next to the migrations. A hint only: the
/// engine consults it when the migration history itself cannot say, and never to decide.
fn mikro_orm_snapshot_hints(
    dir: &Path,
    notices: &mut Vec<String>,
) -> Vec<(tollgate_core::ops::ObjectName, tollgate_core::schema::Table)> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    let mut snapshots: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .is_some_and(|n| n.starts_with(".snapshot-") && n.ends_with(".json"))
        })
        .collect();
    snapshots.sort();
    for path in snapshots {
        let Ok(text) = read_text(&path) else { continue };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                notices.push(format!(
                    "{}: not read as a MikroORM snapshot ({e})",
                    path.display()
                ));
                continue;
            }
        };
        let Some(tables) = value.get("tables").and_then(|t| t.as_array()) else {
            continue;
        };
        for t in tables {
            let Some(name) = t.get("name").and_then(|n| n.as_str()) else {
                continue;
            };
            let schema = t.get("schema").and_then(|s| s.as_str()).map(str::to_string);
            let mut table = tollgate_core::schema::Table::default();
            if let Some(cols) = t.get("columns").and_then(|c| c.as_object()) {
                for (key, c) in cols {
                    let col_name = c.get("name").and_then(|n| n.as_str()).unwrap_or(key);
                    table.columns.push(tollgate_core::schema::Column {
                        name: col_name.to_string(),
                        data_type: c
                            .get("columnType")
                            .or_else(|| c.get("type"))
                            .and_then(|t| t.as_str())
                            .map(str::to_lowercase),
                        not_null: c
                            .get("nullable")
                            .and_then(|n| n.as_bool())
                            .is_some_and(|n| !n),
                        default: match c.get("default").and_then(|d| d.as_str()) {
                            None => DefaultKind::None,
                            Some(d) => match tollgate_core::types::default_volatility(d) {
                                DefaultKind::None => DefaultKind::Unknown,
                                k => k,
                            },
                        },
                    });
                }
            }
            snapshot_keys(t, &mut table);
            out.push((
                tollgate_core::ops::ObjectName {
                    schema,
                    name: name.to_string(),
                },
                table,
            ));
        }
    }
    out
}

/// The indexes, primary key, unique constraints and foreign keys of one snapshot table.
fn snapshot_keys(t: &serde_json::Value, table: &mut tollgate_core::schema::Table) {
    use tollgate_core::schema::{Constraint, Index};
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let flag = |v: &serde_json::Value, k: &str| v.get(k).and_then(|b| b.as_bool()) == Some(true);
    for i in t
        .get("indexes")
        .and_then(|i| i.as_array())
        .into_iter()
        .flatten()
    {
        let name = i
            .get("keyName")
            .and_then(|n| n.as_str())
            .map(str::to_string);
        let columns = strings(i.get("columnNames"));
        let kind = if flag(i, "primary") {
            Some(ConstraintKind::PrimaryKey)
        } else if flag(i, "unique") && flag(i, "constraint") {
            Some(ConstraintKind::Unique)
        } else {
            None
        };
        match kind {
            Some(kind) => table.constraints.push(Constraint {
                name,
                kind,
                columns,
                references: None,
            }),
            None => table.indexes.push(Index {
                name,
                columns,
                unique: flag(i, "unique"),
            }),
        }
    }
    let fks = t.get("foreignKeys").and_then(|f| f.as_object());
    for fk in fks.into_iter().flat_map(|f| f.values()) {
        let references = fk
            .get("referencedTableName")
            .and_then(|r| r.as_str())
            .and_then(|r| ObjectName::from_parts(r.split('.').map(str::to_string).collect()));
        table.constraints.push(Constraint {
            name: fk
                .get("constraintName")
                .and_then(|n| n.as_str())
                .map(str::to_string),
            kind: ConstraintKind::ForeignKey,
            columns: strings(fk.get("columnNames")),
            references,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    /// Compares ids so that numeric runs compare by value: `2_x` < `10_x`.
    fn natural_cmp(a: &str, b: &str) -> Ordering {
        let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
        loop {
            match (a.first(), b.first()) {
                (None, None) => return Ordering::Equal,
                (None, _) => return Ordering::Less,
                (_, None) => return Ordering::Greater,
                (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                    let na = a.iter().take_while(|c| c.is_ascii_digit()).count();
                    let nb = b.iter().take_while(|c| c.is_ascii_digit()).count();
                    let (da, db) = (trim_zeros(&a[..na]), trim_zeros(&b[..nb]));
                    let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
                    if ord != Ordering::Equal {
                        return ord;
                    }
                    a = &a[na..];
                    b = &b[nb..];
                }
                (Some(x), Some(y)) => {
                    if x != y {
                        return x.cmp(y);
                    }
                    a = &a[1..];
                    b = &b[1..];
                }
            }
        }
    }

    fn trim_zeros(d: &[u8]) -> &[u8] {
        let n = d.iter().take_while(|c| **c == b'0').count();
        &d[n.min(d.len().saturating_sub(1))..]
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        let mut ids = vec!["10_c", "2_b", "1_a", "002_x", "V1_10", "V1_9"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, vec!["1_a", "2_b", "002_x", "10_c", "V1_9", "V1_10"]);
        assert!(natural_key("Migration20240102") > natural_key("Migration20240101"));
        assert!(natural_key("m10") > natural_key("m9"));
    }

    #[test]
    fn diesel_and_prisma_directories_group_one_level_up() {
        assert_eq!(
            migration_root(Path::new("m/2020-01-01_x/up.sql")),
            PathBuf::from("m")
        );
        assert_eq!(
            migration_root(Path::new("prisma/migrations/20240101_x/migration.sql")),
            PathBuf::from("prisma/migrations")
        );
        assert_eq!(
            migration_root(Path::new("db/001_x.up.sql")),
            PathBuf::from("db")
        );
    }
}
