//! `tollgate check --base <ref>`: what a pull request changes, checked against the base branch.
//!
//! - Only migrations added or changed since the merge-base are checked; the others are replayed
//!   into the schema model so the checked ones are judged against the real history.
//! - A migration that already exists on the base branch and was modified, renamed or deleted is
//!   an error: it has run in production and must never change.
//! - A new migration older than the newest one on the base branch runs out of order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tollgate_core::source::SourceIssue;
use tollgate_core::sources::layout::{self, LayoutFile};
use tollgate_core::span::Span;

use crate::discover::{self, Loaded, VersionKey};
use crate::error::CliError;
use crate::git::{Change, Repo};

/// A repository-relative, '/'-separated form of a path on disk.
fn repo_relative(path: &Path, root: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(path).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    Some(
        abs.strip_prefix(&root)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/"),
    )
}

fn dir_of(p: &str) -> &str {
    p.rsplit_once('/').map_or("", |(d, _)| d)
}

fn file_name(p: &str) -> &str {
    p.rsplit_once('/').map_or(p, |(_, n)| n)
}

fn is_migration_like(p: &str) -> bool {
    let name = file_name(p);
    name.ends_with(".sql")
        || [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]
            .iter()
            .any(|e| name.ends_with(e))
            && !name.contains(".d.")
}

/// Marks which migrations are checked, and returns the merge-base it compared with.
pub fn apply(base: &str, loaded: &mut Loaded, cwd: &Path) -> Result<String, CliError> {
    let repo = Repo::discover(cwd)?;
    let merge_base = repo.merge_base(base)?;
    let changes = repo.changes_since(&merge_base)?;
    let base_files: BTreeSet<String> = repo.files_at(&merge_base)?.into_iter().collect();

    // The migration directories as the working tree has them, repository-relative.
    let mut dirs: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut migration_paths: Vec<Vec<String>> = Vec::new();
    for o in &loaded.origins {
        let files: Vec<String> = o
            .files
            .iter()
            .filter_map(|f| repo_relative(f, &repo.root))
            .collect();
        if let Some(d) = repo_relative(&o.dir, &repo.root) {
            dirs.insert(d, o.dir.clone());
        }
        migration_paths.push(files);
    }
    let in_migration_dir = |p: &str| {
        let d = dir_of(p);
        // diesel and Prisma keep one migration per sub-directory.
        dirs.contains_key(d) || dirs.contains_key(dir_of(d))
    };

    let mut changed: BTreeSet<&str> = BTreeSet::new();
    let mut added: BTreeSet<&str> = BTreeSet::new();
    for c in &changes {
        match &c.change {
            Change::Added => {
                changed.insert(&c.path);
                added.insert(&c.path);
            }
            Change::Modified | Change::Renamed { .. } => {
                changed.insert(&c.path);
            }
            Change::Deleted => {}
        }
    }

    // 1. Check only what changed.
    for (m, files) in loaded.project.migrations.iter_mut().zip(&migration_paths) {
        m.checked = files.iter().any(|f| changed.contains(f.as_str()));
    }

    // 2. Migrations already on the base branch must not change.
    for c in &changes {
        let (old, verb) = match &c.change {
            Change::Modified => (c.path.as_str(), "was modified"),
            Change::Deleted => (c.path.as_str(), "was deleted"),
            Change::Renamed { from } => (from.as_str(), "was renamed"),
            Change::Added => continue,
        };
        if !base_files.contains(old) || !is_migration_like(old) || !in_migration_dir(old) {
            continue;
        }
        if is_script_path(old) {
            // A helper module next to the migrations is not a migration.
            let Ok(Some(text)) = repo.show(&merge_base, old) else {
                continue;
            };
            if !tollgate_core::sources::typescript::may_contain_migration(&text) {
                continue;
            }
        }
        let message = match &c.change {
            Change::Renamed { .. } => format!(
                "migration `{old}` already exists on `{base}` and {verb} to `{}`",
                c.path
            ),
            _ => format!("migration `{old}` already exists on `{base}` and {verb}"),
        };
        let shown_path = match &c.change {
            Change::Deleted => old.to_string(),
            _ => c.path.clone(),
        };
        let file = file_for(loaded, &repo.root, &shown_path, cwd);
        loaded.project.issues.push(SourceIssue {
            rule: "applied-migration-changed",
            file,
            span: Span::default(),
            message,
            help: "it has run in production and will not run again: restore it and put the change in a new migration".into(),
            migration: None,
        });
    }

    // 3. New migrations must be newer than everything on the base branch.
    let newest_on_base = newest_base_versions(&repo, &merge_base, &base_files, &dirs);
    for (i, files) in migration_paths.iter().enumerate() {
        let all_added = !files.is_empty() && files.iter().all(|f| added.contains(f.as_str()));
        if !all_added {
            continue;
        }
        let origin = &loaded.origins[i];
        let Some(dir) = repo_relative(&origin.dir, &repo.root) else {
            continue;
        };
        let Some((newest, newest_name)) = newest_on_base.get(&dir) else {
            continue;
        };
        if origin.version < *newest {
            let m = &loaded.project.migrations[i];
            loaded.project.issues.push(SourceIssue {
                rule: "out-of-order-migration",
                file: m.up.file,
                span: Span::default(),
                message: format!(
                    "migration `{}` is older than `{newest_name}`, the newest migration on `{base}`: production runs it after newer ones, a fresh database before them",
                    m.id
                ),
                help: "regenerate it with a new version (a fresh timestamp) after rebasing on the base branch".into(),
                migration: Some(m.id.clone()),
            });
        }
    }
    Ok(merge_base)
}

fn is_script_path(p: &str) -> bool {
    let name = file_name(p);
    !name.ends_with(".sql")
}

/// The newest version per migrations directory on the base branch (from file names; SQL
/// layouts are planned with the same rules as the working tree).
fn newest_base_versions(
    repo: &Repo,
    merge_base: &str,
    base_files: &BTreeSet<String>,
    dirs: &BTreeMap<String, PathBuf>,
) -> BTreeMap<String, (Vec<VersionKey>, String)> {
    let mut out = BTreeMap::new();
    for dir in dirs.keys() {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let inside: Vec<&String> = base_files
            .iter()
            .filter(|p| p.starts_with(&prefix))
            .collect();
        let sql: Vec<String> = inside
            .iter()
            .filter(|p| p.ends_with(".sql") || p.ends_with("metadata.toml"))
            .map(|p| p[prefix.len()..].to_string())
            .collect();
        let mut best: Option<(Vec<VersionKey>, String)> = None;
        if !sql.is_empty() {
            // Layouts whose versions live in the text (dbmate, Liquibase) need the content.
            let needs_text = sql.len() <= 200;
            let texts: Vec<String> = sql
                .iter()
                .map(|p| {
                    if needs_text {
                        repo.show(merge_base, &format!("{prefix}{p}"))
                            .ok()
                            .flatten()
                            .unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .collect();
            let files: Vec<LayoutFile> = sql
                .iter()
                .zip(&texts)
                .map(|(p, t)| LayoutFile { path: p, text: t })
                .collect();
            let plan = layout::plan(&files, None);
            for m in plan
                .migrations
                .iter()
                .filter(|m| m.kind == layout::Kind::Versioned)
            {
                let key: Vec<VersionKey> = m
                    .version
                    .0
                    .iter()
                    .map(|p| match p {
                        layout::VersionPart::Num(n) => VersionKey::Num(*n),
                        layout::VersionPart::Text(t) => VersionKey::Text(t.clone()),
                    })
                    .collect();
                if best.as_ref().is_none_or(|(b, _)| key > *b) {
                    best = Some((key, m.id.clone()));
                }
            }
        }
        for p in inside
            .iter()
            .filter(|p| is_migration_like(p) && is_script_path(p) && dir_of(p) == dir)
        {
            let stem = file_name(p).split('.').next().unwrap_or_default();
            let key = discover::natural_key(stem);
            if best.as_ref().is_none_or(|(b, _)| key > *b) {
                best = Some((key, stem.to_string()));
            }
        }
        if let Some(b) = best {
            out.insert(dir.clone(), b);
        }
    }
    out
}

/// The project file for a repository path, adding it (empty when deleted) if no migration uses it.
fn file_for(loaded: &mut Loaded, root: &Path, repo_path: &str, cwd: &Path) -> usize {
    let on_disk = root.join(repo_path);
    let shown = discover::display_path(&on_disk, cwd);
    if let Some(i) = loaded.project.files.iter().position(|f| f.path == shown) {
        return i;
    }
    let text = discover::read_text(&on_disk).unwrap_or_default();
    loaded.project.add_file(shown, text)
}
