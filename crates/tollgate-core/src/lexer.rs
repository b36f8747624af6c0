//! A PostgreSQL-aware lexer.
//!
//! The lexer is total: for *any* input it returns tokens that tile the text exactly (contiguous,
//! no gaps, no overlap, covering `[0, len)`), and it never panics. Malformed input degrades to
//! [`TokenKind::Unknown`] tokens or to tokens flagged `unterminated` that run to the end of the
//! input.
//!
//! It works on bytes in a single pass. Every delimiter it looks for is ASCII, and UTF-8
//! continuation bytes never look like ASCII, so token boundaries always fall on character
//! boundaries.
//!
//! Besides SQL proper it understands the two psql constructs that appear in dump files and
//! migration scripts:
//!
//! * backslash meta-commands (`\connect db`, `\restrict KEY`, `\set ON_ERROR_STOP on`): a
//!   backslash that is the first non-blank character of a line starts a [`TokenKind::MetaCommand`]
//!   running to the end of that line;
//! * inline `COPY … FROM stdin;` data (as written by `pg_dump`): the lines after such a statement,
//!   up to and including the `\.` terminator line, form one [`TokenKind::MetaCommand`] token. This
//!   only happens when a terminator line actually exists further on, so a stray `COPY … FROM
//!   STDIN` in a migration run by another tool never swallows the statements after it.

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Whitespace,
    LineComment,
    BlockComment,
    /// Keyword or unquoted identifier.
    Word,
    /// `"…"` with `""` escapes (also `U&"…"`).
    QuotedIdent,
    /// `'…'`, `E'…'`, `B'…'`, `X'…'`, `N'…'`, `U&'…'`.
    String,
    /// `$$…$$` or `$tag$…$tag$`.
    DollarString,
    Number,
    /// `$1`.
    Param,
    /// A run of operator characters, or `::`.
    Operator,
    /// A single `(`, `)`, `[`, `]`, `,`, `;`, `.` or `:`.
    Punct,
    /// A psql meta-command line (`\connect db`), or a block of inline `COPY … FROM stdin` data up
    /// to and including its `\.` terminator line.
    MetaCommand,
    /// Any other character.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    /// A string, quoted identifier, dollar string or block comment that runs to the end of the
    /// input without its closing delimiter.
    pub unterminated: bool,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }

    /// Whitespace or a comment.
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_cont(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

fn is_op_char(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// Tracks just enough statement context to recognise `COPY … FROM stdin;` data blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyState {
    /// Not inside a COPY statement.
    None,
    /// Inside a statement whose first word is COPY.
    Copy,
    /// Inside a COPY statement after `FROM`.
    CopyFrom,
    /// Inside a COPY statement that reads `FROM stdin`.
    CopyFromStdin,
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    /// Only blanks since the last newline (or the start of input).
    at_line_start: bool,
    /// The next significant word starts a statement.
    at_stmt_start: bool,
    copy: CopyState,
    /// A `COPY … FROM stdin;` ended: its data starts on the next line.
    pending_copy_data: bool,
    /// We already searched to the end of input for a `\.` terminator and found none.
    no_copy_terminator: bool,
    /// Parenthesis depth inside the current statement (COPY's `FROM stdin` is at depth 0).
    paren_depth: usize,
}

/// Splits `src` into tokens that tile it exactly.
pub fn tokenize(src: &str) -> Vec<Token> {
    let mut lx = Lexer::new(src, src.len() / 8 + 16);
    while lx.step() {}
    lx.tokens
}

/// Tokenizes `src` one step at a time: after each step, `on_tokens` sees every token so far
/// and says whether to go on. Returns `false` when `on_tokens` stopped it before the end. The
/// tokens it sees are the first tokens of [`tokenize`]`(src)`: a token is pushed only once its
/// end is known, and never changed after.
pub fn tokenize_while(src: &str, mut on_tokens: impl FnMut(&[Token]) -> bool) -> bool {
    let mut lx = Lexer::new(src, 64);
    while lx.step() {
        if !on_tokens(&lx.tokens) {
            return false;
        }
    }
    true
}

impl<'a> Lexer<'a> {
    fn peek(&self, off: usize) -> Option<u8> {
        self.bytes.get(self.pos + off).copied()
    }

    fn push(&mut self, kind: TokenKind, end: usize, unterminated: bool) {
        debug_assert!(end > self.pos && self.src.is_char_boundary(end));
        self.tokens.push(Token {
            kind,
            start: self.pos,
            end,
            unterminated,
        });
        self.pos = end;
    }

    fn new(src: &'a str, capacity: usize) -> Self {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            tokens: Vec::with_capacity(capacity),
            at_line_start: true,
            at_stmt_start: true,
            copy: CopyState::None,
            pending_copy_data: false,
            no_copy_terminator: false,
            paren_depth: 0,
        }
    }

    /// Lexes the next token (or COPY data block); `false` at the end of input.
    fn step(&mut self) -> bool {
        if self.pos >= self.bytes.len() {
            return false;
        }
        if self.pending_copy_data && (self.pos == 0 || self.bytes[self.pos - 1] == b'\n') {
            self.pending_copy_data = false;
            if self.copy_data() {
                return true;
            }
        }
        let b = self.bytes[self.pos];
        if is_space(b) {
            self.whitespace();
            return true;
        }
        let was_line_start = self.at_line_start;
        self.at_line_start = false;
        let next = self.peek(1);
        match b {
            b'-' if next == Some(b'-') => self.line_comment(),
            b'/' if next == Some(b'*') => self.block_comment(),
            b'\'' => self.quoted(self.pos + 1, b'\'', false, TokenKind::String),
            b'"' => self.quoted(self.pos + 1, b'"', false, TokenKind::QuotedIdent),
            b'$' => self.dollar(),
            b'0'..=b'9' => self.number(),
            b'.' if next.is_some_and(|c| c.is_ascii_digit()) => self.number(),
            b'\\' if was_line_start => self.meta_command(),
            b':' if next == Some(b':') => self.push(TokenKind::Operator, self.pos + 2, false),
            b'(' => {
                self.paren_depth += 1;
                self.push(TokenKind::Punct, self.pos + 1, false)
            }
            b')' => {
                self.paren_depth = self.paren_depth.saturating_sub(1);
                self.push(TokenKind::Punct, self.pos + 1, false)
            }
            b'[' | b']' | b',' | b'.' | b':' => self.push(TokenKind::Punct, self.pos + 1, false),
            b';' => {
                if self.copy == CopyState::CopyFromStdin && !self.no_copy_terminator {
                    self.pending_copy_data = true;
                }
                self.copy = CopyState::None;
                self.paren_depth = 0;
                self.at_stmt_start = true;
                self.push(TokenKind::Punct, self.pos + 1, false)
            }
            _ if is_op_char(b) => self.operator(),
            _ if is_ident_start(b) => self.word_or_prefixed(),
            _ => {
                // ASCII (non-ASCII bytes are identifier starts), so one byte is one char.
                self.push(TokenKind::Unknown, self.pos + 1, false)
            }
        }
        true
    }

    fn whitespace(&mut self) {
        let mut i = self.pos;
        let mut newline = false;
        while i < self.bytes.len() && is_space(self.bytes[i]) {
            i += 1;
            if self.bytes[i - 1] == b'\n' {
                newline = true;
                if self.pending_copy_data {
                    break;
                }
            }
        }
        if newline {
            self.at_line_start = true;
        }
        self.push(TokenKind::Whitespace, i, false);
    }

    /// End of the current line, excluding the `\n` and a `\r` right before it.
    fn line_end(&self, from: usize) -> usize {
        let mut i = from;
        while i < self.bytes.len() && self.bytes[i] != b'\n' {
            i += 1;
        }
        if i > from && i < self.bytes.len() && self.bytes[i - 1] == b'\r' {
            i -= 1;
        }
        i
    }

    fn line_comment(&mut self) {
        let end = self.line_end(self.pos + 2).max(self.pos + 2);
        self.push(TokenKind::LineComment, end, false);
    }

    fn block_comment(&mut self) {
        let bytes = self.bytes;
        let mut i = self.pos + 2;
        let mut depth = 1usize;
        while i < bytes.len() {
            match bytes[i] {
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    depth += 1;
                    i += 2;
                }
                b'*' if bytes.get(i + 1) == Some(&b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        self.push(TokenKind::BlockComment, i, false);
                        return;
                    }
                }
                _ => i += 1,
            }
        }
        self.push(TokenKind::BlockComment, bytes.len(), true);
    }

    /// A quoted token whose body starts at `body`; the closing `quote` is escaped by doubling it,
    /// and additionally by a backslash when `backslash` is set (`E'…'`).
    fn quoted(&mut self, body: usize, quote: u8, backslash: bool, kind: TokenKind) {
        let bytes = self.bytes;
        let mut i = body;
        while i < bytes.len() {
            let c = bytes[i];
            if c == quote {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                    continue;
                }
                self.push(kind, i + 1, false);
                return;
            }
            if backslash && c == b'\\' {
                // Skipping one byte is safe: the escaped byte is either ASCII or the lead byte
                // of a character whose continuation bytes can never match a delimiter.
                i += 2;
                continue;
            }
            i += 1;
        }
        self.push(kind, bytes.len(), true);
    }

    fn dollar(&mut self) {
        let bytes = self.bytes;
        let start = self.pos;
        match bytes.get(start + 1) {
            Some(c) if c.is_ascii_digit() => {
                let mut i = start + 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                self.push(TokenKind::Param, i, false);
            }
            Some(b'$') => self.dollar_string(start + 2),
            Some(&c) if is_ident_start(c) => {
                let mut i = start + 1;
                while i < bytes.len() && is_ident_cont(bytes[i]) && bytes[i] != b'$' {
                    i += 1;
                }
                if bytes.get(i) == Some(&b'$') {
                    self.dollar_string(i + 1);
                } else {
                    self.push(TokenKind::Unknown, start + 1, false);
                }
            }
            _ => self.push(TokenKind::Unknown, start + 1, false),
        }
    }

    /// A dollar-quoted string whose opening delimiter is `[pos, body)`.
    fn dollar_string(&mut self, body: usize) {
        let delim = &self.bytes[self.pos..body];
        let bytes = self.bytes;
        let mut i = body;
        while i < bytes.len() {
            if bytes[i] == b'$' && bytes[i..].starts_with(delim) {
                self.push(TokenKind::DollarString, i + delim.len(), false);
                return;
            }
            i += 1;
        }
        self.push(TokenKind::DollarString, bytes.len(), true);
    }

    fn number(&mut self) {
        let bytes = self.bytes;
        let mut i = self.pos;
        let digits = |mut i: usize| {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
                i += 1;
            }
            i
        };
        if bytes[i] == b'0'
            && matches!(
                bytes.get(i + 1),
                Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
            )
            && bytes.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
        {
            i += 2;
            while i < bytes.len() && (bytes[i].is_ascii_hexdigit() || bytes[i] == b'_') {
                i += 1;
            }
            self.push(TokenKind::Number, i, false);
            return;
        }
        i = digits(i);
        // `1..5` (array slices) keeps the `..` out of the number.
        if bytes.get(i) == Some(&b'.') && bytes.get(i + 1) != Some(&b'.') {
            i = digits(i + 1);
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(bytes.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if bytes.get(j).is_some_and(|c| c.is_ascii_digit()) {
                i = digits(j);
            }
        }
        self.push(TokenKind::Number, i, false);
    }

    fn operator(&mut self) {
        let bytes = self.bytes;
        let mut i = self.pos + 1;
        while i < bytes.len() && is_op_char(bytes[i]) {
            let next = bytes.get(i + 1).copied();
            // A comment start ends the operator, as in PostgreSQL.
            if (bytes[i] == b'-' && next == Some(b'-')) || (bytes[i] == b'/' && next == Some(b'*'))
            {
                break;
            }
            i += 1;
        }
        self.push(TokenKind::Operator, i, false);
    }

    fn word_or_prefixed(&mut self) {
        let bytes = self.bytes;
        let start = self.pos;
        let b = bytes[start];
        let next = bytes.get(start + 1).copied();
        match (b, next) {
            (b'e' | b'E', Some(b'\'')) => {
                return self.quoted(start + 2, b'\'', true, TokenKind::String);
            }
            (b'b' | b'B' | b'x' | b'X' | b'n' | b'N', Some(b'\'')) => {
                return self.quoted(start + 2, b'\'', false, TokenKind::String);
            }
            (b'u' | b'U', Some(b'&')) => match bytes.get(start + 2) {
                Some(b'\'') => return self.quoted(start + 3, b'\'', false, TokenKind::String),
                Some(b'"') => return self.quoted(start + 3, b'"', false, TokenKind::QuotedIdent),
                _ => {}
            },
            _ => {}
        }
        let mut i = start + 1;
        while i < bytes.len() && is_ident_cont(bytes[i]) {
            i += 1;
        }
        let word = &self.src[start..i];
        self.track_copy(word);
        self.push(TokenKind::Word, i, false);
    }

    fn track_copy(&mut self, word: &str) {
        if self.at_stmt_start {
            self.at_stmt_start = false;
            self.copy = if word.eq_ignore_ascii_case("copy") {
                CopyState::Copy
            } else {
                CopyState::None
            };
            return;
        }
        if self.paren_depth > 0 {
            return;
        }
        self.copy = match self.copy {
            CopyState::Copy if word.eq_ignore_ascii_case("from") => CopyState::CopyFrom,
            CopyState::CopyFrom if word.eq_ignore_ascii_case("stdin") => CopyState::CopyFromStdin,
            CopyState::CopyFrom => CopyState::Copy,
            other => other,
        };
    }

    fn meta_command(&mut self) {
        let end = self.line_end(self.pos).max(self.pos + 1);
        let text = &self.src[self.pos..end];
        // `\copy t FROM stdin` reads its data from the script, like `COPY … FROM stdin;`.
        if text.len() > 5 && text.as_bytes()[1..5].eq_ignore_ascii_case(b"copy") {
            let lower = text.to_ascii_lowercase();
            if lower
                .split_ascii_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| w[0] == "from" && (w[1] == "stdin" || w[1] == "pstdin"))
                && !self.no_copy_terminator
            {
                self.pending_copy_data = true;
            }
        }
        self.push(TokenKind::MetaCommand, end, false);
    }

    /// At the start of a line following `COPY … FROM stdin;`: emits the data block up to and
    /// including its `\.` terminator line. Returns false when there is no terminator.
    fn copy_data(&mut self) -> bool {
        if self.no_copy_terminator {
            return false;
        }
        let bytes = self.bytes;
        let mut line = self.pos;
        while line < bytes.len() {
            let end = self.line_end(line);
            if &bytes[line..end] == b"\\." {
                self.push(TokenKind::MetaCommand, end, false);
                self.at_line_start = false;
                return true;
            }
            line = end;
            while line < bytes.len() && bytes[line] != b'\n' {
                line += 1;
            }
            line += 1;
        }
        self.no_copy_terminator = true;
        false
    }
}

/// Case-insensitive keyword check on a [`TokenKind::Word`] token.
pub fn is_keyword(tok: &Token, src: &str, kw: &str) -> bool {
    tok.kind == TokenKind::Word && tok.text(src).eq_ignore_ascii_case(kw)
}

/// PostgreSQL identifier folding: a word is lower-cased (ASCII only, like the server does for
/// multi-byte encodings); a quoted identifier yields its inner text with `""` unescaped. `None`
/// for any other token.
pub fn ident_value(tok: &Token, src: &str) -> Option<String> {
    let text = tok.text(src);
    match tok.kind {
        TokenKind::Word => Some(text.to_ascii_lowercase()),
        TokenKind::QuotedIdent => {
            let inner = text
                .strip_prefix("U&")
                .or_else(|| text.strip_prefix("u&"))
                .unwrap_or(text);
            let inner = inner.strip_prefix('"').unwrap_or(inner);
            let inner = if tok.unterminated {
                inner
            } else {
                inner.strip_suffix('"').unwrap_or(inner)
            };
            Some(inner.replace("\"\"", "\""))
        }
        _ => None,
    }
}

/// The decoded value of a [`TokenKind::String`] (`''` and, for `E'…'`, backslash escapes) or the
/// body of a [`TokenKind::DollarString`]. `None` for other tokens.
pub fn string_value(tok: &Token, src: &str) -> Option<String> {
    match tok.kind {
        TokenKind::DollarString => dollar_body(tok, src).map(|s| s.slice(src).to_string()),
        TokenKind::String => {
            let text = tok.text(src);
            let first = text.as_bytes().first().copied()?;
            let (escape, rest) = match first {
                b'\'' => (false, text),
                b'e' | b'E' => (true, &text[1..]),
                b'u' | b'U' => (false, text.get(2..).unwrap_or("")),
                _ => (false, &text[1..]),
            };
            let body = rest.strip_prefix('\'').unwrap_or(rest);
            let body = if tok.unterminated {
                body
            } else {
                body.strip_suffix('\'').unwrap_or(body)
            };
            Some(if escape {
                decode_escape(body)
            } else {
                body.replace("''", "'")
            })
        }
        _ => None,
    }
}

fn decode_escape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                }
                out.push('\'');
            }
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    '0'..='7' => {
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match chars.peek().and_then(|d| d.to_digit(8)) {
                                Some(d) => {
                                    v = v * 8 + d;
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                    }
                    'x' | 'u' | 'U' => {
                        let max = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v = 0u32;
                        let mut n = 0;
                        while n < max {
                            match chars.peek().and_then(|d| d.to_digit(16)) {
                                Some(d) => {
                                    v = v * 16 + d;
                                    chars.next();
                                    n += 1;
                                }
                                None => break,
                            }
                        }
                        if n == 0 {
                            out.push(e);
                        } else {
                            out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                        }
                    }
                    other => out.push(other),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The absolute byte range of the body of a [`TokenKind::DollarString`], between its delimiters.
pub fn dollar_body(tok: &Token, src: &str) -> Option<Span> {
    if tok.kind != TokenKind::DollarString {
        return None;
    }
    let bytes = tok.text(src).as_bytes();
    let tag_end = bytes.iter().skip(1).position(|&b| b == b'$')? + 2;
    let body_start = tok.start + tag_end;
    let body_end = if tok.unterminated {
        tok.end
    } else {
        tok.end.checked_sub(tag_end)?
    };
    Some(Span::new(body_start, body_end.max(body_start)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src)
            .iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    fn significant(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src)
            .iter()
            .filter(|t| !t.is_trivia())
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    fn assert_tiles(src: &str, toks: &[Token]) {
        let mut pos = 0;
        for t in toks {
            assert_eq!(t.start, pos, "gap/overlap at {pos} in {src:?}");
            assert!(t.end > t.start, "empty token in {src:?}");
            assert!(src.is_char_boundary(t.end));
            pos = t.end;
        }
        assert_eq!(pos, src.len());
    }

    use TokenKind::*;

    #[test]
    fn empty_input_has_no_tokens() {
        assert!(tokenize("").is_empty());
    }

    #[test]
    fn basic_statement() {
        assert_eq!(
            significant("SELECT a.b, 1.5e3 FROM t WHERE x >= $1;"),
            vec![
                (Word, "SELECT"),
                (Word, "a"),
                (Punct, "."),
                (Word, "b"),
                (Punct, ","),
                (Number, "1.5e3"),
                (Word, "FROM"),
                (Word, "t"),
                (Word, "WHERE"),
                (Word, "x"),
                (Operator, ">="),
                (Param, "$1"),
                (Punct, ";"),
            ]
        );
    }

    #[test]
    fn single_quotes_with_doubled_quote() {
        assert_eq!(
            significant("'it''s';"),
            vec![(String, "'it''s'"), (Punct, ";")]
        );
        let t = tokenize("'it''s'")[0];
        assert_eq!(string_value(&t, "'it''s'").as_deref(), Some("it's"));
    }

    #[test]
    fn escape_string_honours_backslash() {
        let src = r"E'it\'s' x";
        assert_eq!(significant(src), vec![(String, r"E'it\'s'"), (Word, "x")]);
        assert_eq!(
            string_value(&tokenize(src)[0], src).as_deref(),
            Some("it's")
        );
        let src = r"e'a\nb\t\\c\101\x41\u00e9'";
        assert_eq!(
            string_value(&tokenize(src)[0], src).as_deref(),
            Some("a\nb\t\\cAAé")
        );
    }

    #[test]
    fn standard_string_backslash_is_literal() {
        let src = r"'C:\' x";
        assert_eq!(significant(src), vec![(String, r"'C:\'"), (Word, "x")]);
        assert_eq!(
            string_value(&tokenize(src)[0], src).as_deref(),
            Some(r"C:\")
        );
    }

    #[test]
    fn prefixed_strings() {
        assert_eq!(
            significant("B'101' X'ff' N'n' U&'d\\0061' b"),
            vec![
                (String, "B'101'"),
                (String, "X'ff'"),
                (String, "N'n'"),
                (String, "U&'d\\0061'"),
                (Word, "b")
            ]
        );
        let src = "N'a''b'";
        assert_eq!(string_value(&tokenize(src)[0], src).as_deref(), Some("a'b"));
        // A word that merely starts with one of the prefix letters.
        assert_eq!(significant("ex nx"), vec![(Word, "ex"), (Word, "nx")]);
    }

    #[test]
    fn quoted_identifiers() {
        let src = r#""quoted ""ident""" U&"x""#;
        let toks: Vec<_> = tokenize(src)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[0].kind, QuotedIdent);
        assert_eq!(
            ident_value(&toks[0], src).as_deref(),
            Some(r#"quoted "ident""#)
        );
        assert_eq!(toks[1].kind, QuotedIdent);
        assert_eq!(ident_value(&toks[1], src).as_deref(), Some("x"));
        let src = "Users";
        assert_eq!(
            ident_value(&tokenize(src)[0], src).as_deref(),
            Some("users")
        );
    }

    #[test]
    fn dollar_strings() {
        let src = "$$ a ; ' $$ $fn$ body $x$ inner $x$ ; $fn$ x";
        let toks = significant(src);
        assert_eq!(
            toks,
            vec![
                (DollarString, "$$ a ; ' $$"),
                (DollarString, "$fn$ body $x$ inner $x$ ; $fn$"),
                (Word, "x")
            ]
        );
        let t: Vec<_> = tokenize(src)
            .into_iter()
            .filter(|t| t.kind == DollarString)
            .collect();
        assert_eq!(dollar_body(&t[0], src).unwrap().slice(src), " a ; ' ");
        assert_eq!(
            string_value(&t[1], src).as_deref(),
            Some(" body $x$ inner $x$ ; ")
        );
        // Tags are case-sensitive and cannot start with a digit.
        assert_eq!(
            significant("$A$ $a$ $A$"),
            vec![(DollarString, "$A$ $a$ $A$")]
        );
        assert_eq!(significant("$1 $12"), vec![(Param, "$1"), (Param, "$12")]);
        // `$` inside an identifier is part of the identifier.
        assert_eq!(significant("a$b$ c"), vec![(Word, "a$b$"), (Word, "c")]);
        let src = "$$$$";
        let t = tokenize(src)[0];
        assert_eq!((t.kind, t.unterminated), (DollarString, false));
        assert_eq!(dollar_body(&t, src), Some(Span::new(2, 2)));
    }

    #[test]
    fn nested_block_comments() {
        assert_eq!(
            kinds("/* a /* b */ c */x"),
            vec![(BlockComment, "/* a /* b */ c */"), (Word, "x")]
        );
    }

    #[test]
    fn line_comments_with_semicolons_and_quotes() {
        assert_eq!(
            kinds("-- it's; \"x\nSELECT"),
            vec![
                (LineComment, "-- it's; \"x"),
                (Whitespace, "\n"),
                (Word, "SELECT")
            ]
        );
    }

    #[test]
    fn operators_stop_at_comments() {
        assert_eq!(
            significant("a+-- c\nb"),
            vec![(Word, "a"), (Operator, "+"), (Word, "b")]
        );
        assert_eq!(
            significant("x::int"),
            vec![(Word, "x"), (Operator, "::"), (Word, "int")]
        );
        assert_eq!(
            significant("a[1:2]"),
            vec![
                (Word, "a"),
                (Punct, "["),
                (Number, "1"),
                (Punct, ":"),
                (Number, "2"),
                (Punct, "]")
            ]
        );
    }

    #[test]
    fn meta_commands() {
        let src = "\\connect foo\n  \\restrict abc\r\n\\set ON_ERROR_STOP on\nSELECT 1 \\x\n";
        let toks = significant(src);
        assert_eq!(
            toks,
            vec![
                (MetaCommand, "\\connect foo"),
                (MetaCommand, "\\restrict abc"),
                (MetaCommand, "\\set ON_ERROR_STOP on"),
                (Word, "SELECT"),
                (Number, "1"),
                (Unknown, "\\"),
                (Word, "x"),
            ]
        );
    }

    #[test]
    fn copy_from_stdin_data_is_one_token() {
        let src = "COPY t (a, b) FROM stdin;\n1\tit's\n2\t\\N\n\\.\nSELECT 1;\n";
        let toks = significant(src);
        assert_eq!(toks[toks.len() - 4], (MetaCommand, "1\tit's\n2\t\\N\n\\."));
        assert_eq!(toks[toks.len() - 3], (Word, "SELECT"));
        // Without a terminator, nothing is swallowed.
        let src = "COPY t FROM STDIN;\nSELECT 'x';\n";
        assert_eq!(significant(src)[5], (Word, "SELECT"));
        // A subquery reading from a table called stdin is not COPY FROM stdin.
        let src = "COPY (SELECT * FROM stdin) TO stdout;\nSELECT 1;\n\\.\n";
        assert_eq!(significant(src)[10], (Word, "SELECT"));
        // COPY … TO is not followed by data.
        let src = "COPY t TO stdout;\nSELECT 1;\n\\.\n";
        assert_eq!(significant(src)[5], (Word, "SELECT"));
    }

    #[test]
    fn unterminated_tokens_run_to_end() {
        for (src, kind) in [
            ("SELECT 'abc", String),
            ("SELECT E'abc\\'", String),
            ("SELECT \"abc", QuotedIdent),
            ("SELECT $$abc", DollarString),
            ("SELECT $a$abc$b$", DollarString),
            ("SELECT /* /* */", BlockComment),
        ] {
            let toks = tokenize(src);
            let last = toks.last().unwrap();
            assert_eq!(
                (last.kind, last.unterminated, last.end),
                (kind, true, src.len()),
                "{src}"
            );
        }
        let src = "$a$";
        let t = tokenize(src)[0];
        assert_eq!(dollar_body(&t, src), Some(Span::new(3, 3)));
        assert_eq!(
            ident_value(&tokenize("\"ab")[0], "\"ab").as_deref(),
            Some("ab")
        );
    }

    #[test]
    fn crlf_and_unicode() {
        let src = "SELECT café, \"naïve\"\r\n-- 注释\r\nFROM 表;";
        let toks = tokenize(src);
        assert_tiles(src, &toks);
        assert_eq!(
            significant(src),
            vec![
                (Word, "SELECT"),
                (Word, "café"),
                (Punct, ","),
                (QuotedIdent, "\"naïve\""),
                (Word, "FROM"),
                (Word, "表"),
                (Punct, ";")
            ]
        );
        assert!(kinds(src).contains(&(LineComment, "-- 注释")));
        assert_eq!(
            ident_value(&tokenize("CAFÉ")[0], "CAFÉ").as_deref(),
            Some("cafÉ")
        );
    }

    #[test]
    fn keywords_and_unknown_chars() {
        let src = "select {}";
        let toks = tokenize(src);
        assert!(is_keyword(&toks[0], src, "SELECT"));
        assert!(!is_keyword(&toks[0], src, "SELEC"));
        assert_eq!(
            significant(src),
            vec![(Word, "select"), (Unknown, "{"), (Unknown, "}")]
        );
        assert_eq!(
            significant("$ $x"),
            vec![(Unknown, "$"), (Unknown, "$"), (Word, "x")]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            significant("1 .5 1_000 0xFF 1e-3 2.x 1..2"),
            vec![
                (Number, "1"),
                (Number, ".5"),
                (Number, "1_000"),
                (Number, "0xFF"),
                (Number, "1e-3"),
                (Number, "2."),
                (Word, "x"),
                (Number, "1"),
                (Punct, "."),
                (Number, ".2"),
            ]
        );
    }

    pub(crate) fn sqlish() -> impl Strategy<Value = std::string::String> {
        let frag = prop_oneof![
            Just("'"),
            Just("''"),
            Just("$$"),
            Just("$a$"),
            Just("$1"),
            Just("$"),
            Just("/*"),
            Just("*/"),
            Just("--"),
            Just(";"),
            Just("\n"),
            Just("\r\n"),
            Just(" "),
            Just("E'\\\\'"),
            Just("E'"),
            Just("\\"),
            Just("\""),
            Just("\\connect x\n"),
            Just("\\."),
            Just("COPY t FROM stdin;\n"),
            Just("("),
            Just(")"),
            Just("BEGIN"),
            Just("ATOMIC"),
            Just("END"),
            Just("CREATE FUNCTION f() "),
            Just("SELECT"),
            Just("x"),
            Just("U&"),
            Just("1.5e"),
            Just("::"),
            Just("é"),
            Just("注"),
            Just("😀"),
        ];
        proptest::collection::vec(frag, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn tokens_tile_arbitrary_strings(src in any::<std::string::String>()) {
            let toks = tokenize(&src);
            assert_tiles(&src, &toks);
        }

        #[test]
        fn tokens_tile_sqlish_strings(src in sqlish()) {
            let toks = tokenize(&src);
            assert_tiles(&src, &toks);
            for t in &toks {
                let _ = ident_value(t, &src);
                let _ = string_value(t, &src);
                let _ = dollar_body(t, &src);
            }
        }
    }
}
