//! Shared test helpers: a recording sink and in-memory compressors and archivers.
#![allow(dead_code)]

use std::io::{Cursor, Write};

use tollgate_dumps::{scan, Limits, ScanError, Scanned, Sink};

/// Records every callback as one line of text (a cell passed by position reads like one
/// passed by name), and checks the contract of [`Sink::cell_at`] on every call.
#[derive(Default)]
pub struct Recorder {
    pub events: Vec<String>,
    pub cells: u64,
    /// Cells passed by position.
    pub indexed: u64,
    /// The last `columns` call of the current member.
    last_columns: Option<(Option<String>, Vec<String>)>,
}

impl Sink for Recorder {
    fn columns(&mut self, table: Option<&str>, columns: &[String]) {
        self.last_columns = Some((table.map(str::to_owned), columns.to_vec()));
        self.events
            .push(format!("columns {} {columns:?}", table.unwrap_or("-")));
    }
    fn cell(&mut self, table: Option<&str>, column: Option<&str>, value: &str, line: u64) {
        self.cells += 1;
        self.events.push(format!(
            "{line:>3} {}.{} = {value:?}",
            table.unwrap_or("-"),
            column.unwrap_or("-")
        ));
    }
    fn cell_at(
        &mut self,
        table: Option<&str>,
        column: Option<&str>,
        index: usize,
        value: &str,
        line: u64,
    ) {
        let Some((last_table, last_columns)) = &self.last_columns else {
            panic!("cell_at({table:?}, {column:?}, {index}) before any columns() in this member");
        };
        assert_eq!(
            last_table.as_deref(),
            table,
            "cell_at for another table than the last columns()"
        );
        assert_eq!(
            last_columns.get(index).map(String::as_str),
            column,
            "cell_at({index}) names another column than the last columns() list {last_columns:?}"
        );
        self.indexed += 1;
        self.cell(table, column, value, line);
    }
    fn member(&mut self, _path: Option<&str>) {
        self.last_columns = None;
    }
}

impl Recorder {
    pub fn text(&self) -> String {
        self.events.join("\n")
    }
}

pub fn run_with(
    data: &[u8],
    name: &str,
    limits: &Limits,
) -> (Result<Vec<Scanned>, ScanError>, Recorder) {
    let mut rec = Recorder::default();
    let res = scan(data, name, limits, &mut rec);
    (res, rec)
}

/// Scans with default limits; panics on error.
pub fn run(data: &[u8], name: &str) -> (Vec<Scanned>, Recorder) {
    let (res, rec) = run_with(data, name, &Limits::default());
    (res.unwrap_or_else(|e| panic!("{name}: {e}")), rec)
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn xz(data: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

pub fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn zip_options(deflate: bool) -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    })
}

/// A zip written with seeking: sizes are in the local headers.
pub fn zip(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in members {
        w.start_file(*name, zip_options(deflate)).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A zip written to a stream: deflated members with data descriptors.
pub fn zip_streamed(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new_stream(Vec::new());
    for (name, data) in members {
        w.start_file(*name, zip_options(true)).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}
