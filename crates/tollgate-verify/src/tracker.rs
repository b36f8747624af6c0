//! Incremental catalog snapshots for the runner.
//!
//! [`snapshot`](crate::snapshot) reads the whole schema on every call, so a history of n
//! migrations costs n² (each of the 3n snapshots reads everything created so far). A
//! [`Tracker`] keeps the last snapshot and, on the next call, re-reads only what changed:
//!
//! 1. PostgreSQL's own per-table change counters (`pg_stat_get_tuples_*`, flushed on demand with
//!    `pg_stat_force_next_flush()`, PostgreSQL 15 and later) tell which system catalogs had rows
//!    inserted, updated or deleted since the last call. Catalogs that did not change are not
//!    read at all.
//! 2. In the catalogs that did change, the rows written since the last call are those whose
//!    `xmin` is newer than the oldest transaction running at the last call. They name the
//!    relations, enum types and functions to read again; deletions are found by comparing the
//!    live objects (or their per-relation counts) with the cached ones.
//! 3. Only those objects are read again, in one statement, with exactly the expressions
//!    [`snapshot`](crate::snapshot) uses, and replace their previous entries.
//!
//! When the role is a superuser, steps 1 and 2 come instead from a change log that two event
//! triggers keep ([`crate::et`]): it names every object each DDL command created, altered or
//! dropped, and it is read in the last message of each side, so a snapshot costs no round
//! trip and no statistics flush before its re-read. What the event triggers do not report is
//! covered apart: `pg_class` rows written since the last call (storage changed by `TRUNCATE`,
//! `VACUUM FULL`, `CLUSTER`, `REINDEX`), and a full read when a partitioned or inherited table
//! or a composite type changes (the command names the parent or the type, not the tables it
//! reaches). A log that was reset (`RESET ALL`) or lost (`DISCARD`, `DEALLOCATE`) sends the
//! tracker back to the counters, from a full read.
//!
//! It fails closed: whatever the cache cannot account for exactly makes it read everything
//! again (a "full" read), and some conditions switch it off for the rest of the run:
//!
//! - anything renamed or moved to another schema (a relation, type, function or schema, or a
//!   column of anything but a table or view): other objects print its name (views, defaults,
//!   foreign keys, indexes, triggers). A column of a table or view renamed is read
//!   incrementally: the relation and every relation and function `pg_depend` records as
//!   depending on it are read again, and a dependent of any other kind makes it a full read;
//! - two objects sharing a name (a relation, type or function named like another one in
//!   another schema, an overloaded function): whether a name is printed with its schema then
//!   depends on the search path and on objects created or dropped elsewhere (sticky: off for
//!   the rest of the run);
//! - a change to a setting that changes how definitions print (search path, role, date style,
//!   …), a change in any other catalog (operators, collations, extensions, languages, casts,
//!   text search, …) or in extension membership, a row of a system object written, a deletion
//!   not explained by a dropped relation, statistics that were reset or are not collected, or
//!   an open transaction.
//!
//! [`Mode::Full`](SnapshotMode::Full) reads everything every time (the previous behaviour) and
//! [`SnapshotMode::Checked`] compares every incremental snapshot with a full one and fails on
//! the first difference: the tests run the runner that way.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::error::{sql_error, VerifyError};
use crate::snapshot::{
    qualify, snapshot, Column, Function, Index, Sequence, Snapshot, Table, Trigger, View,
};

/// How the runner takes its catalog snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotMode {
    /// Re-read only what changed since the previous snapshot (falls back to a full read when
    /// it cannot tell), as the change log of event triggers tells when the role is a
    /// superuser, as the statistics counters tell otherwise.
    #[default]
    Incremental,
    /// Incremental, from the counters even for a superuser
    /// (`TOLLGATE_VERIFY_SNAPSHOTS=counters`).
    Counters,
    /// Read the whole schema every time.
    Full,
    /// Incremental, and compared with a full read every time: a difference is an error. Slow;
    /// for tests and for diagnosing a suspected cache bug (`TOLLGATE_VERIFY_SNAPSHOTS=check`).
    Checked,
    /// [`SnapshotMode::Counters`], compared with a full read every time
    /// (`TOLLGATE_VERIFY_SNAPSHOTS=check-counters`).
    CheckedCounters,
}

impl SnapshotMode {
    /// `TOLLGATE_VERIFY_SNAPSHOTS=full|check|counters|check-counters|incremental`,
    /// incremental when unset.
    pub fn from_env() -> SnapshotMode {
        match std::env::var("TOLLGATE_VERIFY_SNAPSHOTS").as_deref() {
            Ok("full") => SnapshotMode::Full,
            Ok("check") => SnapshotMode::Checked,
            Ok("counters") => SnapshotMode::Counters,
            Ok("check-counters") => SnapshotMode::CheckedCounters,
            _ => SnapshotMode::Incremental,
        }
    }
}

/// The catalogs whose changes the tracker follows row by row, in the order of the counter
/// arrays (1-based in SQL).
const TRACKED: [&str; 14] = [
    "pg_class",      // 1
    "pg_attribute",  // 2
    "pg_attrdef",    // 3
    "pg_constraint", // 4
    "pg_index",      // 5
    "pg_trigger",    // 6
    "pg_rewrite",    // 7
    "pg_sequence",   // 8
    "pg_inherits",   // 9
    "pg_type",       // 10
    "pg_enum",       // 11
    "pg_proc",       // 12
    "pg_namespace",  // 13
    "pg_depend",     // 14
];
/// Catalogs whose rows belong to a relation, with the expression naming it (`x` is the row).
const RELATION_ROWS: [(usize, &str); 7] = [
    (ATTRDEF, "x.adrelid"),
    (CONSTRAINT, "x.conrelid"),
    (INDEX, "unnest(ARRAY[x.indrelid, x.indexrelid])"),
    (TRIGGER, "x.tgrelid"),
    (REWRITE, "x.ev_class"),
    (SEQUENCE, "x.seqrelid"),
    (INHERITS, "unnest(ARRAY[x.inhrelid, x.inhparent])"),
];
const CLASS: usize = 0;
const ATTRIBUTE: usize = 1;
const ATTRDEF: usize = 2;
const CONSTRAINT: usize = 3;
const INDEX: usize = 4;
const TRIGGER: usize = 5;
const REWRITE: usize = 6;
const SEQUENCE: usize = 7;
const INHERITS: usize = 8;
const TYPE: usize = 9;
const ENUM: usize = 10;
const PROC: usize = 11;

/// Catalogs whose contents never show in a snapshot: their changes are ignored. Every other
/// catalog of the database (operators, collations, casts, extensions, languages, text search,
/// partition keys, …) makes the next snapshot a full read when it changes.
const IGNORED: [&str; 9] = [
    "pg_description",
    "pg_statistic",
    "pg_statistic_ext_data",
    "pg_largeobject",
    "pg_largeobject_metadata",
    "pg_default_acl",
    "pg_init_privs",
    "pg_seclabel",
    "pg_policy",
];

/// Forces the statistics flush at the session's next idle point; returns the clock.
const FLUSH_SQL: &str = "SELECT pg_catalog.clock_timestamp()::text AS tollgate_flushed \
     FROM (SELECT pg_catalog.pg_stat_force_next_flush()) f";

/// The settings that change how definitions print, and the statistics' reset time, as one
/// text: a change makes the next snapshot a full read.
const SETTINGS_SQL: &str =
    "concat_ws(' | ', current_schemas(true)::text, current_user, session_user, \
     current_setting('DateStyle'), current_setting('IntervalStyle'), \
     current_setting('TimeZone'), current_setting('extra_float_digits'), \
     current_setting('bytea_output'), current_setting('quote_all_identifiers'), \
     current_setting('standard_conforming_strings'), current_setting('lc_numeric'), \
     current_setting('lc_monetary'), current_setting('xmlbinary'), \
     current_setting('xmloption'), current_setting('track_counts'), \
     pg_stat_get_db_stat_reset_time((SELECT oid FROM pg_database \
       WHERE datname = current_database()))::text)";

/// First oid PostgreSQL gives to objects created after initdb.
const FIRST_NORMAL_OID: i64 = 16384;

const PG_CLASS: i64 = 1259;
const PG_TYPE: i64 = 1247;
const PG_PROC: i64 = 1255;
/// Catalogs whose objects the change log may name and no snapshot shows: `pg_default_acl`,
/// `pg_policy`, `pg_event_trigger`.
const ET_IGNORED: [i64; 3] = [826, 3256, 3466];

fn user_ns(name: &str) -> bool {
    name != "pg_catalog"
        && name != "information_schema"
        && !name.starts_with("pg_toast")
        && !name.starts_with("pg_temp")
}

fn temp_ns(name: &str) -> bool {
    name.starts_with("pg_temp") || name.starts_with("pg_toast_temp")
}

fn counter(catalog: &str) -> String {
    format!(
        "pg_stat_get_tuples_inserted('{catalog}'::regclass) + \
         pg_stat_get_tuples_updated('{catalog}'::regclass) + \
         pg_stat_get_tuples_deleted('{catalog}'::regclass)"
    )
}

/// Catalog `k` (0-based) changed since the previous call: a one-time filter, so an unchanged
/// catalog is not scanned.
fn gate(k: usize) -> String {
    format!(
        "(SELECT ctr[{i}] FROM cur) IS DISTINCT FROM ($2::int8[])[{i}]",
        i = k + 1
    )
}

fn del_gate(first: bool, k: usize) -> String {
    if first {
        return "false".to_string();
    }
    format!(
        "(SELECT del[{i}] FROM cur) IS DISTINCT FROM ($3::int8[])[{i}]",
        i = k + 1
    )
}

/// Rows written since the previous call (all rows on the first call, `$1` null).
fn fresh(first: bool, alias: &str) -> String {
    if first {
        return "false".to_string();
    }
    format!("age({alias}.xmin) <= (SELECT w FROM win)")
}

/// `first`: the first call, which lists every user object (`$1` to `$3` are null); otherwise
/// what changed since the previous call. Two statements, so that each keeps one plan.
fn detect_sql(first: bool) -> &'static str {
    static SQL: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
    SQL[first as usize].get_or_init(|| {
        let ctr = TRACKED
            .iter()
            .map(|c| counter(c))
            .collect::<Vec<_>>()
            .join(", ");
        let del = TRACKED
            .iter()
            .map(|c| format!("pg_stat_get_tuples_deleted('{c}'::regclass)"))
            .collect::<Vec<_>>()
            .join(", ");
        let is_first = first;
        let first = if is_first { "true" } else { "false" };
        let user = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
                    AND n.nspname !~ '^pg_(toast|temp)'";
        let mut parts = vec![
            // Counters, settings that change how definitions print, and the new window.
            "SELECT 'ctr'::text, k::int8, (cur.ctr)[k], (cur.del)[k], NULL::text, NULL::text \
             FROM cur, generate_subscripts(cur.ctr, 1) k"
                .to_string(),
            "SELECT 'other', cur.other, NULL, NULL, NULL, NULL FROM cur".to_string(),
            format!(
                "SELECT 'meta', \
               (transaction_timestamp() <= $5::text::timestamptz \
                OR pg_current_xact_id_if_assigned() IS NOT NULL)::int::int8, NULL, NULL, \
               {SETTINGS_SQL}, \
               pg_snapshot_xmin(pg_current_snapshot())::text"
            ),
            // Relations written (all user ones on the first call), with whether another
            // relation has the same name.
            format!(
                "SELECT 'class', c.oid::int8, ascii(c.relkind::text)::int8, \
                   (EXISTS (SELECT 1 FROM pg_class o WHERE o.relname = c.relname \
                     AND o.oid <> c.oid))::int::int8, n.nspname::text, c.relname::text \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE (({first}) AND c.oid >= {FIRST_NORMAL_OID} AND {user} \
                   OR {fresh}) AND {gate}",
                fresh = fresh(is_first, "c"),
                gate = gate(CLASS)
            ),
            format!(
                "SELECT 'att', a.attrelid::int8, a.attnum::int8, a.attisdropped::int::int8, \
                   a.attname::text, NULL \
                 FROM pg_attribute a \
                 WHERE (({first}) AND a.attrelid >= {FIRST_NORMAL_OID} AND a.attnum > 0 \
                   OR {fresh}) AND {gate}",
                fresh = fresh(is_first, "a"),
                gate = gate(ATTRIBUTE)
            ),
        ];
        // Rows that belong to a relation: the relation (and for an index, its table too).
        parts.extend(RELATION_ROWS.iter().map(|&(k, relation)| {
            format!(
                "SELECT 'rel', {relation}::int8, NULL, NULL, NULL, NULL FROM {} x \
                 WHERE {} AND {}",
                TRACKED[k],
                fresh(is_first, "x"),
                gate(k)
            )
        }));
        parts.extend([
            format!(
                "SELECT 'type', t.oid::int8, ascii(t.typtype::text)::int8, \
                   (EXISTS (SELECT 1 FROM pg_type o WHERE o.typname = t.typname \
                     AND o.oid <> t.oid))::int::int8, n.nspname::text, t.typname::text \
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE (({first}) AND t.oid >= {FIRST_NORMAL_OID} AND {user} \
                   OR {fresh}) AND {gate}",
                fresh = fresh(is_first, "t"),
                gate = gate(TYPE)
            ),
            format!(
                "SELECT 'enum', x.enumtypid::int8, NULL, NULL, NULL, NULL FROM pg_enum x \
                 WHERE {} AND {}",
                fresh(is_first, "x"),
                gate(ENUM)
            ),
            format!(
                "SELECT 'proc', p.oid::int8, NULL, \
                   (EXISTS (SELECT 1 FROM pg_proc o WHERE o.proname = p.proname \
                     AND o.oid <> p.oid))::int::int8, n.nspname::text, p.proname::text \
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE (({first}) AND p.oid >= {FIRST_NORMAL_OID} AND {user} \
                   OR {fresh}) AND {gate}",
                fresh = fresh(is_first, "p"),
                gate = gate(PROC)
            ),
            // Every schema, whenever one changed.
            format!(
                "SELECT 'nsp', n.oid::int8, NULL, NULL, n.nspname::text, NULL \
                 FROM pg_namespace n WHERE {}",
                gate(12)
            ),
            // Dependencies: sequence ownership and extension membership, whenever pg_depend
            // changed (both read through indexes, not by scanning pg_depend).
            format!(
                "SELECT 'own', s.seqrelid::int8, d.refobjid::int8, d.refobjsubid::int8, NULL, \
                   NULL FROM pg_sequence s \
                 LEFT JOIN LATERAL (SELECT d.refobjid, d.refobjsubid FROM pg_depend d \
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid \
                   AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 \
                   AND d.deptype IN ('a', 'i') OFFSET 0) d ON true \
                 WHERE s.seqrelid >= {FIRST_NORMAL_OID} AND {}",
                gate(13)
            ),
            format!(
                "SELECT 'ext', count(*), coalesce(sum(d.objid::int8), 0)::int8, \
                   coalesce(sum(d.classid::int8 * 65536 + d.objsubid), 0)::int8, NULL, NULL \
                 FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass \
                   AND d.deptype = 'e' HAVING {}",
                gate(13)
            ),
            // What is left after deletions.
            format!(
                "SELECT 'live', c.oid::int8, NULL, NULL, NULL, NULL \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE {user} AND {}",
                del_gate(is_first, CLASS)
            ),
            format!(
                "SELECT 'ncon', x.conrelid::int8, count(*), NULL, NULL, NULL FROM pg_constraint x \
                 WHERE x.conrelid >= {FIRST_NORMAL_OID} AND {} GROUP BY x.conrelid",
                del_gate(is_first, CONSTRAINT)
            ),
            format!(
                "SELECT 'ntrg', x.tgrelid::int8, count(*), NULL, NULL, NULL FROM pg_trigger x \
                 WHERE x.tgrelid >= {FIRST_NORMAL_OID} AND {} GROUP BY x.tgrelid",
                del_gate(is_first, TRIGGER)
            ),
            format!(
                "SELECT 'ndef', x.adrelid::int8, count(*), NULL, NULL, NULL FROM pg_attrdef x \
                 WHERE x.adrelid >= {FIRST_NORMAL_OID} AND {} GROUP BY x.adrelid",
                del_gate(is_first, ATTRDEF)
            ),
            format!(
                "SELECT 'liveenum', t.oid::int8, NULL, NULL, NULL, NULL FROM pg_type t \
                 WHERE t.typtype = 'e' AND t.oid >= {FIRST_NORMAL_OID} AND {}",
                del_gate(is_first, TYPE)
            ),
            format!(
                "SELECT 'liveproc', p.oid::int8, NULL, NULL, NULL, NULL FROM pg_proc p \
                 WHERE p.oid >= {FIRST_NORMAL_OID} AND {}",
                del_gate(is_first, PROC)
            ),
        ]);
        format!(
            "WITH cur AS MATERIALIZED (SELECT ARRAY[{ctr}]::int8[] AS ctr, \
               ARRAY[{del}]::int8[] AS del, \
               (SELECT coalesce(sum(pg_stat_get_tuples_inserted(o::oid) \
                  + pg_stat_get_tuples_updated(o::oid) + pg_stat_get_tuples_deleted(o::oid)), 0) \
                FROM unnest($4::int8[]) o)::int8 AS other), \
             win AS MATERIALIZED (SELECT CASE WHEN $1::text IS NULL THEN 2147483647 \
               ELSE age($1::text::xid) END AS w) \
             {}",
            parts.join(" UNION ALL ")
        )
    })
}

/// Extra text columns of a fetch row.
const WIDTH: usize = 12;

fn fetch_part(tag: &str, oid: &str, cols: &[&str], rest: &str) -> String {
    assert!(cols.len() <= WIDTH);
    let mut out = format!("SELECT '{tag}'::text, ({oid})::int8");
    for i in 0..WIDTH {
        match cols.get(i) {
            Some(c) => out.push_str(&format!(", ({c})::text")),
            None => out.push_str(", NULL::text"),
        }
    }
    out.push(' ');
    out.push_str(rest);
    out
}

macro_rules! user_ns_sql {
    ($n:literal) => {
        concat!(
            $n,
            ".nspname NOT IN ('pg_catalog', 'information_schema') AND ",
            $n,
            ".nspname !~ '^pg_(toast|temp)'"
        )
    };
}

fn not_ext(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '{catalog}'::regclass \
         AND x.objid = {oid} AND x.deptype = 'e')"
    )
}

/// Reads the given relations (plus the indexes of their tables and the tables of their
/// indexes), enum types and functions, with the expressions of `snapshot.rs`.
/// Three statements, so that a read pays only for the parts it needs: the relations in `$1`
/// (`Fetch::Relations`), every relation (`Fetch::AllRelations`, a full read: `$1` is ignored and
/// nothing is looked up one by one), and the enum types `$2`, functions `$3`, schemas (`$4`) and
/// extensions (`$5`) (`Fetch::Others`). The parameters of `Fetch::Others` are read through
/// sub-selects: a custom plan then gains nothing from their values, so PostgreSQL keeps the
/// generic plan after five calls instead of planning every call again (0.5 ms a call).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fetch {
    Relations = 0,
    AllRelations = 1,
    Others = 2,
}

fn fetch_sql(which: Fetch) -> &'static str {
    static SQL: [OnceLock<String>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    SQL[which as usize].get_or_init(|| {
        let all = which == Fetch::AllRelations;
        let un = user_ns_sql!("n");
        let parts = [
            fetch_part(
                "unit",
                "c.oid",
                &["c.relkind", "n.nspname", "c.relname"],
                "FROM pg_class c JOIN dx ON dx.oid = c.oid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace",
            ),
            fetch_part(
                "attn",
                "a.attrelid",
                &["a.attnum", "a.attname"],
                "FROM pg_attribute a JOIN dx ON dx.oid = a.attrelid \
                 WHERE a.attnum > 0 AND NOT a.attisdropped",
            ),
            fetch_part(
                "ncon",
                "x.conrelid",
                &["count(*)"],
                "FROM pg_constraint x JOIN dx ON dx.oid = x.conrelid GROUP BY x.conrelid",
            ),
            fetch_part(
                "ntrg",
                "x.tgrelid",
                &["count(*)"],
                "FROM pg_trigger x JOIN dx ON dx.oid = x.tgrelid GROUP BY x.tgrelid",
            ),
            fetch_part(
                "ndef",
                "x.adrelid",
                &["count(*)"],
                "FROM pg_attrdef x JOIN dx ON dx.oid = x.adrelid GROUP BY x.adrelid",
            ),
            fetch_part(
                "table",
                "c.oid",
                &[
                    "n.nspname",
                    "c.relname",
                    "c.relkind = 'p'",
                    "c.relpersistence = 'u'",
                    "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END",
                    "pn.nspname",
                    "pc.relname",
                    "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END",
                ],
                &format!(
                    "FROM pg_class c JOIN dx ON dx.oid = c.oid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid \
                     LEFT JOIN pg_class pc ON pc.oid = i.inhparent \
                     LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace \
                     WHERE c.relkind IN ('r', 'p') AND {un} AND {}",
                    not_ext("pg_class", "c.oid")
                ),
            ),
            fetch_part(
                "column",
                "c.oid",
                &[
                    "a.attnum",
                    "a.attname",
                    "format_type(a.atttypid, a.atttypmod)",
                    "a.attnotnull",
                    "CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END",
                    "a.attidentity",
                    "CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END",
                    "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END",
                ],
                &format!(
                    "FROM pg_attribute a \
                     JOIN pg_class c ON c.oid = a.attrelid \
                     JOIN dx ON dx.oid = c.oid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     JOIN pg_type t ON t.oid = a.atttypid \
                     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                     LEFT JOIN pg_collation co ON co.oid = a.attcollation \
                     WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
                       AND {un} AND {}",
                    not_ext("pg_class", "c.oid")
                ),
            ),
            fetch_part(
                "constraint",
                "c.oid",
                &[
                    "n.nspname",
                    "c.relname",
                    "k.conname",
                    "pg_get_constraintdef(k.oid)",
                ],
                &format!(
                    "FROM pg_constraint k \
                     JOIN pg_class c ON c.oid = k.conrelid \
                     JOIN dx ON dx.oid = c.oid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE {un} AND {}",
                    not_ext("pg_class", "c.oid")
                ),
            ),
            fetch_part(
                "index",
                "ic.oid",
                &[
                    "n.nspname",
                    "ic.relname",
                    "c.relname",
                    "pg_get_indexdef(i.indexrelid)",
                    "i.indisvalid",
                ],
                &format!(
                    "FROM pg_index i \
                     JOIN pg_class ic ON ic.oid = i.indexrelid \
                     JOIN dx ON dx.oid = ic.oid \
                     JOIN pg_class c ON c.oid = i.indrelid \
                     JOIN pg_namespace n ON n.oid = ic.relnamespace \
                     WHERE {un} AND {} \
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint k \
                         WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid \
                         AND k.contype IN ('p', 'u', 'x'))",
                    not_ext("pg_class", "c.oid")
                ),
            ),
            fetch_part(
                "view",
                "c.oid",
                &[
                    "n.nspname",
                    "c.relname",
                    "c.relkind = 'm'",
                    "pg_get_viewdef(c.oid)",
                ],
                &format!(
                    "FROM pg_class c JOIN dx ON dx.oid = c.oid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE c.relkind IN ('v', 'm') AND {un} AND {}",
                    not_ext("pg_class", "c.oid")
                ),
            ),
            fetch_part(
                "sequence",
                "c.oid",
                &[
                    "n.nspname",
                    "c.relname",
                    "format_type(s.seqtypid, NULL)",
                    "s.seqstart",
                    "s.seqincrement",
                    "s.seqmin",
                    "s.seqmax",
                    "s.seqcache",
                    "s.seqcycle",
                    "tn.nspname",
                    "tc.relname",
                    "ta.attname",
                ],
                &format!(
                    "FROM pg_sequence s \
                     JOIN pg_class c ON c.oid = s.seqrelid \
                     JOIN dx ON dx.oid = c.oid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass \
                       AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass \
                       AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') \
                     LEFT JOIN pg_class tc ON tc.oid = d.refobjid \
                     LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace \
                     LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid \
                       AND ta.attnum = d.refobjsubid \
                     WHERE {un} AND {}",
                    not_ext("pg_class", "c.oid")
                ),
            ),
            fetch_part(
                "owner",
                "s.seqrelid",
                &["d.refobjid", "d.refobjsubid"],
                "FROM pg_sequence s JOIN dx ON dx.oid = s.seqrelid \
                 JOIN pg_depend d ON d.classid = 'pg_class'::regclass \
                   AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass \
                   AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')",
            ),
            fetch_part(
                "trigger",
                "c.oid",
                &[
                    "n.nspname",
                    "c.relname",
                    "t.tgname",
                    "pg_get_triggerdef(t.oid)",
                    "t.tgenabled",
                ],
                &format!(
                    "FROM pg_trigger t \
                     JOIN pg_class c ON c.oid = t.tgrelid \
                     JOIN dx ON dx.oid = c.oid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE NOT t.tgisinternal AND {un} AND {}",
                    not_ext("pg_class", "c.oid")
                ),
            ),
            fetch_part(
                "storage",
                "c.oid",
                &["n.nspname", "c.relname", "pg_relation_filenode(c.oid)"],
                &format!(
                    "FROM pg_class c JOIN dx ON dx.oid = c.oid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     LEFT JOIN pg_index i ON i.indexrelid = c.oid \
                     WHERE c.relkind IN ('r', 'm', 'i', 'S') \
                       AND pg_relation_filenode(c.oid) IS NOT NULL AND {un} \
                       AND NOT EXISTS (SELECT 1 FROM pg_depend x \
                         WHERE x.classid = 'pg_class'::regclass \
                         AND x.objid = coalesce(i.indrelid, c.oid) AND x.deptype = 'e')"
                ),
            ),
            fetch_part(
                "enum",
                "t.oid",
                &[
                    "n.nspname",
                    "t.typname",
                    "e.enumlabel",
                    "row_number() OVER (PARTITION BY t.oid ORDER BY e.enumsortorder)",
                ],
                &format!(
                    "FROM pg_type t \
                     JOIN pg_namespace n ON n.oid = t.typnamespace \
                     LEFT JOIN pg_enum e ON e.enumtypid = t.oid \
                     WHERE t.oid = ANY((SELECT $2::int8[])::oid[]) AND t.typtype = 'e' AND {un} AND {}",
                    not_ext("pg_type", "t.oid")
                ),
            ),
            fetch_part(
                "function",
                "p.oid",
                &[
                    "n.nspname",
                    "p.proname",
                    "pg_get_function_identity_arguments(p.oid)",
                    "p.prokind",
                    "pg_get_function_result(p.oid)",
                    "l.lanname",
                    "md5(coalesce(p.prosrc, '') || coalesce(pg_get_function_sqlbody(p.oid), ''))",
                    "p.provolatile",
                    "p.proisstrict",
                    "p.prosecdef",
                    "array_to_string(p.proconfig, ', ')",
                ],
                &format!(
                    "FROM pg_proc p \
                     JOIN pg_namespace n ON n.oid = p.pronamespace \
                     JOIN pg_language l ON l.oid = p.prolang \
                     WHERE p.oid = ANY((SELECT $3::int8[])::oid[]) AND {un} AND {}",
                    not_ext("pg_proc", "p.oid")
                ),
            ),
            fetch_part(
                "schema",
                "n.oid",
                &["n.nspname"],
                &format!(
                    "FROM pg_namespace n WHERE (SELECT $4::bool) AND {un} AND {}",
                    not_ext("pg_namespace", "n.oid")
                ),
            ),
            fetch_part(
                "extension",
                "0",
                &["extname", "extversion"],
                "FROM pg_extension WHERE (SELECT $5::bool)",
            ),
        ];
        // The relations as one array, with the indexes of their tables and the tables of their
        // indexes (an index's options show in its table's constraints).
        let (others, parts): (Vec<String>, Vec<String>) = parts.into_iter().partition(|p| {
            ["'enum'", "'function'", "'schema'", "'extension'"]
                .iter()
                .any(|t| p.starts_with(&format!("SELECT {t}::text")))
        });
        if which == Fetch::Others {
            return others.join(" UNION ALL ");
        }
        let parts: Vec<String> = parts.into_iter().map(|p| scoped(p, all)).collect();
        format!(
            "WITH d AS (SELECT $1::int8[]::oid[] AS d), \
             dxa AS MATERIALIZED (SELECT coalesce(array_agg(DISTINCT o), '{{}}') AS a FROM ( \
               SELECT unnest(d) AS o FROM d \
               UNION ALL SELECT i.indrelid FROM pg_index i \
                 WHERE i.indexrelid = ANY((SELECT d FROM d)::oid[]) \
               UNION ALL SELECT i.indexrelid FROM pg_index i \
                 WHERE i.indrelid = ANY((SELECT d FROM d)::oid[]) \
               UNION ALL SELECT j.indexrelid FROM pg_index i \
                 JOIN pg_index j ON j.indrelid = i.indrelid \
                 WHERE i.indexrelid = ANY((SELECT d FROM d)::oid[])) x), \
             cx AS MATERIALIZED (SELECT * FROM pg_class \
               WHERE oid = ANY((SELECT a FROM dxa)::oid[])) \
             {}",
            parts.join(" UNION ALL ")
        )
    })
}

/// `… pg_class c … JOIN dx ON dx.oid = c.oid …` → `… cx c …` (the relations' own rows), and
/// `… JOIN dx ON dx.oid = expr …` → `… WHERE expr = ANY(<the relations>) …`: the relations
/// come as one array (an init plan), looked up through the catalogs' indexes. With `all`, the
/// join goes: every relation.
fn scoped(part: String, all: bool) -> String {
    let key = "JOIN dx ON dx.oid = ";
    let Some(i) = part.find(key) else {
        return part;
    };
    let rest = &part[i + key.len()..];
    let end = rest.find(' ').unwrap_or(rest.len());
    if all {
        return format!("{}{}", &part[..i], &rest[end..]);
    }
    // A relation's own `pg_class` row comes from `cx`, the rows of the relations read once: a
    // generic plan scans all of `pg_class` for an `oid = ANY(…)` of unknown length, and doing
    // that in each part was most of the cost of a read.
    if let Some(alias) = rest[..end].strip_suffix(".oid") {
        let table = format!("pg_class {alias} ");
        if let Some(t) = part[..i].rfind(&table) {
            let mut p = format!("{}{}", &part[..i], &rest[end..]);
            p.replace_range(t..t + table.len(), &format!("cx {alias} "));
            return p;
        }
    }
    let cond = format!("{} = ANY((SELECT a FROM dxa)::oid[])", &rest[..end]);
    let mut p = format!("{}{}", &part[..i], &rest[end..]);
    if let Some(w) = p.find(" WHERE ") {
        p.replace_range(w..w + 7, &format!(" WHERE {cond} AND "));
    } else if let Some(g) = p.find(" GROUP BY ") {
        p.insert_str(g, &format!(" WHERE {cond}"));
    } else {
        p.push_str(&format!(" WHERE {cond}"));
    }
    p
}

/// What a relation put in the snapshot, to take it out again.
#[derive(Debug, Clone, Default)]
struct RelUnit {
    kind: char,
    schema: String,
    name: String,
    /// Column names by number (tables, views, composite types, …): a renamed column is seen.
    attnames: BTreeMap<i64, String>,
    /// Rows in pg_constraint, pg_trigger, pg_attrdef: a deletion is seen.
    ncon: i64,
    ntrg: i64,
    ndef: i64,
    /// Sequence ownership as `(refobjid, refobjsubid)`, sorted.
    owners: Vec<(i64, i64)>,
    table: bool,
    constraints: Vec<String>,
    index: bool,
    view: bool,
    sequence: bool,
    triggers: Vec<String>,
    storage: bool,
}

impl RelUnit {
    fn qualified(&self) -> String {
        qualify(&self.schema, &self.name)
    }

    fn remove_from(&self, snap: &mut Snapshot) {
        let q = self.qualified();
        if self.table {
            snap.tables.remove(&q);
        }
        for k in &self.constraints {
            snap.constraints.remove(k);
        }
        if self.index {
            snap.indexes.remove(&q);
        }
        if self.view {
            snap.views.remove(&q);
        }
        if self.sequence {
            snap.sequences.remove(&q);
        }
        for k in &self.triggers {
            snap.triggers.remove(k);
        }
        if self.storage {
            snap.storage.remove(&q);
        }
    }
}

/// Why the last snapshot was a full read (for tests and the benchmark's notes).
#[derive(Debug, Clone, Default)]
pub struct TrackerStats {
    /// Snapshots taken.
    pub snapshots: u64,
    /// Of which full reads, by reason.
    pub full: BTreeMap<&'static str, u64>,
    /// Snapshots where no tracked catalog had changed.
    pub unchanged: u64,
    /// Relations, enum types and functions read again, in all (full reads included).
    pub read_again: u64,
}

/// Incremental snapshots of one database, through one connection. See the module docs.
pub struct Tracker {
    mode: SnapshotMode,
    /// Switched off for the rest of the run (server too old, statistics off, shared names).
    off: Option<&'static str>,
    primed: bool,
    other_catalogs: Vec<i64>,
    ctr: Vec<i64>,
    del: Vec<i64>,
    other: i64,
    settings: String,
    window: Option<String>,
    ext: (i64, i64, i64),
    namespaces: HashMap<i64, String>,
    types: HashMap<i64, (String, String)>,
    rels: HashMap<i64, RelUnit>,
    enums: HashMap<i64, String>,
    functions: HashMap<i64, (String, String, String)>,
    /// Shared with the snapshots handed out: copied only when changed while one is still held.
    snap: Arc<Snapshot>,
    flushed_at: String,
    /// Changes come from the event-trigger log ([`crate::et`]) instead of the counters.
    et: bool,
    pub stats: TrackerStats,
}

/// What the rows of one detection name, before the deletions are settled.
#[derive(Default)]
struct Seen {
    enums: BTreeSet<i64>,
    functions: BTreeSet<i64>,
    nsps: Option<HashMap<i64, String>>,
    new_types: Vec<(i64, String, String)>,
    new_procs: Vec<(i64, String, String)>,
    new_rels: Vec<(i64, char, String, String)>,
    atts: Vec<(i64, i64, bool, String)>,
    rel_rows: Vec<i64>,
}

enum Step {
    Full(&'static str),
    Apply {
        rels: BTreeSet<i64>,
        enums: BTreeSet<i64>,
        functions: BTreeSet<i64>,
        schemas: bool,
        /// Relations with a column renamed: what depends on them prints the new name and is
        /// read again too (see [`DEPENDENTS_SQL`]).
        renamed: BTreeSet<i64>,
    },
}

/// The relations and functions that depend on the relations `$1` (their views' rules, the
/// foreign keys and other constraints, triggers and defaults that name their columns, indexes,
/// owned sequences, SQL-standard function bodies): what prints a column's name. Any other kind
/// of dependent makes the read a full one.
const DEPENDENTS_SQL: &str = "SELECT d.classid::regclass::text, d.deptype::text, \
       CASE d.classid \
         WHEN 'pg_class'::regclass THEN d.objid \
         WHEN 'pg_proc'::regclass THEN d.objid \
         WHEN 'pg_rewrite'::regclass THEN \
           (SELECT r.ev_class FROM pg_rewrite r WHERE r.oid = d.objid) \
         WHEN 'pg_constraint'::regclass THEN \
           (SELECT c.conrelid FROM pg_constraint c WHERE c.oid = d.objid) \
         WHEN 'pg_trigger'::regclass THEN \
           (SELECT t.tgrelid FROM pg_trigger t WHERE t.oid = d.objid) \
         WHEN 'pg_attrdef'::regclass THEN \
           (SELECT a.adrelid FROM pg_attrdef a WHERE a.oid = d.objid) \
       END::int8 \
     FROM pg_depend d \
     WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($1::int8[]::oid[])";

impl Tracker {
    /// A tracker for the database `conn` is connected to; checks that the server can support
    /// incremental snapshots (PostgreSQL 15+, `track_counts` on) and switches itself off if not.
    pub async fn new(conn: &mut PgConnection, mode: SnapshotMode) -> Result<Tracker, VerifyError> {
        let mut t = Tracker {
            mode,
            off: None,
            primed: false,
            other_catalogs: Vec::new(),
            ctr: Vec::new(),
            del: Vec::new(),
            other: 0,
            settings: String::new(),
            window: None,
            ext: (0, 0, 0),
            namespaces: HashMap::new(),
            types: HashMap::new(),
            rels: HashMap::new(),
            enums: HashMap::new(),
            functions: HashMap::new(),
            snap: Arc::default(),
            flushed_at: String::new(),
            et: false,
            stats: TrackerStats::default(),
        };
        if mode == SnapshotMode::Full {
            t.off = Some("full snapshots asked for");
            return Ok(t);
        }
        let row = sqlx::query(
            "SELECT current_setting('server_version_num')::int4, current_setting('track_counts'), \
             current_setting('is_superuser')",
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| sql_error("reading the server's version", &e))?;
        let version: i32 = get(&row, 0)?;
        let track: String = get(&row, 1)?;
        let superuser = get::<String>(&row, 2)? == "on";
        if version < 150000 {
            t.off = Some("PostgreSQL before 15");
            return Ok(t);
        }
        if track != "on" {
            t.off = Some("track_counts is off");
            return Ok(t);
        }
        let mut names: Vec<String> = TRACKED.iter().map(|s| s.to_string()).collect();
        names.extend(IGNORED.iter().map(|s| s.to_string()));
        let others: Vec<i64> = sqlx::query_scalar(
            "SELECT c.oid::int8 FROM pg_class c \
             WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' \
               AND NOT c.relisshared AND c.relname <> ALL($1::text[])",
        )
        .bind(&names)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| sql_error("listing the system catalogs", &e))?;
        t.other_catalogs = others;
        if superuser && matches!(mode, SnapshotMode::Incremental | SnapshotMode::Checked) {
            use sqlx::Executor;
            let sql = crate::et::setup_sql(SETTINGS_SQL);
            t.et = conn
                .execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)))
                .await
                .is_ok();
        }
        Ok(t)
    }

    /// The schema now. Shared with the tracker, which copies it only if it has to change it
    /// while the caller still holds it: drop a snapshot once it is no longer needed.
    pub async fn snapshot(
        &mut self,
        conn: &mut PgConnection,
    ) -> Result<Arc<Snapshot>, VerifyError> {
        self.snapshot_flushed(conn, None).await
    }

    /// The statement that asks the server to flush this session's statistics when it next goes
    /// idle, returning the time as `tollgate_flushed`; `None` when the tracker takes full
    /// snapshots (it needs no flush then, and the function may not exist before PostgreSQL 15).
    /// The runner appends it to the message that ends a migration's side, after its `COMMIT`,
    /// and hands the time to [`Tracker::snapshot_flushed`]: one round trip less per snapshot.
    pub fn flush_sql(&self) -> Option<&'static str> {
        if self.et && self.off.is_none() {
            return Some(crate::et::TAIL_SQL);
        }
        self.off.is_none().then_some(FLUSH_SQL)
    }

    /// [`Tracker::snapshot`], when the last message the session sent ended with
    /// [`Tracker::flush_sql`] (`flushed` is what it returned) and nothing ran since.
    pub async fn snapshot_flushed(
        &mut self,
        conn: &mut PgConnection,
        flushed: Option<String>,
    ) -> Result<Arc<Snapshot>, VerifyError> {
        self.stats.snapshots += 1;
        if let Some(why) = self.off {
            if self.et {
                // Nothing reads the log any more: stop keeping it.
                self.et_off(conn).await;
            }
            *self.stats.full.entry(why).or_default() += 1;
            return Ok(Arc::new(snapshot(conn).await?));
        }
        if self.et {
            self.refresh_et(conn, flushed).await?;
        } else {
            self.refresh(conn, flushed).await?;
        }
        if matches!(
            self.mode,
            SnapshotMode::Checked | SnapshotMode::CheckedCounters
        ) {
            let full = snapshot(conn).await?;
            if full != *self.snap || full.storage != self.snap.storage {
                let mut what: Vec<String> = crate::diff(&full, &self.snap)
                    .into_iter()
                    .map(|c| c.message)
                    .collect();
                if full.storage != self.snap.storage {
                    what.push(format!(
                        "storage: full {:?} vs incremental {:?}",
                        full.storage, self.snap.storage
                    ));
                }
                return Err(VerifyError::Sql(format!(
                    "the incremental snapshot differs from a full one: {}",
                    what.join("; ")
                )));
            }
        }
        Ok(Arc::clone(&self.snap))
    }

    /// Whether the snapshots follow the event triggers' change log (see the module docs).
    pub fn uses_change_log(&self) -> bool {
        self.et && self.off.is_none()
    }

    /// Tables, views, materialized views and foreign tables (by oid) with their display
    /// names, as of the last snapshot; `None` when the tracker is off.
    pub fn relations(&self) -> Option<BTreeMap<u32, String>> {
        if self.off.is_some() || !self.primed {
            return None;
        }
        Some(
            self.rels
                .iter()
                .filter(|(_, u)| matches!(u.kind, 'r' | 'p' | 'm' | 'v' | 'f'))
                .map(|(oid, u)| (*oid as u32, u.qualified()))
                .collect(),
        )
    }

    async fn refresh(
        &mut self,
        conn: &mut PgConnection,
        flushed: Option<String>,
    ) -> Result<(), VerifyError> {
        // Counters reach shared memory when the session goes idle, at most once a second
        // unless forced: force it, then read them in the next statement (unless the runner
        // forced it at the end of its last message).
        // The clock then tells whether the next statement runs in a transaction of its own (it
        // starts after this one) or in a transaction block left open (started before).
        let flushed: String = match flushed {
            Some(f) => f,
            None => sqlx::query_scalar(FLUSH_SQL)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| sql_error("flushing the statistics", &e))?,
        };
        self.flushed_at = flushed;
        let step = if self.primed {
            let rows = self.detect(conn, false).await?;
            self.plan(&rows)
        } else {
            Step::Full("first snapshot")
        };
        self.run_step(conn, step).await
    }

    async fn run_step(&mut self, conn: &mut PgConnection, step: Step) -> Result<(), VerifyError> {
        match step {
            Step::Full(why) => {
                *self.stats.full.entry(why).or_default() += 1;
                self.full(conn).await
            }
            Step::Apply {
                mut rels,
                enums,
                mut functions,
                schemas,
                renamed,
            } => {
                if !renamed.is_empty()
                    && !self
                        .add_dependents(conn, &renamed, &mut rels, &mut functions)
                        .await?
                {
                    let why = "a column was renamed";
                    *self.stats.full.entry(why).or_default() += 1;
                    return self.full(conn).await;
                }
                if rels.is_empty() && enums.is_empty() && functions.is_empty() && !schemas {
                    self.stats.unchanged += 1;
                    return Ok(());
                }
                self.apply(conn, rels, enums, functions, schemas, false)
                    .await
            }
        }
    }

    async fn refresh_et(
        &mut self,
        conn: &mut PgConnection,
        flushed: Option<String>,
    ) -> Result<(), VerifyError> {
        let text = match flushed {
            Some(f) if f.starts_with("et") => f,
            _ => {
                use sqlx::Executor;
                match conn.fetch_all(sqlx::raw_sql(crate::et::TAIL_SQL)).await {
                    Ok(rows) => rows
                        .first()
                        .and_then(|r| r.try_get::<String, _>("tollgate_flushed").ok())
                        .unwrap_or_default(),
                    Err(_) => {
                        // The log is gone (`DISCARD ALL`, `DEALLOCATE ALL`, its function or
                        // triggers dropped): back to the counters, from a full read.
                        self.et_off(conn).await;
                        *self.stats.full.entry("the change log is gone").or_default() += 1;
                        return self.refresh(conn, None).await;
                    }
                }
            }
        };
        let step = if !self.primed {
            Step::Full("first snapshot")
        } else {
            match crate::et::parse(&text) {
                Some(rows) => self.plan_et(&rows),
                None => Step::Full("unreadable change log"),
            }
        };
        if matches!(step, Step::Full("the change log was reset")) {
            // It cannot be trusted any more: back to the counters, from a full read.
            self.et_off(conn).await;
            *self
                .stats
                .full
                .entry("the change log was reset")
                .or_default() += 1;
            return self.refresh(conn, None).await;
        }
        if matches!(step, Step::Full(_)) {
            // A full read lists everything through the detection query, whose check for an
            // open transaction needs the clock of a statement run before it.
            self.flushed_at = sqlx::query_scalar(FLUSH_SQL)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| sql_error("reading the clock", &e))?;
        }
        self.run_step(conn, step).await
    }

    /// Stops using the change log, and takes its triggers away (best effort: they may be gone
    /// already). The next snapshot is a full read through the counters.
    async fn et_off(&mut self, conn: &mut PgConnection) {
        use sqlx::Executor;
        self.et = false;
        self.primed = false;
        for sql in [
            "DROP EVENT TRIGGER IF EXISTS tollgate_verify_end",
            "DROP EVENT TRIGGER IF EXISTS tollgate_verify_drop",
            "DEALLOCATE tollgate_changes",
        ] {
            let _ = conn.execute(sqlx::raw_sql(sql)).await;
        }
    }

    fn plan_et(&mut self, rows: &[crate::et::Row]) -> Step {
        match self.plan_et_inner(rows) {
            Ok(step) => step,
            Err(why) => Step::Full(why),
        }
    }

    fn plan_et_inner(&mut self, rows: &[crate::et::Row]) -> Result<Step, &'static str> {
        let mut seen = Seen::default();
        let mut dropped: Vec<(i64, i64)> = Vec::new();
        for row in rows {
            let a = row.a.unwrap_or(0);
            match row.tag.as_str() {
                "meta" => {
                    if a != 0 {
                        return Err("a transaction is open");
                    }
                    if row.s.as_deref() != Some(self.settings.as_str()) {
                        return Err("settings or statistics reset");
                    }
                }
                "lost" => return Err("the change log was reset"),
                "inherit" => return Err("a partitioned or inherited table changed"),
                "composite" => return Err("a composite type changed"),
                "other" if !ET_IGNORED.contains(&a) => return Err("another catalog changed"),
                "drop" => dropped.push((a, row.b.unwrap_or(0))),
                _ => self.seen_row(&mut seen, row)?,
            }
        }
        let (schemas, renamed) = self.settle_names(&mut seen)?;
        for (classid, oid) in dropped {
            match classid {
                PG_CLASS => self.drop_rel(oid),
                PG_TYPE => {
                    self.types.remove(&oid);
                    self.drop_enum(oid);
                }
                PG_PROC => self.drop_function(oid),
                _ => {}
            }
        }
        let (rels, enums, functions) = self.settle_units(seen, BTreeSet::new());
        Ok(Step::Apply {
            rels,
            enums,
            functions,
            schemas,
            renamed,
        })
    }

    /// A detection row that both detections (counters, change log) give the same way:
    /// relations, columns, relations named by a row of theirs, types, enum labels, functions,
    /// schemas. `Err`: why the snapshot must be a full read.
    fn seen_row(&mut self, seen: &mut Seen, row: &crate::et::Row) -> Result<(), &'static str> {
        let (b, c) = (row.b, row.c);
        let a = row.a.unwrap_or(0);
        let schema = || row.s.clone().unwrap_or_default();
        let name = || row.t.clone().unwrap_or_default();
        match row.tag.as_str() {
            "class" => {
                let (schema, name) = (schema(), name());
                if a < FIRST_NORMAL_OID {
                    return Err("a system relation changed");
                }
                if c == Some(1) && (user_ns(&schema) || temp_ns(&schema)) {
                    self.off = Some("a relation shares its name with another one");
                    return Err("a relation shares its name with another one");
                }
                if !user_ns(&schema) {
                    if schema == "pg_catalog" || schema == "information_schema" {
                        return Err("a system relation changed");
                    }
                    return Ok(());
                }
                if let Some(u) = self.rels.get(&a) {
                    if u.schema != schema || u.name != name {
                        return Err("a relation was renamed");
                    }
                }
                seen.new_rels.push((a, kind(b), schema, name));
            }
            "att" => {
                if a < FIRST_NORMAL_OID {
                    return Err("a system column changed");
                }
                seen.atts.push((
                    a,
                    b.unwrap_or(0),
                    c == Some(1),
                    row.s.clone().unwrap_or_default(),
                ));
            }
            "rel" => seen.rel_rows.push(a),
            "type" => {
                let (schema, name) = (schema(), name());
                if a < FIRST_NORMAL_OID {
                    return Err("a system type changed");
                }
                if c == Some(1) && (user_ns(&schema) || temp_ns(&schema)) {
                    self.off = Some("a type shares its name with another one");
                    return Err("a type shares its name with another one");
                }
                if schema == "pg_catalog" || schema == "information_schema" {
                    return Err("a system type changed");
                }
                if let Some((s0, n0)) = self.types.get(&a) {
                    if *s0 != schema || *n0 != name {
                        return Err("a type was renamed");
                    }
                }
                if b == Some('e' as i64) {
                    seen.enums.insert(a);
                }
                seen.new_types.push((a, schema, name));
            }
            "enum" => {
                seen.enums.insert(a);
            }
            "proc" => {
                let (schema, name) = (schema(), name());
                if a < FIRST_NORMAL_OID {
                    return Err("a system function changed");
                }
                if c == Some(1) && (user_ns(&schema) || temp_ns(&schema)) {
                    self.off = Some("a function shares its name with another one");
                    return Err("a function shares its name with another one");
                }
                if schema == "pg_catalog" || schema == "information_schema" {
                    return Err("a system function changed");
                }
                if let Some((s0, n0, _)) = self.functions.get(&a) {
                    if *s0 != schema || *n0 != name {
                        return Err("a function was renamed");
                    }
                }
                seen.functions.insert(a);
                seen.new_procs.push((a, schema, name));
            }
            "nsp" => {
                seen.nsps
                    .get_or_insert_with(HashMap::new)
                    .insert(a, schema());
            }
            _ => {}
        }
        Ok(())
    }

    /// Schemas: a known one renamed means a full read, otherwise the list is read again.
    /// Columns renamed: of a table or view, what depends on it is read again too (the
    /// relations returned); of anything else (a composite type, an index), everything.
    fn settle_names(&mut self, seen: &mut Seen) -> Result<(bool, BTreeSet<i64>), &'static str> {
        let mut schemas = false;
        if let Some(nsps) = seen.nsps.take() {
            for (oid, name) in &self.namespaces {
                if let Some(now) = nsps.get(oid) {
                    if now != name {
                        return Err("a schema was renamed");
                    }
                }
            }
            self.namespaces = nsps;
            schemas = true;
        }
        let mut renamed = BTreeSet::new();
        for (rel, num, dropped, name) in &seen.atts {
            let Some(u) = self.rels.get(rel) else {
                continue;
            };
            if *dropped || *num <= 0 {
                continue;
            }
            if u.attnames.get(num).is_some_and(|old| old != name) {
                if !matches!(u.kind, 'r' | 'p' | 'v' | 'm') {
                    return Err("a column was renamed");
                }
                renamed.insert(*rel);
            }
        }
        Ok((schemas, renamed))
    }

    /// Takes the new and changed relations, types and functions into the cache and returns
    /// what to read again: those relations (with `more`), enum types and functions, of user
    /// schemas only.
    fn settle_units(
        &mut self,
        seen: Seen,
        mut rels: BTreeSet<i64>,
    ) -> (BTreeSet<i64>, BTreeSet<i64>, BTreeSet<i64>) {
        let Seen {
            mut enums,
            mut functions,
            new_types,
            new_procs,
            new_rels,
            atts,
            rel_rows,
            ..
        } = seen;
        for (oid, k, schema, name) in new_rels {
            let u = self.rels.entry(oid).or_default();
            u.kind = k;
            u.schema = schema;
            u.name = name;
            rels.insert(oid);
        }
        for (oid, schema, name) in new_types {
            self.types.insert(oid, (schema, name));
        }
        for (oid, schema, name) in new_procs {
            let e = self
                .functions
                .entry(oid)
                .or_insert_with(|| (String::new(), String::new(), String::new()));
            e.0 = schema;
            e.1 = name;
        }
        for rel in atts.iter().map(|a| a.0).chain(rel_rows) {
            if self.rels.contains_key(&rel) {
                rels.insert(rel);
            }
        }
        // Only relations of user schemas are units.
        rels.retain(|oid| self.rels.contains_key(oid));
        enums.retain(|oid| self.types.get(oid).is_some_and(|(s, _)| user_ns(s)));
        functions.retain(|oid| self.functions.get(oid).is_some_and(|(s, _, _)| user_ns(s)));
        (rels, enums, functions)
    }

    fn drop_rel(&mut self, oid: i64) {
        if let Some(u) = self.rels.remove(&oid) {
            u.remove_from(Arc::make_mut(&mut self.snap));
        }
    }

    fn drop_enum(&mut self, oid: i64) {
        if let Some(key) = self.enums.remove(&oid) {
            Arc::make_mut(&mut self.snap).enums.remove(&key);
        }
    }

    fn drop_function(&mut self, oid: i64) {
        if let Some((_, _, key)) = self.functions.remove(&oid) {
            Arc::make_mut(&mut self.snap).functions.remove(&key);
        }
    }

    /// Adds to `rels` and `functions` the units that depend on the relations `renamed`
    /// ([`DEPENDENTS_SQL`]); false when one of them is of a kind it does not know (a full read
    /// is needed then).
    async fn add_dependents(
        &mut self,
        conn: &mut PgConnection,
        renamed: &BTreeSet<i64>,
        rels: &mut BTreeSet<i64>,
        functions: &mut BTreeSet<i64>,
    ) -> Result<bool, VerifyError> {
        let list: Vec<i64> = renamed.iter().copied().collect();
        let rows = sqlx::query(DEPENDENTS_SQL)
            .bind(&list)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| sql_error("reading what depends on a renamed column", &e))?;
        for row in &rows {
            let catalog = text(row, 0)?;
            let deptype = text(row, 1)?;
            let oid: Option<i64> = get(row, 2)?;
            match (catalog.as_str(), oid) {
                // The relation's own row type.
                ("pg_type", _) if deptype == "i" => {}
                ("pg_proc", Some(oid)) => {
                    if self
                        .functions
                        .get(&oid)
                        .is_some_and(|(schema, _, _)| user_ns(schema))
                    {
                        functions.insert(oid);
                    }
                }
                (
                    "pg_class" | "pg_rewrite" | "pg_constraint" | "pg_trigger" | "pg_attrdef",
                    Some(oid),
                ) => {
                    // Relations outside the snapshot (system, extension members) stay out.
                    if self.rels.contains_key(&oid) {
                        rels.insert(oid);
                    }
                }
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    async fn detect(
        &mut self,
        conn: &mut PgConnection,
        first: bool,
    ) -> Result<Vec<PgRow>, VerifyError> {
        let (window, ctr, del): (Option<String>, Option<Vec<i64>>, Option<Vec<i64>>) = if first {
            (None, None, None)
        } else {
            (
                self.window.clone(),
                Some(self.ctr.clone()),
                Some(self.del.clone()),
            )
        };
        sqlx::query(detect_sql(first))
            .bind(window)
            .bind(ctr)
            .bind(del)
            .bind(&self.other_catalogs)
            .bind(&self.flushed_at)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| sql_error("reading what changed in the catalog", &e))
    }

    /// Reads everything again.
    async fn full(&mut self, conn: &mut PgConnection) -> Result<(), VerifyError> {
        self.primed = false;
        self.namespaces.clear();
        self.types.clear();
        self.rels.clear();
        self.enums.clear();
        self.functions.clear();
        self.snap = Arc::default();
        let rows = self.detect(conn, true).await?;
        let mut rels = BTreeSet::new();
        let mut enums = BTreeSet::new();
        let mut functions = BTreeSet::new();
        for row in &rows {
            let tag: String = get(row, 0)?;
            let a: Option<i64> = get(row, 1)?;
            let b: Option<i64> = get(row, 2)?;
            let c: Option<i64> = get(row, 3)?;
            let s: Option<String> = get(row, 4)?;
            let t: Option<String> = get(row, 5)?;
            let a = a.unwrap_or(0);
            match tag.as_str() {
                "meta" => {
                    if a != 0 {
                        self.off = Some("a transaction is open");
                    }
                    self.settings = s.unwrap_or_default();
                    self.window = t.map(|x| xid32(&x));
                }
                "class" => {
                    let (schema, name) = (s.unwrap_or_default(), t.unwrap_or_default());
                    if c == Some(1) {
                        self.off = Some("a relation shares its name with another one");
                    }
                    self.rels.insert(
                        a,
                        RelUnit {
                            kind: kind(b),
                            schema,
                            name,
                            ..RelUnit::default()
                        },
                    );
                    rels.insert(a);
                }
                "type" => {
                    if c == Some(1) {
                        self.off = Some("a type shares its name with another one");
                    }
                    if b == Some('e' as i64) {
                        enums.insert(a);
                    }
                    self.types
                        .insert(a, (s.unwrap_or_default(), t.unwrap_or_default()));
                }
                "proc" => {
                    if c == Some(1) {
                        self.off = Some("a function shares its name with another one");
                    }
                    self.functions.insert(
                        a,
                        (s.unwrap_or_default(), t.unwrap_or_default(), String::new()),
                    );
                    functions.insert(a);
                }
                "nsp" => {
                    self.namespaces.insert(a, s.unwrap_or_default());
                }
                "ext" => self.ext = (a, b.unwrap_or(0), c.unwrap_or(0)),
                "ctr" => {
                    let k = (a - 1) as usize;
                    if self.ctr.len() < TRACKED.len() {
                        self.ctr = vec![0; TRACKED.len()];
                        self.del = vec![0; TRACKED.len()];
                    }
                    self.ctr[k] = b.unwrap_or(0);
                    self.del[k] = c.unwrap_or(0);
                }
                "other" => self.other = a,
                _ => {}
            }
        }
        if let Some(why) = self.off {
            // Switched off: the runner takes full snapshots from now on.
            *self.stats.full.entry(why).or_default() += 0;
            self.snap = Arc::new(snapshot(conn).await?);
            return Ok(());
        }
        self.apply(conn, rels, enums, functions, true, true).await?;
        self.primed = true;
        Ok(())
    }

    /// Decides what to read again from the rows of [`detect_sql`].
    fn plan(&mut self, rows: &[PgRow]) -> Step {
        match self.plan_inner(rows) {
            Ok(step) => step,
            Err(_) => Step::Full("unreadable change rows"),
        }
    }

    fn plan_inner(&mut self, rows: &[PgRow]) -> Result<Step, VerifyError> {
        Ok(match self.plan_counted(rows)? {
            Ok(step) => step,
            Err(why) => Step::Full(why),
        })
    }

    fn plan_counted(&mut self, rows: &[PgRow]) -> Result<Result<Step, &'static str>, VerifyError> {
        let mut seen = Seen::default();
        let mut ctr = vec![0i64; TRACKED.len()];
        let mut del = vec![0i64; TRACKED.len()];
        let mut live: Option<HashSet<i64>> = None;
        let mut live_enums: Option<HashSet<i64>> = None;
        let mut live_procs: Option<HashSet<i64>> = None;
        let mut counts: [Option<HashMap<i64, i64>>; 3] = [None, None, None];
        let mut owners: Option<HashMap<i64, Vec<(i64, i64)>>> = None;
        let mut window = None;
        for row in rows {
            let row = crate::et::Row {
                tag: get(row, 0)?,
                a: get(row, 1)?,
                b: get(row, 2)?,
                c: get(row, 3)?,
                s: get(row, 4)?,
                t: get(row, 5)?,
            };
            let (b, c) = (row.b, row.c);
            let a = row.a.unwrap_or(0);
            match row.tag.as_str() {
                "meta" => {
                    if a != 0 {
                        return Ok(Err("a transaction is open"));
                    }
                    if row.s.as_deref() != Some(self.settings.as_str()) {
                        return Ok(Err("settings or statistics reset"));
                    }
                    window = row.t.map(|x| xid32(&x));
                }
                "ctr" => {
                    let k = (a - 1) as usize;
                    ctr[k] = b.unwrap_or(0);
                    del[k] = c.unwrap_or(0);
                }
                "other" if a != self.other => return Ok(Err("another catalog changed")),
                "own" => {
                    let o = owners.get_or_insert_with(HashMap::new);
                    let e = o.entry(a).or_default();
                    if let (Some(b), Some(c)) = (b, c) {
                        e.push((b, c));
                    }
                }
                "ext" if (a, b.unwrap_or(0), c.unwrap_or(0)) != self.ext => {
                    return Ok(Err("extension membership changed"));
                }
                "live" => {
                    live.get_or_insert_with(HashSet::new).insert(a);
                }
                "liveenum" => {
                    live_enums.get_or_insert_with(HashSet::new).insert(a);
                }
                "liveproc" => {
                    live_procs.get_or_insert_with(HashSet::new).insert(a);
                }
                "ncon" | "ntrg" | "ndef" => {
                    let i = match row.tag.as_str() {
                        "ncon" => 0,
                        "ntrg" => 1,
                        _ => 2,
                    };
                    counts[i]
                        .get_or_insert_with(HashMap::new)
                        .insert(a, b.unwrap_or(0));
                }
                _ => {
                    if let Err(why) = self.seen_row(&mut seen, &row) {
                        return Ok(Err(why));
                    }
                }
            }
        }
        let Some(window) = window else {
            return Ok(Err("no window"));
        };
        if ctr.iter().zip(&self.ctr).any(|(n, o)| n < o)
            || del.iter().zip(&self.del).any(|(n, o)| n < o)
        {
            return Ok(Err("statistics went backwards"));
        }
        let deleted = |k: usize| del[k] != self.del[k];
        // Deletions that only a dropped relation explains.
        if !deleted(CLASS)
            && [ATTRIBUTE, INDEX, SEQUENCE, REWRITE, INHERITS]
                .iter()
                .any(|&k| deleted(k))
        {
            return Ok(Err("a deletion no dropped relation explains"));
        }
        if deleted(ENUM) && !deleted(TYPE) {
            return Ok(Err("an enum label deleted"));
        }
        // A gate that opened must have produced its rows (the queries read them all).
        if deleted(CLASS) && live.is_none() {
            live = Some(HashSet::new());
        }
        if deleted(TYPE) && live_enums.is_none() {
            live_enums = Some(HashSet::new());
        }
        if deleted(PROC) && live_procs.is_none() {
            live_procs = Some(HashSet::new());
        }
        for (i, k) in [CONSTRAINT, TRIGGER, ATTRDEF].into_iter().enumerate() {
            if deleted(k) && counts[i].is_none() {
                counts[i] = Some(HashMap::new());
            }
        }
        if ctr[13] != self.ctr[13] && owners.is_none() {
            owners = Some(HashMap::new());
        }
        let (schemas, renamed) = match self.settle_names(&mut seen) {
            Ok(x) => x,
            Err(why) => return Ok(Err(why)),
        };

        // Deleted relations, enums, functions: cached, no longer live.
        if let Some(live) = &live {
            let gone: Vec<i64> = self
                .rels
                .keys()
                .filter(|o| !live.contains(o))
                .copied()
                .collect();
            gone.into_iter().for_each(|oid| self.drop_rel(oid));
        }
        if let Some(live) = &live_enums {
            let gone: Vec<i64> = self
                .enums
                .keys()
                .filter(|o| !live.contains(o))
                .copied()
                .collect();
            gone.into_iter().for_each(|oid| self.drop_enum(oid));
        }
        if let Some(live) = &live_procs {
            let gone: Vec<i64> = self
                .functions
                .keys()
                .filter(|o| !live.contains(o))
                .copied()
                .collect();
            gone.into_iter().for_each(|oid| self.drop_function(oid));
        }

        // Relations whose constraints, triggers or defaults, or whose sequence's owner, changed
        // in number.
        let mut more = BTreeSet::new();
        for (i, map) in counts.iter().enumerate() {
            let Some(map) = map else { continue };
            for (oid, u) in &self.rels {
                let cached = match i {
                    0 => u.ncon,
                    1 => u.ntrg,
                    _ => u.ndef,
                };
                if map.get(oid).copied().unwrap_or(0) != cached {
                    more.insert(*oid);
                }
            }
        }
        if let Some(owners) = &owners {
            for (oid, u) in &self.rels {
                if u.kind != 'S' {
                    continue;
                }
                let mut now = owners.get(oid).cloned().unwrap_or_default();
                now.sort_unstable();
                if now != u.owners {
                    more.insert(*oid);
                }
            }
        }
        let (rels, enums, functions) = self.settle_units(seen, more);
        self.ctr = ctr;
        self.del = del;
        self.window = Some(window);
        Ok(Ok(Step::Apply {
            rels,
            enums,
            functions,
            schemas,
            renamed,
        }))
    }

    /// Reads the given units again and replaces their entries.
    async fn apply(
        &mut self,
        conn: &mut PgConnection,
        rels: BTreeSet<i64>,
        enums: BTreeSet<i64>,
        functions: BTreeSet<i64>,
        schemas: bool,
        extensions: bool,
    ) -> Result<(), VerifyError> {
        // `extensions` is asked for by full reads only, which read every relation.
        self.stats.read_again += (rels.len() + enums.len() + functions.len()) as u64;
        let rel_list: Vec<i64> = rels.iter().copied().collect();
        let enum_list: Vec<i64> = enums.iter().copied().collect();
        let fn_list: Vec<i64> = functions.iter().copied().collect();
        let mut rows = Vec::new();
        let mut reads = Vec::new();
        if extensions {
            reads.push(Fetch::AllRelations);
        } else if !rel_list.is_empty() {
            reads.push(Fetch::Relations);
        }
        if !enum_list.is_empty() || !fn_list.is_empty() || schemas || extensions {
            reads.push(Fetch::Others);
        }
        for which in reads {
            rows.extend(
                sqlx::query(fetch_sql(which))
                    .bind(&rel_list)
                    .bind(&enum_list)
                    .bind(&fn_list)
                    .bind(schemas)
                    .bind(extensions)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(|e| sql_error("reading changed objects from the catalog", &e))?,
            );
        }

        // Every relation read again, including the indexes and tables pulled in.
        let mut units: BTreeMap<i64, RelUnit> = BTreeMap::new();
        for oid in &rels {
            if let Some(old) = self.rels.get(oid) {
                units.insert(
                    *oid,
                    RelUnit {
                        kind: old.kind,
                        schema: old.schema.clone(),
                        name: old.name.clone(),
                        ..RelUnit::default()
                    },
                );
            }
        }
        for row in &rows {
            if text(row, 0)? == "unit" {
                let oid = oid(row)?;
                let schema = text(row, 3)?;
                if !user_ns(&schema) {
                    continue;
                }
                units.insert(
                    oid,
                    RelUnit {
                        kind: text(row, 2)?.chars().next().unwrap_or('?'),
                        schema,
                        name: text(row, 4)?,
                        ..RelUnit::default()
                    },
                );
            }
        }
        for oid in units.keys() {
            if let Some(old) = self.rels.get(oid) {
                old.remove_from(Arc::make_mut(&mut self.snap));
            }
        }
        for oid in &enums {
            if let Some(key) = self.enums.remove(oid) {
                Arc::make_mut(&mut self.snap).enums.remove(&key);
            }
        }
        for oid in &functions {
            if let Some(f) = self.functions.get_mut(oid) {
                let key = std::mem::take(&mut f.2);
                if !key.is_empty() {
                    Arc::make_mut(&mut self.snap).functions.remove(&key);
                }
            }
        }
        if schemas {
            Arc::make_mut(&mut self.snap).schemas.clear();
        }
        if extensions {
            Arc::make_mut(&mut self.snap).extensions.clear();
        }

        let mut tables: BTreeMap<i64, (String, Table)> = BTreeMap::new();
        let mut columns: Vec<(i64, i64, Column)> = Vec::new();
        let mut enum_labels: BTreeMap<i64, (String, Vec<(i64, String)>)> = BTreeMap::new();
        for row in &rows {
            let tag = text(row, 0)?;
            let o = oid(row)?;
            match tag.as_str() {
                "attn" => {
                    if let Some(u) = units.get_mut(&o) {
                        u.attnames.insert(int(row, 2)?, text(row, 3)?);
                    }
                }
                "ncon" | "ntrg" | "ndef" => {
                    if let Some(u) = units.get_mut(&o) {
                        let n = int(row, 2)?;
                        match tag.as_str() {
                            "ncon" => u.ncon = n,
                            "ntrg" => u.ntrg = n,
                            _ => u.ndef = n,
                        }
                    }
                }
                "owner" => {
                    if let Some(u) = units.get_mut(&o) {
                        u.owners.push((int(row, 2)?, int(row, 3)?));
                    }
                }
                "table" => {
                    let name = qualify(&text(row, 2)?, &text(row, 3)?);
                    let parent_schema = opt(row, 7)?;
                    let parent_name = opt(row, 8)?;
                    let bound = opt(row, 9)?;
                    let partition_of = match (parent_schema, parent_name) {
                        (Some(s), Some(p)) => Some(match bound {
                            Some(b) => format!("{} {b}", qualify(&s, &p)),
                            None => qualify(&s, &p),
                        }),
                        _ => None,
                    };
                    tables.insert(
                        o,
                        (
                            name,
                            Table {
                                partitioned: boolean(row, 4)?,
                                unlogged: boolean(row, 5)?,
                                partition_key: opt(row, 6)?,
                                partition_of,
                                columns: Vec::new(),
                            },
                        ),
                    );
                }
                "column" => {
                    let identity = match text(row, 7)?.as_str() {
                        "a" => Some("GENERATED ALWAYS AS IDENTITY".to_string()),
                        "d" => Some("GENERATED BY DEFAULT AS IDENTITY".to_string()),
                        _ => None,
                    };
                    columns.push((
                        o,
                        int(row, 2)?,
                        Column {
                            name: text(row, 3)?,
                            data_type: text(row, 4)?,
                            not_null: boolean(row, 5)?,
                            default: opt(row, 6)?,
                            identity,
                            generated: opt(row, 8)?,
                            collation: opt(row, 9)?,
                        },
                    ));
                }
                "constraint" => {
                    let key = format!(
                        "{}.{}",
                        qualify(&text(row, 2)?, &text(row, 3)?),
                        text(row, 4)?
                    );
                    Arc::make_mut(&mut self.snap)
                        .constraints
                        .insert(key.clone(), text(row, 5)?);
                    if let Some(u) = units.get_mut(&o) {
                        u.constraints.push(key);
                    }
                }
                "index" => {
                    let schema = text(row, 2)?;
                    Arc::make_mut(&mut self.snap).indexes.insert(
                        qualify(&schema, &text(row, 3)?),
                        Index {
                            table: qualify(&schema, &text(row, 4)?),
                            definition: text(row, 5)?,
                            valid: boolean(row, 6)?,
                        },
                    );
                    if let Some(u) = units.get_mut(&o) {
                        u.index = true;
                    }
                }
                "view" => {
                    Arc::make_mut(&mut self.snap).views.insert(
                        qualify(&text(row, 2)?, &text(row, 3)?),
                        View {
                            materialized: boolean(row, 4)?,
                            definition: text(row, 5)?,
                        },
                    );
                    if let Some(u) = units.get_mut(&o) {
                        u.view = true;
                    }
                }
                "sequence" => {
                    let owned_by = match (opt(row, 11)?, opt(row, 12)?, opt(row, 13)?) {
                        (Some(s), Some(t), Some(c)) => Some(format!("{}.{c}", qualify(&s, &t))),
                        _ => None,
                    };
                    Arc::make_mut(&mut self.snap).sequences.insert(
                        qualify(&text(row, 2)?, &text(row, 3)?),
                        Sequence {
                            data_type: text(row, 4)?,
                            start: int(row, 5)?,
                            increment: int(row, 6)?,
                            min: int(row, 7)?,
                            max: int(row, 8)?,
                            cache: int(row, 9)?,
                            cycle: boolean(row, 10)?,
                            owned_by,
                        },
                    );
                    if let Some(u) = units.get_mut(&o) {
                        u.sequence = true;
                    }
                }
                "trigger" => {
                    let key = format!(
                        "{}.{}",
                        qualify(&text(row, 2)?, &text(row, 3)?),
                        text(row, 4)?
                    );
                    let enabled = match text(row, 6)?.as_str() {
                        "D" => "disabled",
                        "R" => "replica",
                        "A" => "always",
                        _ => "enabled",
                    };
                    Arc::make_mut(&mut self.snap).triggers.insert(
                        key.clone(),
                        Trigger {
                            definition: text(row, 5)?,
                            enabled: enabled.to_string(),
                        },
                    );
                    if let Some(u) = units.get_mut(&o) {
                        u.triggers.push(key);
                    }
                }
                "storage" => {
                    let filenode = int(row, 4)?;
                    Arc::make_mut(&mut self.snap).storage.insert(
                        qualify(&text(row, 2)?, &text(row, 3)?),
                        (o as u32, filenode as u32),
                    );
                    if let Some(u) = units.get_mut(&o) {
                        u.storage = true;
                    }
                }
                "enum" => {
                    let e = enum_labels
                        .entry(o)
                        .or_insert_with(|| (String::new(), Vec::new()));
                    e.0 = qualify(&text(row, 2)?, &text(row, 3)?);
                    if let Some(label) = opt(row, 4)? {
                        e.1.push((int(row, 5)?, label));
                    }
                }
                "function" => {
                    let name = qualify(&text(row, 2)?, &text(row, 3)?);
                    let args = text(row, 4)?;
                    let kind = match text(row, 5)?.as_str() {
                        "p" => "procedure",
                        "a" => "aggregate",
                        "w" => "window function",
                        _ => "function",
                    };
                    let volatility = match text(row, 9)?.as_str() {
                        "i" => "immutable",
                        "s" => "stable",
                        _ => "volatile",
                    };
                    let key = format!("{name}({args})");
                    Arc::make_mut(&mut self.snap).functions.insert(
                        key.clone(),
                        Function {
                            kind: kind.to_string(),
                            result: opt(row, 6)?,
                            language: text(row, 7)?,
                            body_md5: text(row, 8)?,
                            volatility: volatility.to_string(),
                            strict: boolean(row, 10)?,
                            security_definer: boolean(row, 11)?,
                            settings: opt(row, 12)?,
                        },
                    );
                    if let Some(f) = self.functions.get_mut(&o) {
                        f.2 = key;
                    }
                }
                "schema" => {
                    Arc::make_mut(&mut self.snap).schemas.insert(text(row, 2)?);
                }
                "extension" => {
                    Arc::make_mut(&mut self.snap)
                        .extensions
                        .insert(text(row, 2)?, text(row, 3)?);
                }
                _ => {}
            }
        }
        columns.sort_by_key(|(o, n, _)| (*o, *n));
        for (o, _, col) in columns {
            if let Some((_, t)) = tables.get_mut(&o) {
                t.columns.push(col);
            }
        }
        for (o, (name, table)) in tables {
            Arc::make_mut(&mut self.snap).tables.insert(name, table);
            if let Some(u) = units.get_mut(&o) {
                u.table = true;
            }
        }
        for (o, (name, mut labels)) in enum_labels {
            labels.sort_by_key(|(n, _)| *n);
            Arc::make_mut(&mut self.snap)
                .enums
                .insert(name.clone(), labels.into_iter().map(|(_, l)| l).collect());
            self.enums.insert(o, name);
        }
        for (oid, mut u) in units {
            u.owners.sort_unstable();
            self.rels.insert(oid, u);
        }
        Ok(())
    }
}

/// The 32-bit xid of an xid8 printed as text.
fn xid32(x: &str) -> String {
    match x.parse::<u64>() {
        Ok(n) => (n % (1u64 << 32)).to_string(),
        Err(_) => x.to_string(),
    }
}

fn kind(b: Option<i64>) -> char {
    b.and_then(|c| u8::try_from(c).ok())
        .map(char::from)
        .unwrap_or('?')
}

fn get<'r, T>(row: &'r PgRow, index: usize) -> Result<T, VerifyError>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(index)
        .map_err(|e| sql_error("decoding a catalog row", &e))
}

fn oid(row: &PgRow) -> Result<i64, VerifyError> {
    get::<i64>(row, 1)
}

fn opt(row: &PgRow, i: usize) -> Result<Option<String>, VerifyError> {
    get::<Option<String>>(row, i)
}

fn text(row: &PgRow, i: usize) -> Result<String, VerifyError> {
    Ok(opt(row, i)?.unwrap_or_default())
}

fn int(row: &PgRow, i: usize) -> Result<i64, VerifyError> {
    let t = text(row, i)?;
    t.parse()
        .map_err(|_| VerifyError::Sql(format!("a catalog number did not parse: {t:?}")))
}

fn boolean(row: &PgRow, i: usize) -> Result<bool, VerifyError> {
    Ok(text(row, i)? == "t" || text(row, i)? == "true")
}
