//! Deploy checks: how the app starts in production, and whether that start bypasses or
//! ignores migrations.
//!
//! The team's production guide says two things that no migration file can show:
//!
//! * running a schema sync at start-up (`mikro-orm schema:update --run`, `prisma db push`,
//!   `typeorm schema:sync`, a script named `db:sync`, …) bypasses the migrations and is
//!   forbidden in production ([`DeployIssueKind::SchemaSyncAtStartup`], an error);
//! * a start command must fail when its migrations fail: `migration:up || true`,
//!   `migration:up; node dist/main.js` and friends start the app on a schema the migrations
//!   never reached ([`DeployIssueKind::MigrationFailureIgnored`], a warning).
//!
//! [`check`] starts from the production entry points (the final stage's `CMD`/`ENTRYPOINT` of
//! every Dockerfile, compose `command:`/`entrypoint:`, Procfile `web:`/`release:`, and, when the
//! repository has none of those, `package.json` `start:prod`/`start`) and follows what they run:
//! shell lists, `sh -c` strings, npm/pnpm/yarn/bun scripts (with `--filter`, `-C`, `--prefix`,
//! `--workspace`), `npx`-style tools and shell scripts the CLI passed in. Scripts that production
//! never reaches (`dev`, `test`, …) are not reported; non-dev scripts that no entry point
//! reaches (`migrate:deploy`, run by a deploy pipeline this check cannot see) are still checked
//! for ignored migration failures, never for schema sync.
//!
//! Like the rest of the core this does no I/O: the CLI hands in paths and texts. Every parser
//! here is a small, forgiving reader of the subset that start commands use (Dockerfile
//! instructions, a YAML subset for compose files, JSON for `package.json`, POSIX shell words
//! and operators); none of them panics on arbitrary input.

use std::collections::{HashMap, HashSet};

use crate::model::Severity;
use crate::span::Span;

/// A file the CLI found that may start the app: Dockerfile(s) (`Dockerfile`, `*.Dockerfile`,
/// `Dockerfile.*`), compose files (`docker-compose*.yml|yaml`, `compose*.yml|yaml`),
/// `package.json`, Procfile, and shell scripts referenced by them (the CLI passes every file
/// whose name matches [`wants`]; paths are repo-relative with '/').
#[derive(Debug, Clone, Copy)]
pub struct DeployFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployIssueKind {
    /// A production start command runs a schema sync (error).
    SchemaSyncAtStartup,
    /// A migration's failure does not stop the start (warning).
    MigrationFailureIgnored,
}

impl DeployIssueKind {
    /// The stable identifier, in the style of rule codes.
    pub fn code(&self) -> &'static str {
        match self {
            DeployIssueKind::SchemaSyncAtStartup => "schema-sync-at-startup",
            DeployIssueKind::MigrationFailureIgnored => "migration-failure-ignored",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            DeployIssueKind::SchemaSyncAtStartup => Severity::Error,
            DeployIssueKind::MigrationFailureIgnored => Severity::Warning,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployIssue {
    pub kind: DeployIssueKind,
    /// File where the offending command text is.
    pub path: String,
    /// Byte span of the offending command text in that file.
    pub span: Span,
    /// Names the command and the chain that reaches it.
    pub message: String,
    pub help: String,
}

/// Whether the CLI should pass a file with this repo-relative path to [`check`]: Dockerfiles,
/// compose files, `package.json`, `Procfile` and shell scripts (`*.sh`, `*.bash`).
pub fn wants(path: &str) -> bool {
    !matches!(kind_of(path), FileKind::Other) || {
        let b = basename(path).to_ascii_lowercase();
        b.ends_with(".sh") || b.ends_with(".bash")
    }
}

/// Runs the deploy checks over the files the CLI found. Issues come sorted by path and offset.
pub fn check(files: &[DeployFile]) -> Vec<DeployIssue> {
    let mut w = Walker::new(files);
    w.run();
    let mut issues = w.issues;
    issues.sort_by(|a, b| {
        (a.path.as_str(), a.span.start, a.span.end, a.kind.code()).cmp(&(
            b.path.as_str(),
            b.span.start,
            b.span.end,
            b.kind.code(),
        ))
    });
    issues
}

const HELP_IGNORED: &str = "chain with && so a failed migration stops the container";
const HELP_IGNORED_NEWLINE: &str =
    "add `set -e` at the top of the script, or chain with && so a failed migration stops the container";

// ---------------------------------------------------------------------------------------------
// Text with a map back into the file
// ---------------------------------------------------------------------------------------------

/// Decoded text (JSON string, YAML scalar, shell word) whose every byte maps back to the byte
/// range of the file it was decoded from.
#[derive(Debug, Clone, Default)]
struct Txt {
    s: String,
    map: Vec<(usize, usize)>,
    end: usize,
}

impl Txt {
    /// An empty text that sits at file offset `end`.
    fn at(end: usize) -> Txt {
        Txt {
            end,
            ..Txt::default()
        }
    }

    /// `text[a..b]`, mapped one to one.
    fn ident(text: &str, a: usize, b: usize) -> Txt {
        let mut t = Txt::default();
        if a <= b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b) {
            t.s.push_str(&text[a..b]);
            t.map.extend((a..b).map(|p| (p, p + 1)));
        }
        t.end = b.min(text.len());
        t
    }

    fn push_lit(&mut self, c: char, at: usize) {
        for k in 0..c.len_utf8() {
            self.map.push((at + k, at + k + 1));
        }
        self.s.push(c);
        self.end = at + c.len_utf8();
    }

    fn push_esc(&mut self, c: char, a: usize, b: usize) {
        for _ in 0..c.len_utf8() {
            self.map.push((a, b));
        }
        self.s.push(c);
        self.end = b;
    }

    /// Copies the char at byte `i` of `src` with its mapping; returns its length.
    fn push_from(&mut self, src: &Txt, i: usize) -> usize {
        let Some(c) = src.s.get(i..).and_then(|r| r.chars().next()) else {
            return 1;
        };
        let n = c.len_utf8();
        for k in 0..n {
            self.map.push(src.map[i + k]);
        }
        self.s.push(c);
        self.end = src.map[i + n - 1].1;
        n
    }

    fn span(&self, a: usize, b: usize) -> Span {
        if a >= b || b > self.map.len() {
            let p = self.map.get(a).map_or(self.end, |m| m.0);
            Span::new(p, p)
        } else {
            Span::new(self.map[a].0, self.map[b - 1].1.max(self.map[a].0))
        }
    }

    fn full(&self) -> Span {
        self.span(0, self.s.len())
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.s.get(i..).and_then(|r| r.chars().next())
    }
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn dir_of(p: &str) -> String {
    match p.rfind('/') {
        Some(i) => p[..i].to_string(),
        None => String::new(),
    }
}

fn normalize_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.join("/")
}

/// Joins a relative path onto a repo-relative dir; `None` for absolute paths and for paths
/// that climb out of the repository.
fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut out: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            c => out.push(c),
        }
    }
    Some(out.join("/"))
}

fn parent(dir: &str) -> Option<String> {
    if dir.is_empty() {
        None
    } else {
        Some(dir_of(dir))
    }
}

/// Simple glob with `*` only (any run of characters).
fn glob(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Dockerfile,
    Compose,
    PackageJson,
    Procfile,
    Other,
}

fn kind_of(path: &str) -> FileKind {
    let b = basename(path).to_ascii_lowercase();
    if b == "dockerfile" || b.ends_with(".dockerfile") || b.starts_with("dockerfile.") {
        FileKind::Dockerfile
    } else if (b.starts_with("docker-compose") || b.starts_with("compose"))
        && (b.ends_with(".yml") || b.ends_with(".yaml"))
    {
        FileKind::Compose
    } else if b == "package.json" {
        FileKind::PackageJson
    } else if b == "procfile" {
        FileKind::Procfile
    } else {
        FileKind::Other
    }
}

/// `Dockerfile.dev`, `docker-compose.test.yml`, `compose.override.yaml`: not production.
fn is_dev_file(path: &str) -> bool {
    basename(path)
        .to_ascii_lowercase()
        .split(['.', '-', '_'])
        .any(|t| DEV_TOKENS.contains(&t) || t == "override" || t == "ci")
}

const DEV_TOKENS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "e2e",
    "debug",
    "watch",
];

/// Script names that only developers run (`dev`, `test:e2e`, `start:dev`, `lint`, …).
fn is_dev_script(name: &str) -> bool {
    name.split([':', '-', '_', '.']).any(|t| {
        DEV_TOKENS.contains(&t)
            || matches!(
                t,
                "spec" | "ci" | "lint" | "format" | "fmt" | "storybook" | "typecheck" | "prettier"
            )
    })
}

// ---------------------------------------------------------------------------------------------
// JSON (package.json, Dockerfile exec form)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum JVal {
    Str(Txt, Span),
    Obj(Vec<(String, JVal)>),
    Arr(Vec<JVal>),
    Other,
}

struct Jp<'t> {
    t: &'t Txt,
    i: usize,
    depth: usize,
}

impl<'t> Jp<'t> {
    fn new(t: &'t Txt) -> Self {
        Jp { t, i: 0, depth: 0 }
    }

    fn b(&self, i: usize) -> Option<u8> {
        self.t.s.as_bytes().get(i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.b(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Option<JVal> {
        self.ws();
        if self.depth > 64 {
            return None;
        }
        match self.b(self.i)? {
            b'{' => {
                self.i += 1;
                self.depth += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b(self.i) == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let (k, _) = self.string()?;
                        self.ws();
                        if self.b(self.i)? != b':' {
                            return None;
                        }
                        self.i += 1;
                        let val = self.value()?;
                        v.push((k.s, val));
                        self.ws();
                        match self.b(self.i)? {
                            b',' => self.i += 1,
                            b'}' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(JVal::Obj(v))
            }
            b'[' => {
                self.i += 1;
                self.depth += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b(self.i) == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        v.push(self.value()?);
                        self.ws();
                        match self.b(self.i)? {
                            b',' => self.i += 1,
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Some(JVal::Arr(v))
            }
            b'"' => {
                let (t, sp) = self.string()?;
                Some(JVal::Str(t, sp))
            }
            _ => {
                let st = self.i;
                while self
                    .b(self.i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
                {
                    self.i += 1;
                }
                (self.i > st).then_some(JVal::Other)
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let s = self.t.s.get(at..at + 4)?;
        if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(s, 16).ok()
    }

    fn string(&mut self) -> Option<(Txt, Span)> {
        if self.b(self.i)? != b'"' {
            return None;
        }
        let start = self.i;
        self.i += 1;
        let mut out = Txt::default();
        loop {
            let c = self.b(self.i)?;
            match c {
                b'"' => {
                    out.end = self.t.map[self.i].0;
                    self.i += 1;
                    break;
                }
                b'\\' => {
                    let e = self.b(self.i + 1)?;
                    let (ch, used) = match e {
                        b'"' => ('"', 2),
                        b'\\' => ('\\', 2),
                        b'/' => ('/', 2),
                        b'b' => ('\u{8}', 2),
                        b'f' => ('\u{c}', 2),
                        b'n' => ('\n', 2),
                        b'r' => ('\r', 2),
                        b't' => ('\t', 2),
                        b'u' => {
                            let hi = self.hex4(self.i + 2)?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.t.s.get(self.i + 6..self.i + 8) == Some("\\u")
                            {
                                match self.hex4(self.i + 8) {
                                    Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                        (char::from_u32(cp).unwrap_or('\u{FFFD}'), 12)
                                    }
                                    _ => ('\u{FFFD}', 6),
                                }
                            } else {
                                (char::from_u32(hi).unwrap_or('\u{FFFD}'), 6)
                            }
                        }
                        _ => return None,
                    };
                    let a = self.t.map[self.i].0;
                    let b = self.t.map[self.i + used - 1].1;
                    out.push_esc(ch, a, b);
                    self.i += used;
                }
                _ => {
                    self.i += out.push_from(self.t, self.i);
                }
            }
        }
        let raw = self.t.span(start, self.i);
        Some((out, raw))
    }
}

/// A `package.json` as far as start commands care.
#[derive(Debug, Clone)]
struct Pkg {
    file: usize,
    dir: String,
    name: Option<String>,
    scripts: Vec<(String, Txt)>,
}

impl Pkg {
    fn script(&self, name: &str) -> Option<&Txt> {
        self.scripts
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
    }
}

fn parse_package_json(text: &str, file: usize, dir: String) -> Option<Pkg> {
    let t = Txt::ident(text, 0, text.len());
    let JVal::Obj(top) = Jp::new(&t).value()? else {
        return None;
    };
    let mut pkg = Pkg {
        file,
        dir,
        name: None,
        scripts: Vec::new(),
    };
    for (k, v) in top {
        match (k.as_str(), v) {
            ("name", JVal::Str(n, _)) => pkg.name = Some(n.s),
            ("scripts", JVal::Obj(scripts)) => {
                pkg.scripts = scripts
                    .into_iter()
                    .filter_map(|(n, v)| match v {
                        JVal::Str(t, _) => Some((n, t)),
                        _ => None,
                    })
                    .collect();
            }
            _ => {}
        }
    }
    Some(pkg)
}

// ---------------------------------------------------------------------------------------------
// Shell words and lists
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Word {
    txt: Txt,
    /// Raw span of the whole token (quotes included) in `file`.
    raw: Span,
    file: usize,
    /// Appended from a caller (`pnpm run x -- args`), not written where the command is.
    foreign: bool,
}

impl Word {
    fn s(&self) -> &str {
        &self.txt.s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Semi,
    Pipe,
    Amp,
    Newline,
    DSemi,
}

#[derive(Debug, Clone)]
struct SimpleCmd {
    words: Vec<Word>,
    raw: Span,
    file: usize,
    display: String,
}

impl SimpleCmd {
    fn from_words(words: Vec<Word>, file: usize) -> SimpleCmd {
        let raw = match (words.first(), words.last()) {
            (Some(a), Some(b)) => Span::new(a.raw.start, b.raw.end.max(a.raw.start)),
            _ => Span::default(),
        };
        let display = display_words(&words);
        SimpleCmd {
            words,
            raw,
            file,
            display,
        }
    }
}

fn display_words(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| {
            if w.s().is_empty() || w.s().contains(char::is_whitespace) {
                format!("\"{}\"", w.s())
            } else {
                w.s().to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn squash(s: &str) -> String {
    s.split_whitespace()
        .filter(|t| *t != "\\")
        .collect::<Vec<_>>()
        .join(" ")
}

type CmdList = Vec<(SimpleCmd, Option<Op>)>;

struct Lexer<'t> {
    src: &'t Txt,
    file: usize,
    i: usize,
    out: CmdList,
    words: Vec<(Word, usize, usize)>,
    cur: Option<(Txt, usize)>,
    skip_target: bool,
    heredoc_next: Option<bool>,
    heredocs: Vec<(String, bool)>,
}

/// Splits shell text into simple commands and the operators between them. Quotes are removed,
/// comments, redirections and here-document bodies dropped; `(`/`)` grouping is ignored.
fn lex(src: &Txt, file: usize) -> CmdList {
    let mut lx = Lexer {
        src,
        file,
        i: 0,
        out: Vec::new(),
        words: Vec::new(),
        cur: None,
        skip_target: false,
        heredoc_next: None,
        heredocs: Vec::new(),
    };
    lx.run();
    lx.out
}

impl Lexer<'_> {
    fn byte(&self, i: usize) -> Option<u8> {
        self.src.s.as_bytes().get(i).copied()
    }

    fn start_word(&mut self) {
        if self.cur.is_none() {
            self.cur = Some((Txt::default(), self.i));
        }
    }

    fn push_char(&mut self, i: usize) -> usize {
        self.start_word();
        match &mut self.cur {
            Some((t, _)) => t.push_from(self.src, i),
            None => 1,
        }
    }

    fn push_esc(&mut self, c: char, a: usize, b: usize) {
        self.start_word();
        if let Some((t, _)) = &mut self.cur {
            let ra = self.src.map.get(a).map_or(self.src.end, |m| m.0);
            let rb = if b > a {
                self.src.map.get(b - 1).map_or(self.src.end, |m| m.1)
            } else {
                ra
            };
            t.push_esc(c, ra, rb);
        }
    }

    fn finish_word(&mut self) {
        let Some((mut txt, a)) = self.cur.take() else {
            return;
        };
        let b = self.i;
        if txt.map.is_empty() {
            txt.end = self.src.span(a, b).end;
        }
        if let Some(strip) = self.heredoc_next.take() {
            self.heredocs.push((txt.s, strip));
            return;
        }
        if self.skip_target {
            self.skip_target = false;
            return;
        }
        let w = Word {
            txt,
            raw: self.src.span(a, b),
            file: self.file,
            foreign: false,
        };
        self.words.push((w, a, b));
    }

    fn finish_cmd(&mut self, op: Option<Op>) {
        self.finish_word();
        if self.words.is_empty() {
            return;
        }
        let words = std::mem::take(&mut self.words);
        let a = words[0].1;
        let b = words[words.len() - 1].2;
        let raw = self.src.span(a, b);
        let display = squash(self.src.s.get(a..b).unwrap_or(""));
        let cmd = SimpleCmd {
            words: words.into_iter().map(|(w, _, _)| w).collect(),
            raw,
            file: self.file,
            display,
        };
        self.out.push((cmd, op));
    }

    /// Copies `$(…)`, `${…}` or a backtick string into the current word.
    fn copy_balanced(&mut self) {
        let len = self.src.s.len();
        let open = self.byte(self.i);
        if open == Some(b'`') {
            self.i += self.push_char(self.i);
            while self.i < len && self.byte(self.i) != Some(b'`') {
                self.i += self.push_char(self.i);
            }
            if self.i < len {
                self.i += self.push_char(self.i);
            }
            return;
        }
        // `$` then `(` or `{`
        let (o, c) = if self.byte(self.i + 1) == Some(b'(') {
            (b'(', b')')
        } else {
            (b'{', b'}')
        };
        self.i += self.push_char(self.i);
        let mut depth = 0usize;
        while self.i < len {
            let b = self.byte(self.i);
            if b == Some(o) {
                depth += 1;
            } else if b == Some(c) {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    self.i += self.push_char(self.i);
                    return;
                }
            }
            self.i += self.push_char(self.i);
        }
    }

    fn skip_heredocs(&mut self) {
        let len = self.src.s.len();
        for (delim, strip) in std::mem::take(&mut self.heredocs) {
            while self.i < len {
                let e = self.src.s[self.i..].find('\n').map_or(len, |p| self.i + p);
                let line = &self.src.s[self.i..e];
                let line = line.strip_suffix('\r').unwrap_or(line);
                let line = if strip {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                let done = line == delim;
                self.i = (e + 1).min(len);
                if done {
                    break;
                }
            }
        }
    }

    fn redirect(&mut self) {
        // A file-descriptor number glued to the operator (`2>`) is part of it.
        if let Some((t, _)) = &self.cur {
            if !t.s.is_empty() && t.s.bytes().all(|c| c.is_ascii_digit()) {
                self.cur = None;
            }
        }
        self.finish_word();
        let rest = &self.src.s[self.i..];
        if rest.starts_with("<<<") {
            self.i += 3;
            self.skip_target = true;
        } else if rest.starts_with("<<-") {
            self.i += 3;
            self.heredoc_next = Some(true);
        } else if rest.starts_with("<<") {
            self.i += 2;
            self.heredoc_next = Some(false);
        } else if rest.starts_with(">&") || rest.starts_with("<&") {
            self.i += 2;
            let st = self.i;
            while self
                .byte(self.i)
                .is_some_and(|c| c.is_ascii_digit() || c == b'-')
            {
                self.i += 1;
            }
            if self.i == st {
                self.skip_target = true;
            }
        } else if rest.starts_with(">>") || rest.starts_with(">|") || rest.starts_with("<>") {
            self.i += 2;
            self.skip_target = true;
        } else {
            self.i += 1;
            self.skip_target = true;
        }
    }

    fn run(&mut self) {
        let len = self.src.s.len();
        while self.i < len {
            let Some(c) = self.src.char_at(self.i) else {
                self.i += 1;
                continue;
            };
            let next = self.byte(self.i + 1);
            match c {
                ' ' | '\t' | '\r' => {
                    self.finish_word();
                    self.i += 1;
                }
                '\n' => {
                    self.finish_cmd(Some(Op::Newline));
                    self.i += 1;
                    self.skip_heredocs();
                }
                '#' if self.cur.is_none() => {
                    while self.i < len && self.byte(self.i) != Some(b'\n') {
                        self.i += 1;
                    }
                }
                '\\' => match self.src.char_at(self.i + 1) {
                    Some('\n') => self.i += 2,
                    Some(d) => {
                        let n = 1 + d.len_utf8();
                        self.push_esc(d, self.i, self.i + n);
                        self.i += n;
                    }
                    None => self.i += self.push_char(self.i),
                },
                '\'' => {
                    self.start_word();
                    self.i += 1;
                    while self.i < len && self.byte(self.i) != Some(b'\'') {
                        self.i += self.push_char(self.i);
                    }
                    self.i += 1;
                }
                '"' => {
                    self.start_word();
                    self.i += 1;
                    while self.i < len {
                        match self.byte(self.i) {
                            Some(b'"') => {
                                self.i += 1;
                                break;
                            }
                            Some(b'\\') => match self.src.char_at(self.i + 1) {
                                Some('\n') => self.i += 2,
                                Some(d @ ('$' | '`' | '"' | '\\')) => {
                                    self.push_esc(d, self.i, self.i + 2);
                                    self.i += 2;
                                }
                                _ => self.i += self.push_char(self.i),
                            },
                            Some(b'$') if matches!(self.byte(self.i + 1), Some(b'(')) => {
                                self.copy_balanced()
                            }
                            _ => self.i += self.push_char(self.i),
                        }
                    }
                }
                '$' if matches!(next, Some(b'(' | b'{')) => {
                    self.start_word();
                    self.copy_balanced();
                }
                '`' => {
                    self.start_word();
                    self.copy_balanced();
                }
                '&' => match next {
                    Some(b'&') => {
                        self.finish_cmd(Some(Op::And));
                        self.i += 2;
                    }
                    Some(b'>') => {
                        self.finish_word();
                        self.i += 2;
                        if self.byte(self.i) == Some(b'>') {
                            self.i += 1;
                        }
                        self.skip_target = true;
                    }
                    _ => {
                        self.finish_cmd(Some(Op::Amp));
                        self.i += 1;
                    }
                },
                '|' => match next {
                    Some(b'|') => {
                        self.finish_cmd(Some(Op::Or));
                        self.i += 2;
                    }
                    Some(b'&') => {
                        self.finish_cmd(Some(Op::Pipe));
                        self.i += 2;
                    }
                    _ => {
                        self.finish_cmd(Some(Op::Pipe));
                        self.i += 1;
                    }
                },
                ';' => {
                    if next == Some(b';') {
                        self.finish_cmd(Some(Op::DSemi));
                        self.i += 2;
                    } else {
                        self.finish_cmd(Some(Op::Semi));
                        self.i += 1;
                    }
                }
                '(' | ')' => {
                    self.finish_word();
                    self.i += 1;
                }
                '<' | '>' => self.redirect(),
                _ => self.i += self.push_char(self.i),
            }
        }
        self.finish_cmd(None);
    }
}

// ---------------------------------------------------------------------------------------------
// Start-command forms and the files that hold them
// ---------------------------------------------------------------------------------------------

/// A start command as written: a shell string, or an argv list (exec form, YAML list).
#[derive(Debug, Clone)]
enum Form {
    Shell(Txt),
    Exec(Vec<Word>),
}

impl Form {
    fn display(&self) -> String {
        match self {
            Form::Shell(t) => squash(&t.s),
            Form::Exec(w) => display_words(w),
        }
    }
}

fn line_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut s = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let e = if i > s && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            v.push((s, e));
            s = i + 1;
        }
    }
    if s < text.len() {
        let e = if text.ends_with('\r') {
            text.len() - 1
        } else {
            text.len()
        };
        v.push((s, e.max(s)));
    }
    v
}

struct Instr {
    kw: String,
    args: Txt,
}

/// Dockerfile instructions with continuation lines joined and comment lines dropped.
fn parse_dockerfile(text: &str) -> Vec<Instr> {
    let lines = line_ranges(text);
    let mut escape = '\\';
    for &(s, e) in &lines {
        let l = text[s..e].trim();
        let Some(d) = l.strip_prefix('#') else { break };
        let d: String = d
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(v) = d.strip_prefix("escape=") {
            if let Some(c) = v.chars().next() {
                escape = c;
            }
        } else if !d.contains('=') {
            break;
        }
    }
    let mut out = Vec::new();
    let mut li = 0;
    while li < lines.len() {
        let (s, e) = lines[li];
        li += 1;
        let line = &text[s..e];
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let off = s + (line.len() - t.len());
        let kw_len = t.find(char::is_whitespace).unwrap_or(t.len());
        let kw = t[..kw_len].to_ascii_uppercase();
        let mut args = Txt::at(off + kw_len);
        let (mut a, mut b) = (off + kw_len, e);
        loop {
            let seg = &text[a..b];
            let trimmed = seg.trim_end();
            if trimmed.ends_with(escape) && li < lines.len() {
                let cut = a + trimmed.len() - escape.len_utf8();
                for (k, c) in text[a..cut].char_indices() {
                    args.push_lit(c, a + k);
                }
                // The next line that is neither a comment nor empty continues the instruction.
                let mut next = None;
                while li < lines.len() {
                    let (s2, e2) = lines[li];
                    li += 1;
                    let l2 = text[s2..e2].trim_start();
                    if l2.starts_with('#') || l2.is_empty() {
                        continue;
                    }
                    next = Some((s2, e2));
                    break;
                }
                match next {
                    Some((s2, e2)) => {
                        a = s2;
                        b = e2;
                    }
                    None => break,
                }
            } else {
                for (k, c) in seg.char_indices() {
                    args.push_lit(c, a + k);
                }
                break;
            }
        }
        if matches!(kw.as_str(), "RUN" | "COPY" | "ADD") {
            for (delim, strip) in heredoc_delims(&args.s) {
                while li < lines.len() {
                    let (s2, e2) = lines[li];
                    li += 1;
                    let l2 = &text[s2..e2];
                    let l2 = if strip { l2.trim_start() } else { l2 };
                    if l2 == delim {
                        break;
                    }
                }
            }
        }
        out.push(Instr { kw, args });
    }
    out
}

fn heredoc_delims(s: &str) -> Vec<(String, bool)> {
    let mut v = Vec::new();
    let mut rest = s;
    while let Some(p) = rest.find("<<") {
        let mut r = &rest[p + 2..];
        let strip = r.starts_with('-');
        if strip {
            r = &r[1..];
        }
        let r2 = r.trim_start_matches(['"', '\'']);
        let d: String = r2
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !d.is_empty() {
            v.push((d, strip));
        }
        rest = r;
    }
    v
}

fn parse_form(args: &Txt, file: usize) -> Option<Form> {
    let lead = args.s.len() - args.s.trim_start().len();
    let end = args.s.trim_end().len();
    if lead >= end {
        return None;
    }
    if args.s[lead..].starts_with('[') {
        let mut jp = Jp::new(args);
        jp.i = lead;
        if let Some(JVal::Arr(items)) = jp.value() {
            jp.ws();
            if jp.i >= args.s.len() {
                let words: Option<Vec<Word>> = items
                    .into_iter()
                    .map(|v| match v {
                        JVal::Str(t, raw) => Some(Word {
                            txt: t,
                            raw,
                            file,
                            foreign: false,
                        }),
                        _ => None,
                    })
                    .collect();
                if let Some(words) = words {
                    return (!words.is_empty()).then_some(Form::Exec(words));
                }
            }
        }
    }
    let mut t = Txt::at(args.span(lead, end).start);
    let mut i = lead;
    while i < end {
        i += t.push_from(args, i);
    }
    Some(Form::Shell(t))
}

#[derive(Debug, Clone, Default)]
struct Stage {
    name: Option<String>,
    base: String,
    workdir: Option<String>,
    cmd: Option<Form>,
    entrypoint: Option<Form>,
}

/// The final stage's effective `WORKDIR`, `ENTRYPOINT` and `CMD` (inherited through
/// `FROM <earlier stage>`).
fn dockerfile_start(text: &str, file: usize) -> (Option<String>, Option<Form>, Option<Form>) {
    let mut stages: Vec<Stage> = Vec::new();
    for ins in parse_dockerfile(text) {
        match ins.kw.as_str() {
            "FROM" => {
                let words: Vec<&str> = ins
                    .args
                    .s
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let base = words.first().copied().unwrap_or("").to_ascii_lowercase();
                let name = match words.get(1) {
                    Some(a) if a.eq_ignore_ascii_case("as") => {
                        words.get(2).map(|n| n.to_ascii_lowercase())
                    }
                    _ => None,
                };
                stages.push(Stage {
                    name,
                    base,
                    ..Stage::default()
                });
            }
            "WORKDIR" => {
                if let Some(st) = stages.last_mut() {
                    let p = ins.args.s.trim().trim_matches(['"', '\'']);
                    let cur = st.workdir.clone().unwrap_or_else(|| "/".into());
                    st.workdir = Some(if p.starts_with('/') {
                        p.to_string()
                    } else {
                        format!("{}/{}", cur.trim_end_matches('/'), p)
                    });
                }
            }
            "CMD" => {
                if let Some(st) = stages.last_mut() {
                    st.cmd = parse_form(&ins.args, file);
                }
            }
            "ENTRYPOINT" => {
                if let Some(st) = stages.last_mut() {
                    st.entrypoint = parse_form(&ins.args, file);
                    // Setting ENTRYPOINT resets a CMD inherited from the base.
                    if st.cmd.is_none() {
                        st.cmd = Some(Form::Exec(Vec::new()));
                    }
                }
            }
            _ => {}
        }
    }
    let Some(last) = stages.len().checked_sub(1) else {
        return (None, None, None);
    };
    let (mut wd, mut cmd, mut ep) = (None, None, None);
    let mut idx = Some(last);
    let mut hops = 0;
    while let Some(i) = idx {
        let st = &stages[i];
        if wd.is_none() {
            wd = st.workdir.clone();
        }
        if cmd.is_none() {
            cmd = st.cmd.clone();
        }
        if ep.is_none() {
            ep = st.entrypoint.clone();
        }
        hops += 1;
        idx = if hops > stages.len() {
            None
        } else {
            stages[..i]
                .iter()
                .rposition(|s| s.name.as_deref() == Some(st.base.as_str()))
        };
    }
    let cmd = cmd.filter(|c| !matches!(c, Form::Exec(w) if w.is_empty()));
    (wd, ep, cmd)
}

// --- compose (a YAML subset) ---

enum YVal {
    Scalar(Txt),
    List(Vec<Word>),
}

fn yaml_key(content: &str) -> Option<(String, usize)> {
    let bytes = content.as_bytes();
    if let Some(q @ (b'"' | b'\'')) = bytes.first().copied() {
        let close = content[1..].find(q as char)? + 1;
        let rest = &content[close + 1..];
        let after = rest.trim_start();
        let colon = close + 1 + (rest.len() - after.len());
        if after.starts_with(':')
            && content[colon + 1..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t')
        {
            return Some((content[1..close].to_string(), colon + 1));
        }
        return None;
    }
    if matches!(
        bytes.first(),
        Some(b'#' | b'[' | b'{' | b'-' | b'&' | b'*' | b'!' | b'|' | b'>')
    ) {
        return None;
    }
    for (i, c) in content.char_indices() {
        if c == ':' {
            let after = content[i + 1..].chars().next();
            if after.is_none_or(|c| c == ' ' || c == '\t') {
                let key = content[..i].trim_end();
                return (!key.is_empty()).then(|| (key.to_string(), i + 1));
            }
        }
        if c == '#' && i > 0 && content[..i].ends_with([' ', '\t']) {
            return None;
        }
    }
    None
}

fn indent_of(line: &str) -> (usize, &str) {
    let content = line.trim_start_matches([' ', '\t']);
    (line.len() - content.len(), content)
}

/// Where a plain scalar ends: before ` #comment` and trailing blanks.
fn plain_end(text: &str, a: usize, e: usize) -> usize {
    let seg = &text[a..e];
    let mut cut = seg.len();
    for (i, c) in seg.char_indices() {
        if c == '#' && i > 0 && seg[..i].ends_with([' ', '\t']) {
            cut = i;
            break;
        }
    }
    a + seg[..cut].trim_end().len()
}

fn line_at(lines: &[(usize, usize)], from: usize, pos: usize) -> usize {
    let mut li = from;
    while li < lines.len() && lines[li].1 < pos {
        li += 1;
    }
    li
}

/// A quoted YAML scalar starting at `p` (the quote); returns it and the offset after it.
fn yaml_quoted(text: &str, p: usize) -> (Txt, usize) {
    let q = text.as_bytes()[p];
    let mut t = Txt::at(p + 1);
    let mut i = p + 1;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c as u32 == q as u32 {
            if q == b'\'' && text[i + 1..].starts_with('\'') {
                t.push_esc('\'', i, i + 2);
                i += 2;
                continue;
            }
            t.end = i;
            return (t, i + 1);
        }
        if q == b'"' && c == '\\' {
            let Some(d) = text[i + 1..].chars().next() else {
                break;
            };
            if d == '\n' {
                i += 2;
                while text[i..].starts_with([' ', '\t']) {
                    i += 1;
                }
                continue;
            }
            let ch = match d {
                'n' => '\n',
                't' => '\t',
                '0' => '\0',
                d => d,
            };
            t.push_esc(ch, i, i + 1 + d.len_utf8());
            i += 1 + d.len_utf8();
            continue;
        }
        if c == '\n' || c == '\r' {
            // Folding: a line break and the indentation after it read as one space.
            let st = i;
            while text[i..].starts_with([' ', '\t', '\n', '\r']) {
                i += 1;
            }
            t.push_esc(' ', st, st + 1);
            continue;
        }
        t.push_lit(c, i);
        i += c.len_utf8();
    }
    t.end = text.len();
    (t, text.len())
}

fn yaml_item(text: &str, p: usize, e: usize, file: usize, stop: &[u8]) -> (Option<Word>, usize) {
    match text.as_bytes().get(p) {
        Some(b'"' | b'\'') => {
            let (t, end) = yaml_quoted(text, p);
            let w = Word {
                txt: t,
                raw: Span::new(p, end),
                file,
                foreign: false,
            };
            (Some(w), end)
        }
        _ => {
            let mut q = p;
            while q < e && !stop.contains(&text.as_bytes()[q]) {
                q += 1;
            }
            let end = if stop.is_empty() {
                plain_end(text, p, e)
            } else {
                p + text[p..q].trim_end().len()
            };
            if end <= p {
                return (None, q);
            }
            let w = Word {
                txt: Txt::ident(text, p, end),
                raw: Span::new(p, end),
                file,
                foreign: false,
            };
            (Some(w), q)
        }
    }
}

/// A `|` or `>` block scalar whose header is on line `li`: the lines indented deeper than
/// `parent_indent` that follow it.
fn yaml_block(
    text: &str,
    lines: &[(usize, usize)],
    li: usize,
    parent_indent: usize,
    folded: bool,
) -> (Txt, usize) {
    let mut t = Txt::default();
    let mut j = li + 1;
    let mut content_indent = None;
    let mut pending_nl: Option<usize> = None;
    while j < lines.len() {
        let (s2, e2) = lines[j];
        let (ind2, c2) = indent_of(&text[s2..e2]);
        if c2.is_empty() {
            j += 1;
            continue;
        }
        if ind2 <= parent_indent {
            break;
        }
        let ci = *content_indent.get_or_insert(ind2);
        if let Some(nl) = pending_nl {
            t.push_esc(if folded { ' ' } else { '\n' }, nl, nl + 1);
        }
        let a = (s2 + ci.min(ind2)).min(e2);
        for (k, c) in text[a..e2].char_indices() {
            t.push_lit(c, a + k);
        }
        pending_nl = Some(e2);
        j += 1;
    }
    (t, j)
}

/// The value of the key on line `li` whose text starts at `vstart`; returns the value and the
/// first line after it.
fn yaml_value(
    text: &str,
    lines: &[(usize, usize)],
    li: usize,
    key_indent: usize,
    vstart: usize,
    file: usize,
) -> (Option<YVal>, usize) {
    let (_, e) = lines[li];
    let mut p = vstart;
    while p < e && matches!(text.as_bytes()[p], b' ' | b'\t') {
        p += 1;
    }
    // Skip anchors and tags (`&x`, `!!str`).
    while p < e && matches!(text.as_bytes()[p], b'&' | b'!') {
        while p < e && !matches!(text.as_bytes()[p], b' ' | b'\t') {
            p += 1;
        }
        while p < e && matches!(text.as_bytes()[p], b' ' | b'\t') {
            p += 1;
        }
    }
    if p >= e || text.as_bytes()[p] == b'#' {
        let mut nj = li + 1;
        while nj < lines.len() {
            let (ind, c) = indent_of(&text[lines[nj].0..lines[nj].1]);
            let _ = ind;
            if c.is_empty() || c.starts_with('#') {
                nj += 1;
            } else {
                break;
            }
        }
        let Some(&(ns, ne)) = lines.get(nj) else {
            return (None, li + 1);
        };
        let (nind, nc) = indent_of(&text[ns..ne]);
        let is_item = nc == "-" || nc.starts_with("- ") || nc.starts_with("-\t");
        if is_item && nind >= key_indent {
            let mut items = Vec::new();
            let mut j = nj;
            while j < lines.len() {
                let (s2, e2) = lines[j];
                let (ind2, c2) = indent_of(&text[s2..e2]);
                if c2.is_empty() || c2.starts_with('#') {
                    j += 1;
                    continue;
                }
                if ind2 < nind
                    || (ind2 == nind
                        && !(c2 == "-" || c2.starts_with("- ") || c2.starts_with("-\t")))
                {
                    break;
                }
                if ind2 > nind {
                    j += 1;
                    continue;
                }
                let mut q = s2 + ind2 + 1;
                while q < e2 && matches!(text.as_bytes()[q], b' ' | b'\t') {
                    q += 1;
                }
                if matches!(text.as_bytes().get(q), Some(b'|' | b'>')) {
                    let folded = text.as_bytes()[q] == b'>';
                    let (t, next) = yaml_block(text, lines, j, nind, folded);
                    let raw = t.full();
                    items.push(Word {
                        txt: t,
                        raw,
                        file,
                        foreign: false,
                    });
                    j = next;
                    continue;
                }
                let (w, end) = yaml_item(text, q, e2, file, &[]);
                items.extend(w);
                j = line_at(lines, j, end).max(j) + 1;
            }
            return (Some(YVal::List(items)), j);
        }
        if nind > key_indent && yaml_key(nc).is_none() {
            // A plain scalar on the following lines.
            let mut t = Txt::default();
            let mut j = nj;
            while j < lines.len() {
                let (s2, e2) = lines[j];
                let (ind2, c2) = indent_of(&text[s2..e2]);
                if c2.is_empty() || c2.starts_with('#') {
                    j += 1;
                    continue;
                }
                if ind2 <= key_indent {
                    break;
                }
                if !t.s.is_empty() {
                    t.push_esc(' ', s2.saturating_sub(1), s2);
                }
                let a = s2 + ind2;
                let end = plain_end(text, a, e2);
                for (k, c) in text[a..end].char_indices() {
                    t.push_lit(c, a + k);
                }
                j += 1;
            }
            return (Some(YVal::Scalar(t)), j);
        }
        return (None, li + 1);
    }
    match text.as_bytes()[p] {
        b'[' => {
            let mut items = Vec::new();
            let mut q = p + 1;
            while q < text.len() {
                while q < text.len()
                    && matches!(text.as_bytes()[q], b' ' | b'\t' | b'\n' | b'\r' | b',')
                {
                    q += 1;
                }
                if q >= text.len() || text.as_bytes()[q] == b']' {
                    break;
                }
                let le = text[q..].find('\n').map_or(text.len(), |x| q + x);
                let (w, end) = yaml_item(text, q, le, file, b",]");
                items.extend(w);
                q = end.max(q + 1);
                while q < text.len() && matches!(text.as_bytes()[q], b' ' | b'\t') {
                    q += 1;
                }
                if q < text.len() && text.as_bytes()[q] == b']' {
                    break;
                }
            }
            let next = line_at(lines, li, q) + 1;
            (Some(YVal::List(items)), next)
        }
        b'"' | b'\'' => {
            let (t, end) = yaml_quoted(text, p);
            (Some(YVal::Scalar(t)), line_at(lines, li, end) + 1)
        }
        b'|' | b'>' => {
            let (t, j) = yaml_block(text, lines, li, key_indent, text.as_bytes()[p] == b'>');
            (Some(YVal::Scalar(t)), j)
        }
        _ => {
            let mut t = Txt::default();
            let end = plain_end(text, p, e);
            for (k, c) in text[p..end].char_indices() {
                t.push_lit(c, p + k);
            }
            let mut j = li + 1;
            while j < lines.len() {
                let (s2, e2) = lines[j];
                let (ind2, c2) = indent_of(&text[s2..e2]);
                if c2.is_empty()
                    || c2.starts_with('#')
                    || ind2 <= key_indent
                    || yaml_key(c2).is_some()
                    || c2.starts_with("- ")
                {
                    break;
                }
                t.push_esc(' ', s2.saturating_sub(1), s2);
                let a = s2 + ind2;
                let end = plain_end(text, a, e2);
                for (k, c) in text[a..end].char_indices() {
                    t.push_lit(c, a + k);
                }
                j += 1;
            }
            (Some(YVal::Scalar(t)), j)
        }
    }
}

struct ComposeCmd {
    service: String,
    key: &'static str,
    form: Form,
    context: Option<String>,
    workdir: Option<String>,
}

fn parse_compose(text: &str, file: usize) -> Vec<ComposeCmd> {
    struct Svc {
        name: String,
        cmds: Vec<(&'static str, Form)>,
        context: Option<String>,
        workdir: Option<String>,
    }
    let lines = line_ranges(text);
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut svcs: Vec<Svc> = Vec::new();
    let mut li = 0;
    while li < lines.len() {
        let (s, e) = lines[li];
        let (ind, content) = indent_of(&text[s..e]);
        if content.is_empty()
            || content.starts_with('#')
            || content.starts_with("---")
            || content.starts_with("...")
            || content == "-"
            || content.starts_with("- ")
            || content.starts_with("-\t")
        {
            li += 1;
            continue;
        }
        let Some((key, after)) = yaml_key(content) else {
            li += 1;
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= ind) {
            stack.pop();
        }
        stack.push((ind, key.clone()));
        let vstart = s + ind + after;
        let in_services = stack[0].1 == "services";
        let depth = stack.len();
        if in_services && depth == 2 {
            svcs.push(Svc {
                name: key,
                cmds: Vec::new(),
                context: None,
                workdir: None,
            });
            li += 1;
            continue;
        }
        let Some(svc) = svcs.last_mut() else {
            li += 1;
            continue;
        };
        if in_services && depth == 3 {
            let slot = match key.as_str() {
                "command" => Some("command"),
                "entrypoint" => Some("entrypoint"),
                "build" | "working_dir" => None,
                _ => {
                    li += 1;
                    continue;
                }
            };
            let (val, next) = yaml_value(text, &lines, li, ind, vstart, file);
            match (slot, val) {
                (Some(k), Some(YVal::Scalar(t))) => svc.cmds.push((k, Form::Shell(t))),
                (Some(k), Some(YVal::List(w))) if !w.is_empty() => {
                    svc.cmds.push((k, Form::Exec(w)))
                }
                (None, Some(YVal::Scalar(t))) if key == "build" => svc.context = Some(t.s),
                (None, Some(YVal::Scalar(t))) => svc.workdir = Some(t.s),
                _ => {}
            }
            li = next.max(li + 1);
            continue;
        }
        if in_services && depth == 4 && stack[2].1 == "build" && key == "context" {
            let (val, next) = yaml_value(text, &lines, li, ind, vstart, file);
            if let Some(YVal::Scalar(t)) = val {
                svc.context = Some(t.s);
            }
            li = next.max(li + 1);
            continue;
        }
        li += 1;
    }
    let mut out = Vec::new();
    for svc in svcs {
        for (key, form) in svc.cmds {
            out.push(ComposeCmd {
                service: svc.name.clone(),
                key,
                form,
                context: svc.context.clone(),
                workdir: svc.workdir.clone(),
            });
        }
    }
    out
}

fn parse_procfile(text: &str) -> Vec<(String, Form)> {
    let mut out = Vec::new();
    for (s, e) in line_ranges(text) {
        let line = &text[s..e];
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some(c) = t.find(':') else { continue };
        let name = t[..c].trim();
        if name == "web" || name == "release" {
            let a = s + (line.len() - t.len()) + c + 1;
            let txt = Txt::ident(text, a, e);
            if !txt.s.trim().is_empty() {
                out.push((name.to_string(), Form::Shell(txt)));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// What a simple command runs
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    MikroOrm,
    TypeOrm,
    Prisma,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hit {
    /// A schema sync; `true` when it drops the schema too.
    Sync(Family, bool),
    Migration,
}

fn strip_exe(p: &str) -> String {
    let mut b = basename(p).to_ascii_lowercase();
    for ext in [".js", ".cjs", ".mjs", ".ts", ".cmd", ".exe"] {
        if let Some(x) = b.strip_suffix(ext) {
            b = x.to_string();
            break;
        }
    }
    b
}

/// Recognises the schema-sync and migration tools in one argv.
fn classify(words: &[&str]) -> Option<Hit> {
    let (prog, mut args) = words.split_first()?;
    let mut base = strip_exe(prog);
    if matches!(
        base.as_str(),
        "node" | "ts-node" | "tsx" | "ts-node-esm" | "bun" | "deno"
    ) {
        let script = args.iter().position(|a| !a.starts_with('-'));
        if let Some(i) = script {
            let s = args[i].to_ascii_lowercase();
            for tool in ["mikro-orm", "typeorm", "prisma"] {
                if s.contains(tool) {
                    base = tool.to_string();
                    args = &args[i + 1..];
                    break;
                }
            }
        }
    }
    let has = |w: &str| args.contains(&w);
    let pos: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let pair = |a: &str, b: &str| pos.windows(2).any(|w| w[0] == a && w[1] == b);
    match base.as_str() {
        "mikro-orm" | "mikro-orm-esm" => {
            if has("schema:update") {
                Some(Hit::Sync(Family::MikroOrm, false))
            } else if has("schema:fresh") || has("schema:drop") {
                Some(Hit::Sync(Family::MikroOrm, true))
            } else if has("migration:up") {
                Some(Hit::Migration)
            } else {
                None
            }
        }
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm" => {
            if has("schema:sync") {
                Some(Hit::Sync(Family::TypeOrm, false))
            } else if has("schema:drop") {
                Some(Hit::Sync(Family::TypeOrm, true))
            } else if has("migration:run") {
                Some(Hit::Migration)
            } else {
                None
            }
        }
        "prisma" => {
            if pair("db", "push") {
                Some(Hit::Sync(Family::Prisma, false))
            } else if pair("migrate", "reset") {
                Some(Hit::Sync(Family::Prisma, true))
            } else if pair("migrate", "deploy") {
                Some(Hit::Migration)
            } else {
                None
            }
        }
        "knex" => (has("migrate:latest") || has("migrate:up")).then_some(Hit::Migration),
        "sequelize" | "sequelize-cli" => has("db:migrate").then_some(Hit::Migration),
        "flyway" => has("migrate").then_some(Hit::Migration),
        "migrate" => has("up").then_some(Hit::Migration),
        "dbmate" => (has("up") || has("migrate")).then_some(Hit::Migration),
        "diesel" => pair("migration", "run").then_some(Hit::Migration),
        "sqlx" => pair("migrate", "run").then_some(Hit::Migration),
        "cargo" => {
            (pos.first() == Some(&"sqlx") && pair("migrate", "run")).then_some(Hit::Migration)
        }
        "echo" | "printf" | "cat" | "grep" | "test" | "[" | "true" | ":" | "exit" | "export"
        | "sed" | "awk" | "logger" | "set" | "unset" | "cd" | "ls" | "mkdir" | "cp" | "mv"
        | "rm" | "chmod" | "chown" | "touch" => None,
        _ => {
            let run_flag = args
                .iter()
                .any(|a| *a == "--run" || *a == "-r" || a.starts_with("--run="));
            if has("schema:update") && run_flag {
                Some(Hit::Sync(Family::MikroOrm, false))
            } else if has("schema:sync") {
                Some(Hit::Sync(Family::Other, false))
            } else if has("schema:fresh") || has("schema:drop") {
                Some(Hit::Sync(Family::Other, true))
            } else if has("migration:up") || has("migration:run") {
                Some(Hit::Migration)
            } else {
                None
            }
        }
    }
}

fn is_sync_script(name: &str) -> bool {
    name == "db:sync" || name == "schema:sync"
}

/// Script names that, when their body cannot be found, still obviously run migrations.
fn is_migration_script(name: &str) -> bool {
    matches!(
        name,
        "migration:up"
            | "migration:run"
            | "migrations:run"
            | "migrations:up"
            | "migrate"
            | "migrate:up"
            | "migrate:deploy"
            | "migrate:latest"
            | "migrate:prod"
            | "db:migrate"
    )
}

fn is_assign(s: &str) -> bool {
    match s.find('=') {
        Some(p) if p > 0 => {
            let n = &s[..p];
            n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                && !n.as_bytes()[0].is_ascii_digit()
        }
        _ => false,
    }
}

/// Skips what only wraps the real command (`exec`, `env X=1`, `tini --`, `dotenv -e f --`,
/// `if`, `then`, …). Returns the index of the program, whether the command is a condition
/// (`if`/`while`/`!`), and whether it is a no-op keyword (`fi`, `done`, `}`).
fn strip_prefixes(w: &[Word]) -> (usize, bool, bool) {
    let mut k = 0;
    let mut cond = false;
    let dd = |from: usize| {
        w[from..]
            .iter()
            .position(|x| x.s() == "--")
            .map(|p| from + p + 1)
    };
    while k < w.len() {
        let s = w[k].s();
        let b = basename(s);
        match b {
            "if" | "elif" | "while" | "until" | "!" => {
                cond = true;
                k += 1;
            }
            "then" | "else" | "do" | "{" | "time" | "nohup" | "exec" | "command" | "builtin" => {
                k += 1
            }
            "fi" | "done" | "}" | "esac" | ";;" if k == 0 => return (k, cond, true),
            "env" => {
                k += 1;
                while k < w.len() {
                    let s = w[k].s();
                    if s == "-i" || s == "-" || s == "--ignore-environment" || is_assign(s) {
                        k += 1;
                    } else if s == "-u" {
                        k += 2;
                    } else if s == "--" {
                        k += 1;
                        break;
                    } else {
                        break;
                    }
                }
            }
            "nice" => {
                k += 1;
                if w.get(k).is_some_and(|x| x.s() == "-n") {
                    k += 2;
                } else if w.get(k).is_some_and(|x| x.s().starts_with('-')) {
                    k += 1;
                }
            }
            "sudo" => {
                k += 1;
                while k < w.len() && w[k].s().starts_with('-') {
                    k += if w[k].s() == "-u" { 2 } else { 1 };
                }
            }
            "timeout" => {
                k += 1;
                while k < w.len() && w[k].s().starts_with('-') {
                    k += if matches!(w[k].s(), "-s" | "-k") {
                        2
                    } else {
                        1
                    };
                }
                k += 1;
            }
            "dumb-init" | "tini" | "tini-static" => {
                k += 1;
                while k < w.len() && w[k].s().starts_with('-') {
                    let d = w[k].s() == "--";
                    k += 1;
                    if d {
                        break;
                    }
                }
            }
            "gosu" | "su-exec" => k += 2,
            "cross-env" | "cross-env-shell" => {
                k += 1;
                while k < w.len() && is_assign(w[k].s()) {
                    k += 1;
                }
            }
            "dotenv" | "env-cmd" | "doppler" | "infisical" | "op" | "wait-for-it"
            | "wait-for-it.sh" | "wait-for" | "with-env" => {
                if let Some(p) = dd(k + 1) {
                    k = p;
                } else if b == "dotenv" || b == "env-cmd" {
                    k += 1;
                    while k < w.len() && w[k].s().starts_with('-') {
                        let takes = matches!(
                            w[k].s(),
                            "-e" | "-c" | "-v" | "-p" | "-f" | "--file" | "--environments"
                        );
                        k += if takes { 2 } else { 1 };
                    }
                } else {
                    break;
                }
            }
            _ if is_assign(s) => k += 1,
            _ => break,
        }
    }
    (k.min(w.len()), cond, false)
}

fn apply_set(w: &[Word], errexit: &mut bool, pipefail: &mut bool) {
    let mut i = 1;
    while i < w.len() {
        let a = w[i].s();
        let on = a.starts_with('-');
        if (on || a.starts_with('+')) && a != "--" {
            if a[1..].contains('e') {
                *errexit = on;
            }
            if a[1..].contains('o') {
                match w.get(i + 1).map(Word::s) {
                    Some("errexit") => *errexit = on,
                    Some("pipefail") => *pipefail = on,
                    _ => {}
                }
                i += 1;
            }
        }
        i += 1;
    }
}

fn shebang_errexit(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first.starts_with("#!")
        && first
            .split_whitespace()
            .skip(1)
            .any(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('e'))
}

fn program_words(c: &SimpleCmd) -> &[Word] {
    let (k, _, _) = strip_prefixes(&c.words);
    &c.words[k..]
}

fn is_failing_exit(c: &SimpleCmd) -> bool {
    let w = program_words(c);
    match w.first().map(Word::s) {
        Some("exit") | Some("return") => w.get(1).is_none_or(|a| a.s() != "0"),
        Some("false") | Some("kill") => true,
        _ => false,
    }
}

fn is_swallow(c: &SimpleCmd) -> bool {
    let w = program_words(c);
    match w.first().map(Word::s) {
        Some("true" | ":" | "/bin/true" | "/usr/bin/true" | "echo" | "printf" | "logger") => true,
        Some("exit" | "return") => w.get(1).is_some_and(|a| a.s() == "0"),
        _ => false,
    }
}

fn is_noop(c: &SimpleCmd) -> bool {
    strip_prefixes(&c.words).2
}

/// Whether the failure of `cmds[i]` (a migration) still stops what follows; `Some(reason,
/// help)` when it does not.
fn disposition(
    cmds: &[(SimpleCmd, Option<Op>)],
    i: usize,
    errexit: bool,
    pipefail: bool,
) -> Option<(String, &'static str)> {
    let next_real = || cmds[i + 1..].iter().map(|(c, _)| c).find(|c| !is_noop(c));
    match cmds[i].1 {
        None | Some(Op::And) | Some(Op::DSemi) => None,
        Some(Op::Or) => {
            // The fallback runs up to the end of the line; an `exit 1` there keeps the failure.
            let mut line = Vec::new();
            for (c, op) in &cmds[i + 1..] {
                line.push(c);
                if matches!(op, None | Some(Op::Newline)) {
                    break;
                }
            }
            if line.iter().any(|c| is_failing_exit(c)) {
                return None;
            }
            let first = line.first()?;
            is_swallow(first).then(|| {
                (
                    format!("`|| {}` swallows its failure", first.display),
                    HELP_IGNORED,
                )
            })
        }
        Some(op @ (Op::Semi | Op::Newline)) => {
            if errexit {
                return None;
            }
            let next = next_real()?;
            if is_failing_exit(next) || next.display.contains("$?") {
                return None;
            }
            Some(if op == Op::Semi {
                (
                    format!("`;` runs `{}` next even when it fails", next.display),
                    HELP_IGNORED,
                )
            } else {
                (
                    format!(
                        "the next line (`{}`) runs even when it fails, as the script has no `set -e`",
                        next.display
                    ),
                    HELP_IGNORED_NEWLINE,
                )
            })
        }
        Some(Op::Pipe) => {
            if pipefail {
                return None;
            }
            let next = next_real()?;
            let prog = program_words(next).first().map_or("", Word::s);
            Some((
                format!("piping it into `{prog}` hides its exit status"),
                HELP_IGNORED,
            ))
        }
        Some(Op::Amp) => Some((
            "`&` runs it in the background, so nothing waits for it to succeed".to_string(),
            HELP_IGNORED,
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Following the start commands
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Step {
    display: String,
    loc: String,
}

/// How a command was reached: "the production start command `…` (…) runs `…` (…), which runs …".
#[derive(Debug, Clone)]
struct Chain {
    head: String,
    head_display: String,
    head_loc: String,
    steps: Vec<Step>,
}

impl Chain {
    fn new(head: String, head_display: String, head_loc: String) -> Chain {
        Chain {
            head,
            head_display,
            head_loc,
            steps: Vec::new(),
        }
    }

    fn with(&self, step: Step) -> Chain {
        let (d, l) = match self.steps.last() {
            Some(s) => (&s.display, &s.loc),
            None => (&self.head_display, &self.head_loc),
        };
        let mut c = self.clone();
        if *d != step.display || *l != step.loc {
            c.steps.push(step);
        }
        c
    }

    fn render(&self) -> String {
        let mut s = self.head.clone();
        let mut prev = &self.head_loc;
        for (k, st) in self.steps.iter().enumerate() {
            s.push_str(if k == 0 { " runs `" } else { ", which runs `" });
            s.push_str(&st.display);
            s.push('`');
            if st.loc != *prev {
                s.push_str(&format!(" ({})", st.loc));
                prev = &st.loc;
            }
        }
        s
    }
}

#[derive(Debug, Clone)]
struct Env {
    /// Where the commands being read are written ("apps/api/package.json scripts.start").
    loc: String,
    /// Directories, best first, against which `pnpm x` and `./script.sh` resolve.
    dirs: Vec<String>,
    errexit: bool,
    /// Where the arguments appended to this script came from.
    extra_site: Option<(usize, Span)>,
}

#[derive(Debug, Default)]
struct Effects {
    /// Runs a migration whose failure reaches the caller; the steps below the caller's command.
    migration: Option<Vec<Step>>,
    /// Runs a schema sync (reported or not).
    synced: bool,
}

impl Effects {
    fn merge(&mut self, o: Effects) {
        if self.migration.is_none() {
            self.migration = o.migration;
        }
        self.synced |= o.synced;
    }
}

#[derive(Debug, Clone)]
enum Target {
    Current,
    Dirs(Vec<String>),
    Filters(Vec<String>),
    All,
    Root,
}

enum Action {
    Nothing,
    Exec(Vec<Word>),
    Shell(Word),
    Script {
        target: Target,
        name: Word,
        args: Vec<Word>,
        pre_post: bool,
        or_exec: bool,
    },
}

const MAX_DEPTH: usize = 40;

struct FileRec<'a> {
    path: &'a str,
    norm: String,
    text: &'a str,
    kind: FileKind,
}

struct Walker<'a> {
    files: Vec<FileRec<'a>>,
    pkgs: Vec<Pkg>,
    pkg_by_dir: HashMap<String, usize>,
    file_by_path: HashMap<String, usize>,
    known_dirs: HashSet<String>,
    issues: Vec<DeployIssue>,
    seen: HashSet<(&'static str, usize, Span)>,
    script_stack: Vec<(usize, String)>,
    file_stack: Vec<usize>,
    reached: HashSet<(usize, String)>,
    report_sync: bool,
    depth: usize,
    fuel: usize,
}

impl<'a> Walker<'a> {
    fn new(files: &[DeployFile<'a>]) -> Walker<'a> {
        let mut w = Walker {
            files: Vec::new(),
            pkgs: Vec::new(),
            pkg_by_dir: HashMap::new(),
            file_by_path: HashMap::new(),
            known_dirs: HashSet::new(),
            issues: Vec::new(),
            seen: HashSet::new(),
            script_stack: Vec::new(),
            file_stack: Vec::new(),
            reached: HashSet::new(),
            report_sync: true,
            depth: 0,
            fuel: 20_000,
        };
        for f in files {
            let norm = normalize_path(f.path);
            let idx = w.files.len();
            let kind = kind_of(&norm);
            let mut d = Some(dir_of(&norm));
            while let Some(x) = d {
                d = parent(&x);
                w.known_dirs.insert(x);
            }
            w.file_by_path.entry(norm.clone()).or_insert(idx);
            if kind == FileKind::PackageJson {
                if let Some(p) = parse_package_json(f.text, idx, dir_of(&norm)) {
                    w.pkg_by_dir.entry(p.dir.clone()).or_insert(w.pkgs.len());
                    w.pkgs.push(p);
                }
            }
            w.files.push(FileRec {
                path: f.path,
                norm,
                text: f.text,
                kind,
            });
        }
        w
    }

    fn run(&mut self) {
        let mut has_deploy = false;
        for f in 0..self.files.len() {
            let (kind, dev) = (self.files[f].kind, is_dev_file(&self.files[f].norm));
            if dev {
                continue;
            }
            match kind {
                FileKind::Dockerfile => {
                    has_deploy = true;
                    self.dockerfile(f);
                }
                FileKind::Compose => {
                    has_deploy = true;
                    self.compose(f);
                }
                FileKind::Procfile => {
                    has_deploy = true;
                    self.procfile(f);
                }
                _ => {}
            }
        }
        if !has_deploy {
            for p in 0..self.pkgs.len() {
                for name in ["start:prod", "start"] {
                    if self.pkgs[p].script(name).is_some() {
                        let path = self.files[self.pkgs[p].file].path.to_string();
                        let head = format!("the production start script `{name}` ({path})");
                        let chain = Chain::new(head, String::new(), path);
                        self.eval_script(p, name, &[], true, None, &chain);
                    }
                }
            }
        }
        // Scripts no entry point reaches but a deploy pipeline may run (`migrate:deploy`):
        // checked for swallowed migration failures only.
        self.report_sync = false;
        for p in 0..self.pkgs.len() {
            let names: Vec<String> = self.pkgs[p]
                .scripts
                .iter()
                .map(|(n, _)| n.clone())
                .collect();
            for name in names {
                if self.reached.contains(&(p, name.clone())) || is_dev_script(&name) {
                    continue;
                }
                let path = self.files[self.pkgs[p].file].path.to_string();
                let head = format!("the script `{name}` ({path})");
                let chain = Chain::new(head, String::new(), path);
                self.eval_script(p, &name, &[], false, None, &chain);
            }
        }
    }

    fn map_container_dir(&self, abs: &str) -> Option<String> {
        let norm = normalize_path(abs);
        let comps: Vec<&str> = norm.split('/').filter(|c| !c.is_empty()).collect();
        (0..comps.len())
            .map(|k| comps[k..].join("/"))
            .find(|cand| self.known_dirs.contains(cand))
    }

    fn entry(&mut self, form: &Form, file: usize, label: &str, dirs: Vec<String>, what: &str) {
        let path = self.files[file].path;
        let loc = format!("{path} {label}");
        let display = form.display();
        let head = format!("the {what} `{display}` ({loc})");
        let chain = Chain::new(head, display, loc.clone());
        let env = Env {
            loc,
            dirs,
            errexit: false,
            extra_site: None,
        };
        self.eval_form(form, file, &env, &chain);
    }

    fn dockerfile(&mut self, f: usize) {
        let (wd, ep, cmd) = dockerfile_start(self.files[f].text, f);
        let own = dir_of(&self.files[f].norm);
        let mut dirs = Vec::new();
        if let Some(d) = wd.as_deref().and_then(|w| self.map_container_dir(w)) {
            dirs.push(d);
        }
        if !dirs.contains(&own) {
            dirs.push(own);
        }
        let what = "production start command";
        match (ep, cmd) {
            (None, Some(c)) => self.entry(&c, f, "CMD", dirs, what),
            (Some(e), None) => self.entry(&e, f, "ENTRYPOINT", dirs, what),
            (Some(Form::Exec(e)), Some(Form::Exec(c))) if self.combines(&e) => {
                let mut all = e;
                all.extend(c);
                self.entry(&Form::Exec(all), f, "ENTRYPOINT + CMD", dirs, what);
            }
            (Some(e @ Form::Exec(_)), Some(c)) => {
                self.entry(&e, f, "ENTRYPOINT", dirs.clone(), what);
                self.entry(&c, f, "CMD", dirs, what);
            }
            (Some(e), Some(_)) => self.entry(&e, f, "ENTRYPOINT", dirs, what),
            (None, None) => {}
        }
    }

    /// An exec-form ENTRYPOINT that only makes sense with CMD appended (`["sh","-c"]`,
    /// `["pnpm"]`), as opposed to an entrypoint script that runs `exec "$@"`.
    fn combines(&self, e: &[Word]) -> bool {
        let (k, _, _) = strip_prefixes(e);
        let Some(first) = e.get(k) else {
            return true;
        };
        let prog = basename(first.s());
        let last = e.last().map_or("", Word::s);
        if is_shell(prog) {
            return last.starts_with('-') && !last.starts_with("--") && last.contains('c');
        }
        matches!(
            prog,
            "npm" | "pnpm" | "yarn" | "bun" | "npx" | "pnpx" | "bunx" | "node"
        )
    }

    fn compose(&mut self, f: usize) {
        let own = dir_of(&self.files[f].norm);
        for c in parse_compose(self.files[f].text, f) {
            let mut dirs = Vec::new();
            if let Some(d) = c.workdir.as_deref().and_then(|w| self.map_container_dir(w)) {
                dirs.push(d);
            }
            if let Some(d) = c.context.as_deref().and_then(|x| join(&own, x)) {
                dirs.push(d);
            }
            dirs.push(own.clone());
            dirs.dedup();
            let label = format!("services.{}.{}", c.service, c.key);
            self.entry(&c.form, f, &label, dirs, "production start command");
        }
    }

    fn procfile(&mut self, f: usize) {
        let own = dir_of(&self.files[f].norm);
        for (name, form) in parse_procfile(self.files[f].text) {
            let what = if name == "release" {
                "release command"
            } else {
                "production start command"
            };
            self.entry(&form, f, &name, vec![own.clone()], what);
        }
    }

    fn eval_form(&mut self, form: &Form, file: usize, env: &Env, chain: &Chain) -> Effects {
        match form {
            Form::Shell(t) => self.eval_text(t, file, env, chain, &[]),
            Form::Exec(w) => {
                let cmds = vec![(SimpleCmd::from_words(w.clone(), file), None)];
                self.eval_seq(&cmds, env, chain, &[])
            }
        }
    }

    fn eval_text(
        &mut self,
        txt: &Txt,
        file: usize,
        env: &Env,
        chain: &Chain,
        extra: &[Word],
    ) -> Effects {
        let cmds = lex(txt, file);
        self.eval_seq(&cmds, env, chain, extra)
    }

    fn eval_seq(&mut self, cmds: &CmdList, env: &Env, chain: &Chain, extra: &[Word]) -> Effects {
        let mut out = Effects::default();
        if self.depth >= MAX_DEPTH {
            return out;
        }
        self.depth += 1;
        let mut errexit = env.errexit;
        let mut pipefail = false;
        for (i, (cmd, _)) in cmds.iter().enumerate() {
            if self.fuel == 0 {
                break;
            }
            self.fuel -= 1;
            let mut words = cmd.words.clone();
            let mut display = cmd.display.clone();
            if i + 1 == cmds.len() && !extra.is_empty() {
                words.extend(extra.iter().cloned());
                display = format!("{display} {}", display_words(extra));
            }
            let (start, condition, noop) = strip_prefixes(&words);
            if noop || start >= words.len() {
                continue;
            }
            let w = &words[start..];
            if w[0].s() == "set" {
                apply_set(w, &mut errexit, &mut pipefail);
                continue;
            }
            let step = Step {
                display,
                loc: env.loc.clone(),
            };
            let chain2 = chain.with(step.clone());
            let eff = self.dispatch(cmd, w, env, &chain2);
            out.synced |= eff.synced;
            let Some(mig) = eff.migration else { continue };
            if condition {
                continue;
            }
            match disposition(cmds, i, errexit, pipefail) {
                None => {
                    if out.migration.is_none() {
                        let mut v = vec![step];
                        v.extend(mig);
                        out.migration = Some(v);
                    }
                }
                Some((reason, help)) => {
                    let mut c = chain2;
                    for s in mig {
                        c = c.with(s);
                    }
                    let msg = format!(
                        "{}: {reason}, so the app can start on a schema its migrations never reached",
                        c.render()
                    );
                    self.report(
                        DeployIssueKind::MigrationFailureIgnored,
                        cmd.file,
                        cmd.raw,
                        msg,
                        help.to_string(),
                    );
                }
            }
        }
        self.depth -= 1;
        out
    }

    fn report(
        &mut self,
        kind: DeployIssueKind,
        file: usize,
        span: Span,
        message: String,
        help: String,
    ) {
        if !self.seen.insert((kind.code(), file, span)) {
            return;
        }
        self.issues.push(DeployIssue {
            kind,
            path: self.files[file].path.to_string(),
            span,
            message,
            help,
        });
    }

    fn report_sync(&mut self, file: usize, span: Span, chain: &Chain, fam: Family, drops: bool) {
        if !self.report_sync {
            return;
        }
        let why = if drops {
            "dropping the schema at start-up destroys data and bypasses migrations"
        } else {
            "schema sync bypasses migrations"
        };
        let (up, example) = match fam {
            Family::Prisma => ("prisma migrate deploy", "npx prisma migrate deploy"),
            Family::TypeOrm => (
                "typeorm migration:run",
                "npx typeorm migration:run -d dist/data-source.js",
            ),
            Family::MikroOrm | Family::Other => ("migration:up", "pnpm migration:up"),
        };
        let help = format!(
            "run `{up}` before start and let the container fail when it fails, e.g. CMD [\"sh\",\"-c\",\"{example} && node dist/main.js\"]"
        );
        let msg = format!("{}: {why}", chain.render());
        self.report(DeployIssueKind::SchemaSyncAtStartup, file, span, msg, help);
    }

    fn dispatch(&mut self, cmd: &SimpleCmd, w: &[Word], env: &Env, chain: &Chain) -> Effects {
        let Some(first) = w.first() else {
            return Effects::default();
        };
        let full = first.s();
        let prog = basename(full);
        let rest = &w[1..];
        match prog {
            p if is_shell(p) => self.shell(cmd, w, env, chain),
            "." | "source" => match rest.first().and_then(|p| self.resolve_file(p.s(), env)) {
                Some(f) => self.eval_script_file(f, env.errexit, env, chain),
                None => Effects::default(),
            },
            "npm" => {
                let a = parse_npm(rest);
                self.perform(a, cmd, env, chain)
            }
            "pnpm" => {
                let a = parse_pnpm(rest);
                self.perform(a, cmd, env, chain)
            }
            "yarn" => {
                let a = parse_yarn(rest, Target::Current);
                self.perform(a, cmd, env, chain)
            }
            "bun" => {
                let a = parse_bun(rest);
                self.perform(a, cmd, env, chain)
            }
            "npx" | "pnpx" | "bunx" => {
                let a = parse_npx(rest);
                self.perform(a, cmd, env, chain)
            }
            "concurrently" => {
                let mut eff = Effects::default();
                let mut k = 0;
                while k < rest.len() {
                    let a = &rest[k];
                    if a.s().starts_with('-') {
                        // Flags with a value.
                        if matches!(
                            a.s(),
                            "-n" | "--names" | "-c" | "--prefix-colors" | "-p" | "--prefix" | "-k"
                        ) {
                            k += 1;
                        }
                    } else if let Some((_, script)) = a
                        .s()
                        .split_once(':')
                        .filter(|(r, _)| matches!(*r, "npm" | "pnpm" | "yarn" | "bun"))
                    {
                        let mut name = a.clone();
                        name.txt.s = script.to_string();
                        let act = Action::Script {
                            target: Target::Current,
                            name,
                            args: Vec::new(),
                            pre_post: true,
                            or_exec: false,
                        };
                        eff.merge(self.perform(act, cmd, env, chain));
                    } else {
                        eff.merge(self.eval_text(&a.txt, a.file, env, chain, &[]));
                    }
                    k += 1;
                }
                eff.migration = None;
                eff
            }
            "run-s" | "run-p" | "npm-run-all" => {
                let mut eff = Effects::default();
                for a in rest.iter().filter(|a| !a.s().starts_with('-')) {
                    let act = Action::Script {
                        target: Target::Current,
                        name: a.clone(),
                        args: Vec::new(),
                        pre_post: true,
                        or_exec: false,
                    };
                    eff.merge(self.perform(act, cmd, env, chain));
                }
                eff
            }
            _ => {
                let looks_like_path =
                    full.contains('/') || full.ends_with(".sh") || full.ends_with(".bash");
                if looks_like_path {
                    if let Some(f) = self.resolve_file(full, env) {
                        return self.eval_script_file(f, false, env, chain);
                    }
                }
                self.tool(cmd, w, env, chain)
            }
        }
    }

    fn tool(&mut self, cmd: &SimpleCmd, w: &[Word], env: &Env, chain: &Chain) -> Effects {
        let all: Vec<&str> = w.iter().map(Word::s).collect();
        match classify(&all) {
            None => Effects::default(),
            Some(Hit::Migration) => Effects {
                migration: Some(Vec::new()),
                synced: false,
            },
            Some(Hit::Sync(fam, drops)) => {
                let own: Vec<&str> = w.iter().filter(|x| !x.foreign).map(Word::s).collect();
                let (file, span) = match env.extra_site {
                    Some(site) if classify(&own).is_none() => site,
                    _ => (cmd.file, cmd.raw),
                };
                self.report_sync(file, span, chain, fam, drops);
                Effects {
                    migration: None,
                    synced: true,
                }
            }
        }
    }

    fn shell(&mut self, cmd: &SimpleCmd, w: &[Word], env: &Env, chain: &Chain) -> Effects {
        let _ = cmd;
        let mut errexit = false;
        let mut dash_c = false;
        let mut k = 1;
        while k < w.len() {
            let a = w[k].s();
            if a == "-o" || a == "+o" {
                if a == "-o" && w.get(k + 1).is_some_and(|x| x.s() == "errexit") {
                    errexit = true;
                }
                k += 2;
                continue;
            }
            if a == "--" {
                k += 1;
                break;
            }
            if a.len() > 1 && (a.starts_with('-') || a.starts_with('+')) {
                if a.starts_with('-') && !a.starts_with("--") {
                    dash_c |= a.contains('c');
                    errexit |= a.contains('e');
                }
                k += 1;
                continue;
            }
            break;
        }
        let Some(arg) = w.get(k) else {
            return Effects::default();
        };
        if dash_c {
            let sub = Env {
                errexit,
                ..env.clone()
            };
            return self.eval_text(&arg.txt, arg.file, &sub, chain, &[]);
        }
        match self.resolve_file(arg.s(), env) {
            Some(f) => self.eval_script_file(f, errexit, env, chain),
            None => Effects::default(),
        }
    }

    fn resolve_file(&self, p: &str, env: &Env) -> Option<usize> {
        if p.is_empty() || p.contains('$') {
            return None;
        }
        let ok = |i: &usize| self.files[*i].kind == FileKind::Other;
        let lookup = |c: &str| self.file_by_path.get(c).copied().filter(ok);
        if p.starts_with('/') {
            // A container path: the longest suffix that is a repository path.
            let comps: Vec<&str> = p.split('/').filter(|c| !c.is_empty()).collect();
            if let Some(i) = (0..comps.len()).find_map(|k| lookup(&comps[k..].join("/"))) {
                return Some(i);
            }
        } else {
            for d in &env.dirs {
                if let Some(i) = join(d, p).and_then(|j| lookup(&j)) {
                    return Some(i);
                }
            }
            if let Some(i) = lookup(&normalize_path(p)) {
                return Some(i);
            }
        }
        // The one script with that name (copied into the image, e.g. to /usr/local/bin).
        let name = basename(p);
        let suffix = format!("/{name}");
        let mut found = self
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.kind == FileKind::Other && (f.norm == name || f.norm.ends_with(&suffix))
            })
            .map(|(i, _)| i);
        match (found.next(), found.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }

    fn eval_script_file(&mut self, f: usize, errexit: bool, env: &Env, chain: &Chain) -> Effects {
        if self.file_stack.contains(&f) {
            return Effects::default();
        }
        self.file_stack.push(f);
        let text = self.files[f].text;
        let txt = Txt::ident(text, 0, text.len());
        let mut dirs = env.dirs.clone();
        let own = dir_of(&self.files[f].norm);
        if !dirs.contains(&own) {
            dirs.push(own);
        }
        let sub = Env {
            loc: self.files[f].path.to_string(),
            dirs,
            errexit: errexit || shebang_errexit(text),
            extra_site: None,
        };
        let eff = self.eval_text(&txt, f, &sub, chain, &[]);
        self.file_stack.pop();
        eff
    }

    fn nearest_pkg(&self, dir: &str) -> Option<usize> {
        let mut d = Some(dir.to_string());
        while let Some(x) = d {
            if let Some(&p) = self.pkg_by_dir.get(&x) {
                return Some(p);
            }
            d = parent(&x);
        }
        None
    }

    fn filter_matches(&self, f: &str, p: usize, env: &Env) -> bool {
        if f.starts_with('!') {
            return false;
        }
        let f = f
            .trim_start_matches("...")
            .trim_start_matches('^')
            .trim_start_matches("...")
            .trim_end_matches("...");
        let pkg = &self.pkgs[p];
        let braced = f.strip_prefix('{').and_then(|x| x.strip_suffix('}'));
        let path = braced.or_else(|| f.starts_with('.').then_some(f));
        if let Some(path) = path {
            return env
                .dirs
                .iter()
                .chain(std::iter::once(&String::new()))
                .filter_map(|d| join(d, path))
                .any(|j| glob(&j, &pkg.dir));
        }
        if pkg.name.as_deref().is_some_and(|n| glob(f, n)) {
            return true;
        }
        // npm's --workspace also takes a path.
        !f.starts_with('@') && f.contains('/') && normalize_path(f) == pkg.dir
    }

    fn target_pkgs(&self, t: &Target, env: &Env) -> Vec<usize> {
        let mut v: Vec<usize> = Vec::new();
        match t {
            Target::Current => {
                for d in &env.dirs {
                    v.extend(self.nearest_pkg(d));
                }
            }
            Target::Dirs(ds) => {
                for d in ds {
                    let resolved: Vec<String> = if d.starts_with('/') {
                        self.map_container_dir(d).into_iter().collect()
                    } else {
                        env.dirs.iter().filter_map(|b| join(b, d)).collect()
                    };
                    for r in resolved {
                        v.extend(self.nearest_pkg(&r));
                    }
                }
            }
            Target::Filters(fs) => {
                for p in 0..self.pkgs.len() {
                    if fs.iter().any(|f| self.filter_matches(f, p, env)) {
                        v.push(p);
                    }
                }
            }
            Target::All => {
                let many = self.pkgs.len() > 1;
                v.extend((0..self.pkgs.len()).filter(|&p| !(many && self.pkgs[p].dir.is_empty())));
            }
            Target::Root => {
                if let Some(d) = env.dirs.first() {
                    let mut cur = Some(d.clone());
                    let mut top = None;
                    while let Some(x) = cur {
                        if let Some(&p) = self.pkg_by_dir.get(&x) {
                            top = Some(p);
                        }
                        cur = parent(&x);
                    }
                    v.extend(top);
                }
            }
        }
        let mut seen = HashSet::new();
        v.retain(|p| seen.insert(*p));
        v
    }

    fn perform(&mut self, a: Action, cmd: &SimpleCmd, env: &Env, chain: &Chain) -> Effects {
        match a {
            Action::Nothing => Effects::default(),
            Action::Exec(words) => {
                let (k, _, _) = strip_prefixes(&words);
                if k >= words.len() {
                    return Effects::default();
                }
                self.dispatch(cmd, &words[k..], env, chain)
            }
            Action::Shell(word) => self.eval_text(&word.txt, word.file, env, chain, &[]),
            Action::Script {
                target,
                name,
                args,
                pre_post,
                or_exec,
            } => {
                let sname = name.s().to_string();
                let pkgs = self.target_pkgs(&target, env);
                let mut with: Vec<usize> = pkgs
                    .into_iter()
                    .filter(|&p| self.pkgs[p].script(&sname).is_some())
                    .collect();
                if matches!(target, Target::Current) {
                    with.truncate(1);
                }
                if with.is_empty() {
                    if is_sync_script(&sname) {
                        self.report_sync(cmd.file, cmd.raw, chain, Family::Other, false);
                        return Effects {
                            migration: None,
                            synced: true,
                        };
                    }
                    if is_migration_script(&sname) {
                        return Effects {
                            migration: Some(Vec::new()),
                            synced: false,
                        };
                    }
                    if or_exec {
                        let mut ws = vec![name];
                        ws.extend(args);
                        return self.dispatch(cmd, &ws, env, chain);
                    }
                    return Effects::default();
                }
                let site = if args.iter().any(|a| !a.foreign) {
                    Some((cmd.file, cmd.raw))
                } else {
                    env.extra_site
                };
                let mut eff = Effects::default();
                for p in with {
                    eff.merge(self.eval_script(p, &sname, &args, pre_post, site, chain));
                }
                eff
            }
        }
    }

    fn eval_script(
        &mut self,
        p: usize,
        name: &str,
        args: &[Word],
        pre_post: bool,
        site: Option<(usize, Span)>,
        chain: &Chain,
    ) -> Effects {
        let key = (p, name.to_string());
        if self.script_stack.contains(&key) || self.script_stack.len() > MAX_DEPTH {
            return Effects::default();
        }
        let Some(body) = self.pkgs[p].script(name).cloned() else {
            return Effects::default();
        };
        self.reached.insert(key.clone());
        self.script_stack.push(key);
        let file = self.pkgs[p].file;
        let env = Env {
            loc: format!("{} scripts.{name}", self.files[file].path),
            dirs: vec![self.pkgs[p].dir.clone()],
            errexit: false,
            extra_site: site,
        };
        let mut eff = Effects::default();
        if pre_post {
            let pre = format!("pre{name}");
            if self.pkgs[p].script(&pre).is_some() {
                eff.merge(self.eval_script(p, &pre, &[], false, None, chain));
            }
        }
        let fargs: Vec<Word> = args
            .iter()
            .cloned()
            .map(|mut w| {
                w.foreign = true;
                w
            })
            .collect();
        let e = self.eval_text(&body, file, &env, chain, &fargs);
        if is_sync_script(name) && !e.synced {
            let c = chain.with(Step {
                display: squash(&body.s),
                loc: env.loc.clone(),
            });
            self.report_sync(file, body.full(), &c, Family::Other, false);
            eff.synced = true;
        }
        eff.merge(e);
        if pre_post {
            let post = format!("post{name}");
            if self.pkgs[p].script(&post).is_some() {
                eff.merge(self.eval_script(p, &post, &[], false, None, chain));
            }
        }
        self.script_stack.pop();
        eff
    }
}

fn is_shell(p: &str) -> bool {
    matches!(p, "sh" | "bash" | "dash" | "zsh" | "ash" | "ksh")
}

// --- package-manager command lines ---

fn flag_value(a: &[Word], k: usize, flag: &str) -> Option<(String, usize)> {
    let s = a[k].s();
    if s == flag {
        return a.get(k + 1).map(|v| (v.s().to_string(), 2));
    }
    s.strip_prefix(flag)
        .and_then(|r| r.strip_prefix('='))
        .map(|v| (v.to_string(), 1))
}

/// Script arguments: everything after the name, without the first `--`.
fn script_args(a: &[Word]) -> Vec<Word> {
    let mut v: Vec<Word> = a.to_vec();
    if let Some(p) = v.iter().position(|w| w.s() == "--") {
        v.remove(p);
    }
    v
}

fn parse_npm(a: &[Word]) -> Action {
    let mut target = Target::Current;
    let mut k = 0;
    let flag = |a: &[Word], k: usize, target: &mut Target| -> usize {
        if let Some((v, n)) = flag_value(a, k, "--prefix") {
            *target = Target::Dirs(vec![v]);
            return n;
        }
        for f in ["--workspace", "-w"] {
            if let Some((v, n)) = flag_value(a, k, f) {
                match target {
                    Target::Filters(fs) => fs.push(v),
                    _ => *target = Target::Filters(vec![v]),
                }
                return n;
            }
        }
        if matches!(a[k].s(), "--workspaces" | "-ws") {
            *target = Target::All;
            return 1;
        }
        for f in ["--loglevel", "--script-shell", "--userconfig", "--cache"] {
            if let Some((_, n)) = flag_value(a, k, f) {
                return n;
            }
        }
        1
    };
    while k < a.len() && a[k].s().starts_with('-') && a[k].s() != "--" {
        k += flag(a, k, &mut target);
    }
    let Some(sub) = a.get(k) else {
        return Action::Nothing;
    };
    k += 1;
    match sub.s() {
        "run" | "run-script" | "rum" | "urn" => {
            while k < a.len() && a[k].s().starts_with('-') && a[k].s() != "--" {
                k += flag(a, k, &mut target);
            }
            let Some(name) = a.get(k).cloned() else {
                return Action::Nothing;
            };
            // npm reads flags before `--` itself.
            let mut args = Vec::new();
            let mut j = k + 1;
            while j < a.len() {
                if a[j].s() == "--" {
                    args.extend(a[j + 1..].iter().cloned());
                    break;
                }
                if a[j].s().starts_with('-') {
                    j += flag(a, j, &mut target);
                    continue;
                }
                args.push(a[j].clone());
                j += 1;
            }
            Action::Script {
                target,
                name,
                args,
                pre_post: true,
                or_exec: false,
            }
        }
        "start" | "stop" | "test" | "t" | "tst" | "restart" => {
            let mut name = sub.clone();
            if matches!(sub.s(), "t" | "tst") {
                name.txt.s = "test".into();
            }
            Action::Script {
                target,
                name,
                args: script_args(&a[k..]),
                pre_post: true,
                or_exec: false,
            }
        }
        "exec" | "x" => npx_like(&a[k..]),
        _ => Action::Nothing,
    }
}

const PNPM_BUILTINS: &[&str] = &[
    "install",
    "i",
    "add",
    "remove",
    "rm",
    "uninstall",
    "un",
    "update",
    "up",
    "upgrade",
    "prune",
    "fetch",
    "rebuild",
    "rb",
    "deploy",
    "link",
    "ln",
    "unlink",
    "store",
    "outdated",
    "list",
    "ls",
    "ll",
    "la",
    "why",
    "audit",
    "publish",
    "pack",
    "env",
    "setup",
    "config",
    "c",
    "init",
    "import",
    "root",
    "bin",
    "patch",
    "patch-commit",
    "licenses",
    "server",
    "doctor",
    "help",
    "install-test",
    "it",
    "dedupe",
    "self-update",
    "create",
    "cat-file",
    "cat-index",
    "find-hash",
    "approve-builds",
    "ignored-builds",
];

fn parse_pnpm(a: &[Word]) -> Action {
    let mut target = Target::Current;
    let mut k = 0;
    let flags = |a: &[Word], k: &mut usize, target: &mut Target| {
        while *k < a.len() && a[*k].s().starts_with('-') && a[*k].s() != "--" {
            let mut hit = None;
            for f in ["--filter", "-F"] {
                if let Some((v, n)) = flag_value(a, *k, f) {
                    match target {
                        Target::Filters(fs) => fs.push(v),
                        _ => *target = Target::Filters(vec![v]),
                    }
                    hit = Some(n);
                }
            }
            if hit.is_none() {
                for f in ["-C", "--dir"] {
                    if let Some((v, n)) = flag_value(a, *k, f) {
                        *target = Target::Dirs(vec![v]);
                        hit = Some(n);
                    }
                }
            }
            if hit.is_none() {
                for f in [
                    "--reporter",
                    "--workspace-concurrency",
                    "--loglevel",
                    "--filter-prod",
                    "--test-pattern",
                    "--changed-files-ignore-pattern",
                ] {
                    if let Some((_, n)) = flag_value(a, *k, f) {
                        hit = Some(n);
                    }
                }
            }
            let n = match hit {
                Some(n) => n,
                None => {
                    match a[*k].s() {
                        "-w" | "--workspace-root" => *target = Target::Root,
                        "-r" | "--recursive" if !matches!(target, Target::Filters(_)) => {
                            *target = Target::All
                        }
                        _ => {}
                    }
                    1
                }
            };
            *k += n;
        }
    };
    flags(a, &mut k, &mut target);
    let Some(sub) = a.get(k).cloned() else {
        return Action::Nothing;
    };
    k += 1;
    match sub.s() {
        "run" | "run-script" => {
            flags(a, &mut k, &mut target);
            let Some(name) = a.get(k).cloned() else {
                return Action::Nothing;
            };
            Action::Script {
                target,
                name,
                args: script_args(&a[k + 1..]),
                pre_post: false,
                or_exec: false,
            }
        }
        "start" | "test" | "t" => {
            let mut name = sub.clone();
            if sub.s() == "t" {
                name.txt.s = "test".into();
            }
            Action::Script {
                target,
                name,
                args: script_args(&a[k..]),
                pre_post: false,
                or_exec: false,
            }
        }
        "exec" | "dlx" => {
            flags(a, &mut k, &mut target);
            npx_like(&a[k..])
        }
        s if PNPM_BUILTINS.contains(&s) => Action::Nothing,
        _ => Action::Script {
            target,
            name: sub,
            args: script_args(&a[k..]),
            pre_post: false,
            or_exec: true,
        },
    }
}

const YARN_BUILTINS: &[&str] = &[
    "install",
    "add",
    "remove",
    "up",
    "upgrade",
    "upgrade-interactive",
    "why",
    "info",
    "init",
    "set",
    "config",
    "cache",
    "plugin",
    "dedupe",
    "npm",
    "pack",
    "publish",
    "version",
    "constraints",
    "explain",
    "patch",
    "patch-commit",
    "rebuild",
    "unplug",
    "link",
    "unlink",
    "bin",
    "global",
    "login",
    "logout",
    "outdated",
    "licenses",
    "audit",
    "create",
    "import",
    "owner",
    "policy",
    "tag",
    "team",
    "check",
    "autoclean",
    "help",
    "node",
    "dlx",
];

fn parse_yarn(a: &[Word], mut target: Target) -> Action {
    let mut k = 0;
    while k < a.len() && a[k].s().starts_with('-') && a[k].s() != "--" {
        if let Some((v, n)) = flag_value(a, k, "--cwd") {
            target = Target::Dirs(vec![v]);
            k += n;
        } else {
            k += 1;
        }
    }
    let Some(sub) = a.get(k).cloned() else {
        return Action::Nothing;
    };
    k += 1;
    match sub.s() {
        "workspace" => match a.get(k) {
            Some(name) => parse_yarn(&a[k + 1..], Target::Filters(vec![name.s().to_string()])),
            None => Action::Nothing,
        },
        "workspaces" => {
            let mut j = k;
            if a.get(j).is_some_and(|x| x.s() == "foreach") {
                j += 1;
            }
            let mut includes = Vec::new();
            while j < a.len() && a[j].s().starts_with('-') {
                if let Some((v, n)) = flag_value(a, j, "--include") {
                    includes.push(v);
                    j += n;
                } else if let Some((_, n)) = flag_value(a, j, "--exclude") {
                    j += n;
                } else {
                    j += 1;
                }
            }
            let t = if includes.is_empty() {
                Target::All
            } else {
                Target::Filters(includes)
            };
            parse_yarn(&a[j..], t)
        }
        "run" => match a.get(k).cloned() {
            Some(name) => Action::Script {
                target,
                name,
                args: script_args(&a[k + 1..]),
                pre_post: true,
                or_exec: true,
            },
            None => Action::Nothing,
        },
        "exec" => npx_like(&a[k..]),
        s if YARN_BUILTINS.contains(&s) => {
            if s == "dlx" {
                npx_like(&a[k..])
            } else {
                Action::Nothing
            }
        }
        _ => Action::Script {
            target,
            name: sub,
            args: script_args(&a[k..]),
            pre_post: true,
            or_exec: true,
        },
    }
}

fn parse_bun(a: &[Word]) -> Action {
    let mut target = Target::Current;
    let mut k = 0;
    while k < a.len() && a[k].s().starts_with('-') && a[k].s() != "--" {
        if let Some((v, n)) = flag_value(a, k, "--cwd") {
            target = Target::Dirs(vec![v]);
            k += n;
        } else if let Some((v, n)) = flag_value(a, k, "--filter") {
            target = Target::Filters(vec![v]);
            k += n;
        } else {
            k += 1;
        }
    }
    let Some(sub) = a.get(k).cloned() else {
        return Action::Nothing;
    };
    k += 1;
    match sub.s() {
        "run" => {
            while k < a.len() && a[k].s().starts_with('-') {
                k += 1;
            }
            match a.get(k).cloned() {
                Some(name) => Action::Script {
                    target,
                    name,
                    args: script_args(&a[k + 1..]),
                    pre_post: true,
                    or_exec: true,
                },
                None => Action::Nothing,
            }
        }
        "x" => npx_like(&a[k..]),
        "install" | "i" | "add" | "a" | "remove" | "rm" | "update" | "outdated" | "link"
        | "unlink" | "pm" | "build" | "init" | "create" | "upgrade" | "test" | "publish"
        | "patch" => Action::Nothing,
        _ => Action::Script {
            target,
            name: sub,
            args: script_args(&a[k..]),
            pre_post: true,
            or_exec: true,
        },
    }
}

fn parse_npx(a: &[Word]) -> Action {
    npx_like(a)
}

/// `npx [flags] tool args…`, `pnpm exec …`, `npm exec -- …`.
fn npx_like(a: &[Word]) -> Action {
    let mut k = 0;
    while k < a.len() && a[k].s().starts_with('-') {
        let s = a[k].s();
        if s == "--" {
            k += 1;
            break;
        }
        if let Some((_, n)) = flag_value(a, k, "-c").or_else(|| flag_value(a, k, "--call")) {
            return match a.get(k + 1) {
                Some(w) if n == 2 => Action::Shell(w.clone()),
                _ => Action::Nothing,
            };
        }
        let mut n = 1;
        for f in ["-p", "--package", "--filter", "-F", "-C", "--dir"] {
            if let Some((_, m)) = flag_value(a, k, f) {
                n = m;
            }
        }
        k += n;
    }
    if k >= a.len() {
        Action::Nothing
    } else {
        Action::Exec(a[k..].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(files: &[(&str, &str)]) -> Vec<DeployIssue> {
        let fs: Vec<DeployFile> = files
            .iter()
            .map(|(path, text)| DeployFile { path, text })
            .collect();
        check(&fs)
    }

    /// `code path: offending text` for every issue.
    fn summary(files: &[(&str, &str)]) -> Vec<String> {
        run(files)
            .iter()
            .map(|i| {
                let text = files.iter().find(|(p, _)| *p == i.path).unwrap().1;
                format!("{} {}: {}", i.kind.code(), i.path, i.span.slice(text))
            })
            .collect()
    }

    const API_PKG: &str = r#"{
  "name": "@club/api",
  "scripts": {
    "build": "nest build",
    "start": "nest start",
    "start:prod": "node dist/main.js",
    "migration:up": "mikro-orm migration:up",
    "db:sync": "mikro-orm schema:update --run",
    "dev": "pnpm db:sync && nest start --watch",
    "start:docker": "pnpm db:sync && pnpm start:prod"
  }
}"#;

    #[test]
    fn dockerfile_exec_form_follows_pnpm_scripts() {
        let files = [
            (
                "apps/api/Dockerfile",
                "FROM node:20 AS build\nRUN pnpm build\nFROM node:20-slim\nWORKDIR /app\nCMD [\"pnpm\", \"start:docker\"]\n",
            ),
            ("apps/api/package.json", API_PKG),
        ];
        let issues = run(&files);
        assert_eq!(issues.len(), 1, "{issues:#?}");
        let i = &issues[0];
        assert_eq!(i.kind, DeployIssueKind::SchemaSyncAtStartup);
        assert_eq!(i.path, "apps/api/package.json");
        assert_eq!(i.span.slice(API_PKG), "mikro-orm schema:update --run");
        assert_eq!(
            i.message,
            "the production start command `pnpm start:docker` (apps/api/Dockerfile CMD) runs \
             `pnpm db:sync` (apps/api/package.json scripts.start:docker), which runs \
             `mikro-orm schema:update --run` (apps/api/package.json scripts.db:sync): \
             schema sync bypasses migrations"
        );
        assert!(i.help.starts_with("run `migration:up` before start"));
        assert_eq!(i.kind.severity(), Severity::Error);
    }

    #[test]
    fn dockerfile_shell_form_and_continuation_lines() {
        let df = "FROM node:20\nCMD npx prisma db push && \\\n    node dist/main.js\n";
        let files = [("Dockerfile", df)];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup Dockerfile: npx prisma db push"]
        );
        let i = &run(&files)[0];
        assert!(i.help.contains("prisma migrate deploy"), "{}", i.help);
        assert!(i.message.starts_with(
            "the production start command `npx prisma db push && node dist/main.js` (Dockerfile CMD) runs `npx prisma db push`:"
        ), "{}", i.message);
    }

    #[test]
    fn only_the_last_cmd_of_the_final_stage_runs() {
        let df = "FROM node:20 AS build\n\
                  CMD [\"npx\", \"mikro-orm\", \"schema:update\", \"--run\"]\n\
                  FROM node:20-slim AS runtime\n\
                  CMD npx typeorm schema:sync\n\
                  CMD [\"node\", \"dist/main.js\"]\n";
        assert!(run(&[("Dockerfile", df)]).is_empty());
        // A final stage built FROM an earlier one inherits its CMD.
        let df = "FROM node:20 AS base\n\
                  CMD [\"npx\", \"mikro-orm\", \"schema:update\", \"--run\"]\n\
                  FROM base AS prod\n\
                  RUN echo ready\n";
        assert_eq!(
            summary(&[("Dockerfile", df)]),
            ["schema-sync-at-startup Dockerfile: \"npx\", \"mikro-orm\", \"schema:update\", \"--run\""]
        );
    }

    #[test]
    fn heredocs_and_comments_in_dockerfiles_do_not_count() {
        let df = "FROM node:20\n\
                  # CMD npx mikro-orm schema:update --run\n\
                  RUN <<EOF\n\
                  CMD npx prisma db push\n\
                  EOF\n\
                  CMD node dist/main.js # npx mikro-orm schema:update --run\n";
        assert!(run(&[("Dockerfile", df)]).is_empty());
    }

    #[test]
    fn exec_form_sh_c_with_semicolon_ignores_the_failure() {
        let df = "FROM node:20\nCMD [\"sh\", \"-c\", \"pnpm migration:up; node dist/main.js\"]\n";
        let files = [("Dockerfile", df), ("package.json", API_PKG)];
        let issues = run(&files);
        assert_eq!(
            summary(&files),
            ["migration-failure-ignored Dockerfile: pnpm migration:up"]
        );
        let i = &issues[0];
        assert_eq!(i.kind.severity(), Severity::Warning);
        assert_eq!(i.help, HELP_IGNORED);
        assert!(
            i.message.contains("runs `pnpm migration:up`, which runs `mikro-orm migration:up` (package.json scripts.migration:up): `;` runs `node dist/main.js` next even when it fails"),
            "{}",
            i.message
        );
        // `sh -ec` sets errexit: `;` is fine then.
        let df = "FROM node:20\nCMD [\"sh\", \"-ec\", \"pnpm migration:up; node dist/main.js\"]\n";
        assert!(run(&[("Dockerfile", df), ("package.json", API_PKG)]).is_empty());
    }

    #[test]
    fn and_chains_are_fine() {
        let df = "FROM node:20\nCMD [\"sh\", \"-c\", \"pnpm migration:up && node dist/main.js\"]\n";
        assert!(run(&[("Dockerfile", df), ("package.json", API_PKG)]).is_empty());
        let df = "FROM node:20\nCMD npx prisma migrate deploy && node dist/main.js\n";
        assert!(run(&[("Dockerfile", df)]).is_empty());
    }

    #[test]
    fn swallowing_fallbacks() {
        for (tail, bad) in [
            ("|| true", true),
            ("|| :", true),
            ("|| echo 'migration failed'", true),
            ("|| exit 0", true),
            ("|| exit 1", false),
            ("|| { echo failed; exit 1; }", false),
            ("|| (echo failed && exit 2)", false),
            ("| tee /tmp/migrate.log", true),
            ("&", true),
        ] {
            let df = format!("FROM node:20\nCMD npx knex migrate:latest {tail}\n");
            let got = summary(&[("Dockerfile", &df)]);
            if bad {
                assert_eq!(
                    got,
                    ["migration-failure-ignored Dockerfile: npx knex migrate:latest"],
                    "{tail}"
                );
            } else {
                assert!(got.is_empty(), "{tail}: {got:?}");
            }
        }
    }

    #[test]
    fn every_listed_migration_tool_is_recognised() {
        for cmd in [
            "mikro-orm migration:up",
            "npx mikro-orm-esm migration:up",
            "typeorm migration:run -d dist/ds.js",
            "npx typeorm-ts-node-commonjs migration:run -d src/ds.ts",
            "prisma migrate deploy",
            "knex migrate:latest",
            "sequelize db:migrate",
            "npx sequelize-cli db:migrate",
            "flyway -url=jdbc:postgresql://db/app migrate",
            "migrate -path ./migrations -database $DATABASE_URL up",
            "dbmate up",
            "dbmate migrate",
            "diesel migration run",
            "sqlx migrate run",
            "cargo sqlx migrate run",
            "node dist/cli.js migration:up",
            "node ./node_modules/typeorm/cli.js migration:run -d dist/ds.js",
        ] {
            let proc = format!("release: {cmd} || true\nweb: node dist/main.js\n");
            let got = summary(&[("Procfile", &proc)]);
            assert_eq!(
                got,
                [format!("migration-failure-ignored Procfile: {cmd}")],
                "{cmd}"
            );
        }
    }

    #[test]
    fn every_listed_schema_sync_is_recognised() {
        for cmd in [
            "mikro-orm schema:update --run",
            "mikro-orm schema:update --dump",
            "npx mikro-orm-esm schema:update -r",
            "mikro-orm schema:fresh --run",
            "mikro-orm schema:drop --run",
            "node dist/cli.js schema:update --run",
            "prisma db push --accept-data-loss",
            "prisma migrate reset --force",
            "typeorm schema:sync",
            "typeorm-ts-node-commonjs schema:sync -d src/ds.ts",
            "typeorm-ts-node-esm schema:sync -d src/ds.ts",
            "pnpm exec mikro-orm schema:update --run",
            "pnpx mikro-orm schema:update --run",
            "yarn mikro-orm schema:update --run",
            "./node_modules/.bin/mikro-orm schema:update --run",
            "env NODE_ENV=production dotenv -e .env -- npx prisma db push",
        ] {
            let proc = format!("web: {cmd} && node dist/main.js\n");
            let got = summary(&[("Procfile", &proc)]);
            assert_eq!(
                got,
                [format!("schema-sync-at-startup Procfile: {cmd}")],
                "{cmd}"
            );
        }
        // Mentions are not runs.
        for cmd in [
            "echo 'run mikro-orm schema:update --run yourself'",
            "node dist/main.js # mikro-orm schema:update --run",
            "mikro-orm schema:create --dump",
            "prisma generate",
            "mikro-orm migration:create",
        ] {
            let proc = format!("web: {cmd}\n");
            assert!(summary(&[("Procfile", &proc)]).is_empty(), "{cmd}");
        }
    }

    #[test]
    fn procfile_web_and_release() {
        let files = [
            ("Procfile", "web: npx prisma db push && node dist/main.js\nrelease: npx prisma migrate deploy || true\nworker: npx prisma db push\n"),
        ];
        assert_eq!(
            summary(&files),
            [
                "schema-sync-at-startup Procfile: npx prisma db push",
                "migration-failure-ignored Procfile: npx prisma migrate deploy",
            ]
        );
        let i = &run(&files)[1];
        assert!(
            i.message.starts_with(
                "the release command `npx prisma migrate deploy || true` (Procfile release)"
            ),
            "{}",
            i.message
        );
    }

    #[test]
    fn compose_string_and_list_forms() {
        let compose = r#"version: "3.9"
services:
  db:
    image: postgres:16
    command: postgres -c log_statement=all
  api:
    build:
      context: ./apps/api
    # command: npx mikro-orm schema:update --run
    command: sh -c "npx mikro-orm migration:up; node dist/main.js"
  worker:
    build: ./apps/api
    command: ["npx", "prisma", "db", "push"]
  jobs:
    image: club/api
    entrypoint:
      - sh
      - -c
      - |
        npx typeorm schema:sync
        node dist/jobs.js
  folded:
    image: club/api
    command: >
      sh -c "npx knex migrate:latest || true"
"#;
        let files = [("docker-compose.yml", compose)];
        assert_eq!(
            summary(&files),
            [
                "migration-failure-ignored docker-compose.yml: npx mikro-orm migration:up",
                "schema-sync-at-startup docker-compose.yml: \"npx\", \"prisma\", \"db\", \"push\"",
                "schema-sync-at-startup docker-compose.yml: npx typeorm schema:sync",
                "migration-failure-ignored docker-compose.yml: npx knex migrate:latest",
            ]
        );
        let issues = run(&files);
        assert!(issues[1]
            .message
            .contains("(docker-compose.yml services.worker.command)"));
        // Dev compose files are not production.
        assert!(run(&[("docker-compose.dev.yml", compose)]).is_empty());
        assert!(run(&[("compose.override.yaml", compose)]).is_empty());
    }

    #[test]
    fn compose_build_context_resolves_scripts() {
        let compose = "services:\n  api:\n    build:\n      context: apps/api\n      dockerfile: Dockerfile\n    command: [\"pnpm\", \"start:docker\"]\n";
        let files = [
            ("compose.yaml", compose),
            ("apps/api/package.json", API_PKG),
        ];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup apps/api/package.json: mikro-orm schema:update --run"]
        );
    }

    #[test]
    fn npm_and_yarn_chains_with_pre_hooks() {
        let pkg = r#"{"name": "api", "scripts": {
            "prestart": "npx mikro-orm-esm schema:update --run",
            "start": "node dist/main.js",
            "boot": "yarn run migrate ; node dist/main.js",
            "migrate": "mikro-orm migration:up"
        }}"#;
        let df = "FROM node:20\nCMD npm start\n";
        assert_eq!(
            summary(&[("Dockerfile", df), ("package.json", pkg)]),
            [
                "schema-sync-at-startup package.json: npx mikro-orm-esm schema:update --run",
                // `boot` is not reached, but it is no dev script: a pipeline may run it.
                "migration-failure-ignored package.json: yarn run migrate",
            ]
        );
        let df = "FROM node:20\nCMD [\"yarn\", \"boot\"]\n";
        let files = [("Dockerfile", df), ("package.json", pkg)];
        assert_eq!(
            summary(&files),
            ["migration-failure-ignored package.json: yarn run migrate"]
        );
        let msg = &run(&files)[0].message;
        assert!(
            msg.contains("which runs `mikro-orm migration:up` (package.json scripts.migrate)"),
            "{msg}"
        );
    }

    #[test]
    fn filters_prefixes_and_workspaces() {
        let root = r#"{"name": "club", "private": true, "scripts": {"start": "node nothing.js"}}"#;
        for cmd in [
            "pnpm --filter @club/api start:docker",
            "pnpm -F @club/* run start:docker",
            "pnpm --filter=./apps/api start:docker",
            "pnpm -C apps/api start:docker",
            "pnpm --dir /app/apps/api run start:docker",
            "npm --prefix apps/api run start:docker",
            "npm run start:docker --workspace=@club/api",
            "npm run start:docker -w apps/api",
            "yarn workspace @club/api start:docker",
            "yarn --cwd apps/api start:docker",
        ] {
            let df = format!("FROM node:20\nWORKDIR /app\nCMD {cmd}\n");
            let files = [
                ("Dockerfile", df.as_str()),
                ("package.json", root),
                ("apps/api/package.json", API_PKG),
            ];
            assert_eq!(
                summary(&files),
                ["schema-sync-at-startup apps/api/package.json: mikro-orm schema:update --run"],
                "{cmd}"
            );
        }
    }

    #[test]
    fn workdir_picks_the_package() {
        let root = r#"{"name": "club", "scripts": {"start:docker": "node dist/main.js"}}"#;
        let df = "FROM node:20\nWORKDIR /app\nCOPY . .\nWORKDIR apps/api\nCMD [\"pnpm\", \"start:docker\"]\n";
        let files = [
            ("Dockerfile", df),
            ("package.json", root),
            ("apps/api/package.json", API_PKG),
        ];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup apps/api/package.json: mikro-orm schema:update --run"]
        );
        // Without the WORKDIR the root package (the Dockerfile's own directory) answers.
        let df = "FROM node:20\nWORKDIR /srv\nCMD [\"pnpm\", \"start:docker\"]\n";
        let files = [
            ("Dockerfile", df),
            ("package.json", root),
            ("apps/api/package.json", API_PKG),
        ];
        assert!(run(&files).is_empty());
    }

    #[test]
    fn nearest_ancestor_package_json() {
        let df = "FROM node:20\nCMD [\"npm\", \"run\", \"start:docker\"]\n";
        let files = [("docker/api.Dockerfile", df), ("package.json", API_PKG)];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup package.json: mikro-orm schema:update --run"]
        );
    }

    #[test]
    fn script_arguments_reach_the_tool() {
        let pkg = r#"{"scripts": {"typeorm": "typeorm-ts-node-commonjs -d src/data-source.ts"}}"#;
        let df = "FROM node:20\nCMD npm run typeorm -- schema:sync && node dist/main.js\n";
        let files = [("Dockerfile", df), ("package.json", pkg)];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup Dockerfile: npm run typeorm -- schema:sync"]
        );
        let df = "FROM node:20\nCMD npm run typeorm -- migration:run; node dist/main.js\n";
        assert_eq!(
            summary(&[("Dockerfile", df), ("package.json", pkg)]),
            ["migration-failure-ignored Dockerfile: npm run typeorm -- migration:run"]
        );
    }

    #[test]
    fn script_files_line_by_line() {
        let df = "FROM node:20\nCOPY scripts ./scripts\nCMD [\"./scripts/start.sh\"]\n";
        let bad = "#!/bin/sh\n# npx mikro-orm schema:update --run\nnpx mikro-orm migration:up\nexec node dist/main.js\n";
        let files = [("Dockerfile", df), ("scripts/start.sh", bad)];
        assert_eq!(
            summary(&files),
            ["migration-failure-ignored scripts/start.sh: npx mikro-orm migration:up"]
        );
        let i = &run(&files)[0];
        assert_eq!(i.help, HELP_IGNORED_NEWLINE);
        assert!(i.message.starts_with("the production start command `./scripts/start.sh` (Dockerfile CMD) runs `npx mikro-orm migration:up` (scripts/start.sh): the next line (`exec node dist/main.js`) runs even when it fails"), "{}", i.message);
        // `set -e` at the top (or in the shebang) makes the next line wait for success.
        for good in [
            "#!/bin/sh\nset -e\nnpx mikro-orm migration:up\nexec node dist/main.js\n",
            "#!/bin/bash\nset -euo pipefail\nnpx mikro-orm migration:up\nexec node dist/main.js\n",
            "#!/bin/sh -e\nnpx mikro-orm migration:up\nexec node dist/main.js\n",
            "#!/bin/sh\nif ! npx mikro-orm migration:up; then\n  echo failed >&2\n  exit 1\nfi\nexec node dist/main.js\n",
            "#!/bin/sh\nnpx mikro-orm migration:up\nif [ $? -ne 0 ]; then exit 1; fi\nexec node dist/main.js\n",
            "#!/bin/sh\nnpx mikro-orm migration:up || exit 1\nexec node dist/main.js\n",
        ] {
            let files = [("Dockerfile", df), ("scripts/start.sh", good)];
            assert!(run(&files).is_empty(), "{good}");
        }
        let sync = "#!/bin/sh\nset -e\ncd /app\npnpm db:sync\nnode dist/main.js\n";
        let files = [
            ("Dockerfile", df),
            ("scripts/start.sh", sync),
            ("package.json", API_PKG),
        ];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup package.json: mikro-orm schema:update --run"]
        );
    }

    #[test]
    fn sh_script_and_entrypoint_scripts() {
        let df = "FROM node:20\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\", \"dist/main.js\"]\n";
        let ep =
            "#!/bin/sh\nnpx prisma migrate deploy || echo \"migrations failed\"\nexec \"$@\"\n";
        assert_eq!(
            summary(&[("Dockerfile", df), ("docker/docker-entrypoint.sh", ep)]),
            ["migration-failure-ignored docker/docker-entrypoint.sh: npx prisma migrate deploy"]
        );
        let pkg = r#"{"scripts": {"start:prod": "sh scripts/boot.sh"}}"#;
        let boot = "npx typeorm schema:sync\nnode dist/main.js\n";
        let files = [("package.json", pkg), ("scripts/boot.sh", boot)];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup scripts/boot.sh: npx typeorm schema:sync"]
        );
    }

    #[test]
    fn dev_only_scripts_are_not_production() {
        let df = "FROM node:20\nCMD [\"pnpm\", \"start:prod\"]\n";
        let files = [
            ("apps/api/Dockerfile", df),
            ("apps/api/package.json", API_PKG),
        ];
        // `dev` and `start:docker` run db:sync, but the Dockerfile starts `start:prod`.
        assert!(run(&files).is_empty());
        // Without any Dockerfile, `start:prod`/`start` are the entry points: `dev` still isn't.
        assert!(run(&[("apps/api/package.json", API_PKG)]).is_empty());
        let pkg = r#"{"scripts": {"dev": "mikro-orm migration:up; nest start --watch", "test:e2e": "prisma migrate reset --force; jest"}}"#;
        assert!(run(&[("package.json", pkg)]).is_empty());
        // A Dockerfile.dev is not production either.
        let df = "FROM node:20\nCMD [\"pnpm\", \"dev\"]\n";
        assert!(run(&[
            ("apps/api/Dockerfile.dev", df),
            ("apps/api/package.json", API_PKG)
        ])
        .is_empty());
    }

    #[test]
    fn without_deploy_files_start_scripts_are_entry_points() {
        let pkg = r#"{"scripts": {"start:prod": "prisma db push && node dist/main.js", "start": "node dist/main.js"}}"#;
        let files = [("package.json", pkg)];
        assert_eq!(
            summary(&files),
            ["schema-sync-at-startup package.json: prisma db push"]
        );
        assert!(run(&files)[0]
            .message
            .starts_with("the production start script `start:prod` (package.json) runs `prisma db push` (package.json scripts.start:prod)"));
    }

    #[test]
    fn unreached_deploy_scripts_are_checked_for_ignored_failures() {
        let pkg = r#"{"scripts": {
            "start": "node dist/main.js",
            "migrate:deploy": "pnpm migration:up || true",
            "migration:up": "mikro-orm migration:up",
            "db:sync": "mikro-orm schema:update --run",
            "dev:reset": "mikro-orm migration:up; nest start"
        }}"#;
        let files = [
            ("Dockerfile", "FROM node\nCMD node dist/main.js\n"),
            ("package.json", pkg),
        ];
        assert_eq!(
            summary(&files),
            ["migration-failure-ignored package.json: pnpm migration:up"]
        );
        let msg = &run(&files)[0].message;
        assert!(msg.starts_with("the script `migrate:deploy` (package.json) runs `pnpm migration:up` (package.json scripts.migrate:deploy), which runs `mikro-orm migration:up` (package.json scripts.migration:up): `|| true` swallows its failure"), "{msg}");
    }

    #[test]
    fn a_script_named_db_sync_is_a_sync_whatever_it_runs() {
        let pkg = r#"{"scripts": {"db:sync": "ts-node src/sync.ts", "start:prod": "npm run db:sync && node dist/main.js"}}"#;
        assert_eq!(
            summary(&[("package.json", pkg)]),
            ["schema-sync-at-startup package.json: ts-node src/sync.ts"]
        );
        // Even when the script cannot be found.
        let df = "FROM node:20\nCMD pnpm schema:sync && node dist/main.js\n";
        assert_eq!(
            summary(&[("Dockerfile", df)]),
            ["schema-sync-at-startup Dockerfile: pnpm schema:sync"]
        );
    }

    #[test]
    fn one_issue_per_offending_text() {
        let df1 = "FROM node:20\nCMD [\"pnpm\", \"start:docker\"]\n";
        let df2 = "FROM node:20\nCMD pnpm db:sync && pnpm start:prod\n";
        let files = [
            ("apps/api/Dockerfile", df1),
            ("apps/api/worker.Dockerfile", df2),
            ("apps/api/package.json", API_PKG),
        ];
        assert_eq!(run(&files).len(), 1);
    }

    #[test]
    fn cycles_and_depth_terminate() {
        let pkg = r#"{"scripts": {"start": "pnpm a", "a": "pnpm b && sh -c 'pnpm a'", "b": "npm run start; ./loop.sh"}}"#;
        let script = "./loop.sh\nsh loop.sh\n";
        assert!(run(&[("package.json", pkg), ("loop.sh", script)]).is_empty());
        let nested = format!("web: {}", "sh -c \"".repeat(60));
        let _ = run(&[("Procfile", &nested)]);
    }

    #[test]
    fn entrypoint_sh_c_combines_with_cmd() {
        let df = "FROM node:20\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"npx mikro-orm schema:update --run && node dist/main.js\"]\n";
        assert_eq!(
            summary(&[("Dockerfile", df)]),
            ["schema-sync-at-startup Dockerfile: npx mikro-orm schema:update --run"]
        );
        let df = "FROM node:20\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"npx\", \"mikro-orm\", \"schema:fresh\", \"--run\"]\n";
        let issues = run(&[("Dockerfile", df)]);
        assert_eq!(issues.len(), 1);
        assert!(issues[0]
            .message
            .ends_with("dropping the schema at start-up destroys data and bypasses migrations"));
    }

    #[test]
    fn json_escapes_keep_spans_exact() {
        let pkg = "{\"scripts\": {\"start\": \"sh -c \\\"npx prisma migrate deploy; node \\\\\\\"dist/main.js\\\\\\\"\\\"\"}}";
        let files = [("package.json", pkg)];
        assert_eq!(
            summary(&files),
            ["migration-failure-ignored package.json: npx prisma migrate deploy"]
        );
    }

    #[test]
    fn crlf_continuations_and_multiline_yaml() {
        let df = "FROM node:20\r\nCMD [\"sh\", \"-c\", \\\r\n     \"npx mikro-orm migration:up; node dist/main.js\"]\r\n";
        assert_eq!(
            summary(&[("Dockerfile", df)]),
            ["migration-failure-ignored Dockerfile: npx mikro-orm migration:up"]
        );
        let compose = "services:\r\n  api:\r\n    command: [\r\n      \"sh\", \"-c\",\r\n      \"npx prisma db push && node dist/main.js\"\r\n    ]\r\n  web:\r\n    entrypoint: \"sh -c \\\"npx typeorm schema:sync\\\"\"\r\n";
        assert_eq!(
            summary(&[("docker-compose.yaml", compose)]),
            [
                "schema-sync-at-startup docker-compose.yaml: npx prisma db push",
                "schema-sync-at-startup docker-compose.yaml: npx typeorm schema:sync",
            ]
        );
        let script = "#!/bin/bash\r\nnpx mikro-orm migration:up\r\nnode dist/main.js\r\n";
        let pkg = r#"{"scripts": {"start": "bash ./boot.sh"}}"#;
        assert_eq!(
            summary(&[("package.json", pkg), ("boot.sh", script)]),
            ["migration-failure-ignored boot.sh: npx mikro-orm migration:up"]
        );
    }

    #[test]
    fn bun_and_concurrently_and_run_s() {
        let pkg = r#"{"scripts": {
            "start:prod": "run-s db:sync serve",
            "serve": "concurrently \"node dist/main.js\" \"npm:worker\"",
            "worker": "bun run sync-worker",
            "sync-worker": "bunx prisma db push",
            "db:sync": "node scripts/sync.js"
        }}"#;
        assert_eq!(
            summary(&[("package.json", pkg)]),
            [
                "schema-sync-at-startup package.json: bunx prisma db push",
                "schema-sync-at-startup package.json: node scripts/sync.js",
            ]
        );
    }

    #[test]
    fn wants_names() {
        for p in [
            "Dockerfile",
            "apps/api/Dockerfile.prod",
            "api.Dockerfile",
            "docker-compose.yml",
            "compose.yaml",
            "docker-compose.prod.yaml",
            "apps/api/package.json",
            "Procfile",
            "scripts/start.sh",
        ] {
            assert!(wants(p), "{p}");
        }
        for p in ["README.md", "src/main.ts", "compose.json", "tsconfig.json"] {
            assert!(!wants(p), "{p}");
        }
    }

    #[test]
    fn shell_lexer_basics() {
        let src = "A=1 pnpm run x -- --flag 'q a' \"b\\\"c\" 2>&1 >/dev/null && echo $(date) `id` || true; n\nm | tee l & z";
        let t = Txt::ident(src, 0, src.len());
        let cmds = lex(&t, 0);
        let got: Vec<(Vec<&str>, Option<Op>)> = cmds
            .iter()
            .map(|(c, op)| (c.words.iter().map(Word::s).collect(), *op))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    vec!["A=1", "pnpm", "run", "x", "--", "--flag", "q a", "b\"c"],
                    Some(Op::And)
                ),
                (vec!["echo", "$(date)", "`id`"], Some(Op::Or)),
                (vec!["true"], Some(Op::Semi)),
                (vec!["n"], Some(Op::Newline)),
                (vec!["m"], Some(Op::Pipe)),
                (vec!["tee", "l"], Some(Op::Amp)),
                (vec!["z"], None),
            ]
        );
        // Spans point at the raw token, quotes included.
        let w = &cmds[0].0.words[6];
        assert_eq!(w.raw.slice(src), "'q a'");
    }

    fn collect(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                if name != "node_modules" && name != ".git" {
                    collect(root, &p, out);
                }
                continue;
            }
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if wants(&rel) {
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }

    fn check_repo(root: &std::path::Path) -> Vec<String> {
        let mut files = Vec::new();
        collect(root, root, &mut files);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        summary(&refs)
            .into_iter()
            .map(|l| l.replacen(": ", " ", 1).replace('\n', "\\n"))
            .collect()
    }

    fn workspace() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn fixtures_match_their_expectations() {
        let base = workspace().join("tests/fixtures/deploy");
        let mut dirs: Vec<_> = std::fs::read_dir(&base)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        assert!(dirs.len() >= 5);
        for dir in dirs {
            let expected: Vec<String> = std::fs::read_to_string(dir.join("expected.txt"))
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect();
            assert_eq!(check_repo(&dir), expected, "{}", dir.display());
        }
    }

    #[test]
    fn example_monorepo() {
        let got = check_repo(&workspace().join("examples/monorepo"));
        assert_eq!(
            got,
            [
                "migration-failure-ignored apps/api/package.json pnpm migration:up",
                "schema-sync-at-startup apps/api/package.json mikro-orm schema:update --run",
            ]
        );
    }

    fn file_kinds() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just("Dockerfile"),
            Just("docker-compose.yml"),
            Just("package.json"),
            Just("Procfile"),
            Just("scripts/start.sh"),
        ]
    }

    fn shellish() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("pnpm".to_string()),
                Just("npm run".to_string()),
                Just("yarn".to_string()),
                Just("npx".to_string()),
                Just("sh -c \"".to_string()),
                Just("'".to_string()),
                Just("\"".to_string()),
                Just("\\".to_string()),
                Just("&&".to_string()),
                Just("||".to_string()),
                Just(";".to_string()),
                Just("|".to_string()),
                Just("\n".to_string()),
                Just("<<EOF".to_string()),
                Just("$(".to_string()),
                Just("`".to_string()),
                Just("mikro-orm schema:update --run".to_string()),
                Just("migration:up".to_string()),
                Just("start".to_string()),
                Just("true".to_string()),
                Just("CMD [\"".to_string()),
                Just("FROM x AS y".to_string()),
                Just("services:\n  a:\n    command:".to_string()),
                Just("  - ".to_string()),
                Just("{\"scripts\": {\"start\": \"".to_string()),
                Just("\"}}".to_string()),
                Just("web:".to_string()),
                Just("[".to_string()),
                Just("]".to_string()),
                Just("é".to_string()),
                "[ -~]{0,6}".prop_map(|s| s),
            ],
            0..24,
        )
        .prop_map(|v| v.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_arbitrary_text(kind in file_kinds(), text in "\\PC{0,200}") {
            let files = [DeployFile { path: kind, text: &text }];
            for i in check(&files) {
                prop_assert!(i.span.end <= text.len());
                prop_assert!(text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end));
            }
        }

        #[test]
        fn never_panics_on_command_soup(
            a in shellish(), b in shellish(), c in shellish(), d in shellish(), e in shellish()
        ) {
            let df = format!("FROM node\n{a}\nCMD {b}\n");
            let compose = format!("services:\n  api:\n    command: {c}\n");
            let pkg = format!("{{\"name\": \"x\", \"scripts\": {{\"start\": \"{d}\", \"start:docker\": \"{e}\"}}}}");
            let proc_ = format!("web: {e}\nrelease: {a}\n");
            let script = format!("#!/bin/sh\n{d}\n{c}\n");
            let files = [
                DeployFile { path: "Dockerfile", text: &df },
                DeployFile { path: "docker-compose.yml", text: &compose },
                DeployFile { path: "package.json", text: &pkg },
                DeployFile { path: "Procfile", text: &proc_ },
                DeployFile { path: "scripts/start.sh", text: &script },
            ];
            for i in check(&files) {
                let text = files.iter().find(|f| f.path == i.path).unwrap().text;
                prop_assert!(i.span.start <= i.span.end && i.span.end <= text.len());
                prop_assert!(text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end));
            }
        }
    }
}
