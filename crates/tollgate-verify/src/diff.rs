//! What changed between two [`Snapshot`]s, as readable one-line messages.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::snapshot::{Column, Function, Sequence, Snapshot, Table};

pub use tollgate_core::verify::{Change, ChangeKind};

/// Every difference from `before` to `after`, in a stable order (by kind of object, then name).
/// Empty exactly when `before == after` ([`Snapshot::storage`] is ignored).
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    diff_with(before, after, true)
}

/// [`diff`]; `skip_equal` leaves out the objects whose before and after are equal without
/// looking at their fields (they have no difference to report). The runner diffs whole
/// snapshots of which only a few objects changed; the tests compare both ways.
fn diff_with(before: &Snapshot, after: &Snapshot, skip_equal: bool) -> Vec<Change> {
    let mut out = Changes(Vec::new());
    let walk = Walk { skip_equal };

    for name in before.schemas.difference(&after.schemas) {
        out.removed(
            format!("schema {name}"),
            format!("schema `{name}` is missing"),
            false,
        );
    }
    for name in after.schemas.difference(&before.schemas) {
        out.added(format!("schema {name}"), format!("schema `{name}` is new"));
    }

    walk.each(&before.extensions, &after.extensions, |name, b, a| {
        let object = format!("extension {name}");
        match (b, a) {
            (Some(_), None) => out.removed(object, format!("extension `{name}` is missing"), false),
            (None, Some(_)) => out.added(object, format!("extension `{name}` is new")),
            (Some(b), Some(a)) if b != a => out.changed(
                object,
                format!("extension `{name}`: version {} → {}", code(b), code(a)),
                false,
            ),
            _ => {}
        }
    });

    walk.each(&before.enums, &after.enums, |name, b, a| {
        let object = format!("enum {name}");
        match (b, a) {
            (Some(_), None) => out.removed(object, format!("enum `{name}` is missing"), false),
            (None, Some(_)) => out.added(object, format!("enum `{name}` is new")),
            (Some(b), Some(a)) if b != a => {
                let lost = b.iter().any(|label| !a.contains(label));
                out.changed(
                    object,
                    format!("enum `{name}` labels: {} → {}", list(b), list(a)),
                    lost,
                );
            }
            _ => {}
        }
    });

    walk.each(&before.sequences, &after.sequences, |name, b, a| {
        let object = format!("sequence {name}");
        match (b, a) {
            (Some(_), None) => out.removed(object, format!("sequence `{name}` is missing"), false),
            (None, Some(_)) => out.added(object, format!("sequence `{name}` is new")),
            (Some(b), Some(a)) => sequence_changes(&mut out, &object, name, b, a),
            _ => {}
        }
    });

    walk.each(&before.tables, &after.tables, |name, b, a| {
        let object = format!("table {name}");
        match (b, a) {
            (Some(_), None) => out.removed(object, format!("table `{name}` is missing"), true),
            (None, Some(_)) => out.added(object, format!("table `{name}` is new")),
            (Some(b), Some(a)) => table_changes(&mut out, name, b, a),
            _ => {}
        }
    });

    walk.each(&before.constraints, &after.constraints, |name, b, a| {
        let object = format!("constraint {name}");
        match (b, a) {
            (Some(_), None) => {
                out.removed(object, format!("constraint `{name}` is missing"), false)
            }
            (None, Some(_)) => out.added(object, format!("constraint `{name}` is new")),
            (Some(b), Some(a)) if b != a => out.changed(
                object,
                format!("constraint `{name}`: {} → {}", code(b), code(a)),
                false,
            ),
            _ => {}
        }
    });

    walk.each(&before.indexes, &after.indexes, |name, b, a| {
        let object = format!("index {name}");
        match (b, a) {
            (Some(_), None) => out.removed(object, format!("index `{name}` is missing"), false),
            (None, Some(_)) => out.added(object, format!("index `{name}` is new")),
            (Some(b), Some(a)) => {
                if b.definition != a.definition || b.table != a.table {
                    out.changed(
                        object.clone(),
                        format!(
                            "index `{name}`: {} → {}",
                            code(&b.definition),
                            code(&a.definition)
                        ),
                        false,
                    );
                }
                if b.valid != a.valid {
                    out.changed(
                        object,
                        format!(
                            "index `{name}`: {} → {}",
                            validity(b.valid),
                            validity(a.valid)
                        ),
                        false,
                    );
                }
            }
            _ => {}
        }
    });

    walk.each(&before.views, &after.views, |name, b, a| {
        let what = |materialized: bool| {
            if materialized {
                "materialized view"
            } else {
                "view"
            }
        };
        match (b, a) {
            (Some(b), None) => out.removed(
                format!("{} {name}", what(b.materialized)),
                format!("{} `{name}` is missing", what(b.materialized)),
                b.materialized,
            ),
            (None, Some(a)) => out.added(
                format!("{} {name}", what(a.materialized)),
                format!("{} `{name}` is new", what(a.materialized)),
            ),
            (Some(b), Some(a)) => {
                let object = format!("{} {name}", what(b.materialized));
                if b.materialized != a.materialized {
                    out.changed(
                        object.clone(),
                        format!(
                            "`{name}`: {} → {}",
                            what(b.materialized),
                            what(a.materialized)
                        ),
                        b.materialized,
                    );
                }
                if b.definition != a.definition {
                    out.changed(
                        object,
                        format!(
                            "{} `{name}`: definition {} → {}",
                            what(b.materialized),
                            code(&b.definition),
                            code(&a.definition)
                        ),
                        false,
                    );
                }
            }
            _ => {}
        }
    });

    walk.each(&before.functions, &after.functions, |name, b, a| {
        match (b, a) {
            (Some(b), None) => out.removed(
                format!("{} {name}", b.kind),
                format!("{} `{name}` is missing", b.kind),
                false,
            ),
            (None, Some(a)) => out.added(
                format!("{} {name}", a.kind),
                format!("{} `{name}` is new", a.kind),
            ),
            (Some(b), Some(a)) => function_changes(&mut out, name, b, a),
            _ => {}
        }
    });

    walk.each(&before.triggers, &after.triggers, |name, b, a| {
        let object = format!("trigger {name}");
        match (b, a) {
            (Some(_), None) => out.removed(object, format!("trigger `{name}` is missing"), false),
            (None, Some(_)) => out.added(object, format!("trigger `{name}` is new")),
            (Some(b), Some(a)) => {
                if b.definition != a.definition {
                    out.changed(
                        object.clone(),
                        format!(
                            "trigger `{name}`: {} → {}",
                            code(&b.definition),
                            code(&a.definition)
                        ),
                        false,
                    );
                }
                if b.enabled != a.enabled {
                    out.changed(
                        object,
                        format!("trigger `{name}`: {} → {}", b.enabled, a.enabled),
                        false,
                    );
                }
            }
            _ => {}
        }
    });

    out.0
}

struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, object: String, kind: ChangeKind, message: String, loses_data: bool) {
        self.0.push(Change {
            object,
            kind,
            message,
            loses_data,
        });
    }
    fn added(&mut self, object: String, message: String) {
        self.push(object, ChangeKind::Added, message, false);
    }
    fn removed(&mut self, object: String, message: String, loses_data: bool) {
        self.push(object, ChangeKind::Removed, message, loses_data);
    }
    fn changed(&mut self, object: String, message: String, loses_data: bool) {
        self.push(object, ChangeKind::Changed, message, loses_data);
    }
}

/// How [`diff_with`] walks two maps.
struct Walk {
    skip_equal: bool,
}

impl Walk {
    /// Calls `f(name, before, after)` for every name in either map, in name order; with
    /// `skip_equal`, not for the names whose two values are equal. One merge of the two ordered
    /// maps: no lookups, nothing allocated.
    fn each<V: PartialEq>(
        &self,
        before: &BTreeMap<String, V>,
        after: &BTreeMap<String, V>,
        mut f: impl FnMut(&str, Option<&V>, Option<&V>),
    ) {
        let mut b = before.iter().peekable();
        let mut a = after.iter().peekable();
        loop {
            let order = match (b.peek(), a.peek()) {
                (None, None) => return,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((kb, _)), Some((ka, _))) => kb.cmp(ka),
            };
            match order {
                Ordering::Less => {
                    if let Some((name, v)) = b.next() {
                        f(name, Some(v), None);
                    }
                }
                Ordering::Greater => {
                    if let Some((name, v)) = a.next() {
                        f(name, None, Some(v));
                    }
                }
                Ordering::Equal => {
                    if let (Some((name, vb)), Some((_, va))) = (b.next(), a.next()) {
                        if !(self.skip_equal && vb == va) {
                            f(name, Some(vb), Some(va));
                        }
                    }
                }
            }
        }
    }
}

fn table_changes(out: &mut Changes, name: &str, b: &Table, a: &Table) {
    let object = format!("table {name}");
    if b.partitioned != a.partitioned {
        let what = |p: bool| if p { "partitioned" } else { "not partitioned" };
        out.changed(
            object.clone(),
            format!(
                "table `{name}`: {} → {}",
                what(b.partitioned),
                what(a.partitioned)
            ),
            false,
        );
    }
    if b.unlogged != a.unlogged {
        let what = |u: bool| if u { "UNLOGGED" } else { "logged" };
        out.changed(
            object.clone(),
            format!(
                "table `{name}`: {} → {}",
                what(b.unlogged),
                what(a.unlogged)
            ),
            false,
        );
    }
    if b.partition_key != a.partition_key {
        out.changed(
            object.clone(),
            format!(
                "partition key of `{name}`: {} → {}",
                opt(&b.partition_key),
                opt(&a.partition_key)
            ),
            false,
        );
    }
    if b.partition_of != a.partition_of {
        out.changed(
            object.clone(),
            format!(
                "`{name}` as a partition: {} → {}",
                opt(&b.partition_of),
                opt(&a.partition_of)
            ),
            false,
        );
    }

    let find = |cols: &[Column], n: &str| cols.iter().position(|c| c.name == n);
    for col in &b.columns {
        let column = format!("{name}.{}", col.name);
        match find(&a.columns, &col.name) {
            None => out.removed(
                format!("column {column}"),
                format!("column `{column}` is missing"),
                true,
            ),
            Some(i) => column_changes(out, &column, col, &a.columns[i]),
        }
    }
    for col in &a.columns {
        if find(&b.columns, &col.name).is_none() {
            let column = format!("{name}.{}", col.name);
            out.added(
                format!("column {column}"),
                format!("column `{column}` is new"),
            );
        }
    }

    let common = |from: &[Column], other: &[Column]| -> Vec<String> {
        from.iter()
            .filter(|c| find(other, &c.name).is_some())
            .map(|c| c.name.clone())
            .collect()
    };
    let b_order = common(&b.columns, &a.columns);
    let a_order = common(&a.columns, &b.columns);
    if b_order != a_order {
        out.push(
            object,
            ChangeKind::Reordered,
            format!(
                "column order of `{name}`: {} → {}",
                b_order.join(", "),
                a_order.join(", ")
            ),
            false,
        );
    }
}

/// `(base type, modifiers)`: `character varying(50)` → (`character varying`, [50]).
fn type_parts(t: &str) -> (&str, Vec<u32>) {
    match t.split_once('(') {
        Some((base, rest)) if !t.ends_with("[]") => (
            base.trim(),
            rest.trim_end_matches(')')
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect(),
        ),
        _ => (t.trim(), Vec::new()),
    }
}

/// Every value of type `from` converts to `to` unchanged: a wider integer, an unbounded or
/// longer string, a numeric with more digits. Such a type change loses no data.
pub fn widens(from: &str, to: &str) -> bool {
    let (fb, fm) = type_parts(from);
    let (tb, tm) = type_parts(to);
    let rank = |b: &str| match b {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        _ => None,
    };
    let string = |b: &str| matches!(b, "character varying" | "text" | "character" | "citext");
    match (fb, tb) {
        (f, t) if rank(f).is_some() && rank(t).is_some() => rank(f) <= rank(t),
        (f, "numeric") if rank(f).is_some() => {
            tm.is_empty() || tm.first().copied().unwrap_or(0) >= 19
        }
        ("real", "double precision") => true,
        (f, "text" | "citext") if string(f) => true,
        ("character varying" | "character", "character varying") => {
            tm.is_empty()
                || fm
                    .first()
                    .is_some_and(|f| tm.first().is_some_and(|t| t >= f))
        }
        ("numeric", "numeric") => match (fm.as_slice(), tm.as_slice()) {
            (_, []) => true,
            ([fp], [tp]) | ([fp, 0], [tp]) | ([fp], [tp, 0]) => tp >= fp,
            ([fp, fs], [tp, ts]) => {
                ts >= fs && i64::from(*tp) - i64::from(*ts) >= i64::from(*fp) - i64::from(*fs)
            }
            _ => false,
        },
        ("timestamp without time zone", "timestamp with time zone") => true,
        ("json", "jsonb") => false,
        (f, t) => f == t && fm.is_empty() && tm.is_empty(),
    }
}

fn column_changes(out: &mut Changes, column: &str, b: &Column, a: &Column) {
    let object = format!("column {column}");
    if b.data_type != a.data_type {
        out.changed(
            object.clone(),
            format!(
                "column `{column}`: type {} → {}",
                code(&b.data_type),
                code(&a.data_type)
            ),
            !widens(&b.data_type, &a.data_type),
        );
    }
    if b.not_null != a.not_null {
        let what = |n: bool| if n { "NOT NULL" } else { "nullable" };
        out.changed(
            object.clone(),
            format!(
                "column `{column}`: {} → {}",
                what(b.not_null),
                what(a.not_null)
            ),
            false,
        );
    }
    let attributes: [(&str, &Option<String>, &Option<String>); 4] = [
        ("default", &b.default, &a.default),
        ("identity", &b.identity, &a.identity),
        ("generated expression", &b.generated, &a.generated),
        ("collation", &b.collation, &a.collation),
    ];
    for (what, before, after) in attributes {
        if before != after {
            out.changed(
                object.clone(),
                format!("{what} of `{column}`: {} → {}", opt(before), opt(after)),
                false,
            );
        }
    }
}

fn sequence_changes(out: &mut Changes, object: &str, name: &str, b: &Sequence, a: &Sequence) {
    let numbers: [(&str, i64, i64); 5] = [
        ("start ", b.start, a.start),
        ("increment ", b.increment, a.increment),
        ("minimum ", b.min, a.min),
        ("maximum ", b.max, a.max),
        ("cache ", b.cache, a.cache),
    ];
    // (label before the values, before, after)
    let mut fields: Vec<(&str, String, String)> = Vec::new();
    if b.data_type != a.data_type {
        fields.push(("type ", code(&b.data_type), code(&a.data_type)));
    }
    for (what, before, after) in numbers {
        if before != after {
            fields.push((what, code(&before.to_string()), code(&after.to_string())));
        }
    }
    if b.cycle != a.cycle {
        let what = |c: bool| if c { "CYCLE" } else { "NO CYCLE" }.to_string();
        fields.push(("", what(b.cycle), what(a.cycle)));
    }
    if b.owned_by != a.owned_by {
        fields.push(("owned by ", opt(&b.owned_by), opt(&a.owned_by)));
    }
    for (what, before, after) in fields {
        out.changed(
            object.to_string(),
            format!("sequence `{name}`: {what}{before} → {after}"),
            false,
        );
    }
}

fn function_changes(out: &mut Changes, name: &str, b: &Function, a: &Function) {
    let object = format!("{} {name}", b.kind);
    let label = format!("{} `{name}`", b.kind);
    let mut say = |text: String| out.changed(object.clone(), format!("{label}: {text}"), false);
    if b.kind != a.kind {
        say(format!("{} → {}", b.kind, a.kind));
    }
    if b.result != a.result {
        say(format!("returns {} → {}", opt(&b.result), opt(&a.result)));
    }
    if b.language != a.language {
        say(format!(
            "language {} → {}",
            code(&b.language),
            code(&a.language)
        ));
    }
    if b.body_md5 != a.body_md5 {
        say("body changed".to_string());
    }
    if b.volatility != a.volatility {
        say(format!("{} → {}", b.volatility, a.volatility));
    }
    if b.strict != a.strict {
        let what = |s: bool| if s { "STRICT" } else { "not STRICT" };
        say(format!("{} → {}", what(b.strict), what(a.strict)));
    }
    if b.security_definer != a.security_definer {
        let what = |s: bool| {
            if s {
                "SECURITY DEFINER"
            } else {
                "SECURITY INVOKER"
            }
        };
        say(format!(
            "{} → {}",
            what(b.security_definer),
            what(a.security_definer)
        ));
    }
    if b.settings != a.settings {
        say(format!(
            "settings {} → {}",
            opt(&b.settings),
            opt(&a.settings)
        ));
    }
}

fn validity(valid: bool) -> &'static str {
    if valid {
        "valid"
    } else {
        "invalid"
    }
}

/// Longest text shown in a message; longer definitions are cut with `…`.
const MAX_SHOWN: usize = 120;

/// `text` in backticks, on one line, cut when long.
fn code(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > MAX_SHOWN {
        let cut: String = flat.chars().take(MAX_SHOWN - 1).collect();
        format!("`{cut}…`")
    } else {
        format!("`{flat}`")
    }
}

fn opt(value: &Option<String>) -> String {
    value.as_deref().map_or_else(|| "none".to_string(), code)
}

fn list(labels: &[String]) -> String {
    if labels.is_empty() {
        "(none)".to_string()
    } else {
        labels.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Column, Index};

    fn column(name: &str, data_type: &str) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            ..Column::default()
        }
    }

    fn users(columns: Vec<Column>) -> Snapshot {
        let mut s = Snapshot::default();
        s.tables.insert(
            "users".into(),
            Table {
                columns,
                ..Table::default()
            },
        );
        s
    }

    #[test]
    fn storage_is_ignored() {
        let a = users(vec![column("id", "integer")]);
        let mut b = a.clone();
        b.storage.insert("users".into(), (1, 2));
        assert_eq!(a, b);
        assert!(diff(&a, &b).is_empty());
    }

    #[test]
    fn widening_type_changes_lose_no_data() {
        for (from, to) in [
            ("integer", "bigint"),
            ("smallint", "integer"),
            ("character varying(50)", "text"),
            ("character varying(50)", "character varying(255)"),
            ("character varying(50)", "character varying"),
            ("character(3)", "text"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric"),
            ("integer", "numeric"),
            ("real", "double precision"),
            ("timestamp without time zone", "timestamp with time zone"),
        ] {
            assert!(widens(from, to), "{from} → {to}");
        }
        for (from, to) in [
            ("bigint", "integer"),
            ("text", "character varying(50)"),
            ("character varying(255)", "character varying(50)"),
            ("numeric(12,2)", "numeric(12,1)"),
            ("numeric(12,4)", "numeric(12,2)"),
            ("numeric", "numeric(10,2)"),
            ("text", "integer"),
            ("double precision", "real"),
            ("integer[]", "bigint"),
            ("jsonb", "json"),
        ] {
            assert!(!widens(from, to), "{from} → {to}");
        }
    }

    #[test]
    fn column_order_is_reported() {
        let a = users(vec![column("a", "text"), column("b", "text")]);
        let b = users(vec![column("b", "text"), column("a", "text")]);
        assert_ne!(a, b);
        let changes = diff(&a, &b);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].message, "column order of `users`: a, b → b, a");
        assert!(!changes[0].loses_data);
    }

    #[test]
    fn type_change_loses_data() {
        let a = users(vec![column("nickname", "text")]);
        let b = users(vec![column("nickname", "character varying(50)")]);
        let changes = diff(&a, &b);
        assert_eq!(
            changes,
            vec![Change {
                object: "column users.nickname".into(),
                kind: ChangeKind::Changed,
                message: "column `users.nickname`: type `text` → `character varying(50)`".into(),
                loses_data: true,
            }]
        );
    }

    #[test]
    fn invalid_index() {
        let mut a = Snapshot::default();
        a.indexes.insert(
            "i".into(),
            Index {
                table: "t".into(),
                definition: "CREATE INDEX i ON public.t USING btree (a)".into(),
                valid: true,
            },
        );
        let mut b = a.clone();
        b.indexes.get_mut("i").unwrap().valid = false;
        assert_eq!(diff(&a, &b)[0].message, "index `i`: valid → invalid");
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x ".repeat(200);
        let shown = code(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN + 2);
        assert!(shown.ends_with("…`"));
    }

    mod fast_path {
        use super::super::*;
        use crate::snapshot::{Index, Trigger, View};
        use proptest::collection::{btree_map, btree_set, vec};
        use proptest::prelude::*;

        // Tiny domains, so that two snapshots drawn independently share names and often
        // values too: the equal entries the fast path skips, and every kind of difference.
        fn name() -> impl Strategy<Value = String> {
            prop::sample::select(vec!["a", "b", "c"]).prop_map(str::to_string)
        }
        fn word() -> impl Strategy<Value = String> {
            prop::sample::select(vec!["x", "y", "integer", "bigint", "character varying(5)"])
                .prop_map(str::to_string)
        }
        fn maybe() -> impl Strategy<Value = Option<String>> {
            prop::option::of(word())
        }
        fn column(name: String) -> impl Strategy<Value = Column> {
            (word(), any::<bool>(), maybe(), maybe(), maybe(), maybe()).prop_map(
                move |(data_type, not_null, default, identity, generated, collation)| Column {
                    name: name.clone(),
                    data_type,
                    not_null,
                    default,
                    identity,
                    generated,
                    collation,
                },
            )
        }
        /// Columns with distinct names (as in a table), in any order.
        fn columns() -> impl Strategy<Value = Vec<Column>> {
            (Just(vec!["a", "b", "c"]).prop_shuffle(), 0..4usize).prop_flat_map(|(names, n)| {
                names[..n]
                    .iter()
                    .map(|n| column(n.to_string()))
                    .collect::<Vec<_>>()
            })
        }
        fn table() -> impl Strategy<Value = Table> {
            (any::<bool>(), any::<bool>(), maybe(), maybe(), columns()).prop_map(
                |(partitioned, unlogged, partition_key, partition_of, columns)| Table {
                    partitioned,
                    unlogged,
                    partition_key,
                    partition_of,
                    columns,
                },
            )
        }
        fn sequence() -> impl Strategy<Value = Sequence> {
            (word(), 0..2i64, 0..2i64, any::<bool>(), maybe()).prop_map(
                |(data_type, start, cache, cycle, owned_by)| Sequence {
                    data_type,
                    start,
                    increment: 1,
                    min: 1,
                    max: start + 10,
                    cache,
                    cycle,
                    owned_by,
                },
            )
        }
        fn function() -> impl Strategy<Value = Function> {
            (word(), maybe(), word(), word(), any::<bool>(), maybe()).prop_map(
                |(kind, result, language, body_md5, strict, settings)| Function {
                    kind,
                    result,
                    language,
                    body_md5,
                    volatility: "volatile".into(),
                    strict,
                    security_definer: !strict,
                    settings,
                },
            )
        }
        fn snapshot() -> impl Strategy<Value = Snapshot> {
            (
                (
                    btree_set(name(), 0..3),
                    btree_map(name(), table(), 0..3),
                    btree_map(name(), word(), 0..3),
                    btree_map(name(), (name(), word(), any::<bool>()), 0..3),
                    btree_map(name(), (any::<bool>(), word()), 0..3),
                ),
                (
                    btree_map(name(), sequence(), 0..3),
                    btree_map(name(), vec(name(), 0..3), 0..3),
                    btree_map(name(), function(), 0..3),
                    btree_map(name(), (word(), word()), 0..3),
                    btree_map(name(), word(), 0..3),
                ),
            )
                .prop_map(
                    |(
                        (schemas, tables, constraints, indexes, views),
                        (sequences, enums, functions, triggers, extensions),
                    )| Snapshot {
                        schemas,
                        tables,
                        constraints,
                        indexes: indexes
                            .into_iter()
                            .map(|(k, (table, definition, valid))| {
                                let index = Index {
                                    table,
                                    definition,
                                    valid,
                                };
                                (k, index)
                            })
                            .collect(),
                        views: views
                            .into_iter()
                            .map(|(k, (materialized, definition))| {
                                let view = View {
                                    materialized,
                                    definition,
                                };
                                (k, view)
                            })
                            .collect(),
                        sequences,
                        enums,
                        functions,
                        triggers: triggers
                            .into_iter()
                            .map(|(k, (definition, enabled))| {
                                (
                                    k,
                                    Trigger {
                                        definition,
                                        enabled,
                                    },
                                )
                            })
                            .collect(),
                        extensions,
                        storage: BTreeMap::new(),
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Skipping the equal entries reports exactly what comparing every entry does.
            #[test]
            fn skipping_equal_objects_changes_nothing(a in snapshot(), b in snapshot()) {
                prop_assert_eq!(diff_with(&a, &b, true), diff_with(&a, &b, false));
                prop_assert_eq!(diff_with(&b, &a, true), diff_with(&b, &a, false));
                prop_assert!(diff_with(&a, &a, false).is_empty());
                prop_assert_eq!(diff(&a, &b).is_empty(), a == b);
            }
        }
    }
}
