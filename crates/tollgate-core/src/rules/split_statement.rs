//! `split-statement`: One SQL statement split across several `addSql` / `query` calls.
//!
//! MikroORM's migration generator splits its schema diff on newlines, so SQL that contains a
//! newline (a multi-line CHECK expression, a comment with a line break) becomes several
//! `this.addSql(…)` calls. Each call runs as its own statement and `migration:up` fails with a
//! syntax error. This rule finds calls whose text is not a complete statement, joins them with
//! the calls that complete it, and hands the engine the joined statement, so the rest of the
//! rules judge what the author meant instead of the fragments.

use super::{Ctx, Hits, RuleMeta};
use crate::analyze;
use crate::lexer::{self, Token};
use crate::ops::Op;
use crate::source::{SourceFile, SourceMap, SqlChunk, SqlPart};
use crate::sources::Tool;
use crate::span::Span;
use crate::split;

pub const META: RuleMeta = RuleMeta {
    id: "split-statement",
    class: None,
    summary: "One SQL statement is split across several addSql/query calls: each runs on its own and up fails.",
};

/// Not an op rule: the engine asks [`join`] per migration side.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

/// How many calls one statement may be spread over before we stop looking for its end.
const MAX_PIECES: usize = 64;

/// A statement found split across calls `first..=last` of a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFound {
    /// In file coordinates: from the first call to the end of the last.
    pub span: Span,
    pub message: String,
    pub help: String,
}

/// Why a call's text is not a statement on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broken {
    Quote,
    Parens,
    Parse,
}

struct Shape {
    unterminated: bool,
    depth: i64,
    ends_with_semicolon: bool,
}

fn shape(sql: &str) -> Shape {
    let tokens = lexer::tokenize(sql);
    let mut depth = 0i64;
    let mut last: Option<&Token> = None;
    for t in tokens.iter().filter(|t| !t.is_trivia()) {
        match t.text(sql) {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
        last = Some(t);
    }
    Shape {
        unterminated: tokens.iter().any(|t| t.unterminated),
        depth,
        ends_with_semicolon: last.is_some_and(|t| t.text(sql) == ";"),
    }
}

/// Every statement of `sql` parses with sqlparser.
fn parses(sql: &str) -> bool {
    let result = split::split(sql);
    let mut any = false;
    for seg in result.statements() {
        any = true;
        if !analyze::lower(sql, result.segment_tokens(seg)).parsed {
            return false;
        }
    }
    any
}

fn joined(texts: &[&str]) -> String {
    texts.join("\n")
}

/// Looks for statements split across the calls of `part`. Returns the part to analyse (with
/// each split statement joined into one chunk) and what was found; `None` when nothing is split.
pub fn join(part: &SqlPart, file: &SourceFile, tool: Tool) -> Option<(SqlPart, Vec<SplitFound>)> {
    if part.chunks.len() < 2
        || part
            .chunks
            .iter()
            .any(|c| c.sql.is_none() || c.span.is_none() || c.map == SourceMap::Identity)
    {
        return None;
    }
    let texts: Vec<&str> = part.chunks.iter().map(|c| c.text(file)).collect();
    let mut groups: Vec<(usize, usize, Broken, bool)> = Vec::new();
    let mut i = 0;
    while i < texts.len() {
        if part.chunks[i].unanalysable.is_some() {
            i += 1;
            continue;
        }
        let s = shape(texts[i]);
        if s.unterminated || s.depth != 0 {
            let why = if s.unterminated {
                Broken::Quote
            } else {
                Broken::Parens
            };
            let limit = texts.len().min(i + MAX_PIECES);
            let end = (i + 1..limit).find(|&j| {
                let all = joined(&texts[i..=j]);
                let js = shape(&all);
                !js.unterminated && js.depth == 0
            });
            match end {
                Some(j) => {
                    groups.push((i, j, why, true));
                    i = j + 1;
                }
                None => {
                    groups.push((i, i, why, false));
                    i += 1;
                }
            }
            continue;
        }
        // Lexically whole, but maybe cut between clauses (`… ("a")` / `where "b" is null;`).
        if i + 1 < texts.len()
            && part.chunks[i + 1].unanalysable.is_none()
            && (!s.ends_with_semicolon || !parses(texts[i]))
        {
            let next = shape(texts[i + 1]);
            if !next.unterminated && next.depth == 0 && !parses(texts[i + 1]) {
                let limit = texts.len().min(i + 8);
                let end = (i + 1..limit)
                    .take_while(|&j| part.chunks[j].unanalysable.is_none())
                    .find(|&j| parses(&joined(&texts[i..=j])));
                if let Some(j) = end {
                    groups.push((i, j, Broken::Parse, true));
                    i = j + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    if groups.is_empty() {
        return None;
    }

    let call = match tool {
        Tool::TypeOrm => "queryRunner.query",
        _ => "this.addSql",
    };
    let mut found = Vec::new();
    let mut chunks: Vec<SqlChunk> = Vec::new();
    let mut next = 0;
    for (first, last, why, complete) in groups {
        chunks.extend(part.chunks[next..first].iter().cloned());
        next = last + 1;
        let span = Span::new(
            part.chunks[first].span.map_or(0, |s| s.start),
            part.chunks[last].span.map_or(0, |s| s.end),
        );
        let what = match why {
            Broken::Quote => "an unterminated quote",
            Broken::Parens => "unbalanced parentheses",
            Broken::Parse => "a statement cut in the middle",
        };
        if !complete {
            found.push(SplitFound {
                span,
                message: format!(
                    "this `{call}` call's SQL is not a complete statement ({what}), and no later call completes it: `up` fails with a syntax error"
                ),
                help: "put the whole statement into one call; check the entity definition (a CHECK expression or comment with a line break) that the generator split".into(),
            });
            chunks.push(part.chunks[first].clone());
            continue;
        }
        let text = joined(&texts[first..=last]);
        let n = last - first + 1;
        found.push(SplitFound {
            span,
            message: format!(
                "one statement is split across {n} `{call}` calls ({what}): each call runs as its own statement, so `up` fails with a syntax error (MikroORM's generator splits SQL that contains a line break)"
            ),
            help: format!(
                "join the calls into one:\n{call}(`{}`);",
                text.replace('\\', "\\\\").replace('`', "\\`").replace("${", "\\${")
            ),
        });
        // The joined statement, mapped back piece by piece.
        let mut pieces = Vec::new();
        let mut base = 0;
        for c in &part.chunks[first..=last] {
            if let SourceMap::Pieces(ps) = &c.map {
                pieces.extend(ps.iter().map(|(s, f)| (s + base, *f)));
            }
            base += c.text(file).len() + 1;
        }
        chunks.push(SqlChunk {
            sql: Some(text),
            map: SourceMap::Pieces(pieces),
            span: Some(span),
            unanalysable: part.chunks[first..=last]
                .iter()
                .find_map(|c| c.unanalysable.clone()),
        });
    }
    chunks.extend(part.chunks[next..].iter().cloned());
    Some((
        SqlPart {
            file: part.file,
            chunks,
        },
        found,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part_of(calls: &[&str]) -> (SqlPart, SourceFile) {
        // A fake TypeScript file with one addSql per call.
        let mut text = String::from("up() {\n");
        let mut chunks = Vec::new();
        for c in calls {
            let start = text.len();
            text.push_str("  this.addSql(`");
            let off = text.len();
            text.push_str(c);
            text.push_str("`);");
            let end = text.len();
            text.push('\n');
            let mut chunk = SqlChunk::slice(*c, off);
            chunk.span = Some(Span::new(start, end));
            chunks.push(chunk);
        }
        (
            SqlPart { file: 0, chunks },
            SourceFile {
                path: "m.ts".into(),
                text,
            },
        )
    }

    fn run(calls: &[&str]) -> Vec<(String, String)> {
        let (part, file) = part_of(calls);
        match join(&part, &file, Tool::MikroOrm) {
            None => vec![],
            Some((joined, found)) => {
                let texts: Vec<String> = joined
                    .chunks
                    .iter()
                    .map(|c| c.text(&file).to_string())
                    .collect();
                found
                    .into_iter()
                    .map(|f| (file.text[f.span.start..f.span.end].to_string(), f.message))
                    .chain(texts.into_iter().map(|t| ("chunk".to_string(), t)))
                    .collect()
            }
        }
    }

    #[test]
    fn multi_line_check_is_joined() {
        let out = run(&[
            r#"alter table "book" add column "price" int not null default 0;"#,
            r#"alter table "book" add constraint "book_price_check" check (price >= 0"#,
            r#"  and price < 100000);"#,
            r#"create index "book_title_index" on "book" ("title");"#,
        ]);
        insta::assert_debug_snapshot!(out);
    }

    #[test]
    fn multi_line_comment_is_joined() {
        let out = run(&[
            r#"comment on column "user"."bio" is 'What the user says about themselves."#,
            r#"Shown on the profile page; it''s public.';"#,
        ]);
        insta::assert_debug_snapshot!(out);
    }

    #[test]
    fn clause_cut_at_balanced_point_is_joined() {
        let out = run(&[
            r#"create index "user_email_index" on "user" ("email")"#,
            r#"where "deleted_at" is null;"#,
        ]);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].1.contains("cut in the middle"), "{out:?}");
        assert_eq!(
            out[1].1,
            "create index \"user_email_index\" on \"user\" (\"email\")\nwhere \"deleted_at\" is null;"
        );
    }

    #[test]
    fn unterminated_to_the_end_is_reported_alone() {
        let out = run(&[
            r#"alter table "a" add column "b" int;"#,
            r#"comment on table "a" is 'never closed"#,
        ]);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].1.contains("no later call completes it"), "{out:?}");
    }

    #[test]
    fn whole_statements_are_left_alone() {
        assert!(run(&[
            r#"create table "a" ("id" serial primary key, "note" text null);"#,
            r#"alter table "a" add constraint "a_id_check" check ((id > 0));"#,
            r#"comment on table "a" is 'one line; with a semicolon';"#,
            r#"select 1"#,
            r#"update "a" set "note" = 'x' where "id" = 1"#,
            r#"do $$ begin perform 1; end $$"#,
        ])
        .is_empty());
    }

    #[test]
    fn typeorm_calls_without_semicolons_are_left_alone() {
        assert!(run(&[
            r#"ALTER TABLE "user" ADD "age" integer"#,
            r#"CREATE INDEX "IDX_age" ON "user" ("age") "#,
            r#"ALTER TABLE "user" ADD CONSTRAINT "FK_x" FOREIGN KEY ("clubId") REFERENCES "club"("id") ON DELETE NO ACTION ON UPDATE NO ACTION"#,
        ])
        .is_empty());
    }

    #[test]
    fn mapping_points_back_into_each_call() {
        let (part, file) = part_of(&["comment on table \"a\" is 'x", "y';"]);
        let (joined, _) = join(&part, &file, Tool::MikroOrm).unwrap();
        let c = &joined.chunks[0];
        let sql = c.text(&file);
        let y = sql.find("y';").unwrap();
        assert_eq!(&file.text[c.map.to_file(y)..c.map.to_file(y) + 3], "y';");
        assert_eq!(
            &file.text[c.map.to_file(0)..c.map.to_file(0) + 7],
            "comment"
        );
    }

    proptest::proptest! {
        /// Cutting any complete statement list on its line breaks and joining it back finds the
        /// original text; nothing panics on arbitrary input.
        #[test]
        fn never_panics(calls in proptest::collection::vec("[ -~\\n]{0,40}", 0..6)) {
            let refs: Vec<&str> = calls.iter().map(String::as_str).collect();
            let _ = run(&refs);
        }
    }
}
