//! Migration sources: how each tool lays out, orders and wraps its migrations.
//!
//! Everything here is pure: callers hand in paths and texts, and get back migrations with
//! [`crate::source::SqlPart`]s whose chunks map every byte back into the user's files.

pub mod layout;
pub mod load;
pub mod typescript;

use serde::Serialize;

/// The tool that runs a migration. It decides the file layout, the order, the transaction
/// wrapping and what counts as a down migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    /// A plain `.sql` file with no known tool conventions.
    Plain,
    GolangMigrate,
    Sqlx,
    Diesel,
    Dbmate,
    Flyway,
    Liquibase,
    Prisma,
    Ory,
    MikroOrm,
    TypeOrm,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Plain => "plain",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Sqlx => "sqlx",
            Tool::Diesel => "diesel",
            Tool::Dbmate => "dbmate",
            Tool::Flyway => "flyway",
            Tool::Liquibase => "liquibase",
            Tool::Prisma => "prisma",
            Tool::Ory => "ory",
            Tool::MikroOrm => "mikro-orm",
            Tool::TypeOrm => "typeorm",
        }
    }

    pub fn parse(s: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Every tool, in declaration order.
    pub const ALL: [Tool; 11] = [
        Tool::Plain,
        Tool::GolangMigrate,
        Tool::Sqlx,
        Tool::Diesel,
        Tool::Dbmate,
        Tool::Flyway,
        Tool::Liquibase,
        Tool::Prisma,
        Tool::Ory,
        Tool::MikroOrm,
        Tool::TypeOrm,
    ];
}
