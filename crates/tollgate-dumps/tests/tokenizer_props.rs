//! Property tests of the COPY and INSERT readers: arbitrary bytes never panic, and values
//! written the way pg_dump and mysqldump write them come back unchanged.

mod common;

use common::Recorder;
use proptest::prelude::*;
use tollgate_dumps::{scan, Limits};

const PG_HEAD: &str = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n";

fn scan_bytes(data: &[u8]) -> Recorder {
    let mut rec = Recorder::default();
    let _ = scan(data, "prop.sql", &Limits::default(), &mut rec);
    rec
}

/// `COPY ... TO stdout` text escaping.
fn copy_escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            '\u{b}' => o.push_str("\\v"),
            c => o.push(c),
        }
    }
    o
}

/// A standard SQL literal, as pg_dump --inserts writes it (raw newlines included).
fn pg_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A MySQL literal, as mysqldump writes it.
fn mysql_literal(s: &str) -> String {
    let mut o = String::from("'");
    for c in s.chars() {
        match c {
            '\0' => o.push_str("\\0"),
            '\'' => o.push_str("\\'"),
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\u{1a}' => o.push_str("\\Z"),
            c => o.push(c),
        }
    }
    o.push('\'');
    o
}

fn values(rec: &Recorder) -> Vec<String> {
    rec.events
        .iter()
        .filter(|e| !e.starts_with("columns"))
        .map(|e| {
            let v = &e[e.find(" = ").unwrap() + 3..];
            // Undo the `{:?}` of the recorder.
            serde_unquote(v)
        })
        .collect()
}

/// Reverses `format!("{:?}", s)` for the strings these tests generate.
fn serde_unquote(v: &str) -> String {
    let inner = &v[1..v.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('u') => {
                let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            other => panic!("unexpected escape {other:?} in {v}"),
        }
    }
    out
}

/// Text without NUL (PostgreSQL text can't hold it), often made of the characters that
/// need escaping.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\t\\n\\r\\\\'\"; ,.$aN\\x08\\x0b\\x0c\\x1aé€😀]{0,24}",
    ]
    .prop_map(|s| s.replace('\0', ""))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        scan_bytes(&data);
    }

    #[test]
    fn arbitrary_bytes_after_a_statement_never_panic(
        prefix in prop::sample::select(vec![
            "COPY t (a, b) FROM stdin;\n",
            "INSERT INTO t (a, b) VALUES (",
            "INSERT INTO t VALUES ('",
            "INSERT INTO t VALUES (E'\\",
            "INSERT INTO t VALUES ($x$",
            "CREATE TABLE t (a int, ",
            "/* ",
        ]),
        mysql in any::<bool>(),
        data in proptest::collection::vec(any::<u8>(), 0..2000),
    ) {
        let head = if mysql { "-- MySQL dump 10.13\n" } else { PG_HEAD };
        let mut bytes = format!("{head}{prefix}").into_bytes();
        bytes.extend(data);
        scan_bytes(&bytes);
    }

    #[test]
    fn copy_rows_round_trip(rows in proptest::collection::vec(proptest::collection::vec(text(), 3), 1..20)) {
        let mut dump = format!("{PG_HEAD}COPY public.t (a, b, c) FROM stdin;\n");
        for row in &rows {
            let fields: Vec<String> = row.iter().map(|v| copy_escape(v)).collect();
            dump.push_str(&fields.join("\t"));
            dump.push('\n');
        }
        dump.push_str("\\.\n");
        let rec = scan_bytes(dump.as_bytes());
        let want: Vec<String> = rows.into_iter().flatten().collect();
        prop_assert_eq!(values(&rec), want);
    }

    #[test]
    fn insert_literals_round_trip(vals in proptest::collection::vec(text(), 1..10), mysql in any::<bool>()) {
        let (head, lit): (&str, fn(&str) -> String) = if mysql {
            ("-- MySQL dump 10.13\n", mysql_literal)
        } else {
            (PG_HEAD, pg_literal)
        };
        let tuple: Vec<String> = vals.iter().map(|v| lit(v)).collect();
        let dump = format!("{head}INSERT INTO t VALUES ({}), ({});\n", tuple.join(", "), tuple.join(","));
        let rec = scan_bytes(dump.as_bytes());
        let mut want = vals.clone();
        want.extend(vals);
        prop_assert_eq!(values(&rec), want);
    }
}
