//! `lint()`'s reports as JSON bytes, for the wasm build.
//!
//! This crate exists for one reason: the wasm module is compiled for size (opt-level "z"), and
//! there serde_json's writer pays a call for every small write, which made writing a report a
//! quarter of a `lint()` on a 500-statement file. Generic code is compiled in the crate that
//! instantiates it, so the instantiations for [`Report`] live here, and the `wasm` profile
//! compiles this crate alone at opt-level 3 (see the workspace `Cargo.toml`). The output is
//! serde_json's, byte for byte.

use tollgate_core::report::Report;

/// Appends `report` as compact JSON to `out`.
pub fn report(report: &Report, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, report)
}

#[cfg(test)]
mod tests {
    use tollgate_core::policy::Policy;
    use tollgate_core::sources::load;
    use tollgate_core::Project;

    #[test]
    fn the_bytes_are_serde_jsons() {
        let policy = Policy::default_policy();
        let mut project = Project::default();
        let file = load::SqlFile {
            rel: "000001_x.up.sql",
            shown: "db/000001_x.up.sql",
            text: "CREATE TABLE \"café\" (id int);\nALTER TABLE members DROP COLUMN fax; -- é → 😀\nSELECT '\"\\\t';\n",
        };
        load::add_sql_dir(&mut project, &[file], &policy);
        let report = tollgate_core::check(&project, &policy);
        assert!(!report.findings.is_empty());
        let mut out = b"prefix".to_vec();
        super::report(&report, &mut out).unwrap();
        assert_eq!(&out[..6], b"prefix", "appends");
        assert_eq!(out[6..], serde_json::to_vec(&report).unwrap());
    }
}
