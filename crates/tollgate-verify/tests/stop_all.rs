//! `stop_all_clusters`, in a test binary of its own: it stops every cluster of the process.

mod common;

use common::{ephemeral, port_open};
use tollgate_verify::{stop_all_clusters, Server};

#[tokio::test]
async fn stop_all_clusters_stops_and_deletes_every_live_cluster() {
    let first = ephemeral().await;
    let second = ephemeral().await;
    let mut seen = Vec::new();
    for server in [&first, &second] {
        let Server::Ephemeral(cluster) = server else {
            unreachable!()
        };
        assert!(port_open(cluster.port()));
        seen.push((cluster.dir().to_path_buf(), cluster.port()));
    }
    stop_all_clusters();
    for (dir, port) in &seen {
        assert!(!dir.exists(), "{} is left behind", dir.display());
        assert!(!port_open(*port), "port {port} still accepts connections");
    }
    // Dropping them afterwards is harmless, and a new cluster still starts.
    first.shutdown().await;
    drop(second);
    let third = ephemeral().await;
    let Server::Ephemeral(cluster) = &third else {
        unreachable!()
    };
    assert!(port_open(cluster.port()));
    third.shutdown().await;
}
