//! Content sniffing on the first bytes of a stream. The file name is never consulted except to
//! break a tie between delimiters of a delimited text file.

use memchr::memmem;

use crate::copy::is_end_marker;
use crate::sql::{Dialect, Header};

/// How many bytes are looked at before deciding.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;
/// How many lines of a delimited file are checked for a consistent field count.
const DELIMITED_LINES: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Zip,
    Tar,
    /// A pg_dump archive header (`PGDMP`) and its format byte.
    PgArchive(u8),
    Sqlite,
    Sql(Dialect, Header),
    /// COPY text rows without a COPY statement (a pg_dump directory or tar `.dat` member).
    CopyData,
    Delimited(u8),
    NotADump,
}

pub(crate) fn sniff(prefix: &[u8], eof: bool, name_hint: &str) -> Kind {
    if let Some(k) = magic(prefix) {
        return k;
    }
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    if text.is_empty() {
        return Kind::NotADump;
    }
    if let Some(k) = dump_header(text) {
        return k;
    }
    if memchr::memchr(0, &text[..text.len().min(8192)]).is_some() {
        return Kind::NotADump;
    }
    if let Some(k) = sql(text) {
        return k;
    }
    let name = name_hint.to_ascii_lowercase();
    if looks_like_copy_data(text, eof, name.ends_with(".dat")) {
        return Kind::CopyData;
    }
    if let Some(d) = delimiter(text, eof, name_hint) {
        return Kind::Delimited(d);
    }
    Kind::NotADump
}

fn magic(p: &[u8]) -> Option<Kind> {
    if p.starts_with(&[0x1f, 0x8b]) {
        return Some(Kind::Gzip);
    }
    if p.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || (p.len() >= 4 && p[0] & 0xf0 == 0x50 && p[1..4] == [0x2a, 0x4d, 0x18])
    {
        return Some(Kind::Zstd);
    }
    if p.len() >= 10
        && p.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&p[3])
        && (&p[4..10] == b"1AY&SY" || p[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
    {
        return Some(Kind::Bzip2);
    }
    if p.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Some(Kind::Xz);
    }
    if p.starts_with(b"PK\x03\x04") || p.starts_with(b"PK\x05\x06") || p.starts_with(b"PK\x07\x08")
    {
        return Some(Kind::Zip);
    }
    if p.starts_with(b"PGDMP") {
        return Some(Kind::PgArchive(p.get(10).copied().unwrap_or(0)));
    }
    if p.starts_with(b"SQLite format 3\0") {
        return Some(Kind::Sqlite);
    }
    if is_tar_header(p) {
        return Some(Kind::Tar);
    }
    None
}

fn is_tar_header(p: &[u8]) -> bool {
    if p.len() < 512 {
        return false;
    }
    let h = &p[..512];
    if &h[257..262] == b"ustar" {
        return true;
    }
    // A v7 tar: no magic, but a valid header checksum and a file name.
    if h[0] == 0 {
        return false;
    }
    let field = &h[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|c| *c == b' ')
        .take_while(|c| (b'0'..=b'7').contains(c))
        .collect();
    if digits.is_empty() {
        return false;
    }
    let stored = digits.iter().fold(0u32, |v, d| {
        v.wrapping_mul(8).wrapping_add(u32::from(d - b'0'))
    });
    let sum: u32 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    stored == sum
}

const SQL_START: [&str; 19] = [
    "insert", "replace", "copy", "create", "set", "begin", "start", "drop", "alter", "lock",
    "select", "comment", "grant", "revoke", "truncate", "delete", "update", "with", "do",
];

/// The header comment of a pg_dump, pg_dumpall or mysqldump script.
fn dump_header(text: &[u8]) -> Option<Kind> {
    let head = &text[..text.len().min(8192)];
    if memmem::find(head, b"-- PostgreSQL database cluster dump").is_some() {
        return Some(Kind::Sql(Dialect::Pg, Header::PgDumpAll));
    }
    if memmem::find(head, b"-- PostgreSQL database dump").is_some() {
        return Some(Kind::Sql(Dialect::Pg, Header::PgDump));
    }
    if memmem::find(head, b"-- MySQL dump").is_some()
        || memmem::find(head, b"-- MariaDB dump").is_some()
    {
        return Some(Kind::Sql(Dialect::MySql, Header::MySql));
    }
    None
}

/// A SQL script without a dump header, recognised by its first statement.
fn sql(text: &[u8]) -> Option<Kind> {
    let first = first_token(text)?;
    if first.starts_with(b"\\") {
        let header = if first.starts_with(b"\\restrict") {
            Header::PgDump
        } else {
            Header::None
        };
        return Some(Kind::Sql(Dialect::Pg, header));
    }
    if !SQL_START
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k.as_bytes()))
    {
        return None;
    }
    let pg_preamble = memmem::find(text, b"SET statement_timeout = 0;").is_some()
        && memmem::find(text, b"pg_catalog.set_config('search_path'").is_some();
    let header = if pg_preamble {
        Header::PgDump
    } else {
        Header::None
    };
    let mysql = [
        &b"/*!40"[..],
        b"/*!50",
        b"ENGINE=",
        b"LOCK TABLES `",
        b"INSERT INTO `",
        b"CREATE TABLE `",
    ]
    .iter()
    .any(|m| memmem::find(text, m).is_some());
    let dialect = if mysql && !pg_preamble {
        Dialect::MySql
    } else {
        Dialect::Pg
    };
    Some(Kind::Sql(dialect, header))
}

/// The first word after whitespace and SQL comments (or a `\` meta-command), if it is
/// followed by a word boundary that SQL allows.
fn first_token(text: &[u8]) -> Option<&[u8]> {
    let mut i = 0;
    loop {
        while i < text.len() && (text[i].is_ascii_whitespace() || text[i] == b';') {
            i += 1;
        }
        let rest = &text[i..];
        if rest.starts_with(b"--") {
            i += memchr::memchr(b'\n', rest)? + 1;
        } else if rest.starts_with(b"/*") {
            i += memmem::find(rest, b"*/")? + 2;
        } else {
            break;
        }
    }
    let rest = &text[i..];
    if rest.first() == Some(&b'\\') && !rest.starts_with(b"\\.") {
        let end = rest
            .iter()
            .position(|c| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        return Some(&rest[..end]);
    }
    let end = rest
        .iter()
        .position(|c| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    match rest.get(end) {
        // Not a tab: `word<TAB>...` is a row of COPY data or TSV.
        None | Some(b' ' | b'\r' | b'\n' | b';' | b'(') => Some(&rest[..end]),
        _ => None,
    }
}

/// Complete lines of the sample (the last, possibly cut, line is dropped unless at EOF).
fn sample_lines(text: &[u8], eof: bool, max: usize) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = text.split(|&c| c == b'\n').collect();
    if !eof || lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.truncate(max);
    lines
}

fn looks_like_copy_data(text: &[u8], eof: bool, name_hint_is_dat: bool) -> bool {
    let lines = sample_lines(text, eof, 1000);
    let tabs = |l: &[u8]| memchr::memchr_iter(b'\t', l).count();
    if let Some(k) = lines.iter().position(|l| is_end_marker(l)) {
        let rows = &lines[..k];
        let same = rows.iter().all(|l| tabs(l) == tabs(rows[0]));
        let after_blank = lines[k + 1..].iter().all(|l| l.trim_ascii().is_empty());
        return same && after_blank;
    }
    if lines.len() < 2 {
        return false;
    }
    let n = tabs(lines[0]);
    if n == 0 || lines.iter().any(|l| tabs(l) != n) {
        return false;
    }
    let has_null = lines
        .iter()
        .any(|l| l.split(|&c| c == b'\t').any(|f| f == b"\\N"));
    let rows: Vec<Vec<&[u8]>> = lines
        .iter()
        .take(DELIMITED_LINES)
        .map(|l| {
            l.strip_suffix(b"\r")
                .unwrap_or(l)
                .split(|&c| c == b'\t')
                .collect()
        })
        .collect();
    if has_null || !header_like(&rows[0]) {
        return true;
    }
    // A TSV header or a first row of data? Like Python's csv.Sniffer: a column that is numeric
    // (or of a fixed length) below the first row but not in it votes for a header.
    let mut votes = 0i32;
    for col in 0..=n {
        let below: Vec<&[u8]> = rows[1..].iter().map(|r| r[col]).collect();
        let first = rows[0][col];
        if below.iter().all(|v| is_number(v)) {
            votes += if is_number(first) { -1 } else { 1 };
        } else if below.iter().all(|v| v.len() == below[0].len()) {
            votes += if first.len() == below[0].len() { -1 } else { 1 };
        }
    }
    match votes {
        0 => name_hint_is_dat,
        v => v < 0,
    }
}

fn is_number(v: &[u8]) -> bool {
    let v = v.strip_prefix(b"-").unwrap_or(v);
    let digits = v.iter().filter(|c| c.is_ascii_digit()).count();
    digits > 0
        && v.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && v.iter().filter(|c| **c == b'.').count() <= 1
}

/// Words a source file starts with: such a first line is not a CSV header.
const CODE_STARTS: [&str; 16] = [
    "import", "from", "use", "package", "def", "fn", "function", "const", "let", "var", "class",
    "module", "require", "export", "pub", "include",
];

/// Whether the fields of a first line look like column names.
pub(crate) fn header_like(fields: &[&[u8]]) -> bool {
    let mut empty = 0;
    for f in fields {
        let s = String::from_utf8_lossy(f);
        let s = s.trim();
        if s.is_empty() {
            empty += 1;
            continue;
        }
        let Some(first) = s.chars().next() else {
            continue;
        };
        if s.len() > 128
            || !(first.is_alphabetic() || first == '_' || first == '@')
            || !s
                .chars()
                .all(|c| c.is_alphanumeric() || " _-.:/#%&?'@+".contains(c))
        {
            return false;
        }
    }
    let first_word = fields
        .first()
        .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
        .unwrap_or_default();
    let first_word = first_word.split(' ').next().unwrap_or("");
    empty <= 1 && fields.len() - empty >= 2 && !CODE_STARTS.contains(&first_word)
}

fn delimiter(text: &[u8], eof: bool, name_hint: &str) -> Option<u8> {
    let sample = if eof {
        text
    } else {
        &text[..=memchr::memrchr(b'\n', text)?]
    };
    if sample.first().is_some_and(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let name = name_hint.to_ascii_lowercase();
    let preferred = if name.ends_with(".tsv") || name.ends_with(".tab") {
        Some(b'\t')
    } else if name.ends_with(".csv") {
        Some(b',')
    } else {
        None
    };
    let mut best: Option<(u8, usize)> = None;
    for d in [b',', b'\t', b';', b'|'] {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample);
        let mut recs = Vec::new();
        for r in rdr.byte_records().take(DELIMITED_LINES + 1) {
            match r {
                Ok(r) => recs.push(r),
                Err(_) => break,
            }
        }
        if !eof && recs.len() <= DELIMITED_LINES {
            // The last record may be cut by the end of the sample.
            recs.pop();
        }
        if recs.len() < 2 {
            continue;
        }
        let n = recs[0].len();
        if n < 2 || recs.iter().any(|r| r.len() != n) {
            continue;
        }
        let header: Vec<&[u8]> = recs[0].iter().collect();
        if !header_like(&header) {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, bn)) => n > bn || (n == bn && preferred == Some(d)),
        };
        if better {
            best = Some((d, n));
        }
    }
    best.map(|(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Kind {
        sniff(text.as_bytes(), true, "x")
    }

    #[test]
    fn text_kinds() {
        assert_eq!(s("# Title\n\nSome text, with commas.\n"), Kind::NotADump);
        assert_eq!(
            s("import csv, sys\nimport os, re\n"),
            Kind::NotADump,
            "source code is not a CSV"
        );
        assert_eq!(
            s("fn main() {\n\tlet a = 1;\n}\n"),
            Kind::NotADump,
            "tabs in code are not COPY data"
        );
        assert_eq!(s("| a | b |\n|---|---|\n| 1 | 2 |\n"), Kind::NotADump);
        assert_eq!(s("id,name\n1,x\n"), Kind::Delimited(b','));
        assert_eq!(s("id;name;email\n1;x;\"a;b\"\n"), Kind::Delimited(b';'));
        assert_eq!(s("id\tname\n1\tx\n"), Kind::Delimited(b'\t'));
        assert_eq!(s("1\tx\t\\N\n2\ty\tz\n"), Kind::CopyData);
        assert_eq!(s("1\tx\n\\.\n\n\n"), Kind::CopyData);
        assert_eq!(s("\\.\n\n\n"), Kind::CopyData);
        assert_eq!(
            s("CREATE TABLE t (a int);\n"),
            Kind::Sql(Dialect::Pg, Header::None)
        );
        assert_eq!(
            s("/*!40101 SET NAMES utf8 */;\nINSERT INTO `t` VALUES (1);\n"),
            Kind::Sql(Dialect::MySql, Header::None)
        );
        assert_eq!(s("Updated: yesterday\n"), Kind::NotADump);
        assert_eq!(s("update\tx\n\\.\n"), Kind::CopyData);
    }

    #[test]
    fn tsv_header_or_headerless_copy_data() {
        // Text-only rows and no `\.` yet: nothing tells a header from data but the name.
        let rows = b"alice\talice@example.com\nbob\tbob@example.com\ncarol\tc@example.org\n";
        assert_eq!(sniff(rows, false, "3345.dat"), Kind::CopyData);
        assert_eq!(sniff(rows, false, "people.tsv"), Kind::Delimited(b'\t'));
        // A numeric column below a text header: a header.
        let tsv = b"id\tname\n1\tx\n2\tyy\n";
        assert_eq!(sniff(tsv, false, "3345.dat"), Kind::Delimited(b'\t'));
        // Numbers in the first row too: data.
        let dat = b"1\tname\n2\tx\n3\tyy\n";
        assert_eq!(sniff(dat, false, "x"), Kind::CopyData);
    }
}
