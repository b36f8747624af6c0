//! PostgreSQL `COPY ... FROM stdin` text format: one row a line, tab-separated, `\N` for NULL,
//! backslash escapes, ended by a `\.` line.

use std::borrow::Cow;

use crate::Sink;

/// Whether a line is the `\.` end-of-data marker.
pub(crate) fn is_end_marker(line: &[u8]) -> bool {
    line == b"\\." || line == b"\\.\r"
}

/// Decodes the backslash escapes of one COPY text field (which is not `\N`) into `out`.
pub(crate) fn unescape(field: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < field.len() {
        let Some(off) = memchr::memchr(b'\\', &field[i..]) else {
            out.extend_from_slice(&field[i..]);
            return;
        };
        out.extend_from_slice(&field[i..i + off]);
        i += off + 1;
        let Some(&c) = field.get(i) else {
            // A lone backslash at the end: PostgreSQL rejects it; keep it.
            out.push(b'\\');
            return;
        };
        i += 1;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match field.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' if field.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u8;
                for _ in 0..2 {
                    match field.get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d as u8;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(v);
            }
            other => out.push(other),
        }
    }
}

/// Escapes a value the way `COPY ... TO stdout` does in text format (the inverse of
/// [`unescape`]); used by the tests to build dumps.
#[cfg(test)]
pub(crate) fn escape(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\u{8}' => s.push_str("\\b"),
            '\u{c}' => s.push_str("\\f"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{b}' => s.push_str("\\v"),
            c => s.push(c),
        }
    }
    s
}

/// Where the rows of one COPY block go.
#[derive(Clone, Debug)]
pub(crate) struct CopyTarget {
    pub table: Option<String>,
    pub columns: Vec<String>,
    /// `false` for CSV or binary COPY, whose rows are skipped up to `\.`.
    pub text: bool,
}

/// Reusable buffers of [`emit_row`].
#[derive(Default)]
pub(crate) struct RowScratch {
    /// A decoded field.
    bytes: Vec<u8>,
    /// The end of each field of the row.
    ends: Vec<usize>,
    /// Where the row's backslashes are.
    backslashes: Vec<usize>,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The bytes of `w` equal to `b`, as the high bit of each byte (exact: no byte is flagged
/// because of a neighbour).
#[inline]
fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    !(((x & !HI).wrapping_add(!HI)) | x) & HI
}

/// The end of every tab-separated field of `line` (the last one is `line.len()`) and the
/// position of every backslash, found eight bytes at a time.
fn split_fields(line: &[u8], ends: &mut Vec<usize>, backslashes: &mut Vec<usize>) {
    ends.clear();
    backslashes.clear();
    let mut chunks = line.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let mut tabs = eq_mask(w, b'\t');
        let mut bs = eq_mask(w, b'\\');
        while tabs != 0 {
            ends.push(base + (tabs.trailing_zeros() / 8) as usize);
            tabs &= tabs - 1;
        }
        while bs != 0 {
            backslashes.push(base + (bs.trailing_zeros() / 8) as usize);
            bs &= bs - 1;
        }
        base += 8;
    }
    for (i, &c) in chunks.remainder().iter().enumerate() {
        match c {
            b'\t' => ends.push(base + i),
            b'\\' => backslashes.push(base + i),
            _ => {}
        }
    }
    ends.push(line.len());
}

/// Splits one data row and hands its non-NULL fields to the sink: by position
/// ([`Sink::cell_at`]) when the block has a column list, which the reader has declared with
/// [`Sink::columns`] before the rows; by name otherwise.
pub(crate) fn emit_row(
    line: &[u8],
    line_no: u64,
    target: &CopyTarget,
    scratch: &mut RowScratch,
    sink: &mut dyn Sink,
) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let table = target.table.as_deref();
    let indexed = !target.columns.is_empty();
    let mut emit = |col: usize, value: &str| {
        let column = target.columns.get(col).map(String::as_str);
        if indexed {
            sink.cell_at(table, column, col, value, line_no);
        } else {
            sink.cell(table, column, value, line_no);
        }
    };
    split_fields(line, &mut scratch.ends, &mut scratch.backslashes);
    let whole = std::str::from_utf8(line).ok();
    let mut start = 0;
    // The first backslash at or after `start`.
    let mut next_bs = scratch.backslashes.iter().copied().peekable();
    for (col, &end) in scratch.ends.iter().enumerate() {
        let field = &line[start..end];
        while next_bs.next_if(|&b| b < start).is_some() {}
        // A field without a backslash is not `\N` and needs no decoding.
        if next_bs.peek().is_none_or(|&b| b >= end) {
            match whole {
                // Tabs are ASCII: both ends are char boundaries.
                Some(s) => emit(col, &s[start..end]),
                None => emit(col, &String::from_utf8_lossy(field)),
            }
        } else if field != b"\\N" {
            let bytes = &mut scratch.bytes;
            bytes.clear();
            unescape(field, bytes);
            match std::str::from_utf8(bytes) {
                Ok(s) => emit(col, s),
                Err(_) => emit(col, &lossy(bytes)),
            }
        }
        start = end + 1;
    }
}

pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn un(s: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        unescape(s, &mut v);
        v
    }

    #[test]
    fn decodes_every_escape() {
        assert_eq!(un(br"a\tb\nc\\d\re"), b"a\tb\nc\\d\re");
        assert_eq!(un(br"\b\f\v"), [8, 12, 11]);
        assert_eq!(un(br"\101\7\08"), b"A\x07\x008");
        assert_eq!(un(br"\x41\x4g\xz"), b"A\x04gxz");
        assert_eq!(un(br"\N\.\q"), b"N.q");
        assert_eq!(un(b"end\\"), b"end\\");
        assert_eq!(un("caf\\303\\251".as_bytes()), "café".as_bytes());
    }

    #[test]
    fn end_marker() {
        assert!(is_end_marker(b"\\."));
        assert!(is_end_marker(b"\\.\r"));
        assert!(!is_end_marker(b"\\.x"));
        assert!(!is_end_marker(b"\\\\."));
    }

    proptest! {
        #[test]
        fn split_fields_finds_every_tab(line in proptest::collection::vec(
            prop_oneof![Just(b'\t'), Just(b'\\'), Just(b'a'), Just(0x89u8), Just(0x09u8 ^ 0x80), any::<u8>()],
            0..100,
        )) {
            let (mut ends, mut backslashes) = (Vec::new(), Vec::new());
            split_fields(&line, &mut ends, &mut backslashes);
            let mut expected: Vec<usize> = memchr::memchr_iter(b'\t', &line).collect();
            expected.push(line.len());
            prop_assert_eq!(ends, expected);
            let expected: Vec<usize> = memchr::memchr_iter(b'\\', &line).collect();
            prop_assert_eq!(backslashes, expected);
        }

        #[test]
        fn escape_then_unescape_round_trips(
            s in prop_oneof![any::<String>(), "[\\t\\n\\r\\\\ aN0-9x\\x08\\x0b\\x0cé]{0,24}"]
        ) {
            let escaped = escape(&s);
            prop_assert!(!escaped.contains('\t') && !escaped.contains('\n'));
            prop_assert_eq!(un(escaped.as_bytes()), s.as_bytes());
        }

        #[test]
        fn unescape_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = un(&b);
        }
    }
}
