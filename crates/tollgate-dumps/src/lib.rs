//! A streaming reader of database dump files that hands every value it finds to a [`Sink`]
//! as a (table, column, value, line) cell. It knows nothing about what the values mean: the
//! consumer (the personal-data classifier) implements [`Sink`].
//!
//! # Design
//!
//! - **Content, not names.** [`scan`] looks at the first 64 KiB of a stream and decides what
//!   it is from magic bytes and text (the file name only breaks a CSV/TSV delimiter tie).
//!   Wrappers are unwrapped and the inner stream sniffed again: gzip, zstd, bzip2, xz (all
//!   pure-Rust decoders), tar and zip (read front to back from local headers, never seeked).
//! - **Readers of formats.** Plain `pg_dump`/`pg_dumpall` and `mysqldump` scripts and SQL
//!   seed files go through one line-fed SQL lexer whose state survives line ends, and a
//!   statement parser that only understands what carries rows (`COPY ... FROM stdin`,
//!   `INSERT ... VALUES`) and the `CREATE TABLE` column order that INSERTs without a column
//!   list need; other statements are skipped to their `;`. COPY data rows bypass the lexer:
//!   split on tabs with `memchr`, passed as `&str` slices of the line buffer, decoded into a
//!   scratch buffer only when a field holds a backslash. CSV/TSV use the `csv` crate.
//! - **SQLite database files** are read row by row by a hand-written reader of the file
//!   format. They need random access, so the stream is copied first: into memory up to
//!   16 MiB, else into an anonymous temporary file read back a page at a time.
//! - **Opaque formats** are reported, not guessed at: pg_dump custom format and a directory
//!   format `toc.dat` (their data blocks are compressed inside the TOC's framing).
//! - **Flat memory, bounded work.** Lines are slices of one buffer capped at
//!   [`MAX_LINE_BYTES`]; every layer of readers is metered against [`Limits`] while it
//!   streams (decompressed bytes, compression ratio per member, nesting depth, archive
//!   members, a deadline), so a zip bomb stops after about a megabyte of output.
//! - **Fail closed.** Anything that stops the scan is a [`ScanError`]; a limit that tripped
//!   inside a decoder that swallowed the error still fails the scan.

mod compress;
mod copy;
mod delimited;
mod lines;
mod meter;
mod scan;
mod sniff;
mod sql;
mod sqlite;

use std::fmt;
use std::io::Read;
use std::time::Instant;

/// The longest line (or single SQL literal, or CSV record) read before giving up.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Receives what [`scan`] reads. Cells arrive in file order.
pub trait Sink {
    /// A table's columns, before its rows (COPY column list, INSERT column list, CSV header,
    /// CREATE TABLE column order for INSERTs without a column list).
    fn columns(&mut self, table: Option<&str>, columns: &[String]);
    /// One value. `line` is 1-based within the (decompressed) member being read (for a
    /// multi-line SQL literal, the line it starts on); in a SQLite database, which has no
    /// lines, it is the 1-based ordinal of the row within its table (in key order). NULLs
    /// are not passed; neither are empty CSV fields, INSERT values that are expressions
    /// rather than literals, nor SQLite BLOBs. SQLite INTEGER and REAL values are passed as
    /// decimal text (a REAL without a fraction has no `.0`).
    fn cell(&mut self, table: Option<&str>, column: Option<&str>, value: &str, line: u64);
    /// One value of the column at `index` in the list last passed to [`Sink::columns`] (the
    /// list of `table`); `column` is that column's name, `None` when the row has more values
    /// than the list has names. Readers call this instead of [`Sink::cell`] when they know the
    /// position (COPY rows, INSERT tuples under a column list), so that a sink can find the
    /// column by index rather than by name. The default forwards to [`Sink::cell`].
    fn cell_at(
        &mut self,
        table: Option<&str>,
        column: Option<&str>,
        index: usize,
        value: &str,
        line: u64,
    ) {
        let _ = index;
        self.cell(table, column, value, line);
    }
    /// The non-NULL values of one row of `table`, each with its position in `columns`, the
    /// list last passed to [`Sink::columns`] (a position past its end has no name), in
    /// order. Readers that know the positions (COPY rows) call this once per row instead of
    /// [`Sink::cell_at`] once per value, so that a sink can find the columns of a row once
    /// and pays one dynamic call per row. The default calls [`Sink::cell_at`] for each value.
    fn row(
        &mut self,
        table: Option<&str>,
        columns: &[String],
        values: &[(usize, &str)],
        line: u64,
    ) {
        for &(index, value) in values {
            let column = columns.get(index).map(String::as_str);
            self.cell_at(table, column, index, value, line);
        }
    }
    /// The stream the next cells come from: `None` for the file itself (even when
    /// compressed), or the path inside an archive (`backup.tar.gz!data/users.csv`, the same
    /// text as [`Scanned::inner_path`]). Called before each stream is read.
    fn member(&mut self, _path: Option<&str>) {}
}

/// Caps on the work one [`scan`] call does.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Decompressed bytes read by the format readers, summed over all members (default 4 GiB).
    pub max_decompressed_bytes: u64,
    /// Output:input ratio of one compressed stream or member, checked once it has produced
    /// more than 1 MiB (default 200).
    pub max_ratio: u64,
    /// Nested archive/compression layers: a `.sql.gz` inside a `.zip` is 2 (default 2).
    pub max_depth: u8,
    /// Members of one archive (default 10 000).
    pub max_entries: usize,
    /// Stop with [`ScanError::Timeout`] past this instant (checked every few MB read).
    pub deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_decompressed_bytes: 4 << 30,
            max_ratio: 200,
            max_depth: 2,
            max_entries: 10_000,
            deadline: None,
        }
    }
}

/// What a stream turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// pg_dump plain SQL with data (COPY blocks or INSERTs), or headerless COPY data (a
    /// directory-format `NNNN.dat`, or a tar-format `.dat` member).
    PgPlain,
    /// pg_dump plain SQL without a single COPY or INSERT: not a data dump.
    PgPlainSchemaOnly,
    /// pg_dumpall plain SQL.
    PgDumpAll,
    /// pg_dump custom format (`-Fc`): opaque.
    PgCustom,
    /// The `toc.dat` of a pg_dump directory format (`-Fd`): opaque; its `NNNN.dat[.gz]` files
    /// are read when scanned on their own.
    PgDirectoryToc,
    /// The `toc.dat` member of a pg_dump tar archive (`-Ft`): it maps the archive's `.dat`
    /// members, reported as [`Format::PgPlain`], to their tables. Opaque when met outside a tar.
    PgTar,
    /// mysqldump output.
    MySql,
    /// A SQL script without a dump header that has INSERT or COPY data: seeds, fixtures.
    SqlInserts,
    /// A SQLite database file, read row by row: each table's columns (from its
    /// `CREATE TABLE`), then its TEXT, INTEGER and REAL values. Its `sqlite_*` internal tables
    /// and virtual tables are skipped (the shadow tables that hold a virtual table's data are
    /// read).
    Sqlite,
    Csv,
    Tsv,
    /// Anything else; nothing was emitted.
    NotADump,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::PgPlain => "pg_dump plain SQL",
            Format::PgPlainSchemaOnly => "pg_dump plain SQL (schema only)",
            Format::PgDumpAll => "pg_dumpall SQL",
            Format::PgCustom => "pg_dump custom format",
            Format::PgDirectoryToc => "pg_dump directory format TOC",
            Format::PgTar => "pg_dump tar format TOC",
            Format::MySql => "MySQL dump",
            Format::SqlInserts => "SQL with data",
            Format::Sqlite => "SQLite database",
            Format::Csv => "CSV",
            Format::Tsv => "TSV",
            Format::NotADump => "not a dump",
        })
    }
}

/// One stream that was read: the file itself, or one member of an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scanned {
    pub format: Format,
    /// The path inside the archive, e.g. `backup.tar.gz!data/users.csv`; `None` for the file
    /// itself (compressed or not).
    pub inner_path: Option<String>,
    /// Rows read: COPY rows, INSERT tuples, CSV records (without the header), SQLite table
    /// rows (all tables).
    pub data_rows: u64,
    /// Data that was not inspected: a format that can't be read row by row (custom format,
    /// encrypted or unsupported zip members), or CSV/binary `COPY` blocks in a SQL script
    /// (their rows are counted, not read).
    pub opaque: bool,
}

/// Why a scan stopped. Nothing read before the error is taken back: the sink has seen it.
#[derive(Debug)]
pub enum ScanError {
    LimitExceeded { what: String },
    Timeout,
    Corrupt { what: String },
    Io(std::io::Error),
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::LimitExceeded { what } if what.contains('\n') => {
                write!(f, "{}", ScanError::LimitExceeded { what: what.replace('\n', " ") })
            }
            ScanError::Corrupt { what } if what.contains('\n') => {
                write!(f, "{}", ScanError::Corrupt { what: what.replace('\n', " ") })
            }
            ScanError::LimitExceeded { what } => write!(
                f,
                "dump scan limit exceeded: {what}; the file is not passed: split or shrink it, or record a reviewed exception (tollgate dumps --write-baseline)"
            ),
            ScanError::Timeout => f.write_str(
                "dump scan timed out; the file is not passed: split or shrink it, or record a reviewed exception (tollgate dumps --write-baseline)",
            ),
            ScanError::Corrupt { what } => write!(
                f,
                "corrupt or unreadable dump: {what}; repair or remove the file, or record a reviewed exception (tollgate dumps --write-baseline)"
            ),
            ScanError::Io(e) => write!(f, "I/O error while reading a dump: {e}"),
        }
    }
}

impl std::error::Error for ScanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScanError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Sniffs the content (never the file name, except as a tie-breaker for CSV vs TSV) and
/// streams it, unwrapping compression and archives, into `sink`. Returns one [`Scanned`]
/// per stream read: the file itself, or each file member of an archive.
pub fn scan(
    reader: impl Read,
    display_name: &str,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Vec<Scanned>, ScanError> {
    let shared = meter::Shared::new(limits);
    if shared.past_deadline() {
        return Err(ScanError::Timeout);
    }
    let root = meter::RootMeter {
        inner: reader,
        shared: shared.clone(),
    };
    let mut scanner = scan::Scanner {
        shared: shared.clone(),
        sink,
        out: Vec::new(),
    };
    let member = scan::Member {
        path: None,
        label: display_name.to_owned(),
        name: display_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(display_name)
            .to_owned(),
        counted: None,
        forced: None,
        in_tar: false,
    };
    let result = scanner.scan_stream(Box::new(root), 0, member);
    if let Some(tripped) = shared.take_trip() {
        return Err(tripped);
    }
    result?;
    Ok(scanner.out)
}
