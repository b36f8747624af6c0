//! `unanalysable-sql`: SQL that tollgate cannot read statically.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "unanalysable-sql",
    class: Some(Class::Unknown),
    summary: "SQL built at run time (interpolation, variables, this.execute, query builders) that tollgate cannot read.",
};

/// Not an op rule: the engine emits it for every chunk a source extractor could not read
/// statically (a `${…}` interpolation, a non-literal argument, `this.execute(…)`, a query
/// builder). The literal parts of such a chunk are still analysed.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    use crate::engine;
    use crate::model::TransactionMode;
    use crate::policy::Policy;
    use crate::source::{MigrationInput, Project, SqlChunk, SqlPart};
    use crate::span::Span;

    #[test]
    fn unreadable_chunk_is_reported_at_its_call_and_counts_as_unknown() {
        let text = "this.addSql(`drop table ${name};`);\nthis.addSql('alter table users drop column age;');\n";
        let mut p = Project::default();
        let f = p.add_file("m.ts", text);
        let first = SqlChunk {
            sql: Some("drop table __tollgate_expr__;".into()),
            map: crate::source::SourceMap::shifted(13),
            span: Some(Span::new(0, 34)),
            unanalysable: Some("template literal with `${…}` interpolation".into()),
        };
        let second = SqlChunk::slice(
            "alter table users drop column age;",
            text.find("alter").unwrap(),
        );
        let mut m = MigrationInput::from_file("m", f, TransactionMode::Transactional);
        m.up = SqlPart {
            file: f,
            chunks: vec![first, second],
        };
        p.migrations.push(m);
        let r = engine::check(&p, &Policy::default_policy());
        let rendered: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{}:{} {} {}", f.line, f.column, f.rule, f.message))
            .collect();
        insta::assert_snapshot!(rendered.join("\n"));
        assert_eq!(r.migrations[0].statements.len(), 2);
        assert_eq!(r.migrations[0].statements[1].line, 2);
    }
}
