//! SQL dump scripts (pg_dump/pg_dumpall plain format, mysqldump, seed files): a line-fed
//! lexer whose state survives line ends (strings, dollar quotes, comments), and a statement
//! parser that only understands what carries rows: `COPY ... FROM stdin`, `INSERT ... VALUES`,
//! `CREATE TABLE` (for the column order of INSERTs without a column list) and
//! `SET standard_conforming_strings`. Every other statement is skipped up to its `;`.

use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;

use crate::copy::{emit_row, is_end_marker, lossy, CopyTarget, RowScratch};
use crate::lines::{LineReader, LinesError};
use crate::meter::Shared;
use crate::{Format, ScanError, Sink, MAX_LINE_BYTES};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Pg,
    MySql,
}

/// What the first lines said the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Header {
    PgDump,
    PgDumpAll,
    MySql,
    /// A SQL script with no dump header: seeds, fixtures, migrations.
    None,
}

/// Reads a SQL script (or, with `forced`, headerless COPY data first) and streams its rows.
/// Returns the format, the rows read, and whether rows were skipped unread (CSV or binary
/// COPY blocks).
pub(crate) fn scan_sql<R: Read>(
    reader: R,
    dialect: Dialect,
    header: Header,
    forced: Option<CopyTarget>,
    shared: &Rc<Shared>,
    label: &str,
    sink: &mut dyn Sink,
) -> Result<(Format, u64, bool), ScanError> {
    let mut lines = LineReader::new(reader);
    let mut lexer = Lexer::default();
    let mut parser = Parser::new(dialect);
    let headerless_copy = forced.is_some();
    let mut copy = forced;
    if let Some(t) = &copy {
        parser.emit_columns(t.table.as_deref(), &t.columns, sink);
    }
    let mut copy_rows = 0u64;
    let mut skipped_rows = false;
    let mut scratch = RowScratch::default();
    let read = lines.for_each_line(|line, text, ln| {
        if let Some(t) = &copy {
            if is_end_marker(line) {
                copy = None;
                return Ok(());
            }
            if t.text {
                emit_row(line, text, ln, t, &mut scratch, sink);
            } else {
                skipped_rows = true;
            }
            copy_rows += 1;
            return Ok(());
        }
        lexer.feed(line, ln, &mut parser, sink);
        if lexer.too_long {
            return Err(line_too_long(label));
        }
        if let Some(t) = parser.copy_pending.take() {
            parser.emit_columns(t.table.as_deref(), &t.columns, sink);
            copy = Some(t);
        }
        Ok(())
    });
    match read {
        Ok(()) => {}
        Err(LinesError::Io(e)) => return Err(shared.map_io(e, label)),
        Err(LinesError::TooLong) => return Err(line_too_long(label)),
        Err(LinesError::Stop(e)) => return Err(e),
    }
    let rows = copy_rows + parser.rows;
    let has_data = parser.data_statements > 0;
    let format = if headerless_copy {
        Format::PgPlain
    } else {
        match header {
            Header::PgDumpAll => Format::PgDumpAll,
            Header::PgDump if has_data => Format::PgPlain,
            Header::PgDump => Format::PgPlainSchemaOnly,
            Header::MySql => Format::MySql,
            Header::None if has_data => Format::SqlInserts,
            Header::None => Format::NotADump,
        }
    };
    Ok((format, rows, skipped_rows))
}

pub(crate) fn line_too_long(label: &str) -> ScanError {
    ScanError::LimitExceeded {
        what: format!("{label}: a line or value longer than {MAX_LINE_BYTES} bytes"),
    }
}

/// Parses one `COPY ... FROM stdin;` statement (as stored in a pg_dump TOC).
pub(crate) fn parse_copy_statement(stmt: &[u8]) -> Option<CopyTarget> {
    let mut lexer = Lexer::default();
    let mut parser = Parser::new(Dialect::Pg);
    let mut sink = NullSink;
    for (i, line) in stmt.split(|&b| b == b'\n').enumerate() {
        lexer.feed(line, i as u64 + 1, &mut parser, &mut sink);
    }
    parser.copy_pending.take()
}

struct NullSink;
impl Sink for NullSink {
    fn columns(&mut self, _: Option<&str>, _: &[String]) {}
    fn cell(&mut self, _: Option<&str>, _: Option<&str>, _: &str, _: u64) {}
}

// ---------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Copy, Debug)]
enum Tok<'a> {
    /// An unquoted word: keyword or identifier.
    Word(&'a [u8]),
    /// A quoted identifier, unquoted.
    Ident(&'a [u8]),
    /// A string literal, decoded.
    Str(&'a [u8]),
    Num(&'a [u8]),
    Punct(u8),
    /// `::`
    Cast,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Esc {
    /// Standard SQL: only `''`.
    None,
    /// PostgreSQL `E'...'` (or `standard_conforming_strings = off`).
    Pg,
    /// MySQL backslash escapes.
    MySql,
}

#[derive(Clone, Copy, Debug, Default)]
enum LexState {
    #[default]
    Normal,
    Str {
        esc: Esc,
        pending_backslash: bool,
    },
    Quoted {
        close: u8,
        is_str: bool,
    },
    Dollar,
    Comment {
        depth: u32,
    },
}

#[derive(Default)]
struct Lexer {
    state: LexState,
    buf: Vec<u8>,
    tag: Vec<u8>,
    tok_line: u64,
    collect: bool,
    too_long: bool,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Length of a dollar-quote opener (`$$`, `$tag$`) at the start of `s`.
fn dollar_tag(s: &[u8]) -> Option<usize> {
    match s.get(1) {
        Some(b'$') => Some(2),
        Some(&c) if is_ident_start(c) => {
            let mut j = 2;
            while j < s.len() && is_ident_cont(s[j]) {
                j += 1;
            }
            (s.get(j) == Some(&b'$')).then_some(j + 1)
        }
        _ => None,
    }
}

fn scan_number(line: &[u8], mut j: usize) -> usize {
    let start = j;
    while j < line.len() {
        let c = line[j];
        let exp_sign = (c == b'+' || c == b'-')
            && j > start
            && matches!(line[j - 1], b'e' | b'E')
            && !line[start..j].iter().any(|b| matches!(b, b'x' | b'X'));
        if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || exp_sign {
            j += 1;
        } else {
            break;
        }
    }
    j
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut b = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

fn hex_run(s: &[u8], max: usize) -> (u32, usize) {
    let mut v = 0u32;
    let mut n = 0;
    while n < max {
        match s.get(n).and_then(|c| (*c as char).to_digit(16)) {
            Some(d) => {
                v = v * 16 + d;
                n += 1;
            }
            None => break,
        }
    }
    (v, n)
}

impl Lexer {
    fn begin_literal(&mut self, line_no: u64, p: &Parser) {
        self.buf.clear();
        self.tok_line = line_no;
        self.collect = p.wants_literals();
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.collect {
            if self.buf.len() + bytes.len() > MAX_LINE_BYTES {
                self.too_long = true;
                self.collect = false;
                return;
            }
            self.buf.extend_from_slice(bytes);
        }
    }

    fn feed(&mut self, line: &[u8], ln: u64, p: &mut Parser, sink: &mut dyn Sink) {
        let n = line.len();
        let mut i = 0;
        match self.state {
            LexState::Comment { .. } => {}
            LexState::Normal => {
                if p.at_statement_start() {
                    let t = line.trim_ascii_start();
                    if t.first() == Some(&b'\\') {
                        p.meta_command(t);
                        return;
                    }
                }
            }
            LexState::Str {
                esc,
                pending_backslash,
            } => {
                // The newline is part of the literal (escaped or not).
                self.push(b"\n");
                if pending_backslash {
                    self.state = LexState::Str {
                        esc,
                        pending_backslash: false,
                    };
                }
            }
            LexState::Quoted { .. } | LexState::Dollar => self.push(b"\n"),
        }
        while i < n || !matches!(self.state, LexState::Normal) {
            match self.state {
                LexState::Normal => {
                    if i >= n {
                        break;
                    }
                    let c = line[i];
                    match c {
                        b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => i += 1,
                        b'-' if line.get(i + 1) == Some(&b'-') => return,
                        b'#' if p.dialect == Dialect::MySql => return,
                        b'/' if line.get(i + 1) == Some(&b'*') => {
                            self.state = LexState::Comment { depth: 1 };
                            i += 2;
                        }
                        b'\'' => {
                            self.begin_literal(ln, p);
                            self.state = LexState::Str {
                                esc: p.default_esc(),
                                pending_backslash: false,
                            };
                            i += 1;
                        }
                        b'"' | b'`' => {
                            self.begin_literal(ln, p);
                            self.collect = true;
                            self.state = LexState::Quoted {
                                close: c,
                                is_str: c == b'"' && p.dialect == Dialect::MySql,
                            };
                            i += 1;
                        }
                        b'$' if p.dialect == Dialect::Pg && dollar_tag(&line[i..]).is_some() => {
                            let len = dollar_tag(&line[i..]).unwrap_or(1);
                            self.tag.clear();
                            self.tag.extend_from_slice(&line[i..i + len]);
                            self.begin_literal(ln, p);
                            self.state = LexState::Dollar;
                            i += len;
                        }
                        b'0'..=b'9' => {
                            let j = scan_number(line, i);
                            p.token(Tok::Num(&line[i..j]), ln, sink);
                            i = j;
                        }
                        b'.' if line.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                            let j = scan_number(line, i + 1);
                            p.token(Tok::Num(&line[i..j]), ln, sink);
                            i = j;
                        }
                        c if is_ident_start(c) => {
                            let mut j = i + 1;
                            while j < n && is_ident_cont(line[j]) {
                                j += 1;
                            }
                            let w = &line[i..j];
                            let next = line.get(j).copied();
                            if w.len() == 1 && next == Some(b'\'') {
                                // E'', N'', B'', X'' literals.
                                let esc = if w[0] | 0x20 == b'e' {
                                    Esc::Pg
                                } else {
                                    p.default_esc()
                                };
                                self.begin_literal(ln, p);
                                self.state = LexState::Str {
                                    esc,
                                    pending_backslash: false,
                                };
                                i = j + 1;
                            } else if w.eq_ignore_ascii_case(b"u") && line[j..].starts_with(b"&'") {
                                self.begin_literal(ln, p);
                                self.state = LexState::Str {
                                    esc: p.default_esc(),
                                    pending_backslash: false,
                                };
                                i = j + 2;
                            } else {
                                p.token(Tok::Word(w), ln, sink);
                                i = j;
                            }
                        }
                        b':' if line.get(i + 1) == Some(&b':') => {
                            p.token(Tok::Cast, ln, sink);
                            i += 2;
                        }
                        c => {
                            p.token(Tok::Punct(c), ln, sink);
                            i += 1;
                        }
                    }
                }
                LexState::Comment { depth } => {
                    let nested = p.dialect == Dialect::Pg;
                    match memchr::memchr2(b'*', b'/', &line[i.min(n)..]) {
                        None => return,
                        Some(k) => {
                            let at = i + k;
                            if line[at] == b'*' && line.get(at + 1) == Some(&b'/') {
                                self.state = if depth <= 1 {
                                    LexState::Normal
                                } else {
                                    LexState::Comment { depth: depth - 1 }
                                };
                                i = at + 2;
                            } else if nested && line[at] == b'/' && line.get(at + 1) == Some(&b'*')
                            {
                                self.state = LexState::Comment { depth: depth + 1 };
                                i = at + 2;
                            } else {
                                i = at + 1;
                            }
                        }
                    }
                }
                LexState::Str { esc, .. } => match self.string(line, i, esc) {
                    Some(j) => {
                        self.state = LexState::Normal;
                        p.token(Tok::Str(&self.buf), self.tok_line, sink);
                        i = j;
                    }
                    None => return,
                },
                LexState::Quoted { close, is_str } => {
                    match memchr::memchr(close, &line[i.min(n)..]) {
                        None => {
                            self.push(&line[i.min(n)..]);
                            return;
                        }
                        Some(k) => {
                            self.push(&line[i..i + k]);
                            i += k + 1;
                            if line.get(i) == Some(&close) {
                                self.push(&[close]);
                                i += 1;
                            } else {
                                self.state = LexState::Normal;
                                let tok = if is_str {
                                    Tok::Str(&self.buf)
                                } else {
                                    Tok::Ident(&self.buf)
                                };
                                p.token(tok, self.tok_line, sink);
                            }
                        }
                    }
                }
                LexState::Dollar => {
                    let rest = &line[i.min(n)..];
                    match memchr::memmem::find(rest, &self.tag) {
                        None => {
                            self.push(rest);
                            return;
                        }
                        Some(k) => {
                            self.push(&rest[..k]);
                            i += k + self.tag.len();
                            self.state = LexState::Normal;
                            p.token(Tok::Str(&self.buf), self.tok_line, sink);
                        }
                    }
                }
            }
        }
    }

    /// Scans string content from `i`; returns the index after the closing quote, or `None`
    /// when the line ends inside the string.
    fn string(&mut self, line: &[u8], mut i: usize, esc: Esc) -> Option<usize> {
        let n = line.len();
        loop {
            let rest = &line[i.min(n)..];
            let hit = if esc == Esc::None {
                memchr::memchr(b'\'', rest)
            } else {
                memchr::memchr2(b'\'', b'\\', rest)
            };
            let Some(k) = hit else {
                self.push(rest);
                return None;
            };
            self.push(&rest[..k]);
            i += k;
            if line[i] == b'\'' {
                if line.get(i + 1) == Some(&b'\'') {
                    self.push(b"'");
                    i += 2;
                    continue;
                }
                return Some(i + 1);
            }
            // A backslash escape.
            i += 1;
            let Some(&c) = line.get(i) else {
                self.state = LexState::Str {
                    esc,
                    pending_backslash: true,
                };
                return None;
            };
            i += 1;
            if esc == Esc::MySql {
                match c {
                    b'0' => self.push(&[0]),
                    b'b' => self.push(&[8]),
                    b'n' => self.push(b"\n"),
                    b'r' => self.push(b"\r"),
                    b't' => self.push(b"\t"),
                    b'Z' => self.push(&[0x1a]),
                    b'%' => self.push(b"\\%"),
                    b'_' => self.push(b"\\_"),
                    c => self.push(&[c]),
                }
                continue;
            }
            match c {
                b'b' => self.push(&[8]),
                b'f' => self.push(&[12]),
                b'n' => self.push(b"\n"),
                b'r' => self.push(b"\r"),
                b't' => self.push(b"\t"),
                b'0'..=b'7' => {
                    let mut v = u32::from(c - b'0');
                    for _ in 0..2 {
                        match line.get(i) {
                            Some(&d @ b'0'..=b'7') => {
                                v = v * 8 + u32::from(d - b'0');
                                i += 1;
                            }
                            _ => break,
                        }
                    }
                    self.push(&[(v & 0xff) as u8]);
                }
                b'x' => {
                    let (v, used) = hex_run(&line[i..], 2);
                    if used == 0 {
                        self.push(b"x");
                    } else {
                        self.push(&[v as u8]);
                        i += used;
                    }
                }
                b'u' | b'U' => {
                    let want = if c == b'u' { 4 } else { 8 };
                    let (v, used) = hex_run(&line[i..], want);
                    if used == want {
                        let mut tmp = Vec::with_capacity(4);
                        push_char(&mut tmp, v);
                        self.push(&tmp);
                        i += used;
                    } else {
                        self.push(&[c]);
                    }
                }
                c => self.push(&[c]),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parser

/// A token kept while the head of a statement is collected.
#[derive(Clone, Debug)]
enum HTok {
    Word(String),
    Ident(String),
    Str(String),
    Num,
    Punct(u8),
    Cast,
}

impl HTok {
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self, HTok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Insert,
    Copy,
    Create,
    Set,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    Skip,
    Collect(Kind),
    Values,
}

/// Statement heads longer than this are not data statements we can read.
const HEAD_MAX: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VKind {
    Empty,
    Lit,
    Num,
    Bool,
    Null,
    /// A MySQL charset introducer (`_utf8mb4`, `_binary`) waiting for its literal.
    Intro,
    /// An expression that is not a plain literal: not reported.
    Complex,
}

struct Values {
    table: Option<String>,
    columns: Vec<String>,
    in_tuple: bool,
    trailing: bool,
    col: usize,
    depth: u32,
    kind: VKind,
    cast: bool,
    neg: bool,
    line: u64,
    text: Vec<u8>,
}

impl Values {
    fn new() -> Self {
        Self {
            table: None,
            columns: Vec::new(),
            in_tuple: false,
            trailing: false,
            col: 0,
            depth: 0,
            kind: VKind::Empty,
            cast: false,
            neg: false,
            line: 0,
            text: Vec::new(),
        }
    }

    fn reset_value(&mut self) {
        self.depth = 0;
        self.kind = VKind::Empty;
        self.cast = false;
        self.neg = false;
        self.text.clear();
    }

    fn finish_value(&mut self, sink: &mut dyn Sink) {
        if matches!(self.kind, VKind::Lit | VKind::Num | VKind::Bool) {
            let table = self.table.as_deref();
            let column = self.columns.get(self.col).map(String::as_str);
            let value = lossy(&self.text);
            // A column list (given or from CREATE TABLE) was declared to the sink before the
            // first tuple ([`Parser::emit_columns`]): cells go by position.
            if self.columns.is_empty() {
                sink.cell(table, column, &value, self.line);
            } else {
                sink.cell_at(table, column, self.col, &value, self.line);
            }
        }
        self.reset_value();
    }
}

struct Parser {
    dialect: Dialect,
    scs_off: bool,
    state: State,
    head: Vec<HTok>,
    depth: i32,
    /// CREATE TABLE column order, by lower-cased qualified name.
    tables: HashMap<String, Vec<String>>,
    /// Lower-cased unqualified name → qualified key (`None` when ambiguous).
    short: HashMap<String, Option<String>>,
    copy_pending: Option<CopyTarget>,
    values: Values,
    values_started: bool,
    last_columns: Option<(Option<String>, Vec<String>)>,
    data_statements: u64,
    rows: u64,
}

impl Parser {
    fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            scs_off: false,
            state: State::Start,
            head: Vec::new(),
            depth: 0,
            tables: HashMap::new(),
            short: HashMap::new(),
            copy_pending: None,
            values: Values::new(),
            values_started: false,
            last_columns: None,
            data_statements: 0,
            rows: 0,
        }
    }

    fn wants_literals(&self) -> bool {
        matches!(self.state, State::Values | State::Collect(Kind::Set))
    }

    fn at_statement_start(&self) -> bool {
        self.state == State::Start
    }

    fn default_esc(&self) -> Esc {
        match self.dialect {
            Dialect::MySql => Esc::MySql,
            Dialect::Pg if self.scs_off => Esc::Pg,
            Dialect::Pg => Esc::None,
        }
    }

    /// A psql meta-command line (`\connect`, `\restrict`, `\unrestrict`, a stray `\.`).
    fn meta_command(&mut self, line: &[u8]) {
        if line.starts_with(b"\\connect") || line.starts_with(b"\\c ") {
            // pg_dumpall: a new database, new tables.
            self.tables.clear();
            self.short.clear();
            self.last_columns = None;
        }
    }

    fn emit_columns(&mut self, table: Option<&str>, columns: &[String], sink: &mut dyn Sink) {
        if columns.is_empty() {
            return;
        }
        let same = self
            .last_columns
            .as_ref()
            .is_some_and(|(t, c)| t.as_deref() == table && c == columns);
        if !same {
            sink.columns(table, columns);
            self.last_columns = Some((table.map(str::to_owned), columns.to_vec()));
        }
    }

    fn ident(&self, w: &[u8]) -> String {
        let s = lossy(w).into_owned();
        match self.dialect {
            Dialect::Pg => s.to_ascii_lowercase(),
            Dialect::MySql => s,
        }
    }

    fn owned(&self, tok: Tok<'_>) -> HTok {
        match tok {
            Tok::Word(w) => HTok::Word(lossy(w).into_owned()),
            Tok::Ident(w) => HTok::Ident(lossy(w).into_owned()),
            Tok::Str(s) => HTok::Str(lossy(s).into_owned()),
            Tok::Num(_) => HTok::Num,
            Tok::Punct(c) => HTok::Punct(c),
            Tok::Cast => HTok::Cast,
        }
    }

    fn token(&mut self, tok: Tok<'_>, ln: u64, sink: &mut dyn Sink) {
        if let Tok::Punct(b';') = tok {
            self.end_statement(sink);
            return;
        }
        match self.state {
            State::Start => {
                let Tok::Word(w) = tok else {
                    self.state = State::Skip;
                    return;
                };
                let kind =
                    if w.eq_ignore_ascii_case(b"insert") || w.eq_ignore_ascii_case(b"replace") {
                        Kind::Insert
                    } else if w.eq_ignore_ascii_case(b"copy") {
                        Kind::Copy
                    } else if w.eq_ignore_ascii_case(b"create") {
                        Kind::Create
                    } else if w.eq_ignore_ascii_case(b"set") && self.dialect == Dialect::Pg {
                        Kind::Set
                    } else {
                        self.state = State::Skip;
                        return;
                    };
                self.head.clear();
                self.depth = 0;
                self.head.push(self.owned(tok));
                self.state = State::Collect(kind);
            }
            State::Skip => {}
            State::Collect(kind) => self.collect(kind, tok),
            State::Values => self.value_token(tok, ln, sink),
        }
    }

    fn collect(&mut self, kind: Kind, tok: Tok<'_>) {
        if self.head.len() > HEAD_MAX {
            self.state = State::Skip;
            return;
        }
        match tok {
            Tok::Punct(b'(') => self.depth += 1,
            Tok::Punct(b')') => self.depth -= 1,
            _ => {}
        }
        match (kind, tok) {
            (Kind::Insert, Tok::Word(w)) if self.depth == 0 => {
                if w.eq_ignore_ascii_case(b"values") || w.eq_ignore_ascii_case(b"value") {
                    self.start_values();
                    return;
                }
                if [&b"select"[..], b"with", b"table", b"set", b"default"]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k))
                {
                    self.state = State::Skip;
                    return;
                }
            }
            (Kind::Create, _) if !self.head.iter().any(|t| t.is_kw("table")) => {
                let ok = match tok {
                    Tok::Word(w) => [
                        &b"or"[..],
                        b"replace",
                        b"global",
                        b"local",
                        b"temp",
                        b"temporary",
                        b"unlogged",
                        b"table",
                    ]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k)),
                    _ => false,
                };
                if !ok {
                    self.state = State::Skip;
                    return;
                }
            }
            _ => {}
        }
        let owned = self.owned(tok);
        self.head.push(owned);
    }

    fn end_statement(&mut self, sink: &mut dyn Sink) {
        match self.state {
            State::Collect(Kind::Copy) => {
                if let Some(t) = self.parse_copy_head() {
                    self.data_statements += 1;
                    self.copy_pending = Some(t);
                }
            }
            State::Collect(Kind::Create) => self.parse_create_head(),
            State::Collect(Kind::Set) => self.parse_set_head(),
            // An unterminated tuple: report what was complete.
            State::Values if self.values.in_tuple => self.values.finish_value(sink),
            _ => {}
        }
        self.state = State::Start;
        self.head.clear();
        self.depth = 0;
    }

    /// `name[.name...]` at `i`: the display name and the index after it.
    fn parse_name(&self, i: usize) -> Option<(String, usize)> {
        let mut parts = Vec::new();
        let mut i = i;
        loop {
            match self.head.get(i)? {
                HTok::Word(w) => parts.push(self.ident(w.as_bytes())),
                HTok::Ident(s) => parts.push(s.clone()),
                _ => return None,
            }
            i += 1;
            if matches!(self.head.get(i), Some(HTok::Punct(b'.'))) {
                i += 1;
            } else {
                return Some((parts.join("."), i));
            }
        }
    }

    /// An identifier list in parentheses starting at `i` (which is the `(`).
    fn parse_column_list(&self, i: usize) -> (Vec<String>, usize) {
        let mut cols = Vec::new();
        let mut j = i + 1;
        let mut depth = 1;
        let mut expect = true;
        while let Some(t) = self.head.get(j) {
            j += 1;
            match t {
                HTok::Punct(b'(') => depth += 1,
                HTok::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                HTok::Punct(b',') if depth == 1 => expect = true,
                HTok::Word(w) if depth == 1 && expect => {
                    cols.push(self.ident(w.as_bytes()));
                    expect = false;
                }
                HTok::Ident(s) if depth == 1 && expect => {
                    cols.push(s.clone());
                    expect = false;
                }
                _ => expect = false,
            }
        }
        (cols, j)
    }

    fn lookup_columns(&self, table: &str) -> Vec<String> {
        let key = table.to_lowercase();
        if let Some(c) = self.tables.get(&key) {
            return c.clone();
        }
        let last = key.rsplit('.').next().unwrap_or(&key);
        match self.short.get(last) {
            Some(Some(full)) => self.tables.get(full).cloned().unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn start_values(&mut self) {
        let mut i = 1;
        while self.head.get(i).is_some_and(|t| {
            ["ignore", "low_priority", "delayed", "high_priority"]
                .iter()
                .any(|k| t.is_kw(k))
        }) {
            i += 1;
        }
        if self.head.get(i).is_some_and(|t| t.is_kw("into")) {
            i += 1;
        }
        let Some((table, mut i)) = self.parse_name(i) else {
            self.state = State::Skip;
            return;
        };
        if self.head.get(i).is_some_and(|t| t.is_kw("as")) {
            i += 2;
        }
        let columns = if matches!(self.head.get(i), Some(HTok::Punct(b'('))) {
            let (c, j) = self.parse_column_list(i);
            i = j;
            c
        } else {
            self.lookup_columns(&table)
        };
        if self.head.get(i).is_some_and(|t| t.is_kw("overriding")) {
            i += 3;
        }
        if i < self.head.len() {
            self.state = State::Skip;
            return;
        }
        self.data_statements += 1;
        self.values_started = false;
        let mut v = std::mem::replace(&mut self.values, Values::new());
        v.table = Some(table);
        v.columns = columns;
        v.in_tuple = false;
        v.trailing = false;
        v.reset_value();
        self.values = v;
        self.state = State::Values;
    }

    fn value_token(&mut self, tok: Tok<'_>, ln: u64, sink: &mut dyn Sink) {
        if self.values.trailing {
            return;
        }
        if !self.values.in_tuple {
            match tok {
                Tok::Punct(b'(') => {
                    if !self.values_started {
                        self.values_started = true;
                        let table = self.values.table.clone();
                        let columns = std::mem::take(&mut self.values.columns);
                        self.emit_columns(table.as_deref(), &columns, sink);
                        self.values.columns = columns;
                    }
                    let v = &mut self.values;
                    v.in_tuple = true;
                    v.col = 0;
                    v.reset_value();
                }
                Tok::Punct(b',') => {}
                // ON CONFLICT, ON DUPLICATE KEY UPDATE, RETURNING: no more rows.
                _ => self.values.trailing = true,
            }
            return;
        }
        let dialect = self.dialect;
        let v = &mut self.values;
        if v.depth > 0 {
            match tok {
                Tok::Punct(b'(' | b'[') => v.depth += 1,
                Tok::Punct(b')' | b']') => v.depth -= 1,
                _ => {}
            }
            if !v.cast {
                v.kind = VKind::Complex;
            }
            return;
        }
        match tok {
            Tok::Punct(b',') => {
                v.finish_value(sink);
                v.col += 1;
            }
            Tok::Punct(b')') => {
                v.finish_value(sink);
                v.in_tuple = false;
                self.rows += 1;
            }
            Tok::Punct(b'(' | b'[') => {
                v.depth += 1;
                if !v.cast {
                    v.kind = VKind::Complex;
                }
            }
            Tok::Cast => {
                if matches!(v.kind, VKind::Lit | VKind::Num | VKind::Null | VKind::Bool) {
                    v.cast = true;
                } else {
                    v.kind = VKind::Complex;
                }
            }
            _ if v.cast => {
                // The type of a cast: words, dots, quoted names, `(n)`, `[]`.
                if !matches!(
                    tok,
                    Tok::Word(_) | Tok::Ident(_) | Tok::Punct(b'.') | Tok::Num(_)
                ) {
                    v.kind = VKind::Complex;
                }
            }
            Tok::Str(s) => match v.kind {
                VKind::Empty | VKind::Intro if !v.neg => {
                    v.kind = VKind::Lit;
                    v.text.clear();
                    v.text.extend_from_slice(s);
                    v.line = ln;
                }
                // Adjacent literals concatenate.
                VKind::Lit => v.text.extend_from_slice(s),
                _ => v.kind = VKind::Complex,
            },
            Tok::Num(n) => match v.kind {
                VKind::Empty | VKind::Intro => {
                    v.kind = VKind::Num;
                    v.text.clear();
                    if v.neg {
                        v.text.push(b'-');
                    }
                    v.text.extend_from_slice(n);
                    v.line = ln;
                }
                _ => v.kind = VKind::Complex,
            },
            Tok::Word(w) => match v.kind {
                VKind::Empty if !v.neg => {
                    if w.eq_ignore_ascii_case(b"null") || w.eq_ignore_ascii_case(b"default") {
                        v.kind = VKind::Null;
                    } else if w.eq_ignore_ascii_case(b"true") || w.eq_ignore_ascii_case(b"false") {
                        v.kind = VKind::Bool;
                        v.text.clear();
                        v.text.extend(w.iter().map(u8::to_ascii_lowercase));
                        v.line = ln;
                    } else if dialect == Dialect::MySql && w.first() == Some(&b'_') {
                        v.kind = VKind::Intro;
                    } else {
                        v.kind = VKind::Complex;
                    }
                }
                VKind::Lit | VKind::Num | VKind::Null | VKind::Bool
                    if w.eq_ignore_ascii_case(b"collate") =>
                {
                    v.cast = true;
                }
                _ => v.kind = VKind::Complex,
            },
            Tok::Punct(b'-') if v.kind == VKind::Empty && !v.neg => v.neg = true,
            Tok::Punct(b'+') if v.kind == VKind::Empty => {}
            _ => v.kind = VKind::Complex,
        }
    }

    fn parse_copy_head(&self) -> Option<CopyTarget> {
        let mut i = 1;
        if self.head.get(i).is_some_and(|t| t.is_kw("only")) {
            i += 1;
        }
        let (table, mut i) = self.parse_name(i)?;
        let mut columns = Vec::new();
        if matches!(self.head.get(i), Some(HTok::Punct(b'('))) {
            let (c, j) = self.parse_column_list(i);
            columns = c;
            i = j;
        }
        if !self.head.get(i)?.is_kw("from") || !self.head.get(i + 1)?.is_kw("stdin") {
            return None;
        }
        let text = !self.head[i + 2..].iter().any(|t| match t {
            HTok::Word(w) | HTok::Str(w) => {
                w.eq_ignore_ascii_case("csv")
                    || w.eq_ignore_ascii_case("binary")
                    || w.eq_ignore_ascii_case("delimiter")
            }
            _ => false,
        });
        Some(CopyTarget {
            table: Some(table),
            columns,
            text,
        })
    }

    fn parse_create_head(&mut self) {
        let Some(t) = self.head.iter().position(|t| t.is_kw("table")) else {
            return;
        };
        let mut i = t + 1;
        if self.head.get(i).is_some_and(|t| t.is_kw("if")) {
            i += 3;
        }
        let Some((name, i)) = self.parse_name(i) else {
            return;
        };
        if !matches!(self.head.get(i), Some(HTok::Punct(b'('))) {
            return;
        }
        const NOT_COLUMNS: [&str; 12] = [
            "constraint",
            "primary",
            "unique",
            "foreign",
            "check",
            "exclude",
            "like",
            "key",
            "index",
            "fulltext",
            "spatial",
            "period",
        ];
        let mut cols = Vec::new();
        let mut depth = 0;
        let mut expect = false;
        for t in &self.head[i..] {
            match t {
                HTok::Punct(b'(') => {
                    depth += 1;
                    expect = depth == 1;
                    continue;
                }
                HTok::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                HTok::Punct(b',') if depth == 1 => {
                    expect = true;
                    continue;
                }
                HTok::Word(w)
                    if depth == 1
                        && expect
                        && !NOT_COLUMNS.iter().any(|k| w.eq_ignore_ascii_case(k)) =>
                {
                    cols.push(self.ident(w.as_bytes()));
                }
                HTok::Ident(s) if depth == 1 && expect => cols.push(s.clone()),
                _ => {}
            }
            expect = false;
        }
        let key = name.to_lowercase();
        let last = key.rsplit('.').next().unwrap_or(&key).to_owned();
        match self.short.get(&last) {
            Some(Some(full)) if *full != key => {
                self.short.insert(last, None);
            }
            Some(_) => {}
            None => {
                self.short.insert(last, Some(key.clone()));
            }
        }
        self.tables.insert(key, cols);
    }

    fn parse_set_head(&mut self) {
        let is_scs = self
            .head
            .get(1)
            .is_some_and(|t| t.is_kw("standard_conforming_strings"));
        if !is_scs {
            return;
        }
        if let Some(HTok::Word(v) | HTok::Str(v)) = self.head.last() {
            if v.eq_ignore_ascii_case("off") || v.eq_ignore_ascii_case("false") {
                self.scs_off = true;
            } else if v.eq_ignore_ascii_case("on") || v.eq_ignore_ascii_case("true") {
                self.scs_off = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Rec(Vec<String>);
    impl Sink for Rec {
        fn columns(&mut self, table: Option<&str>, columns: &[String]) {
            self.0.push(format!("cols {table:?} {columns:?}"));
        }
        fn cell(&mut self, table: Option<&str>, column: Option<&str>, value: &str, line: u64) {
            self.0
                .push(format!("{line} {table:?} {column:?} {value:?}"));
        }
    }

    fn run(sql: &str, dialect: Dialect) -> (Vec<String>, Format, u64) {
        let shared = Shared::new(&crate::Limits::default());
        let mut rec = Rec::default();
        let (f, rows, _) = scan_sql(
            sql.as_bytes(),
            dialect,
            Header::None,
            None,
            &shared,
            "t",
            &mut rec,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        (rec.0, f, rows)
    }

    #[test]
    fn literals_casts_and_expressions() {
        let (cells, f, rows) = run(
            "INSERT INTO t (a, b, c, d, e, f, g, h, i) VALUES \
             ('it''s', E'x\\ny', -4.5e+3, NULL, true, '2024-01-01'::date, ARRAY[1,2], now(), 'a' || 'b');",
            Dialect::Pg,
        );
        assert_eq!(f, Format::SqlInserts);
        assert_eq!(rows, 1);
        assert_eq!(
            cells,
            [
                r#"cols Some("t") ["a", "b", "c", "d", "e", "f", "g", "h", "i"]"#,
                r#"1 Some("t") Some("a") "it's""#,
                r#"1 Some("t") Some("b") "x\ny""#,
                r#"1 Some("t") Some("c") "-4.5e+3""#,
                r#"1 Some("t") Some("e") "true""#,
                r#"1 Some("t") Some("f") "2024-01-01""#,
            ]
        );
    }

    #[test]
    fn dollar_quotes_and_comments_do_not_confuse_statements() {
        let sql = "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; INSERT INTO x VALUES ('no'); $body$ LANGUAGE sql;\n\
                   /* INSERT INTO x VALUES ('no'); /* nested */ still */ -- INSERT INTO x VALUES ('no');\n\
                   INSERT INTO x VALUES ($$yes$$, 'multi\nline');";
        let (cells, _, _) = run(sql, Dialect::Pg);
        assert_eq!(
            cells,
            [
                r#"3 Some("x") None "yes""#,
                r#"3 Some("x") None "multi\nline""#
            ]
        );
    }

    #[test]
    fn mysql_escapes_introducers_and_on_duplicate() {
        let (cells, _, rows) = run(
            "INSERT INTO `t` VALUES (1,'O\\'Brien\\n',_utf8mb4'x',0x4142),(2,\"dq\",NULL,'') ON DUPLICATE KEY UPDATE a=VALUES(a);",
            Dialect::MySql,
        );
        assert_eq!(rows, 2);
        assert_eq!(
            cells,
            [
                r#"1 Some("t") None "1""#,
                r#"1 Some("t") None "O'Brien\n""#,
                r#"1 Some("t") None "x""#,
                r#"1 Some("t") None "0x4142""#,
                r#"1 Some("t") None "2""#,
                r#"1 Some("t") None "dq""#,
                r#"1 Some("t") None """#,
            ]
        );
    }

    #[test]
    fn copy_statement_from_a_toc() {
        let t =
            parse_copy_statement(b"COPY public.\"User\" (id, \"E-mail\") FROM stdin;\n").unwrap();
        assert_eq!(t.table.as_deref(), Some("public.User"));
        assert_eq!(t.columns, ["id", "E-mail"]);
        assert!(t.text);
        assert!(parse_copy_statement(b"COPY t FROM '/tmp/x';").is_none());
    }
}
