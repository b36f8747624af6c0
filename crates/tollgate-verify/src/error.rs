//! The one error type of the crate.

use std::fmt;

/// Everything that can go wrong while providing a server or reading its catalog.
///
/// Each variant's [`Display`](fmt::Display) is a single line that says what failed and, where the
/// user can do something about it, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// No usable PostgreSQL server binaries, or no way to run them (e.g. running as root without an
    /// unprivileged user). The text is the complete message, including what to do.
    NoServer(String),
    /// `initdb` or `pg_ctl start` failed; the text includes their output and the last lines of
    /// the server log.
    ServerStart(String),
    /// The server could not be reached or refused the login.
    Connect(String),
    /// A statement failed on a connected server.
    Sql(String),
    /// A local file or process operation failed; the text names what was being done.
    Io(String),
    /// `--database-url` is not a `postgres://` URL.
    BadUrl(String),
    /// A scratch database of this name already exists; tollgate never touches a database it did
    /// not create.
    ScratchExists(String),
    /// The server or role cannot do what verification needs (too old a server, no `CREATEDB`).
    /// The text is the complete message, including what to do.
    Unsupported(String),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::NoServer(msg) | VerifyError::Unsupported(msg) => f.write_str(msg),
            VerifyError::ServerStart(msg) => write!(
                f,
                "could not start a throwaway PostgreSQL server: {msg}; pass --database-url to use a running server instead"
            ),
            VerifyError::Connect(msg) => write!(
                f,
                "cannot connect to PostgreSQL: {msg}; check --database-url and that the server is running"
            ),
            VerifyError::Sql(msg) => write!(f, "PostgreSQL statement failed: {msg}"),
            VerifyError::Io(msg) => f.write_str(msg),
            VerifyError::BadUrl(msg) => write!(
                f,
                "invalid --database-url: {msg}; expected postgres://user[:password]@host[:port]/database"
            ),
            VerifyError::ScratchExists(name) => write!(
                f,
                "a database named `{name}` already exists; tollgate only uses databases it creates itself, so it stopped — drop that database or run again"
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

/// One line from any text: line breaks become ` | `, runs of blanks one space.
pub(crate) fn one_line(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The text of a sqlx error, with PostgreSQL's SQLSTATE when there is one.
pub(crate) fn sqlx_text(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => one_line(&format!("{} (SQLSTATE {code})", db.message())),
            None => one_line(db.message()),
        },
        other => one_line(&other.to_string()),
    }
}

/// A failed statement (`what` says which).
pub(crate) fn sql_error(what: &str, err: &sqlx::Error) -> VerifyError {
    VerifyError::Sql(format!("{what}: {}", sqlx_text(err)))
}
