//! Token-level fallback classifier.
//!
//! Used when sqlparser rejects a statement (or accepts it into an AST node we don't lower). It
//! walks the significant tokens with a small hand-written recursive descent: keywords are matched
//! case-insensitively, parenthesised parts are skipped as balanced groups, and lists are split at
//! top-level commas. It never panics, whatever the tokens: anything it cannot read becomes an
//! [`Op::Unknown`] naming the leading keywords.

use crate::lexer::{self, Token, TokenKind};
use crate::ops::{
    ColumnDef, ConstraintDef, ConstraintKind, DefaultKind, ObjectKind, ObjectName, Op, TxControl,
};
use crate::types;

/// What the classifier understood of one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub ops: Vec<Op>,
    /// snake_case statement kind (`alter_table`, `drop_index`, `reindex`, `do`, …).
    pub kind: String,
}

/// Classifies one statement. `tokens` are the tokens of that statement (trivia is skipped; a
/// trailing `;` is ignored). Body spans in the ops are relative to the start of the first
/// significant token.
pub fn classify(src: &str, tokens: &[Token]) -> Fallback {
    let mut sig: Vec<Token> = tokens
        .iter()
        .filter(|t| !t.is_trivia() && t.kind != TokenKind::MetaCommand)
        .copied()
        .collect();
    while sig
        .last()
        .is_some_and(|t| t.kind == TokenKind::Punct && t.text(src) == ";")
    {
        sig.pop();
    }
    let Some(first) = sig.first() else {
        return Fallback {
            ops: vec![Op::Unknown {
                reason: "empty statement".into(),
            }],
            kind: "unknown".into(),
        };
    };
    let p = P {
        src,
        toks: &sig,
        pos: 0,
        base: first.start,
    };
    let (kind, ops) = statement(p);
    Fallback { ops, kind }
}

type Classified = (String, Vec<Op>);

fn unknown(p: &P<'_>) -> Classified {
    (
        "unknown".into(),
        vec![Op::Unknown {
            reason: format!("unrecognised statement `{}`", p.lead_words(3)),
        }],
    )
}

fn benign(kind: &str, what: impl Into<String>) -> Classified {
    (kind.into(), vec![Op::Benign { what: what.into() }])
}

/// A cursor over significant tokens.
#[derive(Clone, Copy)]
struct P<'a> {
    src: &'a str,
    toks: &'a [Token],
    pos: usize,
    /// Start of the statement, for relative body spans.
    base: usize,
}

impl<'a> P<'a> {
    fn tok(&self, i: usize) -> Option<&'a Token> {
        self.toks.get(self.pos + i)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn kw_at(&self, i: usize, kw: &str) -> bool {
        self.tok(i)
            .is_some_and(|t| lexer::is_keyword(t, self.src, kw))
    }

    fn peek_kw(&self, kw: &str) -> bool {
        self.kw_at(0, kw)
    }

    fn peek_any(&self, kws: &[&str]) -> bool {
        kws.iter().any(|k| self.peek_kw(k))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.peek_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Eats the whole keyword sequence, or nothing.
    fn eat_seq(&mut self, kws: &[&str]) -> bool {
        let hit = kws.iter().enumerate().all(|(i, k)| self.kw_at(i, k));
        if hit {
            self.pos += kws.len();
        }
        hit
    }

    /// The lower-cased word at offset `i`.
    fn word(&self, i: usize) -> Option<String> {
        self.tok(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(self.src).to_ascii_lowercase())
    }

    fn text_is(&self, i: usize, kind: TokenKind, text: &str) -> bool {
        self.tok(i)
            .is_some_and(|t| t.kind == kind && t.text(self.src) == text)
    }

    fn punct_at(&self, i: usize, c: &str) -> bool {
        self.text_is(i, TokenKind::Punct, c)
    }

    fn eat_punct(&mut self, c: &str) -> bool {
        let hit = self.punct_at(0, c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let hit = self.text_is(0, TokenKind::Operator, op);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn ident(&mut self) -> Option<String> {
        let v = lexer::ident_value(self.tok(0)?, self.src)?;
        self.pos += 1;
        Some(v)
    }

    /// `a`, `a.b`, `a.b.c` (leading parts beyond the schema are dropped).
    fn object_name(&mut self) -> Option<ObjectName> {
        let mut parts = vec![self.ident()?];
        while self.punct_at(0, ".")
            && self
                .tok(1)
                .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
        {
            self.pos += 1;
            parts.extend(self.ident());
        }
        ObjectName::from_parts(parts)
    }

    /// Index just past the group that opens at absolute index `i` (or the end when unbalanced).
    fn group_end(&self, i: usize) -> usize {
        let mut depth = 0usize;
        let mut j = i;
        while j < self.toks.len() {
            let t = &self.toks[j];
            if t.kind == TokenKind::Punct {
                match t.text(self.src) {
                    "(" | "[" => depth += 1,
                    ")" | "]" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
            }
            j += 1;
        }
        self.toks.len()
    }

    fn is_open(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Punct && matches!(t.text(self.src), "(" | "["))
    }

    /// Skips one token, or one balanced group when at `(`/`[`.
    fn skip_one(&mut self) {
        if self.is_open(self.pos) {
            self.pos = self.group_end(self.pos);
        } else {
            self.pos += 1;
        }
    }

    fn skip_parens(&mut self) {
        if self.punct_at(0, "(") {
            self.skip_one();
        }
    }

    /// A cursor over absolute token indices `[a, b)`.
    fn sub(&self, a: usize, b: usize) -> P<'a> {
        let b = b.min(self.toks.len());
        let a = a.min(b);
        P {
            src: self.src,
            toks: &self.toks[a..b],
            pos: 0,
            base: self.base,
        }
    }

    /// The rest of the tokens as a cursor.
    fn rest(&self) -> P<'a> {
        self.sub(self.pos, self.toks.len())
    }

    /// At `(`: the inner tokens, advancing past the closing parenthesis.
    fn paren_inner(&mut self) -> Option<P<'a>> {
        if !self.punct_at(0, "(") {
            return None;
        }
        let end = self.group_end(self.pos);
        let close = if self.punct_at(end - self.pos - 1, ")") {
            end - 1
        } else {
            end
        };
        let inner = self.sub(self.pos + 1, close);
        self.pos = end;
        Some(inner)
    }

    /// The remaining tokens split at top-level commas (empty parts dropped).
    fn split_commas(&self) -> Vec<P<'a>> {
        let mut parts = Vec::new();
        let mut start = self.pos;
        let mut i = self.pos;
        while i < self.toks.len() {
            if self.is_open(i) {
                i = self.group_end(i);
                continue;
            }
            if self.toks[i].kind == TokenKind::Punct && self.toks[i].text(self.src) == "," {
                if i > start {
                    parts.push(self.sub(start, i));
                }
                start = i + 1;
            }
            i += 1;
        }
        if self.toks.len() > start {
            parts.push(self.sub(start, self.toks.len()));
        }
        parts
    }

    /// Absolute index of the first top-level occurrence of `kw` at or after the cursor.
    fn find_kw(&self, kw: &str) -> Option<usize> {
        let mut i = self.pos;
        while i < self.toks.len() {
            if self.is_open(i) {
                i = self.group_end(i);
                continue;
            }
            if lexer::is_keyword(&self.toks[i], self.src, kw) {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// A top-level keyword sequence somewhere after the cursor.
    fn contains_seq(&self, kws: &[&str]) -> bool {
        let mut probe = *self;
        while let Some(i) = probe.find_kw(kws[0]) {
            probe.pos = i;
            if probe.eat_seq(kws) {
                return true;
            }
            probe.pos = i + 1;
        }
        false
    }

    /// Source text of absolute token indices `[a, b)`.
    fn text(&self, a: usize, b: usize) -> &'a str {
        let b = b.min(self.toks.len());
        if a >= b {
            return "";
        }
        &self.src[self.toks[a].start..self.toks[b - 1].end]
    }

    fn rest_text(&self) -> &'a str {
        self.text(self.pos, self.toks.len())
    }

    /// Up to `n` leading words, upper-cased, for messages.
    fn lead_words(&self, n: usize) -> String {
        let words: Vec<String> = self
            .toks
            .iter()
            .take(n)
            .take_while(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(self.src).to_ascii_uppercase())
            .collect();
        if words.is_empty() {
            self.toks
                .first()
                .map(|t| t.text(self.src).chars().take(20).collect())
                .unwrap_or_default()
        } else {
            words.join(" ")
        }
    }

    /// A relative body range for a string or dollar-quoted literal.
    fn literal_body(&self, t: &Token) -> Option<(usize, usize)> {
        let span = match t.kind {
            TokenKind::DollarString => lexer::dollar_body(t, self.src)?,
            TokenKind::String => {
                let q = t.text(self.src).find('\'')?;
                let start = t.start + q + 1;
                let end = if t.unterminated { t.end } else { t.end - 1 };
                crate::span::Span::new(start, end.max(start))
            }
            _ => return None,
        };
        Some((
            span.start.checked_sub(self.base)?,
            span.end.checked_sub(self.base)?,
        ))
    }

    /// A name-ish value: identifier, or the value of a string literal, lower-cased.
    fn name_value(&mut self) -> Option<String> {
        let t = self.tok(0)?;
        let v = match t.kind {
            TokenKind::Word => t.text(self.src).to_ascii_lowercase(),
            TokenKind::QuotedIdent => lexer::ident_value(t, self.src)?,
            TokenKind::String => lexer::string_value(t, self.src)?.to_ascii_lowercase(),
            _ => return None,
        };
        self.pos += 1;
        Some(v)
    }
}

/// Reads an object kind keyword (`TABLE`, `MATERIALIZED VIEW`, …): the kind and its snake_case
/// name. Unknown single words become [`ObjectKind::Other`].
fn object_kind(p: &mut P<'_>) -> Option<(ObjectKind, String)> {
    use ObjectKind as K;
    let two: &[(&str, &str, ObjectKind)] = &[
        ("materialized", "view", K::MaterializedView),
        ("foreign", "table", K::Table),
        ("event", "trigger", K::Other),
        ("access", "method", K::Other),
        ("user", "mapping", K::Other),
        ("default", "privileges", K::Other),
        ("operator", "class", K::Other),
        ("operator", "family", K::Other),
        ("large", "object", K::Other),
    ];
    for (a, b, k) in two {
        if p.kw_at(0, a) && p.kw_at(1, b) {
            p.pos += 2;
            return Some((*k, format!("{a}_{b}")));
        }
    }
    if p.eat_seq(&["foreign", "data", "wrapper"]) {
        return Some((K::Other, "foreign_data_wrapper".into()));
    }
    if p.peek_kw("text") && p.kw_at(1, "search") {
        p.pos += 2;
        let what = p.word(0).unwrap_or_default();
        p.pos += 1;
        return Some((K::Other, format!("text_search_{what}")));
    }
    let w = p.word(0)?;
    let kind = match w.as_str() {
        "table" => K::Table,
        "view" => K::View,
        "index" => K::Index,
        "sequence" => K::Sequence,
        "schema" => K::Schema,
        "type" => K::Type,
        "domain" => K::Domain,
        "function" => K::Function,
        "procedure" => K::Procedure,
        "trigger" => K::Trigger,
        "extension" => K::Extension,
        "database" => K::Database,
        "policy" => K::Policy,
        "rule" => K::Rule,
        _ => K::Other,
    };
    p.pos += 1;
    Some((kind, w))
}

fn statement(mut p: P<'_>) -> Classified {
    let Some(w) = p.word(0) else {
        return unknown(&p);
    };
    match w.as_str() {
        "drop" => drop_stmt(p),
        "alter" => alter_stmt(p),
        "create" => create_stmt(p),
        "reindex" => reindex(p),
        "truncate" => {
            p.pos += 1;
            p.eat_kw("table");
            (
                "truncate".into(),
                vec![Op::Truncate {
                    tables: name_list(&mut p),
                }],
            )
        }
        "delete" => delete(p),
        "update" => update(p),
        "insert" => {
            p.pos += 1;
            p.eat_kw("into");
            match p.object_name() {
                Some(table) => ("insert".into(), vec![Op::Insert { table }]),
                None => unknown(&p),
            }
        }
        "with" => with_stmt(p),
        "vacuum" => vacuum(p),
        "cluster" => cluster(p),
        "lock" => lock(p),
        "set" => set_stmt(p),
        "reset" => {
            p.pos += 1;
            let name = if p.eat_kw("all") {
                None
            } else {
                dotted_name(&mut p)
            };
            ("reset".into(), vec![Op::ResetParameter { name }])
        }
        "begin" => tx("begin", TxControl::Begin),
        "start" if p.kw_at(1, "transaction") => tx("begin", TxControl::Begin),
        "commit" | "end" if p.kw_at(1, "prepared") => benign("commit", "COMMIT PREPARED"),
        "commit" | "end" => tx("commit", TxControl::Commit),
        "rollback" | "abort" if p.kw_at(1, "to") || p.kw_at(2, "to") => {
            benign("rollback", "ROLLBACK TO SAVEPOINT")
        }
        "rollback" if p.kw_at(1, "prepared") => benign("rollback", "ROLLBACK PREPARED"),
        "rollback" | "abort" => tx("rollback", TxControl::Rollback),
        "savepoint" | "release" | "prepare" | "execute" | "deallocate" | "discard" | "fetch"
        | "declare" | "close" | "move" | "load" | "show" | "values" | "table" | "notify"
        | "listen" | "unlisten" | "checkpoint" | "grant" | "revoke" | "analyze" | "analyse"
        | "comment" => benign(&w, p.lead_words(3)),
        "do" => do_block(p),
        "security" => benign("security_label", "SECURITY LABEL"),
        "refresh" => refresh(p),
        "select" => select(p),
        "call" => {
            p.pos += 1;
            match p.object_name() {
                Some(function) => ("call".into(), vec![Op::Call { function }]),
                None => unknown(&p),
            }
        }
        "explain" => explain(p),
        "copy" => copy(p),
        "import" => {
            p.pos += 1;
            p.eat_seq(&["foreign", "schema"]);
            let name = p.object_name();
            (
                "import_foreign_schema".into(),
                vec![Op::CreateOther {
                    kind: ObjectKind::Other,
                    name,
                }],
            )
        }
        _ => unknown(&p),
    }
}

fn tx(kind: &str, control: TxControl) -> Classified {
    (kind.into(), vec![Op::Transaction { control }])
}

/// `[ONLY] a [*], [ONLY] b [*] …`, stopping at the first thing that is not a name.
fn name_list(p: &mut P<'_>) -> Vec<ObjectName> {
    let mut names = Vec::new();
    loop {
        p.eat_kw("only");
        let Some(n) = p.object_name() else { break };
        names.push(n);
        p.eat_op("*");
        if !p.eat_punct(",") {
            break;
        }
    }
    names
}

/// `a.b.c` as one lower-cased dotted string (configuration parameter names).
fn dotted_name(p: &mut P<'_>) -> Option<String> {
    let mut parts = vec![p.ident()?];
    while p.punct_at(0, ".") {
        p.pos += 1;
        match p.ident() {
            Some(s) => parts.push(s),
            None => break,
        }
    }
    Some(parts.join("."))
}

fn with_schema(from: &ObjectName, to: ObjectName) -> ObjectName {
    ObjectName {
        schema: to.schema.or_else(|| from.schema.clone()),
        name: to.name,
    }
}

// ---------------------------------------------------------------------------------------------
// DROP

fn drop_stmt(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let Some((kind, kname)) = object_kind(&mut p) else {
        return unknown(&p);
    };
    if kname == "owned" {
        p.eat_kw("by");
    }
    let concurrently = p.eat_kw("concurrently");
    let if_exists = p.eat_seq(&["if", "exists"]);
    let mut names = Vec::new();
    let mut table = None;
    while let Some(n) = p.object_name() {
        names.push(n);
        p.skip_parens();
        if p.eat_kw("on") {
            table = p.object_name();
        }
        if !p.eat_punct(",") {
            break;
        }
    }
    let cascade = p.find_kw("cascade").is_some();
    (
        format!("drop_{kname}"),
        vec![Op::Drop {
            kind,
            names,
            table,
            if_exists,
            cascade,
            concurrently,
        }],
    )
}

// ---------------------------------------------------------------------------------------------
// ALTER

fn alter_stmt(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let Some((kind, kname)) = object_kind(&mut p) else {
        return unknown(&p);
    };
    let ops = match kname.as_str() {
        "table" => alter_table(p),
        "index" => alter_index(p),
        "type" => alter_type(p),
        "domain" => alter_domain(p),
        _ => alter_generic(p, kind, &kname),
    };
    (format!("alter_{kname}"), ops)
}

fn alter_table(mut p: P<'_>) -> Vec<Op> {
    if p.eat_kw("all") {
        return vec![Op::Locking {
            what: "ALTER TABLE ALL IN TABLESPACE moves every table".into(),
            table: None,
        }];
    }
    p.eat_seq(&["if", "exists"]);
    p.eat_kw("only");
    let Some(table) = p.object_name() else {
        return vec![Op::Unknown {
            reason: "ALTER TABLE without a table name".into(),
        }];
    };
    p.eat_op("*");
    let actions = p.split_commas();
    if actions.is_empty() {
        return vec![Op::Unknown {
            reason: "ALTER TABLE without an action".into(),
        }];
    }
    actions
        .into_iter()
        .map(|a| alter_table_action(a, &table))
        .collect()
}

fn is_constraint_start(p: &P<'_>) -> bool {
    p.peek_any(&[
        "constraint",
        "primary",
        "unique",
        "foreign",
        "check",
        "exclude",
    ])
}

fn alter_table_action(mut a: P<'_>, table: &ObjectName) -> Op {
    let t = table.clone();
    let unknown_action = |a: &P<'_>| Op::Unknown {
        reason: format!("unrecognised ALTER TABLE action `{}`", a.lead_words(3)),
    };
    let Some(w) = a.word(0) else {
        return unknown_action(&a);
    };
    let whole = a;
    a.pos += 1;
    match w.as_str() {
        "add" => {
            if is_constraint_start(&a) {
                return add_constraint(a, t);
            }
            a.eat_kw("column");
            let if_not_exists = a.eat_seq(&["if", "not", "exists"]);
            match column_def(&mut a) {
                Some((column, _)) => Op::AddColumn {
                    table: t,
                    column,
                    if_not_exists,
                },
                None => unknown_action(&whole),
            }
        }
        "drop" => {
            if a.eat_kw("constraint") {
                let if_exists = a.eat_seq(&["if", "exists"]);
                let name = a.ident();
                return Op::DropConstraint {
                    table: t,
                    name,
                    if_exists,
                };
            }
            a.eat_kw("column");
            let if_exists = a.eat_seq(&["if", "exists"]);
            match a.ident() {
                Some(column) => Op::DropColumn {
                    table: t,
                    column,
                    if_exists,
                },
                None => unknown_action(&whole),
            }
        }
        "alter" => {
            if a.eat_kw("constraint") {
                return Op::Benign {
                    what: "ALTER CONSTRAINT".into(),
                };
            }
            a.eat_kw("column");
            match a.ident() {
                Some(column) => {
                    alter_column(a, t, column).unwrap_or_else(|| unknown_action(&whole))
                }
                None => unknown_action(&whole),
            }
        }
        "rename" => {
            if a.eat_kw("constraint") {
                let from = a.ident();
                a.eat_kw("to");
                return match (from, a.ident()) {
                    (Some(from), Some(to)) => Op::RenameConstraint { table: t, from, to },
                    _ => unknown_action(&whole),
                };
            }
            if a.eat_kw("to") {
                return match a.object_name() {
                    Some(to) => Op::Rename {
                        kind: ObjectKind::Table,
                        to: with_schema(&t, to),
                        from: t,
                    },
                    None => unknown_action(&whole),
                };
            }
            a.eat_kw("column");
            let from = a.ident();
            a.eat_kw("to");
            match (from, a.ident()) {
                (Some(from), Some(to)) => Op::RenameColumn { table: t, from, to },
                _ => unknown_action(&whole),
            }
        }
        "set" => {
            if a.eat_kw("schema") {
                return match a.ident() {
                    Some(s) => Op::Rename {
                        kind: ObjectKind::Table,
                        to: ObjectName::qualified(s, t.name.clone()),
                        from: t,
                    },
                    None => unknown_action(&whole),
                };
            }
            if a.peek_any(&["logged", "unlogged"]) {
                return Op::Locking {
                    what: "SET LOGGED / SET UNLOGGED rewrites the table".into(),
                    table: Some(t),
                };
            }
            if a.peek_kw("tablespace") {
                return Op::Locking {
                    what: "SET TABLESPACE rewrites the table".into(),
                    table: Some(t),
                };
            }
            if a.eat_seq(&["access", "method"]) {
                return Op::Locking {
                    what: "SET ACCESS METHOD rewrites the table".into(),
                    table: Some(t),
                };
            }
            if a.punct_at(0, "(") {
                return Op::Benign {
                    what: "set storage parameters".into(),
                };
            }
            if a.peek_kw("without") {
                return Op::Benign {
                    what: whole.lead_words(3),
                };
            }
            unknown_action(&whole)
        }
        "reset" => Op::Benign {
            what: "reset storage parameters".into(),
        },
        "validate" => {
            a.eat_kw("constraint");
            match a.ident() {
                Some(name) => Op::ValidateConstraint { table: t, name },
                None => unknown_action(&whole),
            }
        }
        "owner" => Op::Benign {
            what: "change owner".into(),
        },
        "enable" | "disable" | "force" | "no" | "replica" | "cluster" | "inherit" | "of"
        | "not" => Op::Benign {
            what: whole.lead_words(4),
        },
        "attach" => Op::Locking {
            what: "ATTACH PARTITION scans the attached partition".into(),
            table: Some(t),
        },
        "detach" => {
            if a.contains_seq(&["concurrently"]) {
                Op::Benign {
                    what: "DETACH PARTITION CONCURRENTLY".into(),
                }
            } else {
                Op::Locking {
                    what: "DETACH PARTITION takes an ACCESS EXCLUSIVE lock".into(),
                    table: Some(t),
                }
            }
        }
        _ => unknown_action(&whole),
    }
}

fn alter_column(mut a: P<'_>, table: ObjectName, column: String) -> Option<Op> {
    if a.eat_seq(&["set", "data", "type"]) || a.eat_kw("type") {
        let type_start = a.pos;
        while !a.at_end() && !a.peek_any(&["collate", "using"]) {
            a.skip_one();
        }
        let new_type = type_text(&a, type_start, a.pos);
        if a.eat_kw("collate") {
            a.object_name();
        }
        let using = if a.eat_kw("using") {
            Some(a.rest_text().to_string())
        } else {
            None
        };
        return Some(Op::AlterColumnType {
            table,
            column,
            new_type,
            using,
        });
    }
    if a.eat_seq(&["set", "not", "null"]) {
        return Some(Op::SetNotNull { table, column });
    }
    if a.eat_seq(&["drop", "not", "null"]) {
        return Some(Op::DropNotNull { table, column });
    }
    if a.eat_seq(&["set", "default"]) {
        return Some(Op::SetDefault {
            table,
            column,
            default: types::default_volatility(a.rest_text()),
        });
    }
    if a.eat_seq(&["drop", "default"]) {
        return Some(Op::DropDefault { table, column });
    }
    if a.eat_seq(&["set", "expression"]) {
        return Some(Op::Locking {
            what: "SET EXPRESSION rewrites the table".into(),
            table: Some(table),
        });
    }
    if a.peek_kw("add") && a.kw_at(1, "generated") {
        return Some(Op::Benign {
            what: "add identity to column".into(),
        });
    }
    let what = match (a.word(0).as_deref(), a.word(1).as_deref()) {
        (Some("set"), Some("statistics")) => "SET STATISTICS",
        (Some("set"), Some("storage")) => "SET STORAGE",
        (Some("set"), Some("compression")) => "SET COMPRESSION",
        (Some("set" | "reset"), None) if a.punct_at(1, "(") => "set column options",
        (Some("set"), Some("generated")) | (Some("restart"), _) => "alter identity",
        (Some("set"), Some(_)) => "alter identity",
        (Some("drop"), Some("identity")) => "DROP IDENTITY",
        (Some("drop"), Some("expression")) => "DROP EXPRESSION",
        _ => return None,
    };
    Some(Op::Benign { what: what.into() })
}

/// `[CONSTRAINT name] PRIMARY KEY | UNIQUE | FOREIGN KEY | CHECK | EXCLUDE | NOT NULL …` after
/// `ADD` (or as a table element of `CREATE TABLE`); the flag is `… USING INDEX`.
fn parse_constraint(a: &mut P<'_>) -> Option<(ConstraintDef, bool)> {
    let mut name = if a.eat_kw("constraint") {
        a.ident()
    } else {
        None
    };
    let kind = if a.eat_seq(&["primary", "key"]) {
        ConstraintKind::PrimaryKey
    } else if a.eat_kw("unique") {
        a.eat_seq(&["nulls", "not", "distinct"]);
        a.eat_seq(&["nulls", "distinct"]);
        ConstraintKind::Unique
    } else if a.eat_seq(&["foreign", "key"]) {
        ConstraintKind::ForeignKey
    } else if a.eat_kw("check") {
        ConstraintKind::Check
    } else if a.eat_kw("exclude") {
        ConstraintKind::Exclude
    } else if a.eat_seq(&["not", "null"]) {
        let columns = a.ident().into_iter().collect();
        let def = ConstraintDef {
            name,
            columns,
            ..ConstraintDef::new(ConstraintKind::NotNull)
        };
        return Some((def, false));
    } else {
        return None;
    };
    let mut using_index = false;
    let mut columns = Vec::new();
    let mut references = None;
    if a.eat_seq(&["using", "index"]) {
        using_index = true;
        let idx = a.ident();
        name = name.or(idx);
    } else if matches!(
        kind,
        ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::ForeignKey
    ) {
        if let Some(inner) = a.paren_inner() {
            columns = key_columns(&inner);
        }
        if kind == ConstraintKind::ForeignKey && a.eat_kw("references") {
            references = a.object_name();
        }
    }
    let def = ConstraintDef {
        kind,
        name,
        columns,
        references,
    };
    Some((def, using_index))
}

/// The key columns of an index or constraint column list (the tokens inside the parentheses):
/// a plain column folds like any identifier (its opclass, collation and ordering are dropped);
/// an expression keeps its lower-cased text in parentheses, so it never matches a plain column.
fn key_columns(inner: &P<'_>) -> Vec<String> {
    inner
        .split_commas()
        .into_iter()
        .map(|c| {
            let first = c.toks.first();
            let ident = first
                .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
                .and_then(|t| lexer::ident_value(t, c.src));
            match ident {
                // `lower(email)`, `public.f(x)`: a function call, not a column.
                Some(v) if !c.punct_at(1, "(") && !c.punct_at(1, ".") => v,
                _ => {
                    if c.punct_at(0, "(") {
                        let end = c.group_end(0);
                        c.text(0, end).to_lowercase()
                    } else {
                        let mut q = c;
                        while !q.at_end() && !q.punct_at(0, "(") {
                            q.pos += 1;
                        }
                        q.skip_one();
                        format!("({})", c.text(0, q.pos).to_lowercase())
                    }
                }
            }
        })
        .collect()
}

fn add_constraint(mut a: P<'_>, table: ObjectName) -> Op {
    let whole = a;
    match parse_constraint(&mut a) {
        Some((def, using_index)) => {
            let not_valid = a.contains_seq(&["not", "valid"]);
            Op::AddConstraint {
                table,
                name: def.name,
                kind: def.kind,
                not_valid,
                using_index,
                columns: def.columns,
                references: def.references,
            }
        }
        None => Op::Unknown {
            reason: format!("unrecognised constraint `{}`", whole.lead_words(4)),
        },
    }
}

/// Normalised type text of absolute token indices `[a, b)`: lower-case, single spaces between
/// words, none around punctuation (`character varying(20)`, `numeric(10,2)`, `int[]`).
fn type_text(p: &P<'_>, a: usize, b: usize) -> Option<String> {
    let mut out = String::new();
    let mut prev_wordish = false;
    for t in p.toks.get(a..b.min(p.toks.len()))? {
        let text = t.text(p.src);
        let wordish = !matches!(t.kind, TokenKind::Punct | TokenKind::Operator);
        if wordish && prev_wordish {
            out.push(' ');
        }
        out.push_str(&text.to_lowercase());
        prev_wordish = wordish || (t.kind == TokenKind::Punct && matches!(text, ")" | "]"));
    }
    (!out.is_empty()).then_some(out)
}

const COLUMN_STOP: &[&str] = &[
    "not",
    "null",
    "default",
    "primary",
    "unique",
    "references",
    "check",
    "constraint",
    "generated",
    "collate",
];

/// `name type [constraints…]`; also returns the constraints declared on the column.
fn column_def(a: &mut P<'_>) -> Option<(ColumnDef, Vec<ConstraintDef>)> {
    let mut col = ColumnDef::named(a.ident()?);
    let mut constraints = Vec::new();
    // The name of a `CONSTRAINT x …` waiting for its constraint.
    let mut pending_name: Option<String> = None;
    let constraint = |kind, name: &mut Option<String>, col: &ColumnDef| ConstraintDef {
        kind,
        name: name.take(),
        columns: vec![col.name.clone()],
        references: None,
    };
    let type_start = a.pos;
    while !a.at_end() && (a.pos == type_start || !a.peek_any(COLUMN_STOP)) {
        a.skip_one();
    }
    col.data_type = type_text(a, type_start, a.pos);
    if col.data_type.as_deref().is_some_and(types::is_serial) {
        col.identity = true;
    }
    while !a.at_end() {
        if a.eat_kw("constraint") {
            pending_name = a.ident();
        } else if a.eat_seq(&["not", "null"]) {
            col.not_null = true;
            pending_name = None;
        } else if a.eat_kw("not") {
            // NOT DEFERRABLE and friends.
            a.skip_one();
        } else if a.eat_kw("null") {
            col.not_null = false;
        } else if a.eat_kw("default") {
            let start = a.pos;
            while !a.at_end() && (a.pos == start || !a.peek_any(COLUMN_STOP)) {
                a.skip_one();
            }
            col.default = types::default_volatility(a.text(start, a.pos));
            if col.default == DefaultKind::None {
                col.default = DefaultKind::Unknown;
            }
        } else if a.eat_seq(&["primary", "key"]) {
            col.primary_key = true;
            col.not_null = true;
            constraints.push(constraint(
                ConstraintKind::PrimaryKey,
                &mut pending_name,
                &col,
            ));
        } else if a.eat_kw("unique") {
            col.unique = true;
            constraints.push(constraint(ConstraintKind::Unique, &mut pending_name, &col));
        } else if a.eat_kw("references") {
            col.references = a.object_name();
            constraints.push(ConstraintDef {
                references: col.references.clone(),
                ..constraint(ConstraintKind::ForeignKey, &mut pending_name, &col)
            });
        } else if a.eat_kw("check") {
            a.skip_parens();
            col.check = true;
            constraints.push(constraint(ConstraintKind::Check, &mut pending_name, &col));
        } else if a.eat_kw("generated") {
            if !a.eat_kw("always") {
                a.eat_seq(&["by", "default"]);
            }
            a.eat_kw("as");
            if a.eat_kw("identity") {
                col.identity = true;
                a.skip_parens();
            } else {
                a.skip_parens();
                col.generated_stored = !a.eat_kw("virtual");
            }
        } else {
            a.skip_one();
        }
    }
    Some((col, constraints))
}

fn alter_index(mut p: P<'_>) -> Vec<Op> {
    if p.eat_kw("all") {
        return vec![Op::Locking {
            what: "ALTER INDEX ALL IN TABLESPACE moves every index".into(),
            table: None,
        }];
    }
    p.eat_seq(&["if", "exists"]);
    let Some(from) = p.object_name() else {
        return vec![Op::Unknown {
            reason: "ALTER INDEX without an index name".into(),
        }];
    };
    if p.eat_seq(&["rename", "to"]) {
        if let Some(to) = p.object_name() {
            return vec![Op::Rename {
                kind: ObjectKind::Index,
                to: with_schema(&from, to),
                from,
            }];
        }
    }
    if p.peek_kw("set") && p.kw_at(1, "tablespace") {
        return vec![Op::Locking {
            what: "ALTER INDEX … SET TABLESPACE rewrites the index".into(),
            table: None,
        }];
    }
    vec![Op::Benign {
        what: format!("ALTER INDEX {}", p.lead_words_from_cursor(3)),
    }]
}

impl P<'_> {
    fn lead_words_from_cursor(&self, n: usize) -> String {
        self.rest().lead_words(n)
    }
}

fn alter_type(mut p: P<'_>) -> Vec<Op> {
    let Some(type_name) = p.object_name() else {
        return vec![Op::Unknown {
            reason: "ALTER TYPE without a type name".into(),
        }];
    };
    if p.eat_seq(&["add", "value"]) {
        let if_not_exists = p.eat_seq(&["if", "not", "exists"]);
        if let Some(value) = p.tok(0).and_then(|t| lexer::string_value(t, p.src)) {
            return vec![Op::AddEnumValue {
                type_name,
                value,
                if_not_exists,
            }];
        }
    } else if p.eat_seq(&["rename", "value"]) {
        let from = p.tok(0).and_then(|t| lexer::string_value(t, p.src));
        let to = p
            .tok(2)
            .filter(|_| p.kw_at(1, "to"))
            .and_then(|t| lexer::string_value(t, p.src));
        if let (Some(from), Some(to)) = (from, to) {
            return vec![Op::RenameEnumValue {
                type_name,
                from,
                to,
            }];
        }
    } else if p.eat_seq(&["rename", "to"]) {
        if let Some(to) = p.object_name() {
            return vec![Op::Rename {
                kind: ObjectKind::Type,
                to: with_schema(&type_name, to),
                from: type_name,
            }];
        }
    } else {
        return vec![Op::Benign {
            what: format!("ALTER TYPE {}", p.lead_words_from_cursor(3)),
        }];
    }
    vec![Op::Unknown {
        reason: "malformed ALTER TYPE".into(),
    }]
}

fn alter_domain(mut p: P<'_>) -> Vec<Op> {
    let Some(name) = p.object_name() else {
        return vec![Op::Unknown {
            reason: "ALTER DOMAIN without a name".into(),
        }];
    };
    if p.eat_seq(&["rename", "to"]) {
        if let Some(to) = p.object_name() {
            return vec![Op::Rename {
                kind: ObjectKind::Domain,
                to: with_schema(&name, to),
                from: name,
            }];
        }
    }
    let checks = (p.peek_kw("add") && !p.contains_seq(&["not", "valid"]))
        || p.contains_seq(&["set", "not", "null"]);
    if checks {
        return vec![Op::Locking {
            what: "ALTER DOMAIN checks every column that uses the domain".into(),
            table: None,
        }];
    }
    vec![Op::Benign {
        what: format!("ALTER DOMAIN {}", p.lead_words_from_cursor(3)),
    }]
}

fn alter_generic(mut p: P<'_>, kind: ObjectKind, kname: &str) -> Vec<Op> {
    p.eat_seq(&["if", "exists"]);
    let from = p.object_name();
    p.skip_parens();
    if p.eat_kw("on") {
        p.object_name();
    }
    if let Some(from) = from {
        if p.eat_seq(&["rename", "to"]) {
            if let Some(to) = p.object_name() {
                let to = match kind {
                    ObjectKind::Schema | ObjectKind::Database | ObjectKind::Extension => to,
                    _ => with_schema(&from, to),
                };
                return vec![Op::Rename { kind, from, to }];
            }
        }
    }
    vec![Op::Benign {
        what: format!("ALTER {}", kname.replace('_', " ").to_uppercase()),
    }]
}

// ---------------------------------------------------------------------------------------------
// CREATE

fn create_stmt(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let or_replace = p.eat_seq(&["or", "replace"]);
    let mut unique = false;
    loop {
        if p.eat_kw("unique") {
            unique = true;
        } else if !(p.eat_kw("temp")
            || p.eat_kw("temporary")
            || p.eat_kw("unlogged")
            || p.eat_kw("global")
            || p.eat_kw("local")
            || p.eat_kw("recursive")
            || p.eat_kw("trusted")
            || p.eat_kw("procedural")
            || p.eat_kw("constraint"))
        {
            break;
        }
    }
    let Some((kind, kname)) = object_kind(&mut p) else {
        return unknown(&p);
    };
    let kind_str = format!("create_{kname}");
    let op = match kname.as_str() {
        "table" => create_table(p),
        "view" | "materialized_view" => {
            p.eat_seq(&["if", "not", "exists"]);
            match p.object_name() {
                Some(view) => Op::CreateView {
                    view,
                    materialized: kind == ObjectKind::MaterializedView,
                    or_replace,
                },
                None => return unknown(&p),
            }
        }
        "index" => {
            let concurrently = p.eat_kw("concurrently");
            let if_not_exists = p.eat_seq(&["if", "not", "exists"]);
            let name = if p.peek_kw("on") {
                None
            } else {
                p.object_name()
            };
            p.eat_kw("on");
            p.eat_kw("only");
            match p.object_name() {
                Some(table) => {
                    p.eat_op("*");
                    if p.eat_kw("using") {
                        p.ident();
                    }
                    let columns = p.paren_inner().map(|i| key_columns(&i)).unwrap_or_default();
                    Op::CreateIndex {
                        name,
                        table,
                        concurrently,
                        unique,
                        if_not_exists,
                        columns,
                    }
                }
                None => return unknown(&p),
            }
        }
        "function" | "procedure" => match create_function(p, kname == "procedure", or_replace) {
            Some(op) => op,
            None => return unknown(&p),
        },
        "trigger" => {
            let name = p.ident();
            let table = p.find_kw("on").and_then(|i| {
                let mut q = p;
                q.pos = i + 1;
                q.object_name()
            });
            match (name, table) {
                (Some(name), Some(table)) => Op::CreateTrigger { name, table },
                _ => return unknown(&p),
            }
        }
        "type" => {
            let Some(name) = p.object_name() else {
                return unknown(&p);
            };
            let enum_labels = if p.eat_seq(&["as", "enum"]) {
                p.paren_inner().map(|inner| {
                    inner
                        .toks
                        .iter()
                        .filter_map(|t| lexer::string_value(t, p.src))
                        .collect()
                })
            } else {
                None
            };
            Op::CreateType { name, enum_labels }
        }
        "schema" => {
            p.eat_seq(&["if", "not", "exists"]);
            p.eat_kw("authorization");
            Op::CreateOther {
                kind,
                name: p.object_name(),
            }
        }
        _ => {
            p.eat_seq(&["if", "not", "exists"]);
            let name = if p.peek_kw("on") {
                None
            } else {
                p.object_name()
            };
            Op::CreateOther { kind, name }
        }
    };
    (kind_str, vec![op])
}

fn create_table(mut p: P<'_>) -> Op {
    let if_not_exists = p.eat_seq(&["if", "not", "exists"]);
    let Some(table) = p.object_name() else {
        return Op::Unknown {
            reason: "CREATE TABLE without a table name".into(),
        };
    };
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    let as_query = p.find_kw("as").is_some();
    if !as_query {
        if let Some(inner) = p.paren_inner() {
            for mut el in inner.split_commas() {
                if is_constraint_start(&el) {
                    if let Some((def, _)) = parse_constraint(&mut el) {
                        constraints.push(def);
                    }
                } else if el.peek_kw("like") {
                    continue;
                } else if let Some((col, cons)) = column_def(&mut el) {
                    columns.push(col);
                    constraints.extend(cons);
                }
            }
        }
    }
    Op::CreateTable {
        table,
        columns,
        constraints,
        if_not_exists,
    }
}

fn create_function(mut p: P<'_>, procedure: bool, or_replace: bool) -> Option<Op> {
    let name = p.object_name()?;
    p.skip_parens();
    let mut language = None;
    let mut body = None;
    while !p.at_end() {
        if p.eat_kw("language") {
            language = p.name_value();
        } else if p.eat_kw("as") {
            if let Some(t) = p.tok(0) {
                if body.is_none() {
                    body = p.literal_body(t);
                }
            }
            p.skip_one();
        } else {
            p.skip_one();
        }
    }
    Some(Op::CreateFunction {
        name,
        procedure,
        or_replace,
        language,
        body,
    })
}

// ---------------------------------------------------------------------------------------------
// Maintenance and locking

fn reindex(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let mut concurrently = false;
    if let Some(opts) = p.paren_inner() {
        concurrently = option_enabled(&opts, "concurrently");
    }
    p.pos += usize::from(p.peek_any(&["index", "table", "schema", "database", "system"]));
    concurrently |= p.eat_kw("concurrently");
    let target = p.object_name();
    (
        "reindex".into(),
        vec![Op::Reindex {
            concurrently,
            target,
        }],
    )
}

/// Whether a parenthesised option list (`FULL, VERBOSE false`) turns `name` on.
fn option_enabled(opts: &P<'_>, name: &str) -> bool {
    opts.split_commas().iter().any(|o| {
        o.peek_kw(name)
            && !o.tok(1).is_some_and(|t| {
                matches!(
                    t.text(o.src).to_ascii_lowercase().as_str(),
                    "false" | "off" | "0" | "'false'" | "'off'"
                )
            })
    })
}

fn vacuum(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let mut full = false;
    if let Some(opts) = p.paren_inner() {
        full = option_enabled(&opts, "full");
    }
    while p.peek_any(&["full", "freeze", "verbose", "analyze", "analyse"]) {
        full |= p.peek_kw("full");
        p.pos += 1;
    }
    let mut tables = Vec::new();
    loop {
        p.eat_kw("only");
        let Some(n) = p.object_name() else { break };
        tables.push(n);
        p.skip_parens();
        if !p.eat_punct(",") {
            break;
        }
    }
    if full {
        ("vacuum".into(), vec![Op::VacuumFull { tables }])
    } else {
        benign("vacuum", "VACUUM")
    }
}

fn cluster(mut p: P<'_>) -> Classified {
    p.pos += 1;
    p.skip_parens();
    p.eat_kw("verbose");
    let mut table = p.object_name();
    // Old syntax: CLUSTER index ON table.
    if p.eat_kw("on") {
        table = p.object_name();
    }
    ("cluster".into(), vec![Op::Cluster { table }])
}

fn lock(mut p: P<'_>) -> Classified {
    p.pos += 1;
    p.eat_kw("table");
    let tables = name_list(&mut p);
    let mut mode = "ACCESS EXCLUSIVE".to_string();
    if p.eat_kw("in") {
        let start = p.pos;
        while !p.at_end() && !p.peek_kw("mode") {
            p.pos += 1;
        }
        let words: Vec<String> = p.toks[start..p.pos]
            .iter()
            .map(|t| t.text(p.src).to_ascii_uppercase())
            .collect();
        if !words.is_empty() {
            mode = words.join(" ");
        }
    }
    ("lock".into(), vec![Op::LockTable { tables, mode }])
}

fn refresh(mut p: P<'_>) -> Classified {
    p.pos += 1;
    p.eat_seq(&["materialized", "view"]);
    if p.eat_kw("concurrently") {
        return benign(
            "refresh_materialized_view",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY",
        );
    }
    let table = p.object_name();
    (
        "refresh_materialized_view".into(),
        vec![Op::Locking {
            what: "REFRESH MATERIALIZED VIEW blocks reads of the view".into(),
            table,
        }],
    )
}

// ---------------------------------------------------------------------------------------------
// DML

fn is_pg_enum(n: &ObjectName) -> bool {
    n.name == "pg_enum" && matches!(n.schema.as_deref(), None | Some("pg_catalog"))
}

fn delete(mut p: P<'_>) -> Classified {
    p.pos += 1;
    p.eat_kw("from");
    p.eat_kw("only");
    let Some(table) = p.object_name() else {
        return unknown(&p);
    };
    if is_pg_enum(&table) {
        return ("delete".into(), vec![Op::DropEnumValue { type_name: None }]);
    }
    let has_where = p.find_kw("where").is_some();
    ("delete".into(), vec![Op::Delete { table, has_where }])
}

fn update(mut p: P<'_>) -> Classified {
    p.pos += 1;
    p.eat_kw("only");
    let Some(table) = p.object_name() else {
        return unknown(&p);
    };
    if is_pg_enum(&table) {
        return (
            "update".into(),
            vec![Op::Unknown {
                reason: "writes the system catalog pg_enum".into(),
            }],
        );
    }
    let has_where = p.find_kw("where").is_some();
    ("update".into(), vec![Op::Update { table, has_where }])
}

fn with_stmt(mut p: P<'_>) -> Classified {
    p.pos += 1;
    p.eat_kw("recursive");
    let mut ops = Vec::new();
    loop {
        if p.ident().is_none() {
            return unknown(&p);
        }
        p.skip_parens();
        p.eat_kw("as");
        p.eat_kw("not");
        p.eat_kw("materialized");
        let Some(body) = p.paren_inner() else {
            return unknown(&p);
        };
        if body.peek_any(&["delete", "update", "insert", "with"]) {
            let (_, inner_ops) = statement(body);
            ops.extend(
                inner_ops
                    .into_iter()
                    .filter(|o| !matches!(o, Op::Unknown { .. })),
            );
        }
        // SEARCH / CYCLE clauses of recursive queries.
        while !p.at_end()
            && !p.punct_at(0, ",")
            && !p.peek_any(&[
                "select", "insert", "update", "delete", "values", "merge", "table",
            ])
        {
            p.skip_one();
        }
        if !p.eat_punct(",") {
            break;
        }
    }
    let (kind, main) = statement(p.rest());
    ops.extend(main);
    (kind, ops)
}

fn copy(mut p: P<'_>) -> Classified {
    p.pos += 1;
    if p.punct_at(0, "(") {
        return benign("copy", "COPY (query) TO");
    }
    let Some(table) = p.object_name() else {
        return unknown(&p);
    };
    p.skip_parens();
    if p.eat_kw("from") {
        ("copy".into(), vec![Op::Insert { table }])
    } else {
        benign("copy", "COPY … TO")
    }
}

// ---------------------------------------------------------------------------------------------
// Session, blocks, queries

fn set_stmt(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let local = p.eat_kw("local");
    p.eat_kw("session");
    if p.peek_any(&["transaction", "constraints", "characteristics"]) {
        return benign("set", p.lead_words(3));
    }
    let name = if p.eat_seq(&["time", "zone"]) {
        "timezone".to_string()
    } else if p.eat_kw("authorization") {
        "session_authorization".to_string()
    } else {
        match dotted_name(&mut p) {
            Some(n) => n,
            None => return unknown(&p),
        }
    };
    if !p.eat_op("=") {
        p.eat_kw("to");
    }
    let value = match (p.toks.len() - p.pos.min(p.toks.len()), p.tok(0)) {
        (1, Some(t)) if t.kind == TokenKind::String => {
            lexer::string_value(t, p.src).unwrap_or_default()
        }
        _ => p.rest_text().trim().to_string(),
    };
    ("set".into(), vec![Op::SetParameter { name, value, local }])
}

fn do_block(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let mut language = None;
    let mut body = None;
    while !p.at_end() {
        if p.eat_kw("language") {
            language = p.name_value();
        } else {
            if let Some(t) = p.tok(0) {
                if body.is_none() {
                    body = p.literal_body(t);
                }
            }
            p.pos += 1;
        }
    }
    ("do".into(), vec![Op::DoBlock { language, body }])
}

fn select(mut p: P<'_>) -> Classified {
    p.pos += 1;
    if let Some(function) = p.object_name() {
        if p.punct_at(0, "(") {
            let args = p.paren_inner();
            // Nothing but an optional alias may follow a single call.
            let alias_only = p.at_end()
                || (p.eat_kw("as") && p.ident().is_some() && p.at_end())
                || (p.ident().is_some() && p.at_end());
            if alias_only {
                if function.name == "set_config"
                    && matches!(function.schema.as_deref(), None | Some("pg_catalog"))
                {
                    if let Some(op) = args.and_then(|a| set_config(&a)) {
                        return ("set".into(), vec![op]);
                    }
                }
                return ("select".into(), vec![Op::Call { function }]);
            }
        }
    }
    benign("select", "SELECT")
}

/// `set_config('name', 'value', is_local)`.
fn set_config(args: &P<'_>) -> Option<Op> {
    let parts = args.split_commas();
    let [name, value, local] = parts.as_slice() else {
        return None;
    };
    let lit = |a: &P<'_>| match a.toks {
        [t] => lexer::string_value(t, a.src),
        _ => None,
    };
    let local = match local.toks {
        [t] => t.text(local.src).eq_ignore_ascii_case("true"),
        _ => false,
    };
    Some(Op::SetParameter {
        name: lit(name)?.to_ascii_lowercase(),
        value: lit(value)?,
        local,
    })
}

fn explain(mut p: P<'_>) -> Classified {
    p.pos += 1;
    let mut analyze = false;
    if let Some(opts) = p.paren_inner() {
        analyze = option_enabled(&opts, "analyze") || option_enabled(&opts, "analyse");
    }
    while p.peek_any(&["analyze", "analyse", "verbose"]) {
        analyze |= !p.peek_kw("verbose");
        p.pos += 1;
    }
    if analyze {
        // EXPLAIN ANALYZE runs the statement.
        let (_, ops) = statement(p.rest());
        return ("explain".into(), ops);
    }
    benign("explain", "EXPLAIN")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fb(sql: &str) -> Fallback {
        classify(sql, &lexer::tokenize(sql))
    }

    fn ops(sql: &str) -> Vec<Op> {
        fb(sql).ops
    }

    fn one(sql: &str) -> Op {
        let mut ops = ops(sql);
        assert_eq!(ops.len(), 1, "{sql}: {ops:?}");
        ops.remove(0)
    }

    fn n(s: &str) -> ObjectName {
        ObjectName::new(s)
    }

    fn q(s: &str, t: &str) -> ObjectName {
        ObjectName::qualified(s, t)
    }

    fn col(name: &str, ty: &str) -> ColumnDef {
        ColumnDef {
            data_type: Some(ty.into()),
            ..ColumnDef::named(name)
        }
    }

    fn benign_op(what: &str) -> Op {
        Op::Benign { what: what.into() }
    }

    // ---- statements sqlparser rejects -------------------------------------------------------

    #[test]
    fn do_block_with_dollar_body() {
        let sql = "DO $$ BEGIN ALTER TABLE users DROP COLUMN legacy; END $$;";
        let f = fb(sql);
        assert_eq!(f.kind, "do");
        assert_eq!(
            f.ops,
            vec![Op::DoBlock {
                language: None,
                body: Some((5, 54))
            }]
        );
        assert_eq!(
            &sql[5..54],
            " BEGIN ALTER TABLE users DROP COLUMN legacy; END "
        );
        // Relative to the first significant token, even with leading trivia.
        let sql = "  -- c\nDO LANGUAGE plpgsql 'BEGIN NULL; END';";
        let toks = lexer::tokenize(sql);
        let f = classify(sql, &toks);
        assert_eq!(
            f.ops,
            vec![Op::DoBlock {
                language: Some("plpgsql".into()),
                body: Some((21, 36))
            }]
        );
        assert_eq!(&sql[7 + 21..7 + 36], "BEGIN NULL; END");
        assert_eq!(
            ops("DO $x$ SELECT 1 $x$ LANGUAGE SQL"),
            vec![Op::DoBlock {
                language: Some("sql".into()),
                body: Some((6, 16))
            }]
        );
    }

    #[test]
    fn reindex_index_concurrently() {
        let f = fb("REINDEX INDEX CONCURRENTLY idx_a;");
        assert_eq!(f.kind, "reindex");
        assert_eq!(
            f.ops,
            vec![Op::Reindex {
                concurrently: true,
                target: Some(n("idx_a"))
            }]
        );
        assert_eq!(
            one("REINDEX (VERBOSE, CONCURRENTLY) TABLE s.t"),
            Op::Reindex {
                concurrently: true,
                target: Some(q("s", "t"))
            }
        );
        assert_eq!(
            one("REINDEX DATABASE"),
            Op::Reindex {
                concurrently: false,
                target: None
            }
        );
    }

    #[test]
    fn reindex_table() {
        assert_eq!(
            one("REINDEX TABLE users;"),
            Op::Reindex {
                concurrently: false,
                target: Some(n("users"))
            }
        );
    }

    #[test]
    fn create_statistics() {
        let f = fb("CREATE STATISTICS s1 (dependencies) ON a, b FROM t;");
        assert_eq!(f.kind, "create_statistics");
        assert_eq!(
            f.ops,
            vec![Op::CreateOther {
                kind: ObjectKind::Other,
                name: Some(n("s1"))
            }]
        );
        assert_eq!(
            one("CREATE STATISTICS IF NOT EXISTS public.s2 ON a, b FROM t"),
            Op::CreateOther {
                kind: ObjectKind::Other,
                name: Some(q("public", "s2"))
            }
        );
    }

    #[test]
    fn drop_index_concurrently_if_exists() {
        let f = fb("DROP INDEX CONCURRENTLY IF EXISTS idx_a;");
        assert_eq!(f.kind, "drop_index");
        assert_eq!(
            f.ops,
            vec![Op::Drop {
                kind: ObjectKind::Index,
                names: vec![n("idx_a")],
                table: None,
                if_exists: true,
                cascade: false,
                concurrently: true,
            }]
        );
    }

    #[test]
    fn alter_index_if_exists_rename() {
        let f = fb("ALTER INDEX IF EXISTS idx_a RENAME TO idx_b;");
        assert_eq!(f.kind, "alter_index");
        assert_eq!(
            f.ops,
            vec![Op::Rename {
                kind: ObjectKind::Index,
                from: n("idx_a"),
                to: n("idx_b")
            }]
        );
        assert_eq!(
            one("ALTER INDEX s.a RENAME TO b"),
            Op::Rename {
                kind: ObjectKind::Index,
                from: q("s", "a"),
                to: q("s", "b")
            }
        );
    }

    #[test]
    fn other_alter_index_forms_are_benign() {
        assert_eq!(
            one("ALTER INDEX i SET (fillfactor = 70)"),
            benign_op("ALTER INDEX SET")
        );
        assert_eq!(
            one("ALTER INDEX p ATTACH PARTITION c"),
            benign_op("ALTER INDEX ATTACH PARTITION C")
        );
        assert_eq!(
            one("ALTER INDEX i ALTER COLUMN 1 SET STATISTICS 100"),
            benign_op("ALTER INDEX ALTER COLUMN")
        );
        assert_eq!(
            one("ALTER INDEX i SET TABLESPACE fast"),
            Op::Locking {
                what: "ALTER INDEX … SET TABLESPACE rewrites the index".into(),
                table: None
            }
        );
    }

    #[test]
    fn comment_on_constraint() {
        let f = fb("COMMENT ON CONSTRAINT fk_x ON orders IS 'x';");
        assert_eq!(f.kind, "comment");
        assert_eq!(f.ops, vec![benign_op("COMMENT ON CONSTRAINT")]);
    }

    #[test]
    fn add_named_not_null_constraint() {
        let f = fb("ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;");
        assert_eq!(f.kind, "alter_table");
        assert_eq!(
            f.ops,
            vec![Op::AddConstraint {
                table: n("users"),
                name: Some("users_email_nn".into()),
                kind: ConstraintKind::NotNull,
                not_valid: false,
                using_index: false,
                columns: vec!["email".into()],
                references: None,
            }]
        );
    }

    #[test]
    fn alter_column_set_statistics() {
        assert_eq!(
            one("ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;"),
            benign_op("SET STATISTICS")
        );
    }

    #[test]
    fn create_function_language_before_body() {
        let sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql COST 100 AS $$ select 1 $$;";
        let f = fb(sql);
        assert_eq!(f.kind, "create_function");
        assert_eq!(
            f.ops,
            vec![Op::CreateFunction {
                name: n("f"),
                procedure: false,
                or_replace: false,
                language: Some("sql".into()),
                body: Some((59, 69)),
            }]
        );
        assert_eq!(&sql[59..69], " select 1 ");
    }

    #[test]
    fn multi_action_alter_table() {
        let f = fb("ALTER TABLE t ADD COLUMN a int, DROP COLUMN b, ALTER COLUMN c TYPE bigint USING c::bigint, RENAME CONSTRAINT x TO y;");
        assert_eq!(f.kind, "alter_table");
        assert_eq!(
            f.ops,
            vec![
                Op::AddColumn {
                    table: n("t"),
                    column: col("a", "int"),
                    if_not_exists: false
                },
                Op::DropColumn {
                    table: n("t"),
                    column: "b".into(),
                    if_exists: false
                },
                Op::AlterColumnType {
                    table: n("t"),
                    column: "c".into(),
                    new_type: Some("bigint".into()),
                    using: Some("c::bigint".into()),
                },
                Op::RenameConstraint {
                    table: n("t"),
                    from: "x".into(),
                    to: "y".into()
                },
            ]
        );
    }

    #[test]
    fn drop_quoted_constraint_on_only_table() {
        assert_eq!(
            ops("ALTER TABLE ONLY public.\"Users\" DROP CONSTRAINT IF EXISTS \"Users_pkey\" CASCADE;"),
            vec![Op::DropConstraint { table: q("public", "Users"), name: Some("Users_pkey".into()), if_exists: true }]
        );
    }

    // ---- DROP ---------------------------------------------------------------------------------

    fn drop_op(kind: ObjectKind, names: Vec<ObjectName>) -> Op {
        Op::Drop {
            kind,
            names,
            table: None,
            if_exists: false,
            cascade: false,
            concurrently: false,
        }
    }

    #[test]
    fn drop_forms() {
        assert_eq!(
            one("DROP TABLE IF EXISTS a, s.b CASCADE"),
            Op::Drop {
                kind: ObjectKind::Table,
                names: vec![n("a"), q("s", "b")],
                table: None,
                if_exists: true,
                cascade: true,
                concurrently: false
            }
        );
        assert_eq!(
            fb("DROP MATERIALIZED VIEW mv").kind,
            "drop_materialized_view"
        );
        assert_eq!(
            one("DROP MATERIALIZED VIEW mv"),
            drop_op(ObjectKind::MaterializedView, vec![n("mv")])
        );
        for (sql, kind) in [
            ("DROP VIEW v", ObjectKind::View),
            ("DROP SEQUENCE v", ObjectKind::Sequence),
            ("DROP SCHEMA v", ObjectKind::Schema),
            ("DROP TYPE v", ObjectKind::Type),
            ("DROP DOMAIN v", ObjectKind::Domain),
            ("DROP EXTENSION v", ObjectKind::Extension),
            ("DROP DATABASE v", ObjectKind::Database),
            ("DROP ROLE v", ObjectKind::Other),
        ] {
            assert_eq!(one(sql), drop_op(kind, vec![n("v")]), "{sql}");
        }
        assert_eq!(
            one("DROP FUNCTION IF EXISTS f(int, text), g() RESTRICT"),
            Op::Drop {
                kind: ObjectKind::Function,
                names: vec![n("f"), n("g")],
                table: None,
                if_exists: true,
                cascade: false,
                concurrently: false
            }
        );
        assert_eq!(
            one("DROP PROCEDURE p(int)"),
            drop_op(ObjectKind::Procedure, vec![n("p")])
        );
        for (sql, kind) in [
            ("DROP TRIGGER trg ON s.t", ObjectKind::Trigger),
            ("DROP POLICY trg ON s.t", ObjectKind::Policy),
            ("DROP RULE trg ON s.t", ObjectKind::Rule),
        ] {
            assert_eq!(
                one(sql),
                Op::Drop {
                    kind,
                    names: vec![n("trg")],
                    table: Some(q("s", "t")),
                    if_exists: false,
                    cascade: false,
                    concurrently: false
                }
            );
        }
        assert_eq!(fb("DROP TRIGGER trg ON t").kind, "drop_trigger");
    }

    // ---- ALTER TABLE ------------------------------------------------------------------------

    #[test]
    fn add_column_with_constraints() {
        let op = one("ALTER TABLE IF EXISTS s.t ADD COLUMN IF NOT EXISTS email character varying(20) NOT NULL DEFAULT 'x' UNIQUE REFERENCES s.u (id) CHECK (email <> '')");
        let column = ColumnDef {
            not_null: true,
            default: DefaultKind::Constant,
            unique: true,
            references: Some(q("s", "u")),
            check: true,
            ..col("email", "character varying(20)")
        };
        assert_eq!(
            op,
            Op::AddColumn {
                table: q("s", "t"),
                column,
                if_not_exists: true
            }
        );
    }

    #[test]
    fn add_column_defaults() {
        let default_of = |sql: &str| match one(sql) {
            Op::AddColumn { column, .. } => column.default,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            default_of("ALTER TABLE t ADD c timestamptz DEFAULT now() NOT NULL"),
            DefaultKind::Constant
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c timestamptz DEFAULT current_timestamp"),
            DefaultKind::Constant
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c int DEFAULT 0"),
            DefaultKind::Constant
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c uuid DEFAULT gen_random_uuid()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c uuid DEFAULT uuid_generate_v4()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c float DEFAULT random()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c timestamptz DEFAULT clock_timestamp()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c text DEFAULT timeofday()"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c bigint DEFAULT nextval('s')"),
            DefaultKind::Volatile
        );
        assert_eq!(
            default_of("ALTER TABLE t ADD c int DEFAULT my_func()"),
            DefaultKind::Unknown
        );
        assert_eq!(default_of("ALTER TABLE t ADD c int"), DefaultKind::None);
    }

    #[test]
    fn add_column_identity_generated_and_keys() {
        let column_of = |sql: &str| match one(sql) {
            Op::AddColumn { column, .. } => column,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            column_of("ALTER TABLE t ADD id bigserial PRIMARY KEY"),
            ColumnDef {
                identity: true,
                primary_key: true,
                not_null: true,
                ..col("id", "bigserial")
            }
        );
        assert_eq!(
            column_of("ALTER TABLE t ADD id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10)"),
            ColumnDef {
                identity: true,
                ..col("id", "bigint")
            }
        );
        assert_eq!(
            column_of("ALTER TABLE t ADD total numeric(10, 2) GENERATED ALWAYS AS (a + b) STORED"),
            ColumnDef {
                generated_stored: true,
                ..col("total", "numeric(10,2)")
            }
        );
        assert_eq!(
            column_of("ALTER TABLE t ADD c timestamp with time zone NULL COLLATE \"C\""),
            col("c", "timestamp with time zone")
        );
        assert_eq!(
            column_of("ALTER TABLE t ADD c int[] CONSTRAINT c_nn NOT NULL"),
            ColumnDef {
                not_null: true,
                ..col("c", "int[]")
            }
        );
    }

    fn add_constraint(
        name: Option<&str>,
        kind: ConstraintKind,
        not_valid: bool,
        using_index: bool,
        columns: &[&str],
    ) -> Op {
        Op::AddConstraint {
            table: n("t"),
            name: name.map(Into::into),
            kind,
            not_valid,
            using_index,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            references: None,
        }
    }

    /// [`add_constraint`] of a foreign key to `u`.
    fn add_fk(name: Option<&str>, not_valid: bool, columns: &[&str]) -> Op {
        match add_constraint(name, ConstraintKind::ForeignKey, not_valid, false, columns) {
            Op::AddConstraint {
                table,
                name,
                kind,
                not_valid,
                using_index,
                columns,
                ..
            } => Op::AddConstraint {
                table,
                name,
                kind,
                not_valid,
                using_index,
                columns,
                references: Some(n("u")),
            },
            other => other,
        }
    }

    #[test]
    fn add_constraints() {
        use ConstraintKind as C;
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a, \"B\") REFERENCES u (id) NOT VALID"),
            add_fk(Some("fk"), true, &["a", "B"])
        );
        assert_eq!(
            one("ALTER TABLE t ADD PRIMARY KEY (id)"),
            add_constraint(None, C::PrimaryKey, false, false, &["id"])
        );
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_idx"),
            add_constraint(Some("t_pk"), C::PrimaryKey, false, true, &[])
        );
        assert_eq!(
            one("ALTER TABLE t ADD UNIQUE USING INDEX t_idx"),
            add_constraint(Some("t_idx"), C::Unique, false, true, &[])
        );
        assert_eq!(
            one("ALTER TABLE t ADD UNIQUE NULLS NOT DISTINCT (a)"),
            add_constraint(None, C::Unique, false, false, &["a"])
        );
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID"),
            add_constraint(Some("c"), C::Check, true, false, &[])
        );
        assert_eq!(
            one("ALTER TABLE t ADD CHECK (a > 0)"),
            add_constraint(None, C::Check, false, false, &[])
        );
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (r WITH &&)"),
            add_constraint(Some("ex"), C::Exclude, false, false, &[])
        );
        assert_eq!(
            one("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u"),
            add_fk(None, false, &["a"])
        );
        assert_eq!(
            one("ALTER TABLE t ADD PRIMARY KEY (\"A\" DESC, lower(b) text_pattern_ops, (c + 1))"),
            add_constraint(
                None,
                C::PrimaryKey,
                false,
                false,
                &["A", "(lower(b))", "(c + 1)"]
            )
        );
    }

    #[test]
    fn drop_column_and_constraint() {
        assert_eq!(
            one("ALTER TABLE t DROP COLUMN IF EXISTS c CASCADE"),
            Op::DropColumn {
                table: n("t"),
                column: "c".into(),
                if_exists: true
            }
        );
        assert_eq!(
            one("ALTER TABLE t DROP c"),
            Op::DropColumn {
                table: n("t"),
                column: "c".into(),
                if_exists: false
            }
        );
        assert_eq!(
            one("ALTER TABLE t DROP CONSTRAINT c"),
            Op::DropConstraint {
                table: n("t"),
                name: Some("c".into()),
                if_exists: false
            }
        );
    }

    #[test]
    fn alter_column_forms() {
        let t = || n("t");
        let c = || "c".to_string();
        assert_eq!(
            one("ALTER TABLE t ALTER c SET DATA TYPE varchar(10) COLLATE \"C\""),
            Op::AlterColumnType {
                table: t(),
                column: c(),
                new_type: Some("varchar(10)".into()),
                using: None
            }
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN c SET NOT NULL"),
            Op::SetNotNull {
                table: t(),
                column: c()
            }
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN c DROP NOT NULL"),
            Op::DropNotNull {
                table: t(),
                column: c()
            }
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN c SET DEFAULT 5"),
            Op::SetDefault {
                table: t(),
                column: c(),
                default: DefaultKind::Constant
            }
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN c SET DEFAULT gen_random_uuid()"),
            Op::SetDefault {
                table: t(),
                column: c(),
                default: DefaultKind::Volatile
            }
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN c DROP DEFAULT"),
            Op::DropDefault {
                table: t(),
                column: c()
            }
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN c SET STORAGE EXTERNAL"),
            benign_op("SET STORAGE")
        );
        assert_eq!(
            one("ALTER TABLE t ALTER COLUMN c ADD GENERATED ALWAYS AS IDENTITY"),
            benign_op("add identity to column")
        );
        assert!(matches!(
            one("ALTER TABLE t ALTER COLUMN c FROB"),
            Op::Unknown { .. }
        ));
    }

    #[test]
    fn renames_and_set_schema() {
        assert_eq!(
            one("ALTER TABLE t RENAME COLUMN a TO b"),
            Op::RenameColumn {
                table: n("t"),
                from: "a".into(),
                to: "b".into()
            }
        );
        assert_eq!(
            one("ALTER TABLE t RENAME a TO \"B\""),
            Op::RenameColumn {
                table: n("t"),
                from: "a".into(),
                to: "B".into()
            }
        );
        assert_eq!(
            one("ALTER TABLE s.t RENAME TO u"),
            Op::Rename {
                kind: ObjectKind::Table,
                from: q("s", "t"),
                to: q("s", "u")
            }
        );
        assert_eq!(
            one("ALTER TABLE s.t SET SCHEMA archive"),
            Op::Rename {
                kind: ObjectKind::Table,
                from: q("s", "t"),
                to: q("archive", "t")
            }
        );
        assert_eq!(
            one("ALTER TABLE t VALIDATE CONSTRAINT fk"),
            Op::ValidateConstraint {
                table: n("t"),
                name: "fk".into()
            }
        );
    }

    #[test]
    fn benign_and_locking_table_actions() {
        for (sql, what) in [
            ("ALTER TABLE t OWNER TO bob", "change owner"),
            ("ALTER TABLE t ENABLE TRIGGER trg", "ENABLE TRIGGER TRG"),
            ("ALTER TABLE t DISABLE TRIGGER ALL", "DISABLE TRIGGER ALL"),
            (
                "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
                "ENABLE ROW LEVEL SECURITY",
            ),
            (
                "ALTER TABLE t FORCE ROW LEVEL SECURITY",
                "FORCE ROW LEVEL SECURITY",
            ),
            (
                "ALTER TABLE t SET (fillfactor = 70)",
                "set storage parameters",
            ),
            (
                "ALTER TABLE t RESET (fillfactor)",
                "reset storage parameters",
            ),
            (
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "REPLICA IDENTITY FULL",
            ),
            ("ALTER TABLE t CLUSTER ON idx", "CLUSTER ON IDX"),
            (
                "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
                "DETACH PARTITION CONCURRENTLY",
            ),
        ] {
            assert_eq!(one(sql), benign_op(what), "{sql}");
        }
        let locking = |what: &str| Op::Locking {
            what: what.into(),
            table: Some(n("t")),
        };
        assert_eq!(
            one("ALTER TABLE t SET LOGGED"),
            locking("SET LOGGED / SET UNLOGGED rewrites the table")
        );
        assert_eq!(
            one("ALTER TABLE t SET UNLOGGED"),
            locking("SET LOGGED / SET UNLOGGED rewrites the table")
        );
        assert_eq!(
            one("ALTER TABLE t SET TABLESPACE x"),
            locking("SET TABLESPACE rewrites the table")
        );
        assert_eq!(
            one("ALTER TABLE t SET ACCESS METHOD heap"),
            locking("SET ACCESS METHOD rewrites the table")
        );
        assert_eq!(
            one("ALTER TABLE t ATTACH PARTITION c FOR VALUES IN (1, 2)"),
            locking("ATTACH PARTITION scans the attached partition")
        );
        assert_eq!(
            one("ALTER TABLE t DETACH PARTITION c"),
            locking("DETACH PARTITION takes an ACCESS EXCLUSIVE lock")
        );
    }

    #[test]
    fn unknown_action_only_affects_itself() {
        assert_eq!(
            ops("ALTER TABLE t FROBNICATE x, DROP COLUMN b"),
            vec![
                Op::Unknown {
                    reason: "unrecognised ALTER TABLE action `FROBNICATE X`".into()
                },
                Op::DropColumn {
                    table: n("t"),
                    column: "b".into(),
                    if_exists: false
                },
            ]
        );
    }

    // ---- other ALTERs -----------------------------------------------------------------------

    #[test]
    fn alter_renames_of_other_kinds() {
        for (sql, kind) in [
            ("ALTER VIEW s.a RENAME TO b", ObjectKind::View),
            (
                "ALTER MATERIALIZED VIEW s.a RENAME TO b",
                ObjectKind::MaterializedView,
            ),
            ("ALTER SEQUENCE s.a RENAME TO b", ObjectKind::Sequence),
            ("ALTER TYPE s.a RENAME TO b", ObjectKind::Type),
            ("ALTER DOMAIN s.a RENAME TO b", ObjectKind::Domain),
            ("ALTER FUNCTION s.a(int) RENAME TO b", ObjectKind::Function),
        ] {
            assert_eq!(
                one(sql),
                Op::Rename {
                    kind,
                    from: q("s", "a"),
                    to: q("s", "b")
                },
                "{sql}"
            );
        }
        assert_eq!(
            one("ALTER SCHEMA a RENAME TO b"),
            Op::Rename {
                kind: ObjectKind::Schema,
                from: n("a"),
                to: n("b")
            }
        );
        assert_eq!(
            fb("ALTER MATERIALIZED VIEW a RENAME TO b").kind,
            "alter_materialized_view"
        );
    }

    #[test]
    fn alter_type_forms() {
        assert_eq!(
            one("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'sad'"),
            Op::AddEnumValue {
                type_name: n("mood"),
                value: "meh".into(),
                if_not_exists: true
            }
        );
        assert_eq!(
            one("ALTER TYPE s.mood ADD VALUE 'o''k'"),
            Op::AddEnumValue {
                type_name: q("s", "mood"),
                value: "o'k".into(),
                if_not_exists: false
            }
        );
        assert_eq!(
            one("ALTER TYPE mood RENAME VALUE 'a' TO 'b'"),
            Op::RenameEnumValue {
                type_name: n("mood"),
                from: "a".into(),
                to: "b".into()
            }
        );
        assert_eq!(
            one("ALTER TYPE t RENAME ATTRIBUTE a TO b"),
            benign_op("ALTER TYPE RENAME ATTRIBUTE A")
        );
        assert_eq!(
            one("ALTER SEQUENCE s RESTART WITH 5"),
            benign_op("ALTER SEQUENCE")
        );
        assert_eq!(
            one("ALTER EXTENSION e UPDATE"),
            benign_op("ALTER EXTENSION")
        );
        assert_eq!(
            one("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO r"),
            benign_op("ALTER DEFAULT PRIVILEGES")
        );
        assert_eq!(
            one("ALTER STATISTICS s SET STATISTICS 10"),
            benign_op("ALTER STATISTICS")
        );
        assert_eq!(
            one("ALTER SYSTEM SET work_mem = '1GB'"),
            benign_op("ALTER SYSTEM")
        );
        assert_eq!(
            one("ALTER FUNCTION f(int) OWNER TO bob"),
            benign_op("ALTER FUNCTION")
        );
    }

    // ---- CREATE -----------------------------------------------------------------------------

    #[test]
    fn create_index_forms() {
        let f =
            fb("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx ON ONLY s.t USING btree (a)");
        assert_eq!(f.kind, "create_index");
        assert_eq!(
            f.ops,
            vec![Op::CreateIndex {
                name: Some(n("idx")),
                table: q("s", "t"),
                concurrently: true,
                unique: true,
                if_not_exists: true,
                columns: vec!["a".into()],
            }]
        );
        assert_eq!(
            one("CREATE INDEX ON t (a)"),
            Op::CreateIndex {
                name: None,
                table: n("t"),
                concurrently: false,
                unique: false,
                if_not_exists: false,
                columns: vec!["a".into()],
            }
        );
        let columns = |sql: &str| match one(sql) {
            Op::CreateIndex { columns, .. } => columns,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            columns("CREATE INDEX i ON t (\"Email\" COLLATE \"C\" DESC NULLS LAST, b text_pattern_ops) INCLUDE (c) WHERE d"),
            ["Email", "b"]
        );
        assert_eq!(
            columns("CREATE INDEX i ON t USING gin (LOWER(email), (a || b), s.f(x))"),
            ["(lower(email))", "(a || b)", "(s.f(x))"]
        );
        assert_eq!(columns("CREATE INDEX i ON t"), Vec::<String>::new());
    }

    #[test]
    fn create_view_forms() {
        assert_eq!(
            one("CREATE OR REPLACE TEMP VIEW v AS SELECT 1"),
            Op::CreateView {
                view: n("v"),
                materialized: false,
                or_replace: true
            }
        );
        let f = fb("CREATE MATERIALIZED VIEW IF NOT EXISTS s.mv AS SELECT 1 WITH NO DATA");
        assert_eq!(f.kind, "create_materialized_view");
        assert_eq!(
            f.ops,
            vec![Op::CreateView {
                view: q("s", "mv"),
                materialized: true,
                or_replace: false
            }]
        );
    }

    #[test]
    fn create_table_forms() {
        let f = fb("CREATE TABLE IF NOT EXISTS s.t (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT '', org_id int REFERENCES orgs, CONSTRAINT u UNIQUE (name), CHECK (id > 0), LIKE other)");
        assert_eq!(f.kind, "create_table");
        assert_eq!(
            f.ops,
            vec![Op::CreateTable {
                table: q("s", "t"),
                columns: vec![
                    ColumnDef {
                        identity: true,
                        primary_key: true,
                        not_null: true,
                        ..col("id", "bigserial")
                    },
                    ColumnDef {
                        not_null: true,
                        default: DefaultKind::Constant,
                        ..col("name", "text")
                    },
                    ColumnDef {
                        references: Some(n("orgs")),
                        ..col("org_id", "int")
                    },
                ],
                constraints: vec![
                    ConstraintDef {
                        columns: vec!["id".into()],
                        ..ConstraintDef::new(ConstraintKind::PrimaryKey)
                    },
                    ConstraintDef {
                        columns: vec!["org_id".into()],
                        references: Some(n("orgs")),
                        ..ConstraintDef::new(ConstraintKind::ForeignKey)
                    },
                    ConstraintDef {
                        name: Some("u".into()),
                        columns: vec!["name".into()],
                        ..ConstraintDef::new(ConstraintKind::Unique)
                    },
                    ConstraintDef::new(ConstraintKind::Check),
                ],
                if_not_exists: true,
            }]
        );
        let empty = |table| Op::CreateTable {
            table,
            columns: vec![],
            constraints: vec![],
            if_not_exists: false,
        };
        assert_eq!(one("CREATE TABLE t2 AS SELECT * FROM t"), empty(n("t2")));
        assert_eq!(one("CREATE TABLE t2 (a, b) AS SELECT 1, 2"), empty(n("t2")));
        assert_eq!(
            one("CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)"),
            empty(n("p1"))
        );
        assert_eq!(
            one("CREATE UNLOGGED TABLE u (a int)"),
            Op::CreateTable {
                table: n("u"),
                columns: vec![col("a", "int")],
                constraints: vec![],
                if_not_exists: false
            }
        );
        let constraints = |sql: &str| match one(sql) {
            Op::CreateTable { constraints, .. } => constraints,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            constraints("CREATE TABLE b (a int CONSTRAINT b_a_fk REFERENCES s.\"Author\" (id) ON DELETE CASCADE, c int, CONSTRAINT b_fk FOREIGN KEY (a, c) REFERENCES x (p, q) ON DELETE SET NULL, PRIMARY KEY (c, a))"),
            [
                ConstraintDef {
                    name: Some("b_a_fk".into()),
                    columns: vec!["a".into()],
                    references: Some(q("s", "Author")),
                    ..ConstraintDef::new(ConstraintKind::ForeignKey)
                },
                ConstraintDef {
                    name: Some("b_fk".into()),
                    columns: vec!["a".into(), "c".into()],
                    references: Some(n("x")),
                    ..ConstraintDef::new(ConstraintKind::ForeignKey)
                },
                ConstraintDef {
                    columns: vec!["c".into(), "a".into()],
                    ..ConstraintDef::new(ConstraintKind::PrimaryKey)
                },
            ]
        );
    }

    #[test]
    fn create_function_forms() {
        let sql = "CREATE OR REPLACE FUNCTION s.f(a int, b text) RETURNS trigger AS $fn$ BEGIN RETURN NEW; END $fn$ LANGUAGE plpgsql";
        let body = sql.find(" BEGIN").unwrap();
        assert_eq!(
            one(sql),
            Op::CreateFunction {
                name: q("s", "f"),
                procedure: false,
                or_replace: true,
                language: Some("plpgsql".into()),
                body: Some((body, body + " BEGIN RETURN NEW; END ".len())),
            }
        );
        let sql = "CREATE PROCEDURE p() LANGUAGE SQL AS 'DELETE FROM t'";
        let start = sql.find("DELETE").unwrap();
        let f = fb(sql);
        assert_eq!(f.kind, "create_procedure");
        assert_eq!(
            f.ops,
            vec![Op::CreateFunction {
                name: n("p"),
                procedure: true,
                or_replace: false,
                language: Some("sql".into()),
                body: Some((start, start + "DELETE FROM t".len())),
            }]
        );
        assert_eq!(
            one("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END"),
            Op::CreateFunction {
                name: n("f"),
                procedure: false,
                or_replace: false,
                language: Some("sql".into()),
                body: None
            }
        );
    }

    #[test]
    fn create_trigger_and_type() {
        assert_eq!(
            one("CREATE OR REPLACE CONSTRAINT TRIGGER trg AFTER INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION f()"),
            Op::CreateTrigger { name: "trg".into(), table: q("s", "t") }
        );
        assert_eq!(
            one("CREATE TYPE mood AS ENUM ('sad', 'o''k')"),
            Op::CreateType {
                name: n("mood"),
                enum_labels: Some(vec!["sad".into(), "o'k".into()])
            }
        );
        assert_eq!(
            one("CREATE TYPE pair AS (a int, b int)"),
            Op::CreateType {
                name: n("pair"),
                enum_labels: None
            }
        );
    }

    #[test]
    fn create_other_kinds() {
        for (sql, kind, name, k) in [
            (
                "CREATE SCHEMA IF NOT EXISTS app",
                ObjectKind::Schema,
                Some(n("app")),
                "create_schema",
            ),
            (
                "CREATE SCHEMA AUTHORIZATION bob",
                ObjectKind::Schema,
                Some(n("bob")),
                "create_schema",
            ),
            (
                "CREATE SEQUENCE s.seq START 1",
                ObjectKind::Sequence,
                Some(q("s", "seq")),
                "create_sequence",
            ),
            (
                "CREATE EXTENSION IF NOT EXISTS pgcrypto",
                ObjectKind::Extension,
                Some(n("pgcrypto")),
                "create_extension",
            ),
            (
                "CREATE DOMAIN d AS int CHECK (VALUE > 0)",
                ObjectKind::Domain,
                Some(n("d")),
                "create_domain",
            ),
            (
                "CREATE POLICY p ON t USING (true)",
                ObjectKind::Policy,
                Some(n("p")),
                "create_policy",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t DO NOTHING",
                ObjectKind::Rule,
                Some(n("r")),
                "create_rule",
            ),
            (
                "CREATE AGGREGATE a (int) (sfunc = f, stype = int)",
                ObjectKind::Other,
                Some(n("a")),
                "create_aggregate",
            ),
            (
                "CREATE COLLATION c (locale = 'x')",
                ObjectKind::Other,
                Some(n("c")),
                "create_collation",
            ),
            (
                "CREATE PUBLICATION pub FOR ALL TABLES",
                ObjectKind::Other,
                Some(n("pub")),
                "create_publication",
            ),
            (
                "CREATE ROLE r LOGIN",
                ObjectKind::Other,
                Some(n("r")),
                "create_role",
            ),
            (
                "CREATE OPERATOR === (leftarg = int)",
                ObjectKind::Other,
                None,
                "create_operator",
            ),
        ] {
            let f = fb(sql);
            assert_eq!(f.ops, vec![Op::CreateOther { kind, name }], "{sql}");
            assert_eq!(f.kind, k, "{sql}");
        }
    }

    // ---- maintenance --------------------------------------------------------------------------

    #[test]
    fn truncate_delete_update_insert() {
        let f = fb("TRUNCATE TABLE ONLY a, s.b RESTART IDENTITY CASCADE");
        assert_eq!(f.kind, "truncate");
        assert_eq!(
            f.ops,
            vec![Op::Truncate {
                tables: vec![n("a"), q("s", "b")]
            }]
        );
        assert_eq!(
            one("TRUNCATE a"),
            Op::Truncate {
                tables: vec![n("a")]
            }
        );
        assert_eq!(
            one("DELETE FROM ONLY t x USING u WHERE x.a = u.a"),
            Op::Delete {
                table: n("t"),
                has_where: true
            }
        );
        assert_eq!(
            one("DELETE FROM t"),
            Op::Delete {
                table: n("t"),
                has_where: false
            }
        );
        assert_eq!(
            one("DELETE FROM pg_enum WHERE enumlabel = 'x'"),
            Op::DropEnumValue { type_name: None }
        );
        assert_eq!(
            one("delete from pg_catalog.pg_enum"),
            Op::DropEnumValue { type_name: None }
        );
        assert_eq!(
            one("UPDATE ONLY t SET a = 1 WHERE b"),
            Op::Update {
                table: n("t"),
                has_where: true
            }
        );
        assert_eq!(
            one("UPDATE t SET a = (SELECT x FROM u WHERE u.id = 1)"),
            Op::Update {
                table: n("t"),
                has_where: false
            }
        );
        assert_eq!(
            one("UPDATE pg_enum SET enumlabel = 'b'"),
            Op::Unknown {
                reason: "writes the system catalog pg_enum".into()
            }
        );
        assert_eq!(
            one("INSERT INTO s.t (a) VALUES (1)"),
            Op::Insert { table: q("s", "t") }
        );
        assert_eq!(fb("INSERT INTO t VALUES (1)").kind, "insert");
    }

    #[test]
    fn ctes_expose_their_writes() {
        let f = fb("WITH gone AS (DELETE FROM t RETURNING *), x AS MATERIALIZED (SELECT 1) UPDATE u SET a = 1 WHERE true");
        assert_eq!(f.kind, "update");
        assert_eq!(
            f.ops,
            vec![
                Op::Delete {
                    table: n("t"),
                    has_where: false
                },
                Op::Update {
                    table: n("u"),
                    has_where: true
                }
            ]
        );
        let f =
            fb("WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r");
        assert_eq!(f.kind, "select");
        assert_eq!(f.ops, vec![benign_op("SELECT")]);
    }

    #[test]
    fn vacuum_cluster_lock() {
        assert_eq!(
            one("VACUUM FULL a, s.b"),
            Op::VacuumFull {
                tables: vec![n("a"), q("s", "b")]
            }
        );
        assert_eq!(
            one("VACUUM (FULL, ANALYZE) t (a)"),
            Op::VacuumFull {
                tables: vec![n("t")]
            }
        );
        assert_eq!(one("VACUUM (FULL false) t"), benign_op("VACUUM"));
        assert_eq!(one("VACUUM ANALYZE t"), benign_op("VACUUM"));
        assert_eq!(fb("VACUUM").kind, "vacuum");
        assert_eq!(
            one("CLUSTER t USING idx"),
            Op::Cluster {
                table: Some(n("t"))
            }
        );
        assert_eq!(one("CLUSTER"), Op::Cluster { table: None });
        assert_eq!(
            one("CLUSTER idx ON t"),
            Op::Cluster {
                table: Some(n("t"))
            }
        );
        assert_eq!(
            one("LOCK TABLE ONLY a, b IN share row exclusive MODE NOWAIT"),
            Op::LockTable {
                tables: vec![n("a"), n("b")],
                mode: "SHARE ROW EXCLUSIVE".into()
            }
        );
        let f = fb("LOCK t");
        assert_eq!(f.kind, "lock");
        assert_eq!(
            f.ops,
            vec![Op::LockTable {
                tables: vec![n("t")],
                mode: "ACCESS EXCLUSIVE".into()
            }]
        );
    }

    // ---- session ----------------------------------------------------------------------------

    #[test]
    fn set_and_reset() {
        let set = |name: &str, value: &str, local: bool| Op::SetParameter {
            name: name.into(),
            value: value.into(),
            local,
        };
        assert_eq!(
            one("SET lock_timeout = '5s'"),
            set("lock_timeout", "5s", false)
        );
        assert_eq!(
            one("SET LOCAL Statement_Timeout TO 0"),
            set("statement_timeout", "0", true)
        );
        assert_eq!(
            one("SET SESSION search_path TO a, public"),
            set("search_path", "a, public", false)
        );
        assert_eq!(one("SET TIME ZONE 'UTC'"), set("timezone", "UTC", false));
        assert_eq!(one("SET app.user_id = 5"), set("app.user_id", "5", false));
        assert_eq!(
            one("SELECT pg_catalog.set_config('search_path', '', false);"),
            set("search_path", "", false)
        );
        assert_eq!(
            one("SELECT set_config('lock_timeout', '1s', true)"),
            set("lock_timeout", "1s", true)
        );
        assert_eq!(fb("SET x = 1").kind, "set");
        assert_eq!(
            one("RESET lock_timeout"),
            Op::ResetParameter {
                name: Some("lock_timeout".into())
            }
        );
        assert_eq!(one("RESET ALL"), Op::ResetParameter { name: None });
        assert_eq!(fb("RESET ALL").kind, "reset");
    }

    #[test]
    fn transactions() {
        for (sql, control, kind) in [
            ("BEGIN", TxControl::Begin, "begin"),
            (
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
                TxControl::Begin,
                "begin",
            ),
            ("START TRANSACTION", TxControl::Begin, "begin"),
            ("COMMIT", TxControl::Commit, "commit"),
            ("END", TxControl::Commit, "commit"),
            ("ROLLBACK", TxControl::Rollback, "rollback"),
            ("ABORT", TxControl::Rollback, "rollback"),
        ] {
            let f = fb(sql);
            assert_eq!(
                (f.ops, f.kind.as_str()),
                (vec![Op::Transaction { control }], kind),
                "{sql}"
            );
        }
        assert_eq!(
            one("ROLLBACK TO SAVEPOINT a"),
            benign_op("ROLLBACK TO SAVEPOINT")
        );
    }

    // ---- benign, calls, copy --------------------------------------------------------------

    #[test]
    fn benign_statements() {
        for (sql, what, kind) in [
            ("COMMENT ON TABLE t IS 'x'", "COMMENT ON TABLE", "comment"),
            ("GRANT SELECT ON t TO r", "GRANT SELECT ON", "grant"),
            ("REVOKE ALL ON t FROM r", "REVOKE ALL ON", "revoke"),
            ("ANALYZE t", "ANALYZE T", "analyze"),
            (
                "SECURITY LABEL ON TABLE t IS 'x'",
                "SECURITY LABEL",
                "security_label",
            ),
            (
                "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
                "REFRESH MATERIALIZED VIEW CONCURRENTLY",
                "refresh_materialized_view",
            ),
            ("SELECT a FROM t", "SELECT", "select"),
            ("SELECT f() + 1", "SELECT", "select"),
            ("VALUES (1)", "VALUES", "values"),
            ("SHOW work_mem", "SHOW WORK_MEM", "show"),
            ("EXPLAIN DELETE FROM t", "EXPLAIN", "explain"),
            ("NOTIFY ch", "NOTIFY CH", "notify"),
            ("LISTEN ch", "LISTEN CH", "listen"),
            ("CHECKPOINT", "CHECKPOINT", "checkpoint"),
            ("COPY t TO stdout", "COPY … TO", "copy"),
            ("COPY (SELECT 1) TO stdout", "COPY (query) TO", "copy"),
        ] {
            let f = fb(sql);
            assert_eq!(f.ops, vec![benign_op(what)], "{sql}");
            assert_eq!(f.kind, kind, "{sql}");
        }
    }

    #[test]
    fn refresh_without_concurrently_locks() {
        assert_eq!(
            one("REFRESH MATERIALIZED VIEW s.mv WITH DATA"),
            Op::Locking {
                what: "REFRESH MATERIALIZED VIEW blocks reads of the view".into(),
                table: Some(q("s", "mv"))
            }
        );
    }

    #[test]
    fn calls() {
        assert_eq!(one("SELECT f();"), Op::Call { function: n("f") });
        assert_eq!(
            one("SELECT s.f(1, 'a') AS x"),
            Op::Call {
                function: q("s", "f")
            }
        );
        let f = fb("CALL p()");
        assert_eq!(f.kind, "call");
        assert_eq!(f.ops, vec![Op::Call { function: n("p") }]);
        assert_eq!(fb("SELECT f()").kind, "select");
    }

    #[test]
    fn copy_import_explain() {
        assert_eq!(
            one("COPY s.t (a, b) FROM stdin"),
            Op::Insert { table: q("s", "t") }
        );
        let f = fb("IMPORT FOREIGN SCHEMA remote FROM SERVER srv INTO local");
        assert_eq!(f.kind, "import_foreign_schema");
        assert_eq!(
            f.ops,
            vec![Op::CreateOther {
                kind: ObjectKind::Other,
                name: Some(n("remote"))
            }]
        );
        assert_eq!(
            one("EXPLAIN (ANALYZE) DELETE FROM t"),
            Op::Delete {
                table: n("t"),
                has_where: false
            }
        );
        assert_eq!(
            one("EXPLAIN ANALYZE VERBOSE DELETE FROM t"),
            Op::Delete {
                table: n("t"),
                has_where: false
            }
        );
    }

    #[test]
    fn alter_domain_checks() {
        assert_eq!(
            one("ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0)"),
            Op::Locking {
                what: "ALTER DOMAIN checks every column that uses the domain".into(),
                table: None
            }
        );
        assert_eq!(
            one("ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID"),
            benign_op("ALTER DOMAIN ADD CONSTRAINT C")
        );
    }

    // ---- robustness ---------------------------------------------------------------------------

    #[test]
    fn garbage_and_empty_input_are_unknown() {
        let f = classify("", &[]);
        assert_eq!(
            (f.kind.as_str(), f.ops),
            (
                "unknown",
                vec![Op::Unknown {
                    reason: "empty statement".into()
                }]
            )
        );
        let f = fb("FROBNICATE THE WIDGETS");
        assert_eq!(f.kind, "unknown");
        assert_eq!(
            f.ops,
            vec![Op::Unknown {
                reason: "unrecognised statement `FROBNICATE THE WIDGETS`".into()
            }]
        );
        let f = fb("((((");
        assert_eq!(
            f.ops,
            vec![Op::Unknown {
                reason: "unrecognised statement `(`".into()
            }]
        );
        for sql in [
            "ALTER TABLE",
            "ALTER TABLE t",
            "ALTER TABLE t ADD",
            "ALTER TABLE t ADD CONSTRAINT",
            "ALTER TABLE t ALTER COLUMN",
            "DROP",
            "CREATE",
            "CREATE TABLE t (",
            "CREATE INDEX",
            "CREATE FUNCTION f( RETURNS",
            "DO $$ unterminated",
            "DO 'unterminated",
            "SELECT f(",
            "SET",
            "WITH x AS (",
            "LOCK",
            "ALTER TYPE t ADD VALUE",
            ")",
            ";",
        ] {
            let _ = fb(sql);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn classify_never_panics_on_sqlish_input(src in crate::lexer::tests::sqlish()) {
            let _ = classify(&src, &lexer::tokenize(&src));
        }

        #[test]
        fn classify_never_panics_on_keyword_soup(words in proptest::collection::vec(prop_oneof![
            Just("ALTER"), Just("TABLE"), Just("DROP"), Just("CREATE"), Just("INDEX"), Just("ADD"),
            Just("COLUMN"), Just("CONSTRAINT"), Just("NOT"), Just("NULL"), Just("DEFAULT"), Just("("),
            Just(")"), Just(","), Just("."), Just("t"), Just("\"Q\""), Just("'s'"), Just("$$b$$"),
            Just("ON"), Just("IF"), Just("EXISTS"), Just("TYPE"), Just("USING"), Just("WITH"),
            Just("AS"), Just("SET"), Just("TO"), Just("RENAME"), Just("SELECT"), Just("DO"),
            Just("LANGUAGE"), Just("FUNCTION"), Just("REINDEX"), Just("VACUUM"), Just("FULL"),
            Just("LOCK"), Just("IN"), Just("MODE"), Just("DELETE"), Just("FROM"), Just("UPDATE"),
            Just("GENERATED"), Just("PRIMARY"), Just("KEY"), Just("REFERENCES"), Just("="),
        ], 0..24)) {
            let src = words.join(" ");
            let _ = classify(&src, &lexer::tokenize(&src));
        }
    }
}
