//! The data round trip (`tollgate verify --with-data`): before a migration, fill the tables it
//! touches with generated rows; after up → down, tell which rows and values did not come back.
//!
//! Rows are generated in SQL (`generate_series`), one `INSERT … SELECT` per table, with
//! `session_replication_role = replica` so foreign keys and user triggers do not get in the way.
//! Each table is filled inside a savepoint: a table whose constraints refuse the generated rows
//! is retried with its nullable columns left null, then reported as not filled.
//!
//! Each column is summarised by its count of non-null values and an order-independent hash of
//! its values (`sum(hashtext(col::text))`), so "the values came back changed" is caught too,
//! not only "the values are gone".

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{PgConnection, Row};

use crate::run::{exec, RunStatement};
use crate::snapshot::{Column, Snapshot};
use tollgate_core::verify::{DataCheck, DataLoss};

/// Quotes an identifier for SQL.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `users` → `"users"`, `audit.log` → `"audit"."log"` (names as the snapshot spells them).
fn table_sql(name: &str, snap: &Snapshot) -> String {
    if let Some((schema, rest)) = name.split_once('.') {
        if snap.schemas.contains(schema) {
            return format!("{}.{}", ident(schema), ident(rest));
        }
    }
    ident(name)
}

/// The words of some SQL, as identifiers: unquoted ones folded to lower case, quoted ones as
/// written.
fn identifiers(sql: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            let mut word = String::new();
            while let Some((_, d)) = chars.next() {
                if d == '"' {
                    if chars.peek().is_some_and(|&(_, e)| e == '"') {
                        chars.next();
                        word.push('"');
                        continue;
                    }
                    break;
                }
                word.push(d);
            }
            out.insert(word);
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '$' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.insert(sql[i..end].to_lowercase());
        }
    }
    out
}

/// The tables that existed before the migration and that its up names (by their own name, and
/// their schema's when not `public`). Errs on the side of filling too much: a name in a comment
/// or a string counts, and DDL built in a `DO` block names its tables in strings.
pub fn touched_tables(before: &Snapshot, up: &[RunStatement]) -> Vec<String> {
    let mut words = BTreeSet::new();
    for st in up {
        words.extend(identifiers(&st.sql));
    }
    before
        .tables
        .iter()
        .filter(|(name, t)| {
            if t.partitioned {
                // Rows live in the partitions; they are filled through their parent's name.
                return false;
            }
            match name.split_once('.') {
                Some((schema, rel)) if before.schemas.contains(schema) => {
                    words.contains(rel) && words.contains(schema)
                }
                _ => words.contains(name.as_str()),
            }
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// A column's value for row `g`, as a SQL expression, or `None` when tollgate has no generator
/// for its type.
fn generator(col: &Column, enums: &BTreeMap<String, Vec<String>>) -> Option<String> {
    let ty = col.data_type.as_str();
    if ty.ends_with("[]") {
        return Some(format!("ARRAY[]::{ty}"));
    }
    if let Some(first) = enums
        .iter()
        .find(|(name, _)| {
            name.as_str() == ty || ident(name) == ty || name.rsplit('.').next() == Some(ty)
        })
        .and_then(|(_, labels)| labels.first())
    {
        return Some(format!("'{}'::{ty}", first.replace('\'', "''")));
    }
    let base = ty.split('(').next().unwrap_or(ty).trim();
    let expr = match base {
        "smallint" => "(s.g % 32000)::smallint".to_string(),
        "integer" | "bigint" | "numeric" | "real" | "double precision" | "money" | "oid" => {
            format!("s.g::{ty}")
        }
        "text" | "character varying" | "character" | "citext" | "name" | "\"char\"" => {
            format!("('v' || s.g)::{ty}")
        }
        "uuid" => "md5(s.g::text)::uuid".to_string(),
        "boolean" => "(s.g % 2 = 0)".to_string(),
        "date" => "(date '2000-01-01' + (s.g % 20000)::int)".to_string(),
        "timestamp without time zone" | "timestamp with time zone" => {
            format!("(timestamp '2000-01-01' + s.g * interval '1 minute')::{ty}")
        }
        "time without time zone" | "time with time zone" => {
            format!("(time '00:00' + (s.g % 86400) * interval '1 second')::{ty}")
        }
        "interval" => "s.g * interval '1 second'".to_string(),
        "json" | "jsonb" => format!("jsonb_build_object('n', s.g)::{ty}"),
        "bytea" => "convert_to('v' || s.g, 'UTF8')".to_string(),
        "inet" | "cidr" => format!("('10.0.0.0'::inet + s.g)::{ty}"),
        "macaddr" => "('08:00:2b:00:00:00'::macaddr)".to_string(),
        "tsvector" => "to_tsvector('simple', 'v' || s.g)".to_string(),
        "xml" => "xmlparse(content '<v/>')".to_string(),
        _ => return None,
    };
    Some(expr)
}

/// A single-column foreign key of a table: `(column, parent table, parent column)`, names as
/// the snapshot spells them.
fn foreign_keys(snap: &Snapshot, table: &str) -> Vec<(String, String, String)> {
    let unquote = |t: &str| t.trim().trim_matches('"').replace("\"\"", "\"");
    let prefix = format!("{table}.");
    snap.constraints
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix) && !k[prefix.len()..].contains('.'))
        .filter_map(|(_, def)| {
            let rest = def.strip_prefix("FOREIGN KEY (")?;
            let (cols, rest) = rest.split_once(')')?;
            let rest = rest.trim_start().strip_prefix("REFERENCES ")?;
            let (parent, rest) = rest.split_once('(')?;
            let (pcols, _) = rest.split_once(')')?;
            if cols.contains(',') || pcols.contains(',') {
                return None;
            }
            let parent = parent.split('.').map(unquote).collect::<Vec<_>>().join(".");
            let parent = parent
                .strip_prefix("public.")
                .unwrap_or(&parent)
                .to_string();
            Some((unquote(cols), parent, unquote(pcols)))
        })
        .collect()
}

fn fills_itself(col: &Column) -> bool {
    col.generated.is_some()
        || col.identity.is_some()
        || col
            .default
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("))
}

/// The `INSERT` that adds `rows` generated rows numbered from `first`, or why there is none.
/// `nullable`: also give values to nullable columns (the first try); without, they stay null.
fn insert_sql(
    name: &str,
    snap: &Snapshot,
    first: u64,
    rows: u64,
    nullable: bool,
) -> Result<String, String> {
    let table = &snap.tables[name];
    let fks = foreign_keys(snap, name);
    let mut cols = Vec::new();
    let mut exprs = Vec::new();
    for col in &table.columns {
        if fills_itself(col) {
            continue;
        }
        if let Some((_, parent, pcol)) = fks.iter().find(|(c, _, _)| *c == col.name) {
            // A reference: null when allowed, else one of the parent's rows (spread over them).
            if col.not_null && snap.tables.contains_key(parent) {
                let p = table_sql(parent, snap);
                let pc = ident(pcol);
                cols.push(ident(&col.name));
                exprs.push(format!(
                    "(SELECT {pc} FROM {p} ORDER BY 1 OFFSET (s.g % (SELECT greatest(count(*), 1) FROM {p})) LIMIT 1)"
                ));
            }
            continue;
        }
        match generator(col, &snap.enums) {
            Some(e) if nullable || col.not_null => {
                cols.push(ident(&col.name));
                exprs.push(e);
            }
            Some(_) => {}
            None if !col.not_null || col.default.is_some() => {}
            None => {
                return Err(format!(
                    "no generator for column `{}` of type `{}`",
                    col.name, col.data_type
                ))
            }
        }
    }
    let last = first + rows - 1;
    let target = table_sql(name, snap);
    // Zero columns: `SELECT FROM` gives rows of nothing, and every column takes its default.
    Ok(format!(
        "INSERT INTO {target} ({}) SELECT {} FROM generate_series({first}, {last}) AS s(g)",
        cols.join(", "),
        exprs.join(", ")
    )
    .replace(" () SELECT  FROM", " SELECT FROM"))
}

/// Row count, then per column (in the table's order): non-null count and value hash.
#[derive(Debug, Clone, Default)]
pub struct TableCounts {
    pub rows: u64,
    pub columns: Vec<(String, u64, i64)>,
}

async fn count(
    conn: &mut PgConnection,
    name: &str,
    snap: &Snapshot,
) -> Result<TableCounts, sqlx::Error> {
    let table = &snap.tables[name];
    let mut select = vec!["count(*)::int8".to_string()];
    for col in &table.columns {
        let c = ident(&col.name);
        select.push(format!("count({c})::int8"));
        select.push(format!("coalesce(sum(hashtext({c}::text)::int8), 0)::int8"));
    }
    let sql = format!(
        "SELECT {} FROM {}",
        select.join(", "),
        table_sql(name, snap)
    );
    let row = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?;
    let mut counts = TableCounts {
        rows: row.try_get::<i64, _>(0)? as u64,
        columns: Vec::new(),
    };
    for (i, col) in table.columns.iter().enumerate() {
        counts.columns.push((
            col.name.clone(),
            row.try_get::<i64, _>(1 + 2 * i)? as u64,
            row.try_get::<i64, _>(2 + 2 * i)?,
        ));
    }
    Ok(counts)
}

/// Hands out row numbers so that every fill of a run is distinct (unique keys stay unique).
pub struct Filler {
    rows: u64,
    next: u64,
}

impl Filler {
    pub fn new(rows: u64) -> Filler {
        Filler {
            rows: rows.max(1),
            next: 1_000_000,
        }
    }

    /// Fills each touched table that holds fewer rows than a fill, then counts them all.
    pub async fn fill(
        &mut self,
        conn: &mut PgConnection,
        snap: &Snapshot,
        touched: &[String],
    ) -> (DataCheck, BTreeMap<String, TableCounts>) {
        let mut check = DataCheck::default();
        let mut counts = BTreeMap::new();
        let replica = exec(conn, "SET session_replication_role = replica")
            .await
            .is_ok();
        // Parents first, so that a required reference has a row to point at.
        let mut order: Vec<String> = Vec::new();
        fn visit(snap: &Snapshot, t: &str, order: &mut Vec<String>, depth: usize) {
            if order.iter().any(|o| o == t) || depth > 4 {
                return;
            }
            for (col, parent, _) in foreign_keys(snap, t) {
                let required = snap.tables[t]
                    .columns
                    .iter()
                    .any(|c| c.name == col && c.not_null);
                if required && parent != t && snap.tables.contains_key(&parent) {
                    visit(snap, &parent, order, depth + 1);
                }
            }
            order.push(t.to_string());
        }
        for t in touched {
            visit(snap, t, &mut order, 0);
        }
        for name in &order {
            let have = match count(conn, name, snap).await {
                Ok(c) => c.rows,
                Err(e) => {
                    check.not_filled.push(format!("{name}: {}", one_line(&e)));
                    continue;
                }
            };
            let first = self.next;
            self.next += self.rows.max(1_000_000);
            if have < self.rows {
                match self.insert(conn, name, snap, first).await {
                    Ok(()) => check.filled.push(name.clone()),
                    Err(reason) => check.not_filled.push(format!("{name}: {reason}")),
                }
            } else {
                // Filled before: give columns added since then values too.
                self.backfill(conn, name, snap, first).await;
            }
            if let Ok(c) = count(conn, name, snap).await {
                counts.insert(name.clone(), c);
            }
        }
        if replica {
            let _ = exec(conn, "RESET session_replication_role").await;
        }
        (check, counts)
    }

    /// Sets every all-null column that has a generator (and is no reference) in `name`'s rows.
    async fn backfill(&self, conn: &mut PgConnection, name: &str, snap: &Snapshot, first: u64) {
        let Ok(counts) = count(conn, name, snap).await else {
            return;
        };
        let fks = foreign_keys(snap, name);
        let table = &snap.tables[name];
        let mut sets = Vec::new();
        for (col, (_, n, _)) in table.columns.iter().zip(&counts.columns) {
            if *n > 0 || fills_itself(col) || fks.iter().any(|(c, _, _)| *c == col.name) {
                continue;
            }
            if let Some(e) = generator(col, &snap.enums) {
                sets.push(format!("{} = {e}", ident(&col.name)));
            }
        }
        if sets.is_empty() {
            return;
        }
        let t = table_sql(name, snap);
        let sql = format!(
            "UPDATE {t} AS t SET {} FROM (SELECT ctid AS tid, {} + row_number() OVER () AS g FROM {t}) AS s WHERE t.ctid = s.tid",
            sets.join(", "),
            first - 1
        );
        if exec(conn, "BEGIN").await.is_err() {
            return;
        }
        match exec(conn, &sql).await {
            Ok(()) => {
                let _ = exec(conn, "COMMIT").await;
            }
            Err(_) => {
                let _ = exec(conn, "ROLLBACK").await;
            }
        }
    }

    async fn insert(
        &self,
        conn: &mut PgConnection,
        name: &str,
        snap: &Snapshot,
        first: u64,
    ) -> Result<(), String> {
        let mut last_error = String::new();
        for nullable in [true, false] {
            let sql = insert_sql(name, snap, first, self.rows, nullable)?;
            exec(conn, "BEGIN").await.map_err(|e| one_line(&e))?;
            match exec(conn, &sql).await {
                Ok(()) => {
                    exec(conn, "COMMIT").await.map_err(|e| one_line(&e))?;
                    return Ok(());
                }
                Err(e) => {
                    let _ = exec(conn, "ROLLBACK").await;
                    last_error = one_line(&e);
                }
            }
        }
        Err(last_error)
    }
}

fn one_line(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

/// `1000` → `1,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn values(n: u64) -> String {
    if n == 1 {
        "1 value".to_string()
    } else {
        format!("{} values", thousands(n))
    }
}

fn rows(n: u64) -> String {
    if n == 1 {
        "1 row".to_string()
    } else {
        format!("{} rows", thousands(n))
    }
}

/// What did not come back: compares the counts taken before the up with the tables after
/// up → down.
pub async fn compare(
    conn: &mut PgConnection,
    after: &Snapshot,
    before: &BTreeMap<String, TableCounts>,
) -> Vec<DataLoss> {
    let mut lost = Vec::new();
    for (name, b) in before {
        if b.rows == 0 {
            continue;
        }
        if !after.tables.contains_key(name) {
            lost.push(DataLoss {
                object: name.clone(),
                before: b.rows,
                after: None,
                message: format!(
                    "table `{name}` did not come back: its {} are gone",
                    rows(b.rows)
                ),
            });
            continue;
        }
        let Ok(a) = count(conn, name, after).await else {
            continue;
        };
        if a.rows < b.rows {
            lost.push(DataLoss {
                object: name.clone(),
                before: b.rows,
                after: Some(a.rows),
                message: format!(
                    "table `{name}` came back with {} of its {}",
                    thousands(a.rows),
                    rows(b.rows)
                ),
            });
            continue;
        }
        for (col, n, hash) in &b.columns {
            if *n == 0 {
                continue;
            }
            let object = format!("{name}.{col}");
            match a.columns.iter().find(|(c, _, _)| c == col) {
                None => lost.push(DataLoss {
                    object: object.clone(),
                    before: *n,
                    after: None,
                    message: format!(
                        "column `{object}` did not come back: its {} are gone",
                        values(*n)
                    ),
                }),
                Some((_, 0, _)) => lost.push(DataLoss {
                    object: object.clone(),
                    before: *n,
                    after: Some(0),
                    message: format!(
                        "down re-creates `{object}` but its {} are gone",
                        values(*n)
                    ),
                }),
                Some((_, m, _)) if m < n => lost.push(DataLoss {
                    object: object.clone(),
                    before: *n,
                    after: Some(*m),
                    message: format!(
                        "`{object}` came back with {} of its {}",
                        thousands(*m),
                        values(*n)
                    ),
                }),
                Some((_, m, h)) if m == n && h != hash => lost.push(DataLoss {
                    object: object.clone(),
                    before: *n,
                    after: Some(*m),
                    message: format!(
                        "the values of `{object}` came back changed (the {} differ from before the up)",
                        values(*n)
                    ),
                }),
                _ => {}
            }
        }
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_fold_unquoted_and_keep_quoted() {
        let w = identifiers(r#"ALTER TABLE Users DROP "Phone"; -- note "a""b""#);
        assert!(w.contains("users") && w.contains("Phone") && w.contains("a\"b"));
        assert!(!w.contains("phone"));
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn a_table_without_generated_columns_gets_default_rows() {
        let mut snap = Snapshot::default();
        snap.tables.insert(
            "t".into(),
            crate::snapshot::Table {
                columns: vec![Column {
                    name: "id".into(),
                    data_type: "integer".into(),
                    not_null: true,
                    identity: Some("a".into()),
                    ..Column::default()
                }],
                ..Default::default()
            },
        );
        let sql = insert_sql("t", &snap, 1, 10, true).unwrap();
        assert_eq!(
            sql,
            "INSERT INTO \"t\" SELECT FROM generate_series(1, 10) AS s(g)"
        );
    }
}
