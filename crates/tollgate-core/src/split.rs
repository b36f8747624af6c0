//! Splits a file into statements the way psql does.
//!
//! The result is a list of [`Segment`]s that tile the input exactly: statements, the trivia
//! (whitespace and comments) between them, and psql meta-command lines. Comments right before a
//! statement are trivia, not part of it, so suppression comments can be read from the segment
//! preceding a statement.
//!
//! Like psql, a `;` ends a statement only at parenthesis depth 0 (which also covers
//! `CREATE RULE … DO (a; b)`), and not inside the `BEGIN … END` body of a `CREATE [OR REPLACE]
//! FUNCTION|PROCEDURE` (`BEGIN ATOMIC … END`).

use std::ops::Range;

use crate::lexer::{tokenize, tokenize_while, Token, TokenKind};
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    Statement,
    Trivia,
    MetaCommand,
}

/// The kind of token that ran to the end of the input without being closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unterminated {
    Quote,
    QuotedIdent,
    DollarQuote,
    BlockComment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub kind: SegmentKind,
    /// Absolute byte range.
    pub span: Span,
    /// Index range into [`SplitResult::tokens`].
    pub tokens: Range<usize>,
    /// A statement that ended with `;` (the `;` is included in `span`).
    pub terminated: bool,
    /// A token of this segment runs to the end of the input unterminated.
    pub unterminated: Option<Unterminated>,
}

#[derive(Debug, Clone)]
pub struct SplitResult {
    pub tokens: Vec<Token>,
    pub segments: Vec<Segment>,
}

impl SplitResult {
    /// The statement segments, in order.
    pub fn statements(&self) -> impl Iterator<Item = &Segment> {
        self.segments
            .iter()
            .filter(|s| s.kind == SegmentKind::Statement)
    }

    /// The non-trivia tokens of a segment.
    pub fn significant_tokens<'a>(&'a self, seg: &Segment) -> impl Iterator<Item = &'a Token> {
        self.tokens[seg.tokens.clone()]
            .iter()
            .filter(|t| !t.is_trivia())
    }

    /// All tokens of a segment, trivia included.
    pub fn segment_tokens(&self, seg: &Segment) -> &[Token] {
        &self.tokens[seg.tokens.clone()]
    }
}

fn unterminated_kind(tok: &Token) -> Option<Unterminated> {
    if !tok.unterminated {
        return None;
    }
    match tok.kind {
        TokenKind::String => Some(Unterminated::Quote),
        TokenKind::QuotedIdent => Some(Unterminated::QuotedIdent),
        TokenKind::DollarString => Some(Unterminated::DollarQuote),
        TokenKind::BlockComment => Some(Unterminated::BlockComment),
        _ => None,
    }
}

/// psql's heuristic for `BEGIN … END` function bodies: only statements starting with
/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE` track `BEGIN`/`CASE`/`END` nesting.
#[derive(Debug, Default)]
struct StmtState {
    /// Index of the last significant token.
    last: usize,
    paren_depth: usize,
    begin_depth: usize,
    /// Words seen so far (saturating).
    words: usize,
    /// Still matching the `CREATE [OR REPLACE] FUNCTION|PROCEDURE` prefix.
    prefix_ok: bool,
    /// The prefix matched: this statement defines a routine.
    routine: bool,
    unterminated: Option<Unterminated>,
}

impl StmtState {
    fn new(first: usize) -> Self {
        StmtState {
            last: first,
            prefix_ok: true,
            ..Default::default()
        }
    }

    fn word(&mut self, w: &str) {
        let idx = self.words;
        self.words = self.words.saturating_add(1);
        if self.prefix_ok && !self.routine {
            let lower = w.to_ascii_lowercase();
            let ok = match (idx, lower.as_str()) {
                (0, "create") => true,
                (1, "or") => true,
                (2, "replace") => true,
                (1 | 3, "function" | "procedure") => {
                    self.routine = true;
                    true
                }
                _ => false,
            };
            if !ok {
                self.prefix_ok = false;
            }
            return;
        }
        if !self.routine || self.paren_depth > 0 {
            return;
        }
        if w.eq_ignore_ascii_case("begin") {
            self.begin_depth += 1;
        } else if w.eq_ignore_ascii_case("case") {
            if self.begin_depth > 0 {
                self.begin_depth += 1;
            }
        } else if w.eq_ignore_ascii_case("end") {
            self.begin_depth = self.begin_depth.saturating_sub(1);
        }
    }
}

/// The splitter's state between tokens: [`split_tokens`] feeds it every token in order;
/// [`holds_two_statements`] stops feeding as soon as it has its answer.
struct Splitter {
    segments: Vec<Segment>,
    /// First token not yet assigned to a segment.
    pending: usize,
    /// The statement in progress.
    stmt: Option<StmtState>,
    /// Statements begun so far: each becomes one statement segment, at its `;`, at a
    /// meta-command or at the end of input.
    begun: usize,
}

impl Splitter {
    fn new(capacity: usize) -> Self {
        Splitter {
            segments: Vec::with_capacity(capacity),
            pending: 0,
            stmt: None,
            begun: 0,
        }
    }

    fn emit(
        &mut self,
        tokens: &[Token],
        kind: SegmentKind,
        end_tok: usize,
        terminated: bool,
        unterminated: Option<Unterminated>,
    ) {
        let start_tok = self.pending;
        if end_tok <= start_tok {
            return;
        }
        let span = Span::new(tokens[start_tok].start, tokens[end_tok - 1].end);
        // Merge consecutive trivia (for example whitespace, then an empty `;`, then a comment).
        if kind == SegmentKind::Trivia {
            if let Some(last) = self.segments.last_mut() {
                if last.kind == SegmentKind::Trivia {
                    last.span.end = span.end;
                    last.tokens.end = end_tok;
                    last.unterminated = last.unterminated.or(unterminated);
                    self.pending = end_tok;
                    return;
                }
            }
        }
        self.segments.push(Segment {
            kind,
            span,
            tokens: start_tok..end_tok,
            terminated,
            unterminated,
        });
        self.pending = end_tok;
    }

    /// Ends the statement in progress, if any, without a `;`.
    fn end_unterminated_statement(&mut self, tokens: &[Token]) {
        if let Some(st) = self.stmt.take() {
            self.emit(
                tokens,
                SegmentKind::Statement,
                st.last + 1,
                false,
                st.unterminated,
            );
        }
    }

    /// Takes in `tokens[i]`; `tokens` holds every token before it too.
    fn feed(&mut self, src: &str, tokens: &[Token], i: usize) {
        let tok = &tokens[i];
        match tok.kind {
            TokenKind::Whitespace | TokenKind::LineComment => {}
            TokenKind::BlockComment => {
                // An unterminated comment inside a statement swallowed the rest of it.
                if let (Some(st), Some(u)) = (self.stmt.as_mut(), unterminated_kind(tok)) {
                    st.last = i;
                    st.unterminated = Some(u);
                }
            }
            TokenKind::MetaCommand => {
                // A meta-command ends the statement in progress (psql sends it, as with `\g`).
                self.end_unterminated_statement(tokens);
                self.emit(tokens, SegmentKind::Trivia, i, false, None);
                self.emit(tokens, SegmentKind::MetaCommand, i + 1, false, None);
            }
            TokenKind::Punct if tok.text(src) == ";" => match self.stmt.as_mut() {
                Some(st) if st.paren_depth == 0 && st.begin_depth == 0 => {
                    let unterminated = st.unterminated;
                    self.stmt = None;
                    self.emit(tokens, SegmentKind::Statement, i + 1, true, unterminated);
                }
                Some(st) => st.last = i,
                // An empty statement is trivia.
                None => {}
            },
            _ => {
                if self.stmt.is_none() {
                    self.emit(tokens, SegmentKind::Trivia, i, false, None);
                    self.stmt = Some(StmtState::new(i));
                    self.begun += 1;
                }
                let Some(st) = self.stmt.as_mut() else { return };
                st.last = i;
                if let Some(u) = unterminated_kind(tok) {
                    st.unterminated = Some(u);
                }
                match tok.kind {
                    TokenKind::Word => st.word(tok.text(src)),
                    TokenKind::Punct => match tok.text(src) {
                        "(" => st.paren_depth += 1,
                        ")" => st.paren_depth = st.paren_depth.saturating_sub(1),
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
    }

    /// Ends the input: the statement in progress, then the trailing trivia.
    fn finish(mut self, tokens: &[Token]) -> Vec<Segment> {
        self.end_unterminated_statement(tokens);
        let trailing_unterminated = tokens[self.pending.min(tokens.len())..]
            .iter()
            .find_map(unterminated_kind);
        self.emit(
            tokens,
            SegmentKind::Trivia,
            tokens.len(),
            false,
            trailing_unterminated,
        );
        self.segments
    }
}

/// Tokenizes and splits `src`.
pub fn split(src: &str) -> SplitResult {
    let tokens = tokenize(src);
    let segments = split_tokens(src, &tokens);
    SplitResult { tokens, segments }
}

/// Splits already computed tokens of `src`.
pub fn split_tokens(src: &str, tokens: &[Token]) -> Vec<Segment> {
    let mut sp = Splitter::new(tokens.len() / 16 + 4);
    for i in 0..tokens.len() {
        sp.feed(src, tokens, i);
    }
    sp.finish(tokens)
}

/// Whether `src` holds at least two statements: `split(src).statements().nth(1).is_some()`,
/// but it stops lexing at the first token of the second statement instead of splitting the
/// whole file (golang-migrate and Prisma wrap a file in a transaction when it holds more than
/// one statement, and a large file's second statement comes early).
pub fn holds_two_statements(src: &str) -> bool {
    let mut sp = Splitter::new(4);
    let mut fed = 0;
    let finished = tokenize_while(src, |tokens| {
        while fed < tokens.len() {
            sp.feed(src, tokens, fed);
            fed += 1;
        }
        sp.begun < 2
    });
    !finished || sp.begun >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (kind, text, terminated, unterminated) per segment.
    fn segs(src: &str) -> Vec<(SegmentKind, &str, bool, Option<Unterminated>)> {
        let r = split(src);
        check_invariants(src, &r);
        r.segments
            .iter()
            .map(|s| (s.kind, s.span.slice(src), s.terminated, s.unterminated))
            .collect()
    }

    fn stmts(src: &str) -> Vec<&str> {
        let r = split(src);
        check_invariants(src, &r);
        r.statements().map(|s| s.span.slice(src)).collect()
    }

    fn check_invariants(src: &str, r: &SplitResult) {
        let mut pos = 0;
        let mut tok = 0;
        for s in &r.segments {
            assert_eq!(s.span.start, pos, "segments must be contiguous in {src:?}");
            assert!(s.span.end > s.span.start, "empty segment in {src:?}");
            assert_eq!(
                s.tokens.start, tok,
                "token ranges must be contiguous in {src:?}"
            );
            assert!(s.tokens.end > s.tokens.start);
            assert_eq!(r.tokens[s.tokens.start].start, s.span.start);
            assert_eq!(r.tokens[s.tokens.end - 1].end, s.span.end);
            if s.kind == SegmentKind::Statement {
                let first = r.tokens[s.tokens.start];
                let last = r.tokens[s.tokens.end - 1];
                assert!(!first.is_trivia() || first.unterminated);
                assert!(!last.is_trivia() || last.unterminated);
            }
            pos = s.span.end;
            tok = s.tokens.end;
        }
        assert_eq!(pos, src.len());
        assert_eq!(tok, r.tokens.len());
        let joined: String = r.segments.iter().map(|s| s.span.slice(src)).collect();
        assert_eq!(joined, src);
    }

    use SegmentKind::*;

    #[test]
    fn empty_input_has_no_segments() {
        assert!(split("").segments.is_empty());
    }

    #[test]
    fn only_comments_is_one_trivia_segment() {
        let src = "-- a\n/* b */\n  \n-- c";
        assert_eq!(segs(src), vec![(Trivia, src, false, None)]);
    }

    #[test]
    fn statements_and_trivia() {
        let src = "-- lead\nCREATE TABLE t (a int);\n\n/* c */ SELECT 1 /* in */ ;  -- tail\n";
        assert_eq!(
            segs(src),
            vec![
                (Trivia, "-- lead\n", false, None),
                (Statement, "CREATE TABLE t (a int);", true, None),
                (Trivia, "\n\n/* c */ ", false, None),
                (Statement, "SELECT 1 /* in */ ;", true, None),
                (Trivia, "  -- tail\n", false, None),
            ]
        );
    }

    #[test]
    fn missing_final_semicolon() {
        let src = "SELECT 1;\nSELECT 2  \n-- end\n";
        assert_eq!(
            segs(src),
            vec![
                (Statement, "SELECT 1;", true, None),
                (Trivia, "\n", false, None),
                (Statement, "SELECT 2", false, None),
                (Trivia, "  \n-- end\n", false, None),
            ]
        );
    }

    #[test]
    fn empty_statements_are_trivia() {
        let src = ";; SELECT 1;;\n;";
        assert_eq!(
            segs(src),
            vec![
                (Trivia, ";; ", false, None),
                (Statement, "SELECT 1;", true, None),
                (Trivia, ";\n;", false, None)
            ]
        );
    }

    #[test]
    fn semicolons_inside_literals_and_comments_do_not_split() {
        let src = "SELECT ';', \";\", $$;$$, $t$ $x$;$x$ $t$ /* ; /* ; */ */ -- ;\n FROM t;\nSELECT E'\\';';";
        assert_eq!(
            stmts(src),
            vec![
                "SELECT ';', \";\", $$;$$, $t$ $x$;$x$ $t$ /* ; /* ; */ */ -- ;\n FROM t;",
                "SELECT E'\\';';"
            ]
        );
        // A standard string ends at the quote even after a backslash.
        assert_eq!(
            stmts("SELECT 'C:\\'; SELECT 2;"),
            vec!["SELECT 'C:\\';", "SELECT 2;"]
        );
    }

    #[test]
    fn quoted_identifier_with_doubled_quotes() {
        assert_eq!(
            stmts("SELECT \"a\"\";b\" FROM t; x"),
            vec!["SELECT \"a\"\";b\" FROM t;", "x"]
        );
    }

    #[test]
    fn meta_commands_are_their_own_segments() {
        let src =
            "\\restrict abc\n\\connect foo\nSET x = 1;\n\\set ON_ERROR_STOP on\n\\unrestrict abc\n";
        assert_eq!(
            segs(src),
            vec![
                (MetaCommand, "\\restrict abc", false, None),
                (Trivia, "\n", false, None),
                (MetaCommand, "\\connect foo", false, None),
                (Trivia, "\n", false, None),
                (Statement, "SET x = 1;", true, None),
                (Trivia, "\n", false, None),
                (MetaCommand, "\\set ON_ERROR_STOP on", false, None),
                (Trivia, "\n", false, None),
                (MetaCommand, "\\unrestrict abc", false, None),
                (Trivia, "\n", false, None),
            ]
        );
    }

    #[test]
    fn meta_command_ends_an_open_statement() {
        let src = "SELECT 1\n\\g\nSELECT 2;";
        assert_eq!(
            segs(src),
            vec![
                (Statement, "SELECT 1", false, None),
                (Trivia, "\n", false, None),
                (MetaCommand, "\\g", false, None),
                (Trivia, "\n", false, None),
                (Statement, "SELECT 2;", true, None),
            ]
        );
    }

    #[test]
    fn copy_data_block() {
        let src = "COPY t (a) FROM stdin;\nx;'y\n\\.\nSELECT 1;\n";
        assert_eq!(
            segs(src),
            vec![
                (Statement, "COPY t (a) FROM stdin;", true, None),
                (Trivia, "\n", false, None),
                (MetaCommand, "x;'y\n\\.", false, None),
                (Trivia, "\n", false, None),
                (Statement, "SELECT 1;", true, None),
                (Trivia, "\n", false, None),
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies() {
        let src = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 2;\nEND;\nSELECT 3;";
        assert_eq!(
            stmts(src),
            vec![
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 2;\nEND;",
                "SELECT 3;"
            ]
        );
        let src = "create or replace procedure p() begin atomic insert into t values (1); end; BEGIN; COMMIT;";
        assert_eq!(
            stmts(src),
            vec![
                "create or replace procedure p() begin atomic insert into t values (1); end;",
                "BEGIN;",
                "COMMIT;"
            ]
        );
        // BEGIN/END of other statements never nest.
        assert_eq!(
            stmts("BEGIN; SELECT 1; END;"),
            vec!["BEGIN;", "SELECT 1;", "END;"]
        );
        // A dollar-quoted body does not need any of this.
        assert_eq!(
            stmts("CREATE FUNCTION g() RETURNS void AS $$ BEGIN NULL; END $$ LANGUAGE plpgsql; SELECT 1;"),
            vec!["CREATE FUNCTION g() RETURNS void AS $$ BEGIN NULL; END $$ LANGUAGE plpgsql;", "SELECT 1;"]
        );
    }

    #[test]
    fn semicolons_inside_parentheses_do_not_split() {
        let src = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;";
        assert_eq!(
            stmts(src),
            vec![
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));",
                "SELECT 1;"
            ]
        );
        // An extra closing parenthesis does not make the depth negative.
        assert_eq!(
            stmts("SELECT 1); SELECT 2;"),
            vec!["SELECT 1);", "SELECT 2;"]
        );
    }

    #[test]
    fn unterminated_tokens_mark_the_final_segment() {
        assert_eq!(
            segs("SELECT 1; SELECT 'abc; SELECT 2;"),
            vec![
                (Statement, "SELECT 1;", true, None),
                (Trivia, " ", false, None),
                (
                    Statement,
                    "SELECT 'abc; SELECT 2;",
                    false,
                    Some(Unterminated::Quote)
                ),
            ]
        );
        assert_eq!(
            segs("DO $$ BEGIN; x"),
            vec![(
                Statement,
                "DO $$ BEGIN; x",
                false,
                Some(Unterminated::DollarQuote)
            )]
        );
        assert_eq!(
            segs("SELECT \"abc; x"),
            vec![(
                Statement,
                "SELECT \"abc; x",
                false,
                Some(Unterminated::QuotedIdent)
            )]
        );
        assert_eq!(
            segs("SELECT 1 /* x; SELECT 2;"),
            vec![(
                Statement,
                "SELECT 1 /* x; SELECT 2;",
                false,
                Some(Unterminated::BlockComment)
            )]
        );
        assert_eq!(
            segs("SELECT 1; /* x; SELECT 2;"),
            vec![
                (Statement, "SELECT 1;", true, None),
                (
                    Trivia,
                    " /* x; SELECT 2;",
                    false,
                    Some(Unterminated::BlockComment)
                )
            ]
        );
    }

    #[test]
    fn crlf_line_endings() {
        let src = "-- c\r\nSELECT 1;\r\n\\connect db\r\nSELECT 2\r\n";
        assert_eq!(
            segs(src),
            vec![
                (Trivia, "-- c\r\n", false, None),
                (Statement, "SELECT 1;", true, None),
                (Trivia, "\r\n", false, None),
                (MetaCommand, "\\connect db", false, None),
                (Trivia, "\r\n", false, None),
                (Statement, "SELECT 2", false, None),
                (Trivia, "\r\n", false, None),
            ]
        );
    }

    #[test]
    fn non_ascii_identifiers() {
        assert_eq!(
            stmts("CREATE TABLE café (名前 text);SELECT 1"),
            vec!["CREATE TABLE café (名前 text);", "SELECT 1"]
        );
    }

    #[test]
    fn significant_tokens_skip_trivia() {
        let src = "SELECT /* c */ 1 ;";
        let r = split(src);
        let seg = r.statements().next().unwrap();
        let texts: Vec<_> = r.significant_tokens(seg).map(|t| t.text(src)).collect();
        assert_eq!(texts, vec!["SELECT", "1", ";"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn split_tiles_arbitrary_strings(src in any::<String>()) {
            check_invariants(&src, &split(&src));
        }

        #[test]
        fn split_tiles_sqlish_strings(src in crate::lexer::tests::sqlish()) {
            check_invariants(&src, &split(&src));
        }

        /// The early stop answers what the whole split says, and the tokens it saw are the
        /// first tokens of the whole tokenization.
        #[test]
        fn two_statements_as_the_whole_split_says(src in crate::lexer::tests::sqlish()) {
            let whole = split(&src);
            prop_assert_eq!(
                holds_two_statements(&src),
                whole.statements().nth(1).is_some()
            );
            let mut seen = Vec::new();
            crate::lexer::tokenize_while(&src, |tokens| {
                seen = tokens.to_vec();
                seen.len() < 3
            });
            prop_assert_eq!(&seen[..], &whole.tokens[..seen.len()]);
        }

        #[test]
        fn two_statements_in_arbitrary_strings(src in any::<String>()) {
            prop_assert_eq!(
                holds_two_statements(&src),
                split(&src).statements().nth(1).is_some()
            );
        }
    }

    #[test]
    fn two_statements_stops_early_and_sees_nesting() {
        assert!(!holds_two_statements(""));
        assert!(!holds_two_statements("-- only a comment\n;;\n"));
        assert!(!holds_two_statements("SELECT 1;\n-- trailing"));
        assert!(holds_two_statements("SELECT 1; SELECT 2"));
        assert!(!holds_two_statements(
            "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; SELECT 2; END"
        ));
        assert!(!holds_two_statements("SELECT '; SELECT 2"));
        assert!(holds_two_statements("SELECT 1\n\\connect db\nSELECT 2"));
        // A long tail after the second statement's first word is never lexed: an
        // unterminated quote there does not change the answer.
        let long = format!("SELECT 1;\nSELECT 2;\n{}'", "SELECT 3;\n".repeat(1000));
        assert!(holds_two_statements(&long));
    }
}
