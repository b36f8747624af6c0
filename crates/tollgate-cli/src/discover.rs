//! Finding migration files on disk and grouping them into migrations.
//!
//! For now a migration is one `.sql` file, an `X.up.sql` / `X.down.sql` pair, or a directory
//! holding `up.sql` (and `down.sql`). Everything here is I/O; the grouping itself is a pure
//! function so the layouts of the next issue slot in beside it.

use std::cmp::Ordering;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use tollgate_core::policy::PathMatcher;
use tollgate_core::{MigrationInput, Project, SqlPart, TransactionMode};

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
];

/// Collects `.sql` files. Explicit files are taken as they are; explicit directories give all
/// their `.sql` files; with no paths, the policy's include globs select files under `root`.
pub fn collect_files(
    paths: &[PathBuf],
    root: &Path,
    matcher: &PathMatcher,
) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    if paths.is_empty() {
        walk(root, root, &mut |rel, path| {
            if matcher.is_match(rel) && !matcher.is_excluded(rel) {
                out.push(path.to_path_buf());
            }
        })?;
    } else {
        for p in paths {
            let meta = fs::metadata(p).map_err(|e| CliError::io(p, &e, "check the path"))?;
            if meta.is_dir() {
                walk(p, p, &mut |rel, path| {
                    if rel.ends_with(".sql") && !matcher.is_excluded(rel) {
                        out.push(path.to_path_buf());
                    }
                })?;
            } else {
                out.push(p.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(base: &Path, dir: &Path, f: &mut dyn FnMut(&str, &Path)) -> Result<(), CliError> {
    let entries = fs::read_dir(dir)
        .map_err(|e| CliError::io(dir, &e, "check the directory's permissions"))?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if SKIP_DIRS.contains(&name.as_ref()) {
                continue;
            }
            walk(base, &path, f)?;
        } else if ft.is_file() {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            let rel = rel.to_string_lossy().replace('\\', "/");
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

/// One migration as found on disk, before reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundMigration {
    pub id: String,
    pub dir: PathBuf,
    pub up: PathBuf,
    pub down: Option<PathBuf>,
}

/// Groups files into migrations: `X.up.sql` + `X.down.sql`, `dir/up.sql` + `dir/down.sql`, or a
/// lone `.sql` file. A down with no up becomes a notice.
pub fn group(files: &[PathBuf]) -> (Vec<FoundMigration>, Vec<String>) {
    let mut out: Vec<FoundMigration> = Vec::new();
    let mut downs: Vec<(PathBuf, String, PathBuf)> = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let dir = f.parent().map(Path::to_path_buf).unwrap_or_default();
        if name == "up.sql" || name == "down.sql" {
            let id = dir
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let parent = dir.parent().map(Path::to_path_buf).unwrap_or_default();
            if name == "up.sql" {
                out.push(FoundMigration {
                    id,
                    dir: parent,
                    up: f.clone(),
                    down: None,
                });
            } else {
                downs.push((parent, id, f.clone()));
            }
        } else if let Some(stem) = name.strip_suffix(".up.sql") {
            out.push(FoundMigration {
                id: stem.to_string(),
                dir,
                up: f.clone(),
                down: None,
            });
        } else if let Some(stem) = name.strip_suffix(".down.sql") {
            downs.push((dir, stem.to_string(), f.clone()));
        } else if let Some(stem) = name.strip_suffix(".sql") {
            out.push(FoundMigration {
                id: stem.to_string(),
                dir,
                up: f.clone(),
                down: None,
            });
        } else {
            // An explicit non-.sql file: take it as SQL, named by its file name.
            out.push(FoundMigration {
                id: name.clone(),
                dir,
                up: f.clone(),
                down: None,
            });
        }
    }
    let mut notices = Vec::new();
    for (dir, id, path) in downs {
        match out.iter_mut().find(|m| m.dir == dir && m.id == id) {
            Some(m) => m.down = Some(path),
            None => notices.push(format!(
                "{}: down migration without an up migration",
                path.display()
            )),
        }
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir).then_with(|| natural_cmp(&a.id, &b.id)));
    (out, notices)
}

/// Compares ids so that numeric runs compare by value: `2_x` < `10_x`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
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

/// Reads the found migrations into a project.
pub fn load(found: &[FoundMigration], display_root: &Path) -> Result<Project, CliError> {
    let mut project = Project::default();
    for m in found {
        let up_text = read_text(&m.up)?;
        let up = project.add_file(display_path(&m.up, display_root), up_text);
        let down = match &m.down {
            Some(d) => {
                let text = read_text(d)?;
                Some(SqlPart::whole_file(
                    project.add_file(display_path(d, display_root), text),
                ))
            }
            None => None,
        };
        project.migrations.push(MigrationInput {
            id: m.id.clone(),
            order_key: m.id.clone(),
            up: SqlPart::whole_file(up),
            down,
            transaction: TransactionMode::Unknown,
            checked: true,
        });
    }
    Ok(project)
}

/// A path as the user should see it: relative to the working directory when possible.
pub fn display_path(path: &Path, root: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers_by_value() {
        let mut ids = vec!["10_c", "2_b", "1_a", "002_x", "V1_10", "V1_9"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, vec!["1_a", "2_b", "002_x", "10_c", "V1_9", "V1_10"]);
    }

    #[test]
    fn groups_pairs_and_directories() {
        let files: Vec<PathBuf> = [
            "m/000002_b.up.sql",
            "m/000001_a.down.sql",
            "m/000001_a.up.sql",
            "d/2020-01-01-000000_init/up.sql",
            "d/2020-01-01-000000_init/down.sql",
            "m/orphan.down.sql",
            "s/20240101_plain.sql",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let (found, notices) = group(&files);
        let ids: Vec<_> = found
            .iter()
            .map(|m| (m.id.as_str(), m.down.is_some()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("2020-01-01-000000_init", true),
                ("000001_a", true),
                ("000002_b", false),
                ("20240101_plain", false)
            ]
        );
        assert_eq!(notices.len(), 1);
    }
}
