//! PostgreSQL `COPY ... FROM stdin` text format: one row a line, tab-separated, `\N` for NULL,
//! backslash escapes, ended by a `\.` line.

use std::borrow::Cow;

use crate::Sink;

/// Whether a line is the `\.` end-of-data marker.
pub(crate) fn is_end_marker(line: &[u8]) -> bool {
    line == b"\\." || line == b"\\.\r"
}

/// Decodes the backslash escapes of one COPY text field (which is not `\N`) into `out`.
/// Returns whether an octal or hex escape wrote a byte above 0x7f: only those can make the
/// decoded bytes invalid UTF-8 when the field is valid (every other escape drops an ASCII
/// backslash or replaces an ASCII pair by an ASCII byte, leaving multi-byte characters whole).
pub(crate) fn unescape(field: &[u8], out: &mut Vec<u8>) -> bool {
    let mut high = false;
    let mut i = 0;
    while i < field.len() {
        let Some(off) = memchr::memchr(b'\\', &field[i..]) else {
            out.extend_from_slice(&field[i..]);
            return high;
        };
        out.extend_from_slice(&field[i..i + off]);
        i += off + 1;
        let Some(&c) = field.get(i) else {
            // A lone backslash at the end: PostgreSQL rejects it; keep it.
            out.push(b'\\');
            return high;
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
                high |= (v & 0xff) > 0x7f;
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
                high |= v > 0x7f;
                out.push(v);
            }
            other => out.push(other),
        }
    }
    high
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
    /// The decoded fields of the row, end to end.
    bytes: Vec<u8>,
    /// The end of each field of the row: the first `n_ends` (the rest is room kept for the
    /// next rows, see [`split_fields`]).
    ends: Vec<usize>,
    n_ends: usize,
    /// Where the row's backslashes are: the first `n_backslashes`.
    backslashes: Vec<usize>,
    n_backslashes: usize,
    /// Where each non-NULL value of the row is: its column and its range in the line or,
    /// when decoded, in `bytes`.
    spans: Vec<Span>,
    /// Decoded fields that are not UTF-8, made valid (rare: only for escapes such as `\377`).
    lossy: Vec<String>,
    /// The values handed to [`Sink::row`]: kept empty between rows, for its allocation only.
    values: Vec<(usize, &'static str)>,
}

#[derive(Clone, Copy)]
enum Span {
    Line(usize, usize, usize),
    Decoded(usize, usize, usize),
    Lossy(usize, usize),
}

/// Lines up to this long are split into buffers of one entry per byte, kept from row to row
/// (`2 * 8 * DIRECT` bytes at most); longer ones count their tabs and backslashes first.
const DIRECT: usize = 64 * 1024;

impl RowScratch {
    fn ends(&self) -> &[usize] {
        &self.ends[..self.n_ends]
    }

    fn backslashes(&self) -> &[usize] {
        &self.backslashes[..self.n_backslashes]
    }
}

/// The end of every tab-separated field of `line` (the last one is `line.len()`) and the
/// position of every backslash, into `scratch`. The buffers are made long enough for every
/// position first, so that the split writes each with a store (no capacity check and no
/// length kept in memory).
fn split_fields(line: &[u8], scratch: &mut RowScratch) {
    let (tabs, backslashes) = if line.len() < DIRECT {
        (line.len(), line.len())
    } else {
        (
            memchr::memchr_iter(b'\t', line).count(),
            memchr::memchr_iter(b'\\', line).count(),
        )
    };
    if scratch.ends.len() <= tabs {
        scratch.ends.resize(tabs + 1, 0);
    }
    if scratch.backslashes.len() < backslashes {
        scratch.backslashes.resize(backslashes, 0);
    }
    let (n_ends, n_backslashes) = split::marks(line, &mut scratch.ends, &mut scratch.backslashes);
    scratch.ends[n_ends] = line.len();
    scratch.n_ends = n_ends + 1;
    scratch.n_backslashes = n_backslashes;
}

/// Finding the tabs and backslashes of a line: sixteen bytes at a time with SSE2 compares
/// (part of every x86-64 CPU; `safe_arch` wraps the intrinsics without `unsafe`), eight
/// bytes at a time with word arithmetic elsewhere and for lines shorter than 16 bytes.
mod split {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    pub(super) use self::sse2::marks;
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    pub(super) use self::words::marks;

    /// Writes `base +` the position of each set bit of `mask`, in order, from `out[*n]` on.
    #[inline(always)]
    fn put_bits(mut mask: u32, base: usize, out: &mut [usize], n: &mut usize) {
        while mask != 0 {
            out[*n] = base + mask.trailing_zeros() as usize;
            *n += 1;
            mask &= mask - 1;
        }
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    mod sse2 {
        use safe_arch::{
            cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
        };

        /// The tabs and the backslashes of 16 bytes, one bit each.
        #[inline(always)]
        fn masks(block: &[u8; 16]) -> (u32, u32) {
            let v = load_unaligned_m128i(block);
            let tabs = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b'\t' as i8)));
            let bs = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b'\\' as i8)));
            (tabs as u32, bs as u32)
        }

        /// Writes the positions of the tabs of `line` into `ends` and of its backslashes into
        /// `backslashes` (each long enough for all of them), and returns how many of each.
        pub(in super::super) fn marks(
            line: &[u8],
            ends: &mut [usize],
            backslashes: &mut [usize],
        ) -> (usize, usize) {
            let (mut n_ends, mut n_backslashes) = (0, 0);
            let mut blocks = line.chunks_exact(16);
            let mut base = 0;
            for block in &mut blocks {
                let (tabs, bs) = masks(block.try_into().unwrap_or(&[0; 16]));
                super::put_bits(tabs, base, ends, &mut n_ends);
                super::put_bits(bs, base, backslashes, &mut n_backslashes);
                base += 16;
            }
            let rest = blocks.remainder().len();
            if rest == 0 {
                return (n_ends, n_backslashes);
            }
            if let Some(last) = line.len().checked_sub(16) {
                // The last 16 bytes, overlapping the blocks above: drop the bytes already seen.
                let (tabs, bs) = masks(line[last..].try_into().unwrap_or(&[0; 16]));
                let seen = 16 - rest;
                super::put_bits(tabs >> seen, base, ends, &mut n_ends);
                super::put_bits(bs >> seen, base, backslashes, &mut n_backslashes);
                (n_ends, n_backslashes)
            } else {
                super::words::marks(line, ends, backslashes)
            }
        }
    }

    /// Also the SSE2 split's path for lines shorter than one block.
    pub(super) mod words {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;

        /// The bytes of `w` equal to `b`, as the high bit of each byte (exact: no byte is
        /// flagged because of a neighbour).
        #[inline]
        fn eq_mask(w: u64, b: u8) -> u64 {
            let x = w ^ (LO * u64::from(b));
            !(((x & !HI).wrapping_add(!HI)) | x) & HI
        }

        /// [`sse2::marks`](super::sse2) eight bytes at a time.
        pub(in super::super) fn marks(
            line: &[u8],
            ends: &mut [usize],
            backslashes: &mut [usize],
        ) -> (usize, usize) {
            let (mut n_ends, mut n_backslashes) = (0, 0);
            let mut chunks = line.chunks_exact(8);
            let mut base = 0;
            for chunk in &mut chunks {
                let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
                let mut tabs = eq_mask(w, b'\t');
                let mut bs = eq_mask(w, b'\\');
                while tabs != 0 {
                    ends[n_ends] = base + (tabs.trailing_zeros() / 8) as usize;
                    n_ends += 1;
                    tabs &= tabs - 1;
                }
                while bs != 0 {
                    backslashes[n_backslashes] = base + (bs.trailing_zeros() / 8) as usize;
                    n_backslashes += 1;
                    bs &= bs - 1;
                }
                base += 8;
            }
            for (i, &c) in chunks.remainder().iter().enumerate() {
                match c {
                    b'\t' => {
                        ends[n_ends] = base + i;
                        n_ends += 1;
                    }
                    b'\\' => {
                        backslashes[n_backslashes] = base + i;
                        n_backslashes += 1;
                    }
                    _ => {}
                }
            }
            (n_ends, n_backslashes)
        }
    }
}

/// Splits one data row and hands its non-NULL fields to the sink in one call: as a row
/// ([`Sink::row`]) when the block has a column list, which the reader has declared with
/// [`Sink::columns`] before the rows; one [`Sink::cell`] by name otherwise.
/// `text` is the line as text when the caller knows it is valid UTF-8 (`None`: not known, it
/// is checked here).
pub(crate) fn emit_row(
    line: &[u8],
    text: Option<&str>,
    line_no: u64,
    target: &CopyTarget,
    scratch: &mut RowScratch,
    sink: &mut dyn Sink,
) {
    let (line, text) = match line.strip_suffix(b"\r") {
        Some(stripped) => (stripped, text.map(|t| &t[..stripped.len()])),
        None => (line, text),
    };
    let table = target.table.as_deref();
    split_fields(line, scratch);
    let whole = text.or_else(|| simdutf8::basic::from_utf8(line).ok());
    let mut values: Vec<(usize, &str)> = std::mem::take(&mut scratch.values);
    match whole {
        // No backslash: no `\N` and nothing to decode, every field is a value from the line
        // (tabs are ASCII: both ends are char boundaries).
        Some(text) if scratch.n_backslashes == 0 => {
            let mut start = 0;
            values.extend(scratch.ends().iter().enumerate().map(|(col, &end)| {
                let value = (col, &text[start..end]);
                start = end + 1;
                value
            }));
        }
        // Backslashes only as NULLs (`\N` fields, most rows of a real table): the other fields
        // are values from the line as they are. A field that starts with a backslash is then
        // a NULL.
        Some(text)
            if scratch
                .backslashes()
                .iter()
                .all(|&at| is_null_field_at(line, at)) =>
        {
            let mut start = 0;
            for (col, &end) in scratch.ends().iter().enumerate() {
                if line.get(start) != Some(&b'\\') {
                    values.push((col, &text[start..end]));
                }
                start = end + 1;
            }
        }
        _ => {
            decode_fields(line, whole, scratch);
            let text = whole.unwrap_or("");
            // Valid UTF-8 fields end to end (checked one by one): valid as a whole.
            let decoded = simdutf8::basic::from_utf8(&scratch.bytes).unwrap_or("");
            values.extend(scratch.spans.iter().map(|&span| match span {
                Span::Line(col, s, e) => (col, &text[s..e]),
                Span::Decoded(col, s, e) => (col, &decoded[s..e]),
                Span::Lossy(col, i) => (col, scratch.lossy[i].as_str()),
            }));
        }
    }
    if target.columns.is_empty() {
        for &(_, value) in &values {
            sink.cell(table, None, value, line_no);
        }
    } else {
        sink.row(table, &target.columns, &values, line_no);
    }
    values.clear();
    // The same allocation, emptied, without the borrow of this row's text.
    scratch.values = values.into_iter().map(|(col, _)| (col, "")).collect();
}

/// Whether the backslash at `at` is that of a `\N` field (a NULL).
#[inline]
fn is_null_field_at(line: &[u8], at: usize) -> bool {
    line.get(at + 1) == Some(&b'N')
        && (at == 0 || line[at - 1] == b'\t')
        && line.get(at + 2).is_none_or(|&c| c == b'\t')
}

/// Where each non-NULL field of a row with backslashes (or not UTF-8) is: in the line, or
/// decoded into `scratch.bytes`, or made valid in `scratch.lossy`.
fn decode_fields(line: &[u8], whole: Option<&str>, scratch: &mut RowScratch) {
    scratch.bytes.clear();
    scratch.spans.clear();
    scratch.lossy.clear();
    let mut start = 0;
    // The first backslash at or after `start`.
    let ends = &scratch.ends[..scratch.n_ends];
    let mut next_bs = scratch.backslashes[..scratch.n_backslashes]
        .iter()
        .copied()
        .peekable();
    for (col, &end) in ends.iter().enumerate() {
        let field = &line[start..end];
        while next_bs.next_if(|&b| b < start).is_some() {}
        // A field without a backslash is not `\N` and needs no decoding.
        if next_bs.peek().is_none_or(|&b| b >= end) {
            match whole {
                // Tabs are ASCII: both ends are char boundaries.
                Some(_) => scratch.spans.push(Span::Line(col, start, end)),
                None => {
                    scratch
                        .lossy
                        .push(String::from_utf8_lossy(field).into_owned());
                    scratch
                        .spans
                        .push(Span::Lossy(col, scratch.lossy.len() - 1));
                }
            }
        } else if field != b"\\N" {
            let from = scratch.bytes.len();
            let high = unescape(field, &mut scratch.bytes);
            let to = scratch.bytes.len();
            // A valid field decoded without a high byte is valid: not checked again.
            if (whole.is_some() && !high)
                || simdutf8::basic::from_utf8(&scratch.bytes[from..to]).is_ok()
            {
                scratch.spans.push(Span::Decoded(col, from, to));
            } else {
                scratch
                    .lossy
                    .push(lossy(&scratch.bytes[from..to]).into_owned());
                scratch
                    .spans
                    .push(Span::Lossy(col, scratch.lossy.len() - 1));
                scratch.bytes.truncate(from);
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
        let high = unescape(s, &mut v);
        // Only an escape can make valid text invalid, and it says so.
        if std::str::from_utf8(s).is_ok() && !high {
            assert!(std::str::from_utf8(&v).is_ok(), "{s:?}");
        }
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

    /// `emit_row` as it was before rows were passed whole: one call per value, each field
    /// checked for UTF-8 on its own, kept as the oracle of the row path.
    mod reference {
        use super::super::*;

        pub fn emit_row(line: &[u8], line_no: u64, target: &CopyTarget, sink: &mut dyn Sink) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let table = target.table.as_deref();
            for (col, field) in line.split(|&b| b == b'\t').enumerate() {
                if field == b"\\N" {
                    continue;
                }
                let mut bytes = Vec::new();
                unescape(field, &mut bytes);
                let value = String::from_utf8_lossy(&bytes);
                let column = target.columns.get(col).map(String::as_str);
                if target.columns.is_empty() {
                    sink.cell(table, column, &value, line_no);
                } else {
                    sink.cell_at(table, column, col, &value, line_no);
                }
            }
        }
    }

    /// Records every call, with the default [`Sink::row`].
    #[derive(Default)]
    struct Calls(Vec<String>);

    impl Sink for Calls {
        fn columns(&mut self, table: Option<&str>, columns: &[String]) {
            self.0.push(format!("columns {table:?} {columns:?}"));
        }
        fn cell(&mut self, table: Option<&str>, column: Option<&str>, value: &str, line: u64) {
            self.0
                .push(format!("cell {table:?} {column:?} {value:?} {line}"));
        }
        fn cell_at(
            &mut self,
            table: Option<&str>,
            column: Option<&str>,
            index: usize,
            value: &str,
            line: u64,
        ) {
            self.0.push(format!(
                "cell_at {table:?} {column:?} {index} {value:?} {line}"
            ));
        }
    }

    fn row_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                Just(b"\t".to_vec()),
                Just(b"\\N".to_vec()),
                Just(b"\\".to_vec()),
                Just(b"\\t".to_vec()),
                Just(b"\\377".to_vec()),
                Just(b"\\303\\251".to_vec()),
                Just(b"\r".to_vec()),
                Just("é".as_bytes().to_vec()),
                Just(vec![0xc3]),
                "[a-z0-9@.: ]{0,12}".prop_map(String::into_bytes),
                proptest::collection::vec(any::<u8>(), 0..4),
            ],
            0..16,
        )
        .prop_map(|parts| parts.concat())
    }

    fn split_ends(line: &[u8]) -> Vec<usize> {
        let mut ends: Vec<usize> = memchr::memchr_iter(b'\t', line).collect();
        ends.push(line.len());
        ends
    }

    #[test]
    fn a_line_longer_than_the_direct_buffers_is_split_too() {
        let mut scratch = RowScratch::default();
        let mut line = b"a\tb".repeat(DIRECT / 3 + 10);
        line.extend_from_slice(b"\\N\t\\t");
        split_fields(b"x\ty", &mut scratch);
        split_fields(&line, &mut scratch);
        let mut expected: Vec<usize> = memchr::memchr_iter(b'\t', &line).collect();
        expected.push(line.len());
        assert_eq!(scratch.ends(), &expected[..]);
        assert_eq!(scratch.backslashes(), [line.len() - 5, line.len() - 2]);
        // Room for that many positions, not for one per byte.
        assert!(scratch.ends.len() < line.len());
        split_fields(b"x\ty", &mut scratch);
        assert_eq!(scratch.ends(), [1, 3]);
        assert!(scratch.backslashes().is_empty());
    }

    proptest! {
        #[test]
        fn rows_reach_the_sink_as_the_cells_did(
            line in row_bytes(),
            columns in proptest::collection::vec("[a-z]{1,3}", 0..5),
            table in proptest::option::of("[a-z]{1,3}"),
        ) {
            let target = CopyTarget { table, columns, text: true };
            let mut scratch = RowScratch::default();
            let (mut new, mut old) = (Calls::default(), Calls::default());
            // The row without its backslashes too (the path that takes fields from the line
            // as they are), each twice through the same scratch buffers, as rows follow each
            // other.
            let plain: Vec<u8> = line.iter().copied().filter(|&c| c != b'\\').collect();
            // And with every field that holds a backslash made a NULL (the path for rows whose
            // only backslashes are `\N`s).
            let nulls: Vec<u8> = line
                .split(|&c| c == b'\t')
                .map(|f| if f.contains(&b'\\') { &b"\\N"[..] } else { f })
                .collect::<Vec<_>>()
                .join(&b'\t');
            for (line, line_no) in [
                (&line, 7),
                (&plain, 8),
                (&nulls, 9),
                (&line, 10),
                (&nulls, 11),
                (&plain, 12),
            ] {
                // Known as text or not: the same rows.
                let text = std::str::from_utf8(line).ok().filter(|_| line_no % 2 == 0);
                emit_row(line, text, line_no, &target, &mut scratch, &mut new);
                reference::emit_row(line, line_no, &target, &mut old);
            }
            prop_assert_eq!(new.0, old.0);
        }

        #[test]
        fn split_fields_finds_every_tab(line in proptest::collection::vec(
            prop_oneof![Just(b'\t'), Just(b'\\'), Just(b'a'), Just(0x89u8), Just(0x09u8 ^ 0x80), any::<u8>()],
            0..200,
        )) {
            // One scratch for the line, a shorter piece of it, and the line again: the
            // buffers kept from a longer row hold nothing of it.
            let mut scratch = RowScratch::default();
            let half = &line[..line.len() / 2];
            for line in [&line[..], half, &line[..]] {
                split_fields(line, &mut scratch);
                let mut expected: Vec<usize> = memchr::memchr_iter(b'\t', line).collect();
                expected.push(line.len());
                prop_assert_eq!(scratch.ends(), &expected[..]);
                let expected: Vec<usize> = memchr::memchr_iter(b'\\', line).collect();
                prop_assert_eq!(scratch.backslashes(), &expected[..]);
            }
            // The word-arithmetic split (other targets) finds the same.
            let (mut ends, mut words) = (vec![0; line.len() + 1], vec![0; line.len()]);
            let (n_ends, n_words) = split::words::marks(&line, &mut ends, &mut words);
            ends[n_ends] = line.len();
            let expected: Vec<usize> = memchr::memchr_iter(b'\\', &line).collect();
            prop_assert_eq!(&words[..n_words], &expected[..]);
            prop_assert_eq!(&ends[..=n_ends], &split_ends(&line)[..]);
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
