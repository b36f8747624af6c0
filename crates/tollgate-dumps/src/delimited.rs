//! CSV and TSV files with a header line, read with the `csv` crate (RFC 4180 quoting,
//! flexible record lengths). Empty fields are not reported: CSV cannot tell them from NULL.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::copy::lossy;
use crate::meter::Shared;
use crate::sql::line_too_long;
use crate::{ScanError, Sink, MAX_LINE_BYTES};

/// Fails a read once more than `MAX_LINE_BYTES` were read past the end of the last complete
/// record: the csv reader would otherwise buffer an unterminated quoted field without bound.
struct RecordCap<R> {
    inner: R,
    read: u64,
    record_end: Rc<Cell<u64>>,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for RecordCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read - self.record_end.get() > MAX_LINE_BYTES as u64 {
            self.hit.set(true);
            return Err(io::Error::other("record too long"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

pub(crate) fn scan_delimited<R: Read>(
    reader: R,
    delimiter: u8,
    shared: &Rc<Shared>,
    label: &str,
    sink: &mut dyn Sink,
) -> Result<u64, ScanError> {
    let record_end = Rc::new(Cell::new(0));
    let hit = Rc::new(Cell::new(false));
    let capped = RecordCap {
        inner: reader,
        read: 0,
        record_end: record_end.clone(),
        hit: hit.clone(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        // Only `\n` ends a record (a `\r` before it is stripped below): with the default
        // CRLF terminator the csv reader counts a record's line before its `\n`.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(capped);
    let mut rec = csv::ByteRecord::new();
    let mut columns: Vec<String> = Vec::new();
    let mut rows = 0;
    let mut first = true;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if hit.get() {
                    return Err(line_too_long(label));
                }
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(e) => shared.map_io(e, label),
                    other => ScanError::Corrupt {
                        what: format!("{label}: {other:?}"),
                    },
                });
            }
        }
        record_end.set(rdr.position().byte());
        let n = rec.len();
        let field = |i: usize, f| clean_field(i, n, f);
        if n == 1 && field(0, &rec[0]).is_empty() {
            continue; // a blank line
        }
        if first {
            first = false;
            columns = rec
                .iter()
                .enumerate()
                .map(|(i, f)| lossy(field(i, f)).trim().to_owned())
                .collect();
            sink.columns(None, &columns);
            continue;
        }
        let line = rec.position().map_or(0, |p| p.line());
        for (i, f) in rec.iter().enumerate() {
            let f = field(i, f);
            if !f.is_empty() {
                sink.cell(None, columns.get(i).map(String::as_str), &lossy(f), line);
            }
        }
        rows += 1;
    }
    Ok(rows)
}

/// Strips the `\r` of a CRLF line end from the last field and a BOM from the first.
fn clean_field(i: usize, n: usize, f: &[u8]) -> &[u8] {
    let f = if i + 1 == n {
        f.strip_suffix(b"\r").unwrap_or(f)
    } else {
        f
    };
    if i == 0 {
        f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f)
    } else {
        f
    }
}
