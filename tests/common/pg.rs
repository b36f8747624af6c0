//! A scratch PostgreSQL cluster for end-to-end tests: `initdb` in a temporary directory, a
//! server on a private Unix socket, stopped and deleted on drop.
//!
//! PostgreSQL refuses to run as root and CI runs as root, so as root every server command runs as
//! the `postgres` system user (Debian's package creates it) through `runuser`. When the cluster
//! cannot be started the test fails with the reason: it never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_user: Option<&'static str>,
}

fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("TOLLGATE_PG_BIN") {
        return PathBuf::from(dir);
    }
    for v in ["18", "17", "16", "15", "14"] {
        let p = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"));
        if p.join("initdb").exists() {
            return p;
        }
    }
    panic!("no PostgreSQL server binaries found (looked in /usr/lib/postgresql/*/bin; set TOLLGATE_PG_BIN)");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    /// Starts a new cluster, or panics with the reason.
    pub fn start() -> Cluster {
        let dir = tempfile::tempdir().expect("temp dir");
        let as_user = is_root().then_some("postgres");
        if let Some(user) = as_user {
            let ok = Command::new("chown")
                .args([&format!("{user}:"), dir.path().to_str().unwrap()])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(
                ok,
                "cannot hand {} to the {user} user",
                dir.path().display()
            );
        }
        let cluster = Cluster {
            dir,
            bin: pg_bin(),
            port: free_port(),
            as_user,
        };
        let data = cluster.data_dir();
        let out = cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
        );
        assert!(out.status.success(), "initdb failed: {}", text(&out));
        let socket = cluster.dir.path().to_str().unwrap().to_string();
        let opts = format!(
            "-c listen_addresses='' -c unix_socket_directories='{socket}' -p {} -c fsync=off -c full_page_writes=off",
            cluster.port
        );
        let log = cluster.dir.path().join("server.log");
        let out = cluster.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "PostgreSQL did not start: {}\n{}",
            text(&out),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        cluster
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A directory the server user can write to (for dumps).
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }

    /// Runs a PostgreSQL client or server program as the cluster's user.
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(program);
        let mut cmd = match self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.args(args)
            .env("PGHOST", self.dir.path())
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", "postgres")
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()))
    }

    /// Runs SQL with psql (stops at the first error).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let file = self.dir.path().join("input.sql");
        std::fs::write(&file, sql).unwrap();
        if let Some(user) = self.as_user {
            let _ = Command::new("chown")
                .args([&format!("{user}:"), file.to_str().unwrap()])
                .status();
        }
        let out = self.run(
            "psql",
            &[
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                db,
                "-f",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "psql failed: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// `pg_dump` with `args` into `name` in the scratch directory; returns its path.
    pub fn pg_dump(&self, db: &str, name: &str, args: &[&str]) -> PathBuf {
        let path = self.dir.path().join(name);
        let mut all: Vec<&str> = args.to_vec();
        let p = path.to_str().unwrap().to_string();
        all.extend(["-f", &p, db]);
        let out = self.run("pg_dump", &all);
        assert!(out.status.success(), "pg_dump failed: {}", text(&out));
        path
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
