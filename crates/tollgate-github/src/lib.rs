//! tollgate on GitHub. Pure parts (the Actions environment and payloads, workflow commands, the
//! markdown, the gate, diff hunks) are plain functions; [`api`] and [`publish`] talk to the REST
//! API through octocrab. `tollgate ci` (in tollgate-cli) wires them to the checks.

pub mod api;
pub mod commands;
pub mod context;
pub mod gate;
pub mod markdown;
pub mod publish;

/// FNV-1a (64 bits, hex) over `parts`, each ended by a NUL: a stable, dependency-free identity
/// for fingerprints that must not change between runs (review comments, SARIF results).
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Percent-encodes a repository path for a URL (`/` kept).
pub fn url_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
