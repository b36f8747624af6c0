//! tollgate-core: the pure analysis engine of tollgate.
//!
//! It never touches files, the network, processes or the clock, so it builds for
//! `wasm32-unknown-unknown`. The CLI, the verifier and the WASM bindings feed it a
//! [`source::Project`] and render the [`report::Report`] that [`check`] builds.
//!
//! Pipeline: [`split`] (PostgreSQL-aware lexer) → [`analyze`] (sqlparser, per statement) or
//! [`fallback`] (token level) → [`ops`] → [`rules`] → [`policy`] → [`report`].

pub mod analyze;
pub mod anonymize;
pub mod baseline;
pub mod deploy;
mod embedded;
pub mod engine;
pub mod fallback;
pub mod lexer;
pub mod model;
pub mod ops;
pub mod pii;
pub mod policy;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod sources;
pub mod span;
pub mod split;
pub mod suppress;
pub mod types;
pub mod verify;

pub use engine::{check, check_cached, LowerCache};
pub use model::{Class, Level, Severity, TransactionMode};
pub use policy::Policy;
pub use report::Report;
pub use source::{MigrationInput, Project, SourceFile, SourceMap, SqlChunk, SqlPart};
