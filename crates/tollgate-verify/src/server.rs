//! The PostgreSQL server that `tollgate verify` runs migrations on: either a throwaway cluster
//! started for the run ([`Cluster`]) or a running server given with `--database-url`; and the
//! scratch databases created on it ([`ScratchDb`]).
//!
//! PostgreSQL refuses to run as root. When tollgate runs as root (containers, CI), every server
//! program runs as the unprivileged `postgres` user through `runuser` (or `su` where `runuser`
//! is missing), in a temporary directory handed to that user.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use sqlx::{Connection, PgConnection, Row};

use crate::error::{one_line, sql_error, sqlx_text, VerifyError};

/// The oldest server `verify` works with: `DROP DATABASE … WITH (FORCE)` needs 13 and the catalog
/// snapshot reads `pg_get_function_sqlbody`, which arrived in 14.
const MIN_SERVER_VERSION_NUM: i32 = 140_000;

/// The superuser that [`Cluster`] creates with `initdb`.
pub const CLUSTER_SUPERUSER: &str = "tollgate";

/// The unprivileged system user that runs the server programs when tollgate runs as root.
pub const SERVER_OS_USER: &str = "postgres";

/// Prefix of every scratch database's name.
pub const SCRATCH_PREFIX: &str = "tollgate_verify_";

/// How the caller wants a server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// A running server to use (`--database-url`), as a `postgres://` URL to a database the role
    /// can connect to; the role needs `CREATEDB` (or superuser). `None` starts a throwaway cluster.
    pub database_url: Option<String>,
    /// Where `initdb`, `pg_ctl` and `postgres` are. `None` searches `TOLLGATE_PG_BIN`, then `PATH`,
    /// then the usual install locations (highest version first).
    pub pg_bin_dir: Option<PathBuf>,
}

/// The server migrations are verified on.
#[derive(Debug)]
pub enum Server {
    /// A cluster tollgate started and owns: stopped and deleted by [`Server::shutdown`] or on drop.
    Ephemeral(Cluster),
    /// A server the user runs (`--database-url`); tollgate only creates and drops its own scratch
    /// databases there.
    External {
        /// The URL given, used to create and drop scratch databases.
        admin_url: String,
    },
}

impl Server {
    /// `--database-url` given → [`Server::External`], after checking that it connects, that the
    /// server is PostgreSQL 14 or later and that the role may create databases; otherwise starts
    /// a throwaway [`Cluster`] (a second or two).
    pub async fn start(opts: &ServerOptions) -> Result<Server, VerifyError> {
        if let Some(url) = &opts.database_url {
            check_admin(url).await?;
            return Ok(Server::External {
                admin_url: url.clone(),
            });
        }
        let bin_dir = opts.pg_bin_dir.clone();
        let cluster = tokio::task::spawn_blocking(move || Cluster::start(bin_dir.as_deref()))
            .await
            .map_err(|e| VerifyError::Io(format!("the cluster start-up task failed: {e}")))??;
        if let Err(e) = check_admin(cluster.admin_url()).await {
            let _ = tokio::task::spawn_blocking(move || drop(cluster)).await;
            return Err(e);
        }
        Ok(Server::Ephemeral(cluster))
    }

    /// The URL of the server's administrative database (where scratch databases are created and
    /// dropped from).
    pub fn admin_url(&self) -> &str {
        match self {
            Server::Ephemeral(cluster) => cluster.admin_url(),
            Server::External { admin_url } => admin_url,
        }
    }

    /// A fresh, empty scratch database named `tollgate_verify_<16 random hex digits>`, created from
    /// `template0`. Refuses with [`VerifyError::ScratchExists`] if a database of that name already
    /// exists. Drop it with [`ScratchDb::drop_db`]; on an ephemeral cluster it also goes away with
    /// the cluster.
    pub async fn scratch(&self) -> Result<ScratchDb, VerifyError> {
        self.scratch_named(&random_scratch_name()?).await
    }

    /// Like [`Server::scratch`] with a chosen name (letters, digits and `_`, at most 63 bytes).
    /// Refuses with [`VerifyError::ScratchExists`] if that database already exists.
    pub async fn scratch_named(&self, name: &str) -> Result<ScratchDb, VerifyError> {
        if name.is_empty()
            || name.len() > 63
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(VerifyError::Io(format!(
                "`{name}` is not a valid scratch database name (letters, digits and _, at most 63 bytes)"
            )));
        }
        let admin_url = self.admin_url().to_string();
        let url = database_url(&admin_url, name)?;
        let mut conn = connect(&admin_url).await?;
        let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_optional(&mut conn)
            .await
            .map_err(|e| sql_error("looking for the scratch database", &e))?;
        if exists.is_some() {
            let _ = conn.close().await;
            return Err(VerifyError::ScratchExists(name.to_string()));
        }
        let create = format!("CREATE DATABASE {} TEMPLATE template0", quote_ident(name));
        let created = sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
        match created {
            Ok(_) => Ok(ScratchDb {
                name: name.to_string(),
                url,
                admin_url,
            }),
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P04") => {
                Err(VerifyError::ScratchExists(name.to_string()))
            }
            Err(e) => Err(sql_error(
                &format!("creating scratch database `{name}`"),
                &e,
            )),
        }
    }

    /// Stops and deletes an ephemeral cluster (waiting for it); does nothing for an external one.
    pub async fn shutdown(self) {
        if let Server::Ephemeral(cluster) = self {
            let _ = tokio::task::spawn_blocking(move || drop(cluster)).await;
        }
    }
}

/// A database tollgate created for one verification run.
#[derive(Debug)]
pub struct ScratchDb {
    /// The database's name (`tollgate_verify_<16 hex digits>`).
    pub name: String,
    /// A URL that connects to it (the server's admin URL with the database replaced).
    pub url: String,
    admin_url: String,
}

impl ScratchDb {
    /// Opens a connection to the scratch database.
    pub async fn connect(&self) -> Result<PgConnection, VerifyError> {
        connect(&self.url).await
    }

    /// Drops the database with `DROP DATABASE … WITH (FORCE)`, which ends sessions still
    /// connected to it. Dropping an already dropped database is not an error.
    pub async fn drop_db(self) -> Result<(), VerifyError> {
        let mut conn = connect(&self.admin_url).await?;
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&self.name)
        );
        let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
        result
            .map(|_| ())
            .map_err(|e| sql_error(&format!("dropping scratch database `{}`", self.name), &e))
    }
}

/// Connects to `url`, mapping failures to [`VerifyError::BadUrl`] or [`VerifyError::Connect`].
pub async fn connect(url: &str) -> Result<PgConnection, VerifyError> {
    check_url(url)?;
    PgConnection::connect(url).await.map_err(|e| match e {
        sqlx::Error::Configuration(_) => VerifyError::BadUrl(sqlx_text(&e)),
        _ => VerifyError::Connect(format!("{}: {}", redact(url), sqlx_text(&e))),
    })
}

/// Checks that `url` connects and is good enough to create scratch databases from.
async fn check_admin(url: &str) -> Result<(), VerifyError> {
    let mut conn = connect(url).await?;
    let row = sqlx::query(
        "SELECT current_setting('server_version_num')::int4, \
                current_setting('server_version'), \
                current_user::text, \
                (SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user)",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| sql_error("checking the server", &e));
    let _ = conn.close().await;
    let row = row?;
    let get = |e: sqlx::Error| sql_error("checking the server", &e);
    let version_num: i32 = row.try_get(0).map_err(get)?;
    let version: String = row.try_get(1).map_err(get)?;
    let user: String = row.try_get(2).map_err(get)?;
    let may_create: Option<bool> = row.try_get(3).map_err(get)?;
    if version_num < MIN_SERVER_VERSION_NUM {
        return Err(VerifyError::Unsupported(format!(
            "PostgreSQL {version} is too old for tollgate verify, which needs 14 or later; point --database-url at a newer server"
        )));
    }
    if may_create != Some(true) {
        return Err(VerifyError::Unsupported(format!(
            "role `{user}` may not create databases, which tollgate verify needs for its scratch databases; run `ALTER ROLE {} CREATEDB` or use another role in --database-url",
            quote_ident(&user)
        )));
    }
    Ok(())
}

fn check_url(url: &str) -> Result<url::Url, VerifyError> {
    let parsed = url::Url::parse(url).map_err(|e| VerifyError::BadUrl(format!("{e}")))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(VerifyError::BadUrl(format!(
            "scheme `{}` is not postgres://",
            parsed.scheme()
        )));
    }
    Ok(parsed)
}

/// `url` pointing at database `name` instead.
fn database_url(url: &str, name: &str) -> Result<String, VerifyError> {
    let mut parsed = check_url(url)?;
    parsed.set_path(&format!("/{name}"));
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .filter(|(k, _)| k != "dbname")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    Ok(parsed.to_string())
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "the URL".to_string(),
    }
}

/// A double-quoted SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn random_scratch_name() -> Result<String, VerifyError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| VerifyError::Io(format!("cannot get random bytes for a name: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{SCRATCH_PREFIX}{hex}"))
}

// ---------------------------------------------------------------------------------------------
// The throwaway cluster.

/// A PostgreSQL cluster tollgate created in a temporary directory and started on a free loopback
/// port, with a trusted superuser `tollgate`.
///
/// Dropping it stops the server (`pg_ctl stop -m immediate`) and deletes the directory, also when
/// [`Server::shutdown`] was never called (an error, a panic). [`stop_all_clusters`] does the same
/// for every live cluster, for a Ctrl-C handler. Drop blocks for as long as `pg_ctl stop` takes
/// (well under a second).
#[derive(Debug)]
pub struct Cluster {
    id: u64,
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    run_as: Option<RunAs>,
    admin_url: String,
}

/// The unprivileged user the server programs run as when tollgate runs as root.
#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: u32,
    gid: u32,
    /// `runuser`, or `None` to use `su`.
    runuser: Option<PathBuf>,
    su: PathBuf,
}

/// What [`stop_all_clusters`] and [`Cluster`]'s drop need to stop a cluster and delete it.
#[derive(Debug)]
struct LiveCluster {
    id: u64,
    pg_ctl: PathBuf,
    dir: PathBuf,
    run_as: Option<RunAs>,
}

static LIVE: Mutex<Vec<LiveCluster>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Stops and deletes every cluster this process started that is still running. Meant for a
/// Ctrl-C handler that then exits (call it from an ordinary thread, e.g. a `tokio::signal` task;
/// it is not async-signal-safe). Clusters stopped this way are not touched again when their
/// [`Cluster`] value is dropped later.
pub fn stop_all_clusters() {
    let live: Vec<LiveCluster> = std::mem::take(&mut *lock_live());
    for cluster in live {
        stop_and_remove(&cluster);
    }
}

fn lock_live() -> std::sync::MutexGuard<'static, Vec<LiveCluster>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Cluster {
    /// Creates and starts a cluster, blocking (a second or two). `bin_dir` is where `initdb`,
    /// `pg_ctl` and `postgres` are (`None`: search, see [`ServerOptions::pg_bin_dir`]).
    pub fn start(bin_dir: Option<&Path>) -> Result<Cluster, VerifyError> {
        let bin = find_binaries(bin_dir)?;
        let run_as = if is_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };
        let dir = make_temp_dir(run_as.as_ref())?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        lock_live().push(LiveCluster {
            id,
            pg_ctl: bin.join("pg_ctl"),
            dir: dir.clone(),
            run_as: run_as.clone(),
        });
        // From here on, dropping `cluster` (an error below) stops and deletes it.
        let mut cluster = Cluster {
            id,
            dir,
            bin,
            port: 0,
            run_as,
            admin_url: String::new(),
        };
        cluster.init()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            cluster.port = free_port()?;
            match cluster.start_server() {
                Ok(()) => break,
                Err(_) if attempt < 3 && cluster.port_was_taken() => continue,
                Err(e) => return Err(e),
            }
        }
        cluster.admin_url = format!(
            "postgres://{CLUSTER_SUPERUSER}@127.0.0.1:{}/postgres",
            cluster.port
        );
        Ok(cluster)
    }

    /// `postgres://tollgate@127.0.0.1:PORT/postgres`.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The loopback TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory holding everything (data directory, socket, log); deleted on drop.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The data directory (`initdb -D`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The server log (`pg_ctl -l`).
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// The directory of the server programs used.
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    /// The last `lines` non-empty lines of the server log, joined into one line with ` | `.
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log_path(), lines)
    }

    fn init(&self) -> Result<(), VerifyError> {
        let data = path_str(&self.data_dir())?;
        let out = self.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                CLUSTER_SUPERUSER,
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        if !out.status.success() {
            return Err(VerifyError::ServerStart(format!(
                "initdb failed ({}): {}",
                out.status,
                output_text(&out)
            )));
        }
        Ok(())
    }

    fn start_server(&self) -> Result<(), VerifyError> {
        let data = path_str(&self.data_dir())?;
        let log = path_str(&self.log_path())?;
        let socket = path_str(&self.dir)?;
        if socket.contains('\'') {
            return Err(VerifyError::Io(format!(
                "the temporary directory {socket} contains a quote; set TMPDIR to a plain path"
            )));
        }
        // A fresh log per attempt, so that `port_was_taken` reads this attempt's failure only.
        let _ = std::fs::remove_file(self.log_path());
        let options = format!(
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off \
             -c listen_addresses=127.0.0.1 -p {} -k '{socket}'",
            self.port
        );
        let out = self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        )?;
        if !out.status.success() {
            return Err(VerifyError::ServerStart(format!(
                "pg_ctl start failed ({}): {}; server log: {}",
                out.status,
                output_text(&out),
                self.log_tail(6)
            )));
        }
        Ok(())
    }

    /// Whether the last start failed because another process took the port meanwhile.
    fn port_was_taken(&self) -> bool {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        log.contains("could not bind") || log.contains("Address already in use")
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<Output, VerifyError> {
        let exe = self.bin.join(program);
        run_program(&exe, args, self.run_as.as_ref(), &self.dir).map_err(|e| {
            VerifyError::Io(format!(
                "cannot run {}: {e}{}",
                exe.display(),
                if self.run_as.is_some() {
                    format!(" (as user `{SERVER_OS_USER}`)")
                } else {
                    String::new()
                }
            ))
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let entry = {
            let mut live = lock_live();
            live.iter()
                .position(|c| c.id == self.id)
                .map(|i| live.swap_remove(i))
        };
        if let Some(entry) = entry {
            stop_and_remove(&entry);
        }
    }
}

/// Stops the server if it runs (immediate mode: no checkpoint, the data is thrown away anyway),
/// then deletes the directory. Best effort: never panics.
fn stop_and_remove(cluster: &LiveCluster) {
    let data = cluster.dir.join("data");
    let pid_file = data.join("postmaster.pid");
    if pid_file.exists() {
        if let Ok(data_str) = path_str(&data) {
            let _ = run_program(
                &cluster.pg_ctl,
                &["-D", &data_str, "-m", "immediate", "-w", "-t", "30", "stop"],
                cluster.run_as.as_ref(),
                &cluster.dir,
            );
        }
        // pg_ctl failed or is gone: kill the postmaster ourselves.
        if let Some(pid) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<u32>().ok()))
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
    let _ = std::fs::remove_dir_all(&cluster.dir);
}

/// Runs `exe args…` in `cwd`, as `run_as` when given, and collects its output.
fn run_program(
    exe: &Path,
    args: &[&str],
    run_as: Option<&RunAs>,
    cwd: &Path,
) -> std::io::Result<Output> {
    let mut cmd = match run_as {
        None => {
            let mut c = Command::new(exe);
            c.args(args);
            c
        }
        Some(user) => match &user.runuser {
            Some(runuser) => {
                let mut c = Command::new(runuser);
                c.args(["-u", &user.name, "--"]).arg(exe).args(args);
                c
            }
            None => {
                let exe = exe.to_str().ok_or_else(|| {
                    std::io::Error::other(format!("{} is not UTF-8", exe.display()))
                })?;
                let mut line = format!("exec {}", shell_quote(exe));
                for arg in args {
                    line.push(' ');
                    line.push_str(&shell_quote(arg));
                }
                let mut c = Command::new(&user.su);
                c.args(["-s", "/bin/sh", &user.name, "-c", &line]);
                c
            }
        },
    };
    cmd.current_dir(cwd)
        .env_remove("PGDATA")
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .env_remove("PGOPTIONS")
        .stdin(Stdio::null())
        .output()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn output_text(out: &Output) -> String {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let line = one_line(&text);
    if line.is_empty() {
        "no output".to_string()
    } else {
        line
    }
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let kept: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &kept[kept.len().saturating_sub(lines)..];
    if tail.is_empty() {
        "(empty)".to_string()
    } else {
        one_line(&tail.join("\n"))
    }
}

fn path_str(path: &Path) -> Result<String, VerifyError> {
    path.to_str().map(str::to_string).ok_or_else(|| {
        VerifyError::Io(format!(
            "the path {} is not UTF-8; set TMPDIR to a plain path",
            path.display()
        ))
    })
}

fn free_port() -> Result<u16, VerifyError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| VerifyError::Io(format!("cannot find a free port on 127.0.0.1: {e}")))
}

/// The directory holding `initdb`, `pg_ctl` and `postgres`.
fn find_binaries(bin_dir: Option<&Path>) -> Result<PathBuf, VerifyError> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    let given = bin_dir
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("TOLLGATE_PG_BIN").map(PathBuf::from));
    if let Some(dir) = given {
        return if complete(&dir) {
            Ok(dir)
        } else {
            Err(VerifyError::NoServer(format!(
                "{} does not hold PostgreSQL's initdb, pg_ctl and postgres; give PostgreSQL's bin directory, or pass --database-url",
                dir.display()
            )))
        };
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if complete(&dir) {
                return Ok(dir);
            }
        }
    }
    let mut candidates: Vec<(Vec<u32>, PathBuf)> = Vec::new();
    let mut scan = |parent: &str, prefix: &str| {
        if let Ok(entries) = std::fs::read_dir(parent) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(rest) = name.strip_prefix(prefix) {
                    candidates.push((version_key(rest), entry.path().join("bin")));
                }
            }
        }
    };
    scan("/usr/lib/postgresql", "");
    scan("/usr", "pgsql-");
    scan("/opt/homebrew/opt", "postgresql");
    scan("/usr/local/opt", "postgresql");
    candidates.push((Vec::new(), PathBuf::from("/usr/local/pgsql/bin")));
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .map(|(_, dir)| dir)
        .find(|dir| complete(dir))
        .ok_or_else(|| {
            VerifyError::NoServer(
                "no PostgreSQL server binaries found (looked on PATH and in /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin, /opt/homebrew/opt/postgresql*/bin); install postgresql or pass --database-url"
                    .to_string(),
            )
        })
}

/// `"15"` → `[15]`, `"@16"` → `[16]`, `"-9.6"` → `[9, 6]`; no digits → `[]`.
fn version_key(s: &str) -> Vec<u32> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    if let Ok(meta) = std::fs::metadata("/proc/self") {
        return meta.uid() == 0;
    }
    id_number(&["-u"]) == Some(0)
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

fn id_number(args: &[&str]) -> Option<u32> {
    let out = Command::new("id")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// The `postgres` system user and how to switch to it, or what to do when there is none.
fn unprivileged_user() -> Result<RunAs, VerifyError> {
    let (Some(uid), Some(gid)) = (
        id_number(&["-u", SERVER_OS_USER]),
        id_number(&["-g", SERVER_OS_USER]),
    ) else {
        return Err(VerifyError::NoServer(format!(
            "PostgreSQL refuses to run as root and there is no unprivileged `{SERVER_OS_USER}` user to run it as; create an unprivileged user, e.g. `useradd -r {SERVER_OS_USER}`, or pass --database-url"
        )));
    };
    let runuser = find_program("runuser", &["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
    let su = find_program("su", &["/usr/bin", "/bin", "/usr/sbin", "/sbin"]);
    match (runuser, su) {
        (Some(runuser), su) => Ok(RunAs {
            name: SERVER_OS_USER.to_string(),
            uid,
            gid,
            su: su.unwrap_or_default(),
            runuser: Some(runuser),
        }),
        (None, Some(su)) => Ok(RunAs {
            name: SERVER_OS_USER.to_string(),
            uid,
            gid,
            su,
            runuser: None,
        }),
        (None, None) => Err(VerifyError::NoServer(format!(
            "PostgreSQL refuses to run as root and neither runuser nor su is available to run it as `{SERVER_OS_USER}`; install util-linux, run tollgate as an unprivileged user, or pass --database-url"
        ))),
    }
}

fn find_program(name: &str, dirs: &[&str]) -> Option<PathBuf> {
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.iter()
        .map(PathBuf::from)
        .chain(path_dirs)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A new private temporary directory, handed to `run_as` when given. As root, falls back to
/// `/tmp` when the usual temp dir is not reachable by other users.
fn make_temp_dir(run_as: Option<&RunAs>) -> Result<PathBuf, VerifyError> {
    let mut base = std::env::temp_dir();
    if run_as.is_some() && !reachable_by_others(&base) {
        base = PathBuf::from("/tmp");
    }
    let dir = tempfile::Builder::new()
        .prefix("tollgate-verify-")
        .tempdir_in(&base)
        .map_err(|e| {
            VerifyError::Io(format!(
                "cannot create a temporary directory in {}: {e}",
                base.display()
            ))
        })?
        .keep();
    #[cfg(unix)]
    if let Some(user) = run_as {
        if let Err(e) = std::os::unix::fs::chown(&dir, Some(user.uid), Some(user.gid)) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(VerifyError::Io(format!(
                "cannot hand {} to the `{}` user: {e}",
                dir.display(),
                user.name
            )));
        }
    }
    Ok(dir)
}

/// Whether every directory from `/` down to `dir` lets other users through.
#[cfg(unix)]
fn reachable_by_others(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    dir.ancestors().all(|d| {
        std::fs::metadata(d)
            .map(|m| m.permissions().mode() & 0o001 != 0)
            .unwrap_or(false)
    })
}

#[cfg(not(unix))]
fn reachable_by_others(_dir: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically() {
        assert!(version_key("15") > version_key("9.6"));
        assert!(version_key("@16") > version_key("15"));
        assert_eq!(version_key("-13"), vec![13]);
        assert_eq!(version_key(""), Vec::<u32>::new());
    }

    #[test]
    fn database_url_replaces_the_database() {
        assert_eq!(
            database_url("postgres://u:p@h:5/admin?sslmode=disable", "x").unwrap(),
            "postgres://u:p@h:5/x?sslmode=disable"
        );
        assert_eq!(
            database_url("postgresql://u@h", "x").unwrap(),
            "postgresql://u@h/x"
        );
        assert_eq!(
            database_url("postgres://u@h/?dbname=a", "x").unwrap(),
            "postgres://u@h/x"
        );
        assert!(matches!(
            database_url("mysql://u@h/a", "x"),
            Err(VerifyError::BadUrl(_))
        ));
    }

    #[test]
    fn scratch_names_are_random_hex() {
        let a = random_scratch_name().unwrap();
        let b = random_scratch_name().unwrap();
        assert_ne!(a, b);
        let hex = a.strip_prefix(SCRATCH_PREFIX).unwrap();
        assert_eq!(hex.len(), 16);
        assert!(hex.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn log_tail_is_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        assert_eq!(log_tail(&log, 3), "(empty)");
        std::fs::write(&log, "a\n\nb  c\nd\ne\n").unwrap();
        assert_eq!(log_tail(&log, 3), "b c | d | e");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("a'b"), "'a'\\''b'");
    }
}
