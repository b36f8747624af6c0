//! The foundation of `tollgate verify`, which runs migrations on a real PostgreSQL and proves
//! that every down migration reverses its up migration.
//!
//! - [`Server`] provides the server: a throwaway [`Cluster`] started for the run (run as the
//!   `postgres` user when tollgate runs as root), or a running server given by URL. It hands out
//!   [`ScratchDb`]s, fresh databases with random names.
//! - [`snapshot`] reads a database's schema from the catalogs into a [`Snapshot`]; [`diff`] tells
//!   what differs between two, one readable [`Change`] per difference.
//! - [`stop_all_clusters`] stops and deletes every live cluster, for a Ctrl-C handler.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tollgate_verify::VerifyError> {
//! use tollgate_verify::{diff, snapshot, Server, ServerOptions};
//! let server = Server::start(&ServerOptions::default()).await?;
//! let db = server.scratch().await?;
//! let mut conn = db.connect().await?;
//! let before = snapshot(&mut conn).await?;
//! // … run an up and its down migration on `conn` …
//! let after = snapshot(&mut conn).await?;
//! for change in diff(&before, &after) {
//!     println!("{}", change.message);
//! }
//! drop(conn);
//! db.drop_db().await?;
//! server.shutdown().await;
//! # Ok(()) }
//! ```

pub mod data;
mod diff;
mod error;
mod et;
pub mod run;
mod server;
mod snapshot;
mod tracker;

pub use diff::{diff, Change, ChangeKind};
pub use error::VerifyError;
pub use server::{
    connect, stop_all_clusters, Cluster, ScratchDb, Server, ServerOptions, CLUSTER_SUPERUSER,
    SCRATCH_PREFIX, SERVER_OS_USER,
};
pub use snapshot::{
    qualify, snapshot, Column, Function, Index, Sequence, Snapshot, Table, Trigger, View,
};
pub use tracker::{SnapshotMode, Tracker, TrackerStats};
