//! MikroORM and TypeORM migration classes, read with a real TypeScript/JavaScript parser (oxc).
//!
//! A migration class is found by what it is, not by where it lives or what its file is called:
//! MikroORM classes `extends Migration` (any import path, aliased imports, compiled CommonJS
//! `extends migrations_1.Migration`), TypeORM classes `implements MigrationInterface` (or, in
//! compiled JavaScript where `implements` is gone, have an `up(queryRunner)` that calls
//! `queryRunner.query(…)`).
//!
//! Each `this.addSql(…)` / `queryRunner.query(…)` call in `up()` and `down()` becomes one
//! [`SqlChunk`] whose SQL is the decoded string literal and whose [`SourceMap`] maps every byte of
//! it back to the byte of the file it came from (escape sequences map to the backslash that starts
//! them). What cannot be read statically (`${…}` interpolation, non-literal arguments,
//! `this.execute(…)`, query builders, TypeORM's schema-builder API) becomes a chunk with an
//! `unanalysable` reason; whatever is literal in it is still kept.

use std::collections::HashSet;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrowFunctionExpression, BinaryOperator, BindingPattern, CallExpression,
    ChainElement, Class, ClassElement, Expression, FormalParameters, Function, FunctionBody,
    ImportDeclarationSpecifier, MethodDefinitionKind, ModuleExportName, PropertyKey,
    SimpleAssignmentTarget, Statement, TSTypeName, TemplateLiteral, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::SourceType;

use crate::source::{SourceMap, SqlChunk};
use crate::sources::Tool;
use crate::span::Span;

/// What stands in the SQL for a `${…}` interpolation or a non-literal concatenation operand: an
/// identifier, so the static parts around it still parse.
pub const EXPR_PLACEHOLDER: &str = "__tollgate_expr__";

/// The `down()` side of a migration class.
#[derive(Debug, Clone)]
pub enum DownState {
    Present(Vec<SqlChunk>),
    /// no down() method: MikroORM's base class throws at run time; TypeORM requires it
    Missing,
}

impl PartialEq for DownState {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (DownState::Missing, DownState::Missing) => true,
            (DownState::Present(a), DownState::Present(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| chunk_eq(x, y))
            }
            _ => false,
        }
    }
}

impl Eq for DownState {}

fn chunk_eq(a: &SqlChunk, b: &SqlChunk) -> bool {
    a.sql == b.sql && a.map == b.map && a.span == b.span && a.unanalysable == b.unanalysable
}

/// One migration class.
#[derive(Debug, Clone)]
pub struct TsMigration {
    pub class_name: String,
    /// [`Tool::MikroOrm`] or [`Tool::TypeOrm`].
    pub tool: Tool,
    /// MikroORM `override name = '…'` / `name = '…'` property; TypeORM `name = '…'`.
    pub name_override: Option<String>,
    /// One chunk per addSql/query call in up(), in source order.
    pub up: Vec<SqlChunk>,
    pub down: DownState,
    /// MikroORM `isTransactional()` returning a literal false → Some(false); TypeORM
    /// `transaction = false` → Some(false); `transaction = true`/isTransactional true →
    /// Some(true); absent → None
    pub transactional: Option<bool>,
    /// The class declaration.
    pub span: Span,
}

/// Something wrong with the file itself (a syntax error, a class that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsProblem {
    pub span: Span,
    pub message: String,
}

/// What one `.ts`/`.js` file holds.
#[derive(Debug, Clone, Default)]
pub struct TsFile {
    pub migrations: Vec<TsMigration>,
    /// Syntax errors etc.
    pub problems: Vec<TsProblem>,
}

/// Cheap pre-filter for discovery: could this file hold a migration class?
pub fn may_contain_migration(text: &str) -> bool {
    text.contains("Migration") || text.contains("addSql") || text.contains("queryRunner")
}

/// Reads the migration classes of one file. `path` decides TS vs JS vs TSX (`.ts .mts .cts .tsx
/// .js .mjs .cjs .jsx`; anything else is read as TypeScript); `.d.ts` files yield nothing.
pub fn extract(path: &str, text: &str) -> TsFile {
    let Some(source_type) = source_type(path) else {
        return TsFile::default();
    };
    if u32::try_from(text.len()).is_err() {
        return TsFile {
            migrations: Vec::new(),
            problems: vec![TsProblem {
                span: Span::new(0, 0),
                message: "file is too large to parse (over 4 GiB)".to_string(),
            }],
        };
    }
    if max_bracket_depth(text) > MAX_BRACKET_DEPTH {
        return TsFile {
            migrations: Vec::new(),
            problems: vec![TsProblem {
                span: Span::new(0, 0),
                message: format!(
                    "brackets nest more than {MAX_BRACKET_DEPTH} levels deep; the file is not read"
                ),
            }],
        };
    }
    let allocator = Allocator::default();
    let options = ParseOptions {
        preserve_parens: false,
        ..ParseOptions::default()
    };
    let parsed = Parser::new(&allocator, text, source_type)
        .with_options(options)
        .parse();

    let mut file = TsFile::default();
    if let Some(diagnostic) = parsed.diagnostics.iter().next() {
        let span = diagnostic
            .labels
            .first()
            .map(|label| {
                let start = (label.offset() as usize).min(text.len());
                let end = (start + label.len() as usize).min(text.len());
                Span::new(start, end)
            })
            .unwrap_or_default();
        file.problems.push(TsProblem {
            span,
            message: format!("syntax error: {}", diagnostic.message),
        });
    }

    let mut finder = Finder {
        text,
        stem: file_stem(path).to_string(),
        mikro_names: HashSet::from(["Migration".to_string()]),
        typeorm_names: HashSet::from(["MigrationInterface".to_string()]),
        pending_name: None,
        depth: 0,
        too_deep: false,
        out: file,
    };
    for statement in &parsed.program.body {
        if let Statement::ImportDeclaration(import) = statement {
            for specifier in import.specifiers.iter().flatten() {
                if let ImportDeclarationSpecifier::ImportSpecifier(spec) = specifier {
                    let imported = match &spec.imported {
                        ModuleExportName::IdentifierName(id) => id.name.as_str(),
                        ModuleExportName::IdentifierReference(id) => id.name.as_str(),
                        ModuleExportName::StringLiteral(lit) => lit.value.as_str(),
                    };
                    let local = spec.local.name.to_string();
                    match imported {
                        "Migration" => {
                            finder.mikro_names.insert(local);
                        }
                        "MigrationInterface" => {
                            finder.typeorm_names.insert(local);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    finder.visit_program(&parsed.program);
    if finder.too_deep {
        finder.out.problems.push(TsProblem {
            span: Span::new(0, 0),
            message: format!(
                "code nests more than {MAX_WALK_DEPTH} levels deep; deeper parts were not read"
            ),
        });
    }
    finder.out
}

/// Files nesting brackets deeper than this are not parsed (the parser recurses per level).
const MAX_BRACKET_DEPTH: usize = 500;

/// How deep the AST walks below go before giving up on a branch (long `+`/`||` chains do not
/// count: they are walked iteratively).
const MAX_WALK_DEPTH: usize = 256;

/// The deepest nesting of `(`, `[` and `{`, counting every one (also in strings and comments:
/// a cheap upper bound, not a tokenizer).
fn max_bracket_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Visits a chain of binary/logical operators without recursing down its (left-leaning) spine.
macro_rules! visit_chain_iteratively {
    () => {
        fn visit_binary_expression(&mut self, it: &oxc_ast::ast::BinaryExpression<'a>) {
            let mut spine = vec![it];
            let mut left = &it.left;
            while let Expression::BinaryExpression(bin) = left {
                spine.push(bin);
                left = &bin.left;
            }
            self.visit_expression(left);
            for bin in spine.iter().rev() {
                self.visit_expression(&bin.right);
            }
        }

        fn visit_logical_expression(&mut self, it: &oxc_ast::ast::LogicalExpression<'a>) {
            let mut spine = vec![it];
            let mut left = &it.left;
            while let Expression::LogicalExpression(logical) = left {
                spine.push(logical);
                left = &logical.left;
            }
            self.visit_expression(left);
            for logical in spine.iter().rev() {
                self.visit_expression(&logical.right);
            }
        }

        fn visit_expression(&mut self, it: &Expression<'a>) {
            if self.depth >= MAX_WALK_DEPTH {
                self.too_deep = true;
                return;
            }
            self.depth += 1;
            walk::walk_expression(self, it);
            self.depth -= 1;
        }

        fn visit_statement(&mut self, it: &Statement<'a>) {
            if self.depth >= MAX_WALK_DEPTH {
                self.too_deep = true;
                return;
            }
            self.depth += 1;
            walk::walk_statement(self, it);
            self.depth -= 1;
        }
    };
}

fn source_type(path: &str) -> Option<SourceType> {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
    let declaration = stem.ends_with(".d") || stem.contains(".d.");
    Some(match ext {
        "ts" | "mts" | "cts" if declaration => return None,
        "ts" | "mts" => SourceType::ts(),
        "cts" => SourceType::ts().with_commonjs(true),
        "tsx" => SourceType::tsx(),
        "js" => SourceType::mjs().with_unambiguous(true),
        "mjs" => SourceType::mjs(),
        "cjs" => SourceType::cjs(),
        "jsx" => SourceType::jsx(),
        _ => SourceType::ts(),
    })
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

fn to_span(span: oxc_span::Span) -> Span {
    Span::new(span.start as usize, span.end as usize)
}

fn is_this(expr: &Expression) -> bool {
    matches!(expr.get_inner_expression(), Expression::ThisExpression(_))
}

fn is_ident(expr: &Expression, name: &str) -> bool {
    matches!(expr.get_inner_expression(), Expression::Identifier(id) if id.name.as_str() == name)
}

fn literal_string(expr: &Expression) -> Option<String> {
    match expr.get_inner_expression() {
        Expression::StringLiteral(lit) => Some(lit.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.value.cooked.as_ref())
            .map(|c| c.to_string()),
        _ => None,
    }
}

fn literal_bool(expr: &Expression) -> Option<bool> {
    match expr.get_inner_expression() {
        Expression::BooleanLiteral(b) => Some(b.value),
        _ => None,
    }
}

/// The boolean a function body returns, when its first top-level `return` returns a literal.
fn returned_bool(body: &FunctionBody) -> Option<bool> {
    body.statements
        .iter()
        .find_map(|statement| match statement {
            Statement::ReturnStatement(ret) => Some(ret.argument.as_ref().and_then(literal_bool)),
            _ => None,
        })?
}

/// A function-like class member: a method, or a property holding an arrow/function expression.
#[derive(Clone, Copy)]
enum Callable<'b, 'a> {
    Function(&'b Function<'a>),
    Arrow(&'b ArrowFunctionExpression<'a>),
}

impl<'b, 'a> Callable<'b, 'a> {
    fn from_expression(expr: &'b Expression<'a>) -> Option<Self> {
        match expr.get_inner_expression() {
            Expression::ArrowFunctionExpression(arrow) => Some(Callable::Arrow(arrow)),
            Expression::FunctionExpression(func) => Some(Callable::Function(func)),
            _ => None,
        }
    }

    fn params(self) -> &'b FormalParameters<'a> {
        match self {
            Callable::Function(func) => &func.params,
            Callable::Arrow(arrow) => &arrow.params,
        }
    }

    fn first_param(self) -> Option<String> {
        match &self.params().items.first()?.pattern {
            BindingPattern::BindingIdentifier(id) => Some(id.name.to_string()),
            _ => None,
        }
    }

    fn returned_bool(self) -> Option<bool> {
        match self {
            Callable::Function(func) => returned_bool(func.body.as_ref()?),
            Callable::Arrow(arrow) => match arrow.body.as_function_body() {
                Some(body) => returned_bool(body),
                None => arrow.get_expression().and_then(literal_bool),
            },
        }
    }

    fn scan(self, scanner: &mut Scanner<'_>) {
        match self {
            Callable::Function(func) => {
                if let Some(body) = &func.body {
                    scanner.visit_function_body(body);
                }
            }
            Callable::Arrow(arrow) => scanner.visit_arrow_function_body(&arrow.body),
        }
    }
}

/// Walks the whole program looking for migration classes.
struct Finder<'s> {
    text: &'s str,
    stem: String,
    /// Local names bound to MikroORM's `Migration` (always includes `Migration` itself).
    mikro_names: HashSet<String>,
    /// Local names bound to TypeORM's `MigrationInterface`.
    typeorm_names: HashSet<String>,
    /// The name an anonymous class expression gets from where it is assigned.
    pending_name: Option<String>,
    depth: usize,
    too_deep: bool,
    out: TsFile,
}

impl<'a> Visit<'a> for Finder<'_> {
    visit_chain_iteratively!();

    fn visit_class(&mut self, it: &Class<'a>) {
        let pending = self.pending_name.take();
        self.consider(it, pending);
        walk::walk_class(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(Expression::ClassExpression(class))) = (
            &it.id,
            it.init.as_ref().map(Expression::get_inner_expression),
        ) {
            if class.id.is_none() {
                self.pending_name = Some(id.name.to_string());
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &oxc_ast::ast::AssignmentExpression<'a>) {
        if let Expression::ClassExpression(class) = it.right.get_inner_expression() {
            if class.id.is_none() {
                self.pending_name = match it.left.as_simple_assignment_target() {
                    Some(SimpleAssignmentTarget::AssignmentTargetIdentifier(id)) => {
                        Some(id.name.to_string())
                    }
                    Some(SimpleAssignmentTarget::StaticMemberExpression(m)) => {
                        if m.property.name.as_str() == "exports" {
                            Some(self.stem.clone())
                        } else {
                            Some(m.property.name.to_string())
                        }
                    }
                    _ => None,
                };
            }
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_export_default_declaration(
        &mut self,
        it: &oxc_ast::ast::ExportDefaultDeclaration<'a>,
    ) {
        self.pending_name = Some(self.stem.clone());
        walk::walk_export_default_declaration(self, it);
        self.pending_name = None;
    }
}

impl Finder<'_> {
    fn is_mikro_class(&self, class: &Class) -> bool {
        let Some(heritage) = &class.heritage else {
            return false;
        };
        match heritage.expression.get_inner_expression() {
            Expression::Identifier(id) => self.mikro_names.contains(id.name.as_str()),
            Expression::StaticMemberExpression(m) => m.property.name.as_str() == "Migration",
            _ => false,
        }
    }

    fn is_typeorm_class(&self, class: &Class) -> bool {
        class.implements.iter().any(|imp| match &imp.expression {
            TSTypeName::IdentifierReference(id) => self.typeorm_names.contains(id.name.as_str()),
            TSTypeName::QualifiedName(q) => q.right.name.as_str() == "MigrationInterface",
            TSTypeName::ThisExpression(_) => false,
        })
    }

    fn consider(&mut self, class: &Class, pending: Option<String>) {
        if class.r#abstract || class.declare {
            return;
        }
        let tool = if self.is_typeorm_class(class) {
            Tool::TypeOrm
        } else if self.is_mikro_class(class) {
            Tool::MikroOrm
        } else if class.heritage.is_none() {
            // Compiled TypeORM migrations lose `implements`: recognise them by shape.
            Tool::TypeOrm
        } else {
            return;
        };
        let structural = tool == Tool::TypeOrm && !self.is_typeorm_class(class);
        let class_name = class
            .id
            .as_ref()
            .map(|id| id.name.to_string())
            .or(pending)
            .unwrap_or_else(|| self.stem.clone());

        let mut up = None;
        let mut down = None;
        let mut name_override = None;
        let mut transactional = None;
        for element in &class.body.body {
            match element {
                ClassElement::MethodDefinition(method) if !method.r#static => {
                    let Some(key) = key_name(&method.key) else {
                        continue;
                    };
                    let callable = Callable::Function(&method.value);
                    match (method.kind, key) {
                        (MethodDefinitionKind::Method, "up") => up = Some(callable),
                        (MethodDefinitionKind::Method, "down") => down = Some(callable),
                        (MethodDefinitionKind::Method, "isTransactional")
                            if tool == Tool::MikroOrm =>
                        {
                            transactional = callable.returned_bool();
                        }
                        (MethodDefinitionKind::Constructor, _) => {
                            if let Some(body) = &method.value.body {
                                self.constructor_fields(
                                    body,
                                    tool,
                                    &mut name_override,
                                    &mut transactional,
                                );
                            }
                        }
                        _ => {}
                    }
                }
                ClassElement::PropertyDefinition(prop) if !prop.r#static => {
                    let Some(key) = key_name(&prop.key) else {
                        continue;
                    };
                    let Some(value) = &prop.value else {
                        continue;
                    };
                    match key {
                        "up" => up = Callable::from_expression(value).or(up),
                        "down" => down = Callable::from_expression(value).or(down),
                        "name" => name_override = literal_string(value).or(name_override),
                        "isTransactional" if tool == Tool::MikroOrm => {
                            if let Some(callable) = Callable::from_expression(value) {
                                transactional = callable.returned_bool();
                            }
                        }
                        "transaction" if tool == Tool::TypeOrm => {
                            transactional = literal_bool(value).or(transactional);
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }

        let deep = std::cell::Cell::new(false);
        let scan = |callable: Callable| {
            let param = match tool {
                Tool::TypeOrm => callable.first_param(),
                _ => None,
            };
            let mut scanner = Scanner {
                text: self.text,
                tool,
                param,
                knex_aliases: Vec::new(),
                chunks: Vec::new(),
                depth: 0,
                too_deep: false,
            };
            callable.scan(&mut scanner);
            scanner.finish();
            if scanner.too_deep {
                deep.set(true);
            }
            scanner.chunks
        };
        let up_chunks = up.map(scan);
        if structural {
            // Only a class whose up() talks to its query runner is a TypeORM migration.
            let talks = up.is_some_and(|u| u.first_param().is_some())
                && up_chunks.as_ref().is_some_and(|c| !c.is_empty());
            if !talks {
                return;
            }
        }
        if up.is_none() {
            self.out.problems.push(TsProblem {
                span: to_span(class.span),
                message: format!("migration class `{class_name}` has no up() method"),
            });
        }
        let down = down.map(scan);
        if deep.get() {
            self.too_deep = true;
        }
        self.out.migrations.push(TsMigration {
            class_name,
            tool,
            name_override,
            up: up_chunks.unwrap_or_default(),
            down: match down {
                Some(chunks) => DownState::Present(chunks),
                None => DownState::Missing,
            },
            transactional,
            span: to_span(class.span),
        });
    }

    /// `this.name = '…'` / `this.transaction = false` in a constructor (what TypeScript emits
    /// for property initialisers when it does not use define semantics).
    fn constructor_fields(
        &self,
        body: &FunctionBody,
        tool: Tool,
        name_override: &mut Option<String>,
        transactional: &mut Option<bool>,
    ) {
        for statement in &body.statements {
            let Statement::ExpressionStatement(stmt) = statement else {
                continue;
            };
            let Expression::AssignmentExpression(assign) = stmt.expression.get_inner_expression()
            else {
                continue;
            };
            let Some(SimpleAssignmentTarget::StaticMemberExpression(target)) =
                assign.left.as_simple_assignment_target()
            else {
                continue;
            };
            if !is_this(&target.object) {
                continue;
            }
            match target.property.name.as_str() {
                "name" => {
                    if let Some(name) = literal_string(&assign.right) {
                        *name_override = Some(name);
                    }
                }
                "transaction" if tool == Tool::TypeOrm => {
                    if let Some(value) = literal_bool(&assign.right) {
                        *transactional = Some(value);
                    }
                }
                _ => {}
            }
        }
    }
}

fn key_name<'k>(key: &'k PropertyKey) -> Option<&'k str> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.name.as_str()),
        PropertyKey::StringLiteral(lit) => Some(lit.value.as_str()),
        _ => None,
    }
}

/// Members of `this` in a MikroORM migration that lead to a query builder or to SQL run outside
/// `addSql`.
const MIKRO_BUILDER_MEMBERS: &[&str] = &["getKnex", "getEntityManager", "ctx", "driver", "em"];

/// TypeORM `QueryRunner` methods that run no DDL or DML of their own.
const TYPEORM_PASSIVE: &[&str] = &[
    "connect",
    "release",
    "startTransaction",
    "commitTransaction",
    "rollbackTransaction",
    "enableSqlMemory",
    "disableSqlMemory",
    "clearSqlMemory",
    "getMemorySql",
    "beforeMigration",
    "afterMigration",
];

/// Walks the body of one `up()` / `down()` and collects its SQL calls in source order.
struct Scanner<'s> {
    text: &'s str,
    tool: Tool,
    /// TypeORM: the name of the query runner parameter.
    param: Option<String>,
    /// MikroORM: variables holding `this.getKnex()`.
    knex_aliases: Vec<Alias>,
    chunks: Vec<SqlChunk>,
    depth: usize,
    too_deep: bool,
}

impl<'a> Visit<'a> for Scanner<'_> {
    visit_chain_iteratively!();

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if !self.handle_call(it) {
            walk::walk_call_expression(self, it);
        }
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if self.tool == Tool::MikroOrm {
            if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
                if let Some(root) = self.builder_root(init) {
                    // `const knex = this.getKnex()`: reported where it is used.
                    self.knex_aliases.push(Alias {
                        name: id.name.to_string(),
                        root,
                        declared: to_span(it.span),
                        used: std::cell::Cell::new(false),
                    });
                    return;
                }
            }
        }
        walk::walk_variable_declarator(self, it);
    }
}

/// A MikroORM variable holding a query builder, connection or transaction.
struct Alias {
    name: String,
    /// What it was taken from (`this.getKnex`, …).
    root: String,
    /// Its declarator.
    declared: Span,
    used: std::cell::Cell<bool>,
}

impl Scanner<'_> {
    /// Reports builder variables that no call went through (passed on to helpers, say) at their
    /// declaration, and puts the chunks in source order.
    fn finish(&mut self) {
        for alias in &self.knex_aliases {
            if !alias.used.get() {
                self.chunks.push(SqlChunk {
                    sql: Some(String::new()),
                    map: SourceMap::shifted(alias.declared.start),
                    span: Some(alias.declared),
                    unanalysable: Some(format!(
                        "query builder `{}` taken from `{}` is not read statically",
                        alias.name, alias.root
                    )),
                });
            }
        }
        self.chunks
            .sort_by_key(|chunk| chunk.span.map_or(0, |span| span.start));
    }

    /// Records the call if it is one we read; returns whether it was (then its insides are not
    /// walked).
    fn handle_call(&mut self, call: &CallExpression) -> bool {
        match self.tool {
            Tool::TypeOrm => self.handle_typeorm_call(call),
            _ => self.handle_mikro_call(call),
        }
    }

    fn handle_mikro_call(&mut self, call: &CallExpression) -> bool {
        let callee = call.callee.get_inner_expression();
        if let Expression::StaticMemberExpression(m) = callee {
            if is_this(&m.object) {
                match m.property.name.as_str() {
                    "addSql" => {
                        let chunk = self.sql_call(call, "addSql");
                        self.chunks.push(chunk);
                        return true;
                    }
                    "execute" => {
                        self.unanalysable(
                            call,
                            "`this.execute(…)` runs SQL that is not read statically".to_string(),
                        );
                        return true;
                    }
                    _ => {}
                }
            }
        }
        if let Some(root) = self.builder_root(callee) {
            self.unanalysable(
                call,
                format!("query builder call through `{root}` is not read statically"),
            );
            return true;
        }
        false
    }

    /// The `this.getKnex`/`knex`… a call chain starts from, if it starts from one.
    fn builder_root(&self, callee: &Expression) -> Option<String> {
        let mut expr = callee;
        loop {
            expr = expr.get_inner_expression();
            match expr {
                Expression::StaticMemberExpression(m) => {
                    if is_this(&m.object) {
                        let name = m.property.name.as_str();
                        return MIKRO_BUILDER_MEMBERS
                            .contains(&name)
                            .then(|| format!("this.{name}"));
                    }
                    expr = &m.object;
                }
                Expression::ComputedMemberExpression(m) => expr = &m.object,
                Expression::CallExpression(c) => expr = &c.callee,
                Expression::ChainExpression(chain) => match &chain.expression {
                    ChainElement::CallExpression(c) => expr = &c.callee,
                    ChainElement::TSNonNullExpression(e) => expr = &e.expression,
                    other => expr = other.as_member_expression()?.object(),
                },
                Expression::Identifier(id) => {
                    let name = id.name.as_str();
                    if let Some(alias) = self.knex_aliases.iter().rev().find(|a| a.name == name) {
                        alias.used.set(true);
                        return Some(name.to_string());
                    }
                    return (name == "knex").then(|| name.to_string());
                }
                _ => return None,
            }
        }
    }

    fn handle_typeorm_call(&mut self, call: &CallExpression) -> bool {
        let Some(param) = self.param.clone() else {
            return false;
        };
        let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression() else {
            return false;
        };
        let method = m.property.name.as_str();
        let object = m.object.get_inner_expression();
        if is_ident(object, &param) {
            if method == "query" {
                let chunk = self.sql_call(call, &format!("{param}.query"));
                self.chunks.push(chunk);
                return true;
            }
            if TYPEORM_PASSIVE.contains(&method)
                || method.starts_with("get")
                || method.starts_with("has")
            {
                return false;
            }
            let kind = if method.starts_with("drop") {
                " (drop)"
            } else if method.starts_with("rename") {
                " (rename)"
            } else if method.starts_with("clear") {
                " (clear)"
            } else {
                ""
            };
            self.unanalysable(
                call,
                format!("TypeORM schema builder call `{param}.{method}`{kind}"),
            );
            return true;
        }
        if let Expression::StaticMemberExpression(inner) = object {
            let via = inner.property.name.as_str();
            if is_ident(&inner.object, &param) && matches!(via, "manager" | "connection") {
                if method == "query" {
                    let chunk = self.sql_call(call, &format!("{param}.{via}.query"));
                    self.chunks.push(chunk);
                } else {
                    self.unanalysable(
                        call,
                        format!("TypeORM call `{param}.{via}.{method}` is not read statically"),
                    );
                }
                return true;
            }
        }
        false
    }

    fn unanalysable(&mut self, call: &CallExpression, reason: String) {
        self.chunks.push(SqlChunk {
            sql: Some(String::new()),
            map: SourceMap::shifted(call.span.start as usize),
            span: Some(to_span(call.span)),
            unanalysable: Some(reason),
        });
    }

    /// The chunk for an `addSql(…)` / `query(…)` call, from its first argument.
    fn sql_call(&self, call: &CallExpression, what: &str) -> SqlChunk {
        let span = to_span(call.span);
        let empty = |reason: String| SqlChunk {
            sql: Some(String::new()),
            map: SourceMap::shifted(span.start),
            span: Some(span),
            unanalysable: Some(reason),
        };
        let expr = match call.arguments.first() {
            None => return empty(format!("`{what}` is called without an argument")),
            Some(Argument::SpreadElement(_)) => {
                return empty("argument is a spread `...`".to_string())
            }
            Some(arg) => match arg.as_expression() {
                Some(expr) => expr.get_inner_expression(),
                None => return empty("argument is not an expression".to_string()),
            },
        };
        let operands = concat_operands(expr);
        let any_literal = operands.iter().any(|e| {
            matches!(
                e,
                Expression::StringLiteral(_) | Expression::TemplateLiteral(_)
            )
        });
        if !any_literal {
            return empty(format!("argument is {}", self.describe(expr)));
        }
        let mut out = Builder::default();
        let mut reason: Option<String> = None;
        for operand in operands {
            match operand {
                Expression::StringLiteral(lit) => {
                    let (start, end) = (lit.span.start as usize, lit.span.end as usize);
                    if let Some(raw) = self.text.get(start + 1..end.saturating_sub(1)) {
                        decode_js(raw, start + 1, false, &mut out);
                    }
                }
                Expression::TemplateLiteral(template) => {
                    self.template(template, &mut out, &mut reason);
                }
                other => {
                    out.placeholder(other.span_start());
                    reason.get_or_insert_with(|| {
                        format!(
                            "string concatenation with a non-literal part: {}",
                            self.describe(other)
                        )
                    });
                }
            }
        }
        if out.pieces.is_empty() {
            out.pieces.push((0, operand_start(expr)));
        }
        SqlChunk {
            sql: Some(out.sql),
            map: SourceMap::Pieces(out.pieces),
            span: Some(span),
            unanalysable: reason,
        }
    }

    fn template(&self, template: &TemplateLiteral, out: &mut Builder, reason: &mut Option<String>) {
        for (i, quasi) in template.quasis.iter().enumerate() {
            let (start, end) = (quasi.span.start as usize, quasi.span.end as usize);
            if let Some(raw) = self.text.get(start..end) {
                decode_js(raw, start, true, out);
            }
            if i < template.expressions.len() {
                // `${` starts right where the quasi ends.
                out.placeholder(end);
                reason.get_or_insert_with(|| {
                    "template literal with `${…}` interpolation".to_string()
                });
            }
        }
    }

    fn describe(&self, expr: &Expression) -> String {
        let snippet = |span: oxc_span::Span| snippet(self.text, span);
        match expr.get_inner_expression() {
            Expression::Identifier(id) => format!("a variable `{}`", id.name),
            Expression::CallExpression(call) => {
                format!(
                    "a function call `{}(…)`",
                    snippet(oxc_span::GetSpan::span(&call.callee))
                )
            }
            e @ (Expression::StaticMemberExpression(_)
            | Expression::ComputedMemberExpression(_)
            | Expression::PrivateFieldExpression(_)) => {
                format!("a property `{}`", snippet(oxc_span::GetSpan::span(e)))
            }
            Expression::TaggedTemplateExpression(_) => "a tagged template".to_string(),
            Expression::ConditionalExpression(_) => "a conditional expression".to_string(),
            Expression::LogicalExpression(_) => "a logical expression".to_string(),
            Expression::AwaitExpression(_) => "an await expression".to_string(),
            e @ (Expression::NumericLiteral(_) | Expression::BigIntLiteral(_)) => {
                format!("a number `{}`", snippet(oxc_span::GetSpan::span(e)))
            }
            Expression::BooleanLiteral(_) => "a boolean".to_string(),
            Expression::NullLiteral(_) => "null".to_string(),
            e => format!("an expression `{}`", snippet(oxc_span::GetSpan::span(e))),
        }
    }
}

trait SpanStart {
    fn span_start(&self) -> usize;
}

impl SpanStart for Expression<'_> {
    fn span_start(&self) -> usize {
        oxc_span::GetSpan::span(self).start as usize
    }
}

fn operand_start(expr: &Expression) -> usize {
    let start = expr.span_start();
    match expr {
        // Point into the literal, past its opening quote.
        Expression::StringLiteral(_) | Expression::TemplateLiteral(_) => start + 1,
        _ => start,
    }
}

/// A short one-line excerpt of source text.
fn snippet(text: &str, span: oxc_span::Span) -> String {
    let raw = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// The operands of a chain of `+`, left to right (iteratively: long chains must not recurse).
fn concat_operands<'b, 'a>(expr: &'b Expression<'a>) -> Vec<&'b Expression<'a>> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        let expr = expr.get_inner_expression();
        match expr {
            Expression::BinaryExpression(bin) if bin.operator == BinaryOperator::Addition => {
                stack.push(&bin.right);
                stack.push(&bin.left);
            }
            _ => out.push(expr),
        }
    }
    out
}

/// Decoded SQL plus its source map.
#[derive(Default)]
struct Builder {
    sql: String,
    pieces: Vec<(usize, usize)>,
}

impl Builder {
    /// Makes the next SQL byte map to `file_offset`, starting a new piece unless the last one
    /// already continues there.
    fn at(&mut self, file_offset: usize) {
        let len = self.sql.len();
        if let Some(last) = self.pieces.last_mut() {
            if last.0 == len {
                last.1 = file_offset;
                return;
            }
            if last.1 + (len - last.0) == file_offset {
                return;
            }
        }
        self.pieces.push((len, file_offset));
    }

    fn copy(&mut self, text: &str, file_offset: usize) {
        if !text.is_empty() {
            self.at(file_offset);
            self.sql.push_str(text);
        }
    }

    /// One character decoded from an escape sequence that starts at `file_offset`.
    fn escaped(&mut self, c: char, file_offset: usize) {
        self.at(file_offset);
        self.sql.push(c);
    }

    fn placeholder(&mut self, file_offset: usize) {
        self.at(file_offset);
        self.sql.push_str(EXPR_PLACEHOLDER);
    }
}

/// Decodes the source text of a string literal's contents (`template`: of a template quasi),
/// appending to `out` with every decoded byte mapped to its origin (`base` is the file offset of
/// `raw`). Escape sequences map to their backslash.
fn decode_js(raw: &str, base: usize, template: bool, out: &mut Builder) {
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                out.copy(&raw[run..i], base + run);
                let escape = base + i;
                i += 1;
                let Some(c) = raw[i..].chars().next() else {
                    run = i;
                    break;
                };
                i += c.len_utf8();
                let decoded = match c {
                    // Line continuations produce nothing.
                    '\n' | '\u{2028}' | '\u{2029}' => None,
                    '\r' => {
                        if bytes.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                        None
                    }
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'v' => Some('\u{b}'),
                    '0'..='7' if !template || (c == '0' && !next_is_digit(bytes, i)) => {
                        Some(legacy_octal(c, bytes, &mut i))
                    }
                    'x' => match hex_value(bytes, i, 2) {
                        Some(v) => {
                            i += 2;
                            char::from_u32(v)
                        }
                        None => Some('x'),
                    },
                    'u' => Some(unicode_escape(bytes, &mut i)),
                    other => Some(other),
                };
                if let Some(c) = decoded {
                    out.escaped(c, escape);
                }
                run = i;
            }
            b'\r' if template => {
                // Template literals normalise CR and CRLF to LF.
                out.copy(&raw[run..i], base + run);
                out.escaped('\n', base + i);
                i += 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                run = i;
            }
            _ => i += 1,
        }
    }
    out.copy(&raw[run..], base + run);
}

fn next_is_digit(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_some_and(u8::is_ascii_digit)
}

/// `\0`–`\377` (sloppy-mode strings); `i` is past the first digit.
fn legacy_octal(first: char, bytes: &[u8], i: &mut usize) -> char {
    let mut value = first as u32 - '0' as u32;
    let max_digits = if first <= '3' { 3 } else { 2 };
    for _ in 1..max_digits {
        match bytes.get(*i) {
            Some(b @ b'0'..=b'7') => {
                value = value * 8 + u32::from(b - b'0');
                *i += 1;
            }
            _ => break,
        }
    }
    char::from_u32(value).unwrap_or('\u{FFFD}')
}

fn hex_value(bytes: &[u8], at: usize, digits: usize) -> Option<u32> {
    let slice = bytes.get(at..at + digits)?;
    let mut value = 0u32;
    for &b in slice {
        value = value * 16 + char::from(b).to_digit(16)?;
    }
    Some(value)
}

/// `\uXXXX` (with surrogate pairs) or `\u{X…}`; `i` is past the `u`.
fn unicode_escape(bytes: &[u8], i: &mut usize) -> char {
    if bytes.get(*i) == Some(&b'{') {
        let digits = bytes[*i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if digits == 0 || bytes.get(*i + 1 + digits) != Some(&b'}') {
            return 'u';
        }
        let value = bytes[*i + 1..*i + 1 + digits]
            .iter()
            .filter_map(|&b| char::from(b).to_digit(16))
            .fold(0u32, |acc, d| {
                acc.saturating_mul(16).saturating_add(d).min(0x11_0000)
            });
        *i += digits + 2;
        return char::from_u32(value).unwrap_or('\u{FFFD}');
    }
    let Some(unit) = hex_value(bytes, *i, 4) else {
        return 'u';
    };
    *i += 4;
    if (0xD800..0xDC00).contains(&unit)
        && bytes.get(*i) == Some(&b'\\')
        && bytes.get(*i + 1) == Some(&b'u')
    {
        if let Some(low) = hex_value(bytes, *i + 2, 4).filter(|v| (0xDC00..0xE000).contains(v)) {
            *i += 6;
            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(c).unwrap_or('\u{FFFD}');
        }
    }
    char::from_u32(unit).unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../../tests/fixtures/typescript/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn sql(chunk: &SqlChunk) -> &str {
        chunk.sql.as_deref().unwrap()
    }

    fn sqls(chunks: &[SqlChunk]) -> Vec<&str> {
        chunks.iter().map(sql).collect()
    }

    fn down(m: &TsMigration) -> &[SqlChunk] {
        match &m.down {
            DownState::Present(chunks) => chunks,
            DownState::Missing => panic!("{} has no down()", m.class_name),
        }
    }

    /// Every byte of the SQL maps to the same byte in the file, or (for characters produced by
    /// an escape, a placeholder or a normalised line break) to the backslash / `${` / operand /
    /// `\r` they came from.
    fn assert_faithful(text: &str, chunk: &SqlChunk) {
        let sql = sql(chunk);
        let file = text.as_bytes();
        let placeholders: Vec<usize> = sql
            .match_indices(EXPR_PLACEHOLDER)
            .map(|(i, _)| i)
            .collect();
        for (i, c) in sql.char_indices() {
            if let Some(&p) = placeholders
                .iter()
                .find(|&&p| (p..p + EXPR_PLACEHOLDER.len()).contains(&i))
            {
                let f = chunk.map.to_file(p);
                assert!(f < text.len(), "placeholder maps past the end");
                continue;
            }
            let f = chunk.map.to_file(i);
            assert!(f < text.len(), "sql byte {i} maps to {f}, past the end");
            let mut buf = [0u8; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            if file[f..].starts_with(bytes) {
                // Copied: every byte of the character maps to its own byte.
                for k in 1..bytes.len() {
                    assert_eq!(chunk.map.to_file(i + k), f + k, "byte {} of {c:?}", i + k);
                }
            } else {
                assert!(
                    file[f] == b'\\' || (c == '\n' && file[f] == b'\r'),
                    "sql char {c:?} at {i} maps to {f} ({:?}) which is neither it nor an escape",
                    &text[f..text.len().min(f + 10)]
                );
            }
        }
    }

    /// The `nth` occurrence of `needle` in the SQL maps to the `nth` occurrence of `needle` in
    /// the file after the start of the chunk's call.
    fn assert_lands(text: &str, chunk: &SqlChunk, needle: &str, nth: usize) {
        let in_sql = sql(chunk)
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} #{nth} not in {:?}", sql(chunk)))
            .0;
        let call = chunk.span.unwrap().start;
        let in_file = call
            + text[call..]
                .match_indices(needle)
                .nth(nth)
                .unwrap_or_else(|| panic!("{needle:?} #{nth} not in file"))
                .0;
        for k in 0..needle.len() {
            assert_eq!(
                chunk.map.to_file(in_sql + k),
                in_file + k,
                "byte {k} of {needle:?}"
            );
        }
    }

    fn all_chunks(file: &TsFile) -> Vec<&SqlChunk> {
        let mut out = Vec::new();
        for m in &file.migrations {
            out.extend(m.up.iter());
            if let DownState::Present(chunks) = &m.down {
                out.extend(chunks.iter());
            }
        }
        out
    }

    fn assert_all_faithful(text: &str, file: &TsFile) {
        for chunk in all_chunks(file) {
            assert_faithful(text, chunk);
            let span = chunk.span.unwrap();
            assert!(span.end <= text.len() && span.start < span.end);
        }
    }

    /// A debug rendering of what was extracted, for snapshots.
    fn render(text: &str, file: &TsFile) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let chunks = |out: &mut String, chunks: &[SqlChunk]| {
            for (i, c) in chunks.iter().enumerate() {
                let span = c.span.unwrap();
                let _ = writeln!(
                    out,
                    "    [{i}] {:?}",
                    span.slice(text).lines().next().unwrap()
                );
                let _ = writeln!(out, "        sql: {:?}", sql(c));
                if let Some(reason) = &c.unanalysable {
                    let _ = writeln!(out, "        unanalysable: {reason}");
                }
            }
        };
        for m in &file.migrations {
            let _ = writeln!(
                out,
                "class {} ({}) name={:?} transactional={:?}",
                m.class_name,
                m.tool.as_str(),
                m.name_override,
                m.transactional
            );
            let _ = writeln!(out, "  up:");
            chunks(&mut out, &m.up);
            match &m.down {
                DownState::Missing => {
                    let _ = writeln!(out, "  down: missing");
                }
                DownState::Present(c) => {
                    let _ = writeln!(out, "  down:");
                    chunks(&mut out, c);
                }
            }
        }
        for p in &file.problems {
            let _ = writeln!(
                out,
                "problem at {}..{}: {}",
                p.span.start, p.span.end, p.message
            );
        }
        out
    }

    fn snapshot(name: &str) -> (String, TsFile) {
        let text = fixture(name);
        let file = extract(name, &text);
        assert_all_faithful(&text, &file);
        insta::assert_snapshot!(name.replace(['.', '-'], "_"), render(&text, &file));
        (text, file)
    }

    #[test]
    fn mikro_orm_5_single_quotes() {
        let (text, file) = snapshot("Migration20240115103045.ts");
        assert!(file.problems.is_empty());
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.class_name, "Migration20240115103045");
        assert_eq!(m.tool, Tool::MikroOrm);
        assert_eq!(m.transactional, None);
        assert_eq!(
            sqls(&m.up),
            [
                r#"create table "user" ("id" serial primary key, "email" varchar(255) not null);"#,
                r#"comment on column "user"."nickname" is 'shown to others'; -- "email" stays private"#,
                r#"alter table "user" add constraint "user_email_unique" unique ("email");"#,
            ]
        );
        assert_eq!(sqls(down(m)), [r#"drop table if exists "user" cascade;"#]);
        assert_lands(&text, &m.up[0], "\"email\"", 0);
        // After the escaped quotes on the same line.
        assert_lands(&text, &m.up[1], "\"email\"", 0);
        assert_lands(&text, &m.up[1], "shown", 0);
        let quote = sql(&m.up[1]).find('\'').unwrap();
        let f = m.up[1].map.to_file(quote);
        assert_eq!(&text[f..f + 2], "\\'");
        let span = m.up[0].span.unwrap();
        assert!(span.slice(&text).starts_with("this.addSql('create table"));
        assert!(span.slice(&text).ends_with("not null);')"));
        assert!(m
            .span
            .slice(&text)
            .starts_with("class Migration20240115103045 extends"));
    }

    #[test]
    fn mikro_orm_6_backticks() {
        let (text, file) = snapshot("Migration20240301120000.ts");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(
            sqls(&m.up)[..2],
            [
                r#"alter table "user" add column "age" int null;"#,
                r#"comment on column "user"."age" is 'in years, see `profile`: costs $0 \ free';"#,
            ]
        );
        assert!(sql(&m.up[2])
            .starts_with("create or replace function \"touch\"() returns trigger as $$\nbegin\n"));
        assert!(m.up.iter().all(|c| c.unanalysable.is_none()));
        assert_lands(&text, &m.up[1], "profile", 0);
        assert_lands(&text, &m.up[1], "free", 0);
        assert_lands(&text, &m.up[2], "language plpgsql", 0);
        let tick = sql(&m.up[1]).find('`').unwrap();
        assert_eq!(&text[m.up[1].map.to_file(tick)..][..2], "\\`");
        let dollar = sql(&m.up[1]).find('$').unwrap();
        assert_eq!(&text[m.up[1].map.to_file(dollar)..][..2], "\\$");
        let backslash = sql(&m.up[1]).find('\\').unwrap();
        assert_eq!(&text[m.up[1].map.to_file(backslash)..][..2], "\\\\");
        assert_eq!(
            sqls(down(m)),
            [
                r#"drop function if exists "touch"();"#,
                r#"alter table "user" drop column "age";"#
            ]
        );
        assert!(down(m)[0]
            .span
            .unwrap()
            .slice(&text)
            .starts_with("this.addSql(`drop"));
    }

    #[test]
    fn mikro_orm_override_name_void_and_concatenation() {
        let (text, file) = snapshot("Migration20240402090000.ts");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.name_override.as_deref(), Some("add-orders"));
        assert_eq!(
            sqls(&m.up),
            [
                r#"create table "order" ("id" bigserial primary key, "user_id" int not null references "user" ("id"));"#,
                r#"create index "order_user_id_index" on "order" ("user_id");"#,
            ]
        );
        assert!(m.up[0].unanalysable.is_none());
        assert_lands(&text, &m.up[0], "\"user_id\"", 0);
        assert_lands(&text, &m.up[0], ");", 0);
        let span = m.up[0].span.unwrap().slice(&text);
        assert!(span.starts_with("this.addSql(\n") && span.ends_with("',\n    )"));
        let q = sql(&m.up[1]).find("order_user_id_index").unwrap();
        assert_eq!(&text[m.up[1].map.to_file(q)..][..19], "order_user_id_index");
    }

    #[test]
    fn compiled_commonjs() {
        let (text, file) = snapshot("Migration20240115103045.js");
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.tool, Tool::MikroOrm);
        assert_eq!(
            sqls(&m.up),
            [
                r#"create table "user" ("id" serial primary key, "email" varchar(255) not null);"#,
                r#"insert into "user" ("email") values ('o\'brien@example.com');"#,
            ]
        );
        assert_lands(&text, &m.up[1], "brien@example.com", 0);
        let f = m.up[0].map.to_file(sql(&m.up[0]).find("email").unwrap());
        assert_eq!(&text[f..f + 5], "email");
        assert_eq!(&text[f - 2..f], "\\\"");
    }

    #[test]
    fn wrapper_package_and_aliased_import() {
        let (_, file) = snapshot("Migration20240510000000.ts");
        let names: Vec<_> = file
            .migrations
            .iter()
            .map(|m| m.class_name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Migration20240510000000", "Migration20240510000001"]
        );
        assert_eq!(
            sqls(&file.migrations[0].up),
            [r#"alter table "account" add column "plan" text not null default 'free';"#]
        );
        assert_eq!(file.migrations[1].down, DownState::Missing);
    }

    #[test]
    fn non_default_file_name_default_export_conditions_and_empty_down() {
        let (text, file) = snapshot("add_invoice_totals.ts");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.class_name, "AddInvoiceTotals");
        assert_eq!(m.down, DownState::Present(vec![]));
        assert_eq!(
            sqls(&m.up),
            [
                r#"alter table "invoice" add column "total_cents" bigint;"#,
                r#"alter table "invoice" add column "__tollgate_expr___cents" bigint;"#,
            ]
        );
        assert_eq!(m.up[0].unanalysable, None);
        assert_eq!(
            m.up[1].unanalysable.as_deref(),
            Some("string concatenation with a non-literal part: a variable `column`")
        );
        let p = sql(&m.up[1]).find(EXPR_PLACEHOLDER).unwrap();
        assert_eq!(&text[m.up[1].map.to_file(p)..][..6], "column");
        assert_lands(&text, &m.up[1], "_cents", 0);
    }

    #[test]
    fn is_transactional_false() {
        let (_, file) = snapshot("Migration20240601000000.ts");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.transactional, Some(false));
        assert_eq!(sqls(&m.up).len(), 1);
    }

    #[test]
    fn missing_down() {
        let (_, file) = snapshot("Migration20240602000000.ts");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.down, DownState::Missing);
        assert_eq!(
            sqls(&m.up),
            [r#"alter table "user" drop column "legacy_flags";"#]
        );
    }

    #[test]
    fn interpolation_and_non_literal_arguments() {
        let (text, file) = snapshot("Migration20240603000000.ts");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.up.len(), 3);
        assert_eq!(
            sql(&m.up[0]),
            r#"alter table "__tollgate_expr__"."user" add column "locale" text;"#
        );
        assert_eq!(
            m.up[0].unanalysable.as_deref(),
            Some("template literal with `${…}` interpolation")
        );
        let p = sql(&m.up[0]).find(EXPR_PLACEHOLDER).unwrap();
        assert_eq!(&text[m.up[0].map.to_file(p)..][..9], "${schema}");
        assert_lands(&text, &m.up[0], "\".\"user\" add column", 0);
        assert_eq!(sql(&m.up[1]), "");
        assert_eq!(
            m.up[1].unanalysable.as_deref(),
            Some("argument is a variable `sql`")
        );
        assert_eq!(
            m.up[2].unanalysable.as_deref(),
            Some("argument is a function call `buildBackfill(…)`")
        );
        assert_eq!(
            m.up[2].span.unwrap().slice(&text),
            "this.addSql(buildBackfill('user'))"
        );
        // The helper function outside the class is not a migration.
        assert_eq!(file.migrations.len(), 1);
    }

    #[test]
    fn execute_and_knex() {
        let (text, file) = snapshot("Migration20240604000000.ts");
        let [m] = &file.migrations[..] else { panic!() };
        let reasons: Vec<_> = m.up.iter().map(|c| c.unanalysable.as_deref()).collect();
        assert_eq!(
            reasons,
            [
                None,
                Some("`this.execute(…)` runs SQL that is not read statically"),
                Some("query builder call through `knex` is not read statically"),
                Some("query builder call through `this.getKnex` is not read statically"),
            ]
        );
        assert_eq!(sqls(&m.up)[1..], ["", "", ""]);
        assert!(m.up[2]
            .span
            .unwrap()
            .slice(&text)
            .starts_with("knex.schema.alterTable('audit'"));
        assert!(m.up[3]
            .span
            .unwrap()
            .slice(&text)
            .starts_with("this.getKnex().schema.dropTableIfExists"));
    }

    #[test]
    fn typeorm_transaction_false() {
        let (text, file) = snapshot("1718000000000-AddUserIndex.ts");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.tool, Tool::TypeOrm);
        assert_eq!(m.class_name, "AddUserIndex1718000000000");
        assert_eq!(
            m.name_override.as_deref(),
            Some("AddUserIndex1718000000000")
        );
        assert_eq!(m.transactional, Some(false));
        assert_eq!(
            sqls(&m.up)[..2],
            [
                r#"CREATE INDEX CONCURRENTLY "IDX_user_email" ON "user" ("email") "#,
                r#"UPDATE "user" SET "email" = lower("email") WHERE "id" = $1"#,
            ]
        );
        assert_eq!(
            m.up[2].unanalysable.as_deref(),
            Some("TypeORM schema builder call `queryRunner.dropColumn` (drop)")
        );
        // down() names its parameter differently.
        assert_eq!(
            sqls(down(m))[0],
            r#"DROP INDEX CONCURRENTLY "public"."IDX_user_email""#
        );
        assert_eq!(
            down(m)[1].unanalysable.as_deref(),
            Some("TypeORM schema builder call `qr.addColumn`")
        );
        assert_lands(&text, &m.up[1], "$1", 0);
    }

    #[test]
    fn typeorm_compiled_javascript() {
        let (_, file) = snapshot("1718000000001-CreatePost.js");
        let [m] = &file.migrations[..] else { panic!() };
        assert_eq!(m.tool, Tool::TypeOrm);
        assert_eq!(m.class_name, "CreatePost1718000000001");
        assert_eq!(sqls(down(m)), [r#"DROP TABLE "post""#]);
    }

    #[test]
    fn syntax_errors_are_problems() {
        let (_, file) = snapshot("Migration20240605000000.ts");
        assert_eq!(file.problems.len(), 1);
        assert!(file.problems[0].message.starts_with("syntax error: "));
    }

    #[test]
    fn declarations_and_unrelated_files_yield_nothing() {
        let text = fixture("Migration20240115103045.ts");
        assert!(extract("types/Migration20240115103045.d.ts", &text)
            .migrations
            .is_empty());
        assert!(extract("x.d.mts", &text).migrations.is_empty());
        assert_eq!(
            extract("src/Migration20240115103045.mts", &text)
                .migrations
                .len(),
            1
        );
        let plain = "export class UserService { async up(x: number) { return x + 1; } }\n";
        let file = extract("user.service.ts", plain);
        assert!(file.migrations.is_empty() && file.problems.is_empty());
        let other = "class Foo extends Bar { async up() { this.addSql('x'); } }";
        assert!(extract("foo.ts", other).migrations.is_empty());
        assert!(extract("empty.ts", "").migrations.is_empty());
    }

    #[test]
    fn pre_filter() {
        assert!(may_contain_migration("class X extends Migration {}"));
        assert!(may_contain_migration("implements MigrationInterface"));
        assert!(may_contain_migration("queryRunner.query('x')"));
        assert!(!may_contain_migration("export const x = 1;"));
    }

    #[test]
    fn class_expressions_and_property_methods() {
        let text = "const { Migration } = require('@mikro-orm/migrations');\n\
            const M1 = class extends Migration {\n\
              up = async () => { this.addSql('select 1'); };\n\
              isTransactional = () => false;\n\
            };\n\
            module.exports.M2 = class extends Migration { async up() { this.addSql(`select 2`); } };\n";
        let file = extract("m.js", text);
        let names: Vec<_> = file
            .migrations
            .iter()
            .map(|m| m.class_name.as_str())
            .collect();
        assert_eq!(names, ["M1", "M2"]);
        assert_eq!(sqls(&file.migrations[0].up), ["select 1"]);
        assert_eq!(file.migrations[0].transactional, Some(false));
        assert_eq!(sqls(&file.migrations[1].up), ["select 2"]);
    }

    #[test]
    fn builder_variables() {
        let text = "class M extends Migration { async up() {\n\
            const em = this.getEntityManager();\n\
            this.addSql('select 1');\n\
            await em.nativeDelete(User, {});\n\
            const knex = this.getKnex();\n\
            await seed(knex);\n\
            await this.ctx.raw('select 2');\n\
        } }";
        let file = extract("m.ts", text);
        let up = &file.migrations[0].up;
        let reasons: Vec<_> = up.iter().map(|c| c.unanalysable.as_deref()).collect();
        assert_eq!(
            reasons,
            [
                None,
                Some("query builder call through `em` is not read statically"),
                Some("query builder `knex` taken from `this.getKnex` is not read statically"),
                Some("query builder call through `this.ctx` is not read statically"),
            ]
        );
        assert_eq!(up[2].span.unwrap().slice(text), "knex = this.getKnex()");
    }

    #[test]
    fn escapes_decode_and_map() {
        let text = r#"class M extends Migration { up() {
            this.addSql('a\tb\x41\u0042\u{43}\u{1F600}\uD83D\uDE00\0\101é\é\
c');
            this.addSql(`x\
y\r\n`);
        } }"#;
        let file = extract("m.ts", text);
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let up = &file.migrations[0].up;
        assert_eq!(sql(&up[0]), "a\tbABC😀😀\0Aééc");
        assert_eq!(sql(&up[1]), "xy\r\n");
        assert_all_faithful(text, &file);
        assert_lands(text, &up[0], "c", 0);
    }

    #[test]
    fn crlf_in_templates_becomes_lf() {
        let text = "class M extends Migration { up() { this.addSql(`a\r\nb`); } }";
        let file = extract("m.ts", text);
        let chunk = &file.migrations[0].up[0];
        assert_eq!(sql(chunk), "a\nb");
        assert_faithful(text, chunk);
        assert_eq!(chunk.map.to_file(2), text.find('b').unwrap());
    }

    #[test]
    fn many_migrations_extract_quickly() {
        let mut text = String::from("import { Migration } from '@mikro-orm/migrations';\n");
        for i in 0..1000 {
            text.push_str(&format!(
                "export class Migration{i:014} extends Migration {{\n  async up(): Promise<void> {{\n    this.addSql('create table \"t{i}\" (\"id\" serial primary key, \"name\" text not null default \\'x\\');');\n    this.addSql(`alter table \"t{i}\" add column \"n\" int;`);\n  }}\n  async down(): Promise<void> {{\n    this.addSql('drop table \"t{i}\";');\n  }}\n}}\n"
            ));
        }
        let start = std::time::Instant::now();
        let file = extract("all.ts", &text);
        let elapsed = start.elapsed();
        assert_eq!(file.migrations.len(), 1000);
        assert!(file.migrations.iter().all(|m| m.up.len() == 2));
        // Generous for unoptimised test builds; release is far below a second.
        assert!(elapsed.as_secs() < 10, "{elapsed:?}");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let concat = format!(
            "class M extends Migration {{ up() {{ this.addSql({}'x'); }} }}",
            "'a' + ".repeat(20_000)
        );
        let file = extract("m.ts", &concat);
        assert_eq!(sql(&file.migrations[0].up[0]).len(), 20_001);
        let parens = format!("const x = {}1{};", "(".repeat(2_000), ")".repeat(2_000));
        let _ = extract("m.ts", &parens);
    }

    const FRAGMENTS: &[&str] = &[
        "this.addSql(",
        "'",
        "\"",
        "`",
        "${",
        "}",
        "\\",
        "\\u{",
        "\\x",
        "class X extends Migration {",
        "async up() {",
        "down(qr) {",
        "}",
        ")",
        ";",
        "+",
        "sql",
        "\n",
        "\r\n",
        "é",
        "😀",
        "queryRunner.query(",
        "implements MigrationInterface",
        "this.execute(",
        "this.getKnex()",
        ".schema",
        "isTransactional() { return false }",
        "override name = ",
        "import { Migration as M } from 'x';",
        "extends M {",
        "/*",
        "*/",
        "//",
        " ",
    ];

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,300}", ext in prop::sample::select(vec!["ts", "js", "tsx", "cjs", "mts"])) {
            let file = extract(&format!("m.{ext}"), &text);
            for chunk in all_chunks(&file) {
                let _ = chunk.map.to_file(sql(chunk).len());
            }
        }

        #[test]
        fn never_panics_on_ts_fragments(parts in prop::collection::vec(prop::sample::select(FRAGMENTS.to_vec()), 0..60), ext in prop::sample::select(vec!["ts", "js"])) {
            let text: String = parts.concat();
            let file = extract(&format!("m.{ext}"), &text);
            for chunk in all_chunks(&file) {
                for (i, _) in sql(chunk).char_indices() {
                    prop_assert!(chunk.map.to_file(i) < text.len());
                }
            }
        }

        #[test]
        fn never_loses_an_add_sql_call(
            statements in prop::collection::vec(
                (
                    prop::collection::vec(prop::sample::select(vec![
                        "a", "Z", " ", "'", "\"", "`", "\\", "$", "{", "}", "${", "\n", "\r", "\t", "é", "😀",
                        "\u{2028}", "\0", "create table \"t\" (", ");", "--", "$$",
                    ]), 0..20),
                    0u8..3,
                    prop::collection::vec(0u8..4, 20),
                    0usize..4,
                ),
                1..8,
            ),
        ) {
            let mut text = String::from("import { Migration } from '@mikro-orm/migrations';\n\nexport class M extends Migration {\n  override async up(): Promise<void> {\n");
            let mut expected = Vec::new();
            for (parts, style, escapes, split) in &statements {
                let sql: String = parts.concat();
                let literal = emit(parts, *style, escapes, *split);
                text.push_str(&format!("    this.addSql({literal});\n"));
                expected.push(sql);
            }
            text.push_str("  }\n}\n");
            let file = extract("m.ts", &text);
            prop_assert!(file.problems.is_empty(), "{:?}\n{}", file.problems, text);
            prop_assert_eq!(file.migrations.len(), 1);
            let got: Vec<String> = file.migrations[0].up.iter().map(|c| sql(c).to_string()).collect();
            prop_assert_eq!(&got, &expected, "{}", text);
            for chunk in &file.migrations[0].up {
                prop_assert!(chunk.unanalysable.is_none());
                assert_faithful(&text, chunk);
            }
        }
    }

    /// A JS literal (or concatenation of literals) for the SQL made of `parts`: quote style 0 '…',
    /// 1 "…", 2 `…`; `escapes` picks how optional escapes are written; `split` cuts it into
    /// several `+`-joined literals.
    fn emit(parts: &[&str], style: u8, escapes: &[u8], split: usize) -> String {
        let quote = ['\'', '"', '`'][style as usize];
        let mut out = String::new();
        out.push(quote);
        let all: Vec<char> = parts.concat().chars().collect();
        let mut at = 0;
        for (n, part) in parts.iter().enumerate() {
            if split > 0 && n > 0 && n % (split + 1) == 0 {
                out.push(quote);
                out.push_str(" +\n      ");
                out.push(quote);
            }
            let choice = escapes[n % escapes.len()];
            for c in part.chars() {
                at += 1;
                let next = all.get(at).copied();
                match c {
                    '\\' => out.push_str("\\\\"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    '$' if style == 2 && (next == Some('{') || choice == 1) => out.push_str("\\$"),
                    '\n' if style == 2 && choice != 0 => out.push('\n'),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' if choice == 2 => out.push_str("\\t"),
                    '\0' => out.push_str("\\0"),
                    '\u{2028}' => out.push_str("\\u2028"),
                    'é' if choice == 1 => out.push_str("\\xe9"),
                    'é' if choice == 2 => out.push_str("\\u00E9"),
                    '😀' if choice == 1 => out.push_str("\\u{1F600}"),
                    '😀' if choice == 2 => out.push_str("\\uD83D\\uDE00"),
                    'a' if choice == 3 => out.push_str("\\a"),
                    '"' | '\'' | '`' if choice == 3 => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
        }
        out.push(quote);
        out
    }
}
