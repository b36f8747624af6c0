//! Byte spans and their conversion to human positions.
//!
//! Inside the core every position is a byte offset into the file the user owns. Lines and
//! columns (1-based, in Unicode scalar values) and UTF-16 columns are computed only at the edges,
//! through a [`LineIndex`] built once per file, so converting N positions costs O(N log lines).

use serde::Serialize;

/// A half-open byte range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Shifts a span that is relative to `base` into absolute coordinates.
    pub fn offset(self, base: usize) -> Span {
        Span::new(self.start + base, self.end + base)
    }

    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// A 1-based position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in Unicode scalar values.
    pub column: usize,
    /// 1-based column in UTF-16 code units (what editors and LSP want).
    pub column_utf16: usize,
}

/// Line starts of one text, for offset → line/column conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.line_starts[line0]
    }

    /// End of the line (exclusive, before the `\n`).
    pub fn line_end(&self, line0: usize, text: &str) -> usize {
        let end = self.line_starts.get(line0 + 1).map_or(self.len, |s| s - 1);
        // Tolerate CRLF: keep the `\r` out of the visible line.
        if end > self.line_starts[line0] && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based position of a byte offset. Offsets inside a multi-byte character are rounded
    /// down to the character start; offsets past the end are clamped.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line0 = self.line_of(offset);
        let start = self.line_starts[line0];
        let prefix = &text[start..offset];
        // Most lines are ASCII, where both counts are the length.
        let (column, column_utf16) = if prefix.is_ascii() {
            (prefix.len() + 1, prefix.len() + 1)
        } else {
            (
                prefix.chars().count() + 1,
                prefix.encode_utf16().count() + 1,
            )
        };
        Position {
            line: line0 + 1,
            column,
            column_utf16,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçé😀x\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.position(text, 0),
            Position {
                line: 1,
                column: 1,
                column_utf16: 1
            }
        );
        assert_eq!(
            idx.position(text, 3),
            Position {
                line: 2,
                column: 1,
                column_utf16: 1
            }
        );
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.position(text, x),
            Position {
                line: 2,
                column: 4,
                column_utf16: 5
            }
        );
        assert_eq!(idx.position(text, text.len()).line, 3);
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 1).column, 1);
    }

    proptest::proptest! {
        /// Lines and columns against a byte-by-byte count.
        #[test]
        fn positions_match_a_plain_count(text in "[a\n\r\té😀\u{7f}]{0,60}", at in 0usize..80) {
            let idx = LineIndex::new(&text);
            let mut offset = at.min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            let before = &text[..offset];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let prefix = &text[line_start..offset];
            let expected = Position {
                line: before.matches('\n').count() + 1,
                column: prefix.chars().count() + 1,
                column_utf16: prefix.chars().map(char::len_utf16).sum::<usize>() + 1,
            };
            proptest::prop_assert_eq!(idx.position(&text, at), expected);
            proptest::prop_assert_eq!(idx.line_count(), text.matches('\n').count() + 1);
        }
    }
}
