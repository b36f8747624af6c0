//! Server management against real PostgreSQL clusters: throwaway clusters (run as the `postgres`
//! user when the tests run as root), external servers, scratch databases, and clean-up.

mod common;

use common::{connect, db_exists, ephemeral, exec, port_open};
use sqlx::Connection;
use tollgate_verify::{Server, ServerOptions, VerifyError, SCRATCH_PREFIX};

#[tokio::test]
async fn ephemeral_cluster_hands_out_scratch_databases() {
    let server = ephemeral().await;
    let Server::Ephemeral(cluster) = &server else {
        panic!("no URL given, yet the server is external: {server:?}");
    };
    assert_eq!(
        server.admin_url(),
        format!("postgres://tollgate@127.0.0.1:{}/postgres", cluster.port())
    );
    assert!(cluster.data_dir().join("PG_VERSION").exists());

    let a = server.scratch().await.unwrap();
    let b = server.scratch().await.unwrap();
    assert_ne!(a.name, b.name);
    for db in [&a, &b] {
        let hex = db.name.strip_prefix(SCRATCH_PREFIX).unwrap();
        assert_eq!(hex.len(), 16, "{}", db.name);
        assert!(hex.bytes().all(|c| c.is_ascii_hexdigit()), "{}", db.name);
        assert!(db_exists(server.admin_url(), &db.name).await);
        let mut conn = db.connect().await.unwrap();
        let current: String = sqlx::query_scalar("SELECT current_database()::text")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(current, db.name);
        // A fresh database has no user tables.
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(tables, 0);
        conn.close().await.unwrap();
    }

    // WITH (FORCE): an open session does not stop the drop.
    let (a_name, b_name) = (a.name.clone(), b.name.clone());
    let _open = connect(&a.url).await;
    a.drop_db().await.unwrap();
    assert!(!db_exists(server.admin_url(), &a_name).await);
    assert!(db_exists(server.admin_url(), &b_name).await);
    b.drop_db().await.unwrap();
    assert!(!db_exists(server.admin_url(), &b_name).await);

    let dir = match &server {
        Server::Ephemeral(c) => c.dir().to_path_buf(),
        Server::External { .. } => unreachable!(),
    };
    server.shutdown().await;
    assert!(!dir.exists(), "{} is left behind", dir.display());
}

#[tokio::test]
async fn external_server_creates_scratch_and_refuses_existing_names() {
    let cluster = ephemeral().await;
    let admin_url = cluster.admin_url().to_string();
    let external = Server::start(&ServerOptions {
        database_url: Some(admin_url.clone()),
        pg_bin_dir: None,
    })
    .await
    .unwrap();
    assert!(matches!(&external, Server::External { admin_url: u } if *u == admin_url));

    let db = external.scratch().await.unwrap();
    assert!(db.url.ends_with(&format!("/{}", db.name)), "{}", db.url);
    exec(&db.url, "CREATE TABLE t (id int)").await;
    let name = db.name.clone();
    db.drop_db().await.unwrap();
    assert!(!db_exists(&admin_url, &name).await);

    // A database that happens to carry the chosen name is never reused nor dropped.
    let taken = format!("{SCRATCH_PREFIX}00000000deadbeef");
    exec(&admin_url, &format!("CREATE DATABASE {taken}")).await;
    exec(
        &admin_url.replace("/postgres", &format!("/{taken}")),
        "CREATE TABLE precious (id int)",
    )
    .await;
    let err = external.scratch_named(&taken).await.unwrap_err();
    assert_eq!(err, VerifyError::ScratchExists(taken.clone()));
    assert!(err.to_string().contains(&taken), "{err}");
    assert!(db_exists(&admin_url, &taken).await);

    // Shutting an external server down leaves it running.
    external.shutdown().await;
    assert!(db_exists(&admin_url, &taken).await);
    cluster.shutdown().await;
}

#[tokio::test]
async fn external_server_needs_createdb() {
    let cluster = ephemeral().await;
    exec(cluster.admin_url(), "CREATE ROLE plain LOGIN").await;
    let url = cluster.admin_url().replace("tollgate@", "plain@");
    let err = Server::start(&ServerOptions {
        database_url: Some(url),
        pg_bin_dir: None,
    })
    .await
    .unwrap_err();
    assert!(matches!(err, VerifyError::Unsupported(_)), "{err:?}");
    assert!(
        err.to_string().contains("ALTER ROLE \"plain\" CREATEDB"),
        "{err}"
    );
    cluster.shutdown().await;
}

#[tokio::test]
async fn dropping_a_cluster_stops_the_server_and_deletes_its_directory() {
    let server = ephemeral().await;
    let Server::Ephemeral(cluster) = &server else {
        unreachable!()
    };
    let (dir, port) = (cluster.dir().to_path_buf(), cluster.port());
    let pid_file = cluster.data_dir().join("postmaster.pid");
    assert!(pid_file.exists());
    assert!(port_open(port));
    drop(server); // no shutdown()
    assert!(!pid_file.exists());
    assert!(!dir.exists(), "{} is left behind", dir.display());
    assert!(!port_open(port), "the server still accepts connections");
}

#[test]
fn a_panic_still_stops_and_deletes_the_cluster() {
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let server = ephemeral().await;
            let Server::Ephemeral(cluster) = &server else {
                unreachable!()
            };
            tx.send((cluster.dir().to_path_buf(), cluster.port()))
                .unwrap();
            panic!("a migration runner bug");
        })
    })
    .join();
    assert!(outcome.is_err());
    let (dir, port) = rx.recv().unwrap();
    assert!(!dir.exists(), "{} is left behind", dir.display());
    assert!(!port_open(port));
}

#[tokio::test]
async fn unusable_urls_and_binaries_say_what_to_do() {
    let start = |url: Option<&str>, bin: Option<&str>| {
        let opts = ServerOptions {
            database_url: url.map(str::to_string),
            pg_bin_dir: bin.map(Into::into),
        };
        async move { Server::start(&opts).await.unwrap_err() }
    };

    let err = start(Some("mysql://root@localhost/db"), None).await;
    assert!(matches!(err, VerifyError::BadUrl(_)), "{err:?}");
    assert!(err.to_string().contains("postgres://"), "{err}");

    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = start(
        Some(&format!("postgres://u:secret@127.0.0.1:{port}/db")),
        None,
    )
    .await;
    assert!(matches!(err, VerifyError::Connect(_)), "{err:?}");
    let text = err.to_string();
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains("--database-url"), "{text}");
    assert!(!text.contains('\n'), "{text}");

    let err = start(None, Some("/nonexistent/pg/bin")).await;
    assert!(matches!(err, VerifyError::NoServer(_)), "{err:?}");
    assert!(err.to_string().contains("--database-url"), "{err}");
}
