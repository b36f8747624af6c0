//! SQLite database files, read row by row by a hand-written reader of the file format
//! (<https://www.sqlite.org/fileformat2.html>).
//!
//! SQLite needs random access and a dump arrives as a stream (maybe decompressed from a
//! wrapper), so the stream is first copied: into memory up to [`MEM_MAX`] bytes, else into
//! an anonymous temporary file read back one page at a time. Then `sqlite_schema` (page 1)
//! gives the tables, their root pages and `CREATE TABLE` statements (for the column names),
//! and every table b-tree (or, for a `WITHOUT ROWID` table, index b-tree) is walked in key
//! order, each record decoded and its TEXT, INTEGER and REAL values handed to the sink.
//!
//! The file is hostile until proven otherwise: page numbers are checked against the page
//! count, each page may be read once per scan (which stops b-tree and overflow cycles),
//! b-trees are at most [`MAX_DEPTH`] levels deep, values are capped at [`MAX_LINE_BYTES`] and
//! nothing is allocated from a size field before the bytes it describes have been read.

use std::fmt::Display;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

use crate::meter::Shared;
use crate::sql::line_too_long;
use crate::{ScanError, Sink, MAX_LINE_BYTES};

/// Databases up to this size are read in memory; larger ones go to a temporary file.
const MEM_MAX: usize = 16 << 20;
/// Deepest b-tree walked (SQLite itself gives up at 20).
const MAX_DEPTH: u32 = 32;
/// Pages read between two looks at the clock.
const CLOCK_PAGES: u64 = 256;
/// Largest record header read (a 32 767-column row needs under 300 KB).
const MAX_RECORD_HEADER: u64 = 1 << 20;

/// Reads a SQLite database from `reader` (which starts with the magic string) into `sink`.
/// Returns the number of rows read, summed over all tables.
pub(crate) fn scan_sqlite(
    reader: impl Read,
    shared: &Rc<Shared>,
    label: &str,
    sink: &mut dyn Sink,
) -> Result<u64, ScanError> {
    let (store, len) = copy_in(reader, shared, label)?;
    let mut db = Db::open(store, len, shared, label)?;
    let tables = db.schema()?;
    let mut rows = 0;
    for t in &tables {
        rows += db.table(t, sink)?;
    }
    Ok(rows)
}

fn corrupt(label: &str, what: impl Display) -> ScanError {
    ScanError::Corrupt {
        what: format!("{label}: SQLite {what}"),
    }
}

/// The database bytes, random access.
enum Store {
    Mem(Vec<u8>),
    File(File),
}

impl Store {
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> io::Result<()> {
        match self {
            Store::Mem(v) => {
                let src = usize::try_from(off)
                    .ok()
                    .and_then(|o| v.get(o..o.checked_add(buf.len())?))
                    .ok_or(io::ErrorKind::UnexpectedEof)?;
                buf.copy_from_slice(src);
                Ok(())
            }
            Store::File(f) => {
                f.seek(SeekFrom::Start(off))?;
                f.read_exact(buf)
            }
        }
    }
}

/// Copies the whole stream through (the reader is metered by the caller's stack).
fn copy_in(
    mut reader: impl Read,
    shared: &Rc<Shared>,
    label: &str,
) -> Result<(Store, u64), ScanError> {
    let mut mem = Vec::new();
    (&mut reader)
        .take(MEM_MAX as u64 + 1)
        .read_to_end(&mut mem)
        .map_err(|e| shared.map_io(e, label))?;
    if mem.len() <= MEM_MAX {
        let len = mem.len() as u64;
        return Ok((Store::Mem(mem), len));
    }
    let tmp_err = |e: io::Error| {
        ScanError::Io(io::Error::new(
            e.kind(),
            format!("{label}: temporary file: {e}"),
        ))
    };
    let mut file = tempfile::tempfile().map_err(tmp_err)?;
    file.write_all(&mem).map_err(tmp_err)?;
    let mut len = mem.len() as u64;
    drop(mem);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(shared.map_io(e, label)),
        };
        file.write_all(&buf[..n]).map_err(tmp_err)?;
        len += n as u64;
    }
    Ok((Store::File(file), len))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    fn decode(self, bytes: &[u8], out: &mut String) {
        out.clear();
        let units = |be: bool| {
            bytes.chunks_exact(2).map(move |c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
        };
        match self {
            Encoding::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
            Encoding::Utf16Le | Encoding::Utf16Be => out.extend(
                char::decode_utf16(units(self == Encoding::Utf16Be))
                    .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)),
            ),
        }
    }
}

/// One value of a record. BLOBs are skipped, not read.
enum Val<'v> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'v str),
    Blob,
}

/// A `type='table'` row of `sqlite_schema`.
struct SchemaTable {
    name: String,
    root: i64,
    sql: String,
}

/// What a row callback gets: the rowid (`None` in an index b-tree) and the record.
type RowFn<'f, 'a> =
    dyn FnMut(&mut Db<'a>, Option<i64>, &mut Payload<'_>) -> Result<(), ScanError> + 'f;

struct Db<'a> {
    store: Store,
    page_size: usize,
    /// Page size minus the reserved bytes at the end of each page (U in the spec).
    usable: usize,
    page_count: u32,
    encoding: Encoding,
    /// One bit per page: read already.
    visited: Vec<u64>,
    loads: u64,
    shared: &'a Shared,
    label: &'a str,
    /// Decoded text, reused.
    text: String,
}

/// A b-tree page header.
struct Node {
    kind: u8,
    cells: usize,
    /// Start of the cell pointer array.
    ptrs: usize,
    right: u32,
}

impl<'a> Db<'a> {
    fn open(
        mut store: Store,
        len: u64,
        shared: &'a Shared,
        label: &'a str,
    ) -> Result<Self, ScanError> {
        let mut h = [0u8; 100];
        if len < 100 {
            return Err(corrupt(
                label,
                format!("file of {len} bytes is shorter than the 100-byte database header"),
            ));
        }
        store.read_at(0, &mut h).map_err(ScanError::Io)?;
        let u32_at = |i: usize| u32::from_be_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let page_size = match u16::from_be_bytes([h[16], h[17]]) {
            1 => 65536usize,
            n if (512..=32768).contains(&n) && n.is_power_of_two() => usize::from(n),
            n => return Err(corrupt(label, format!("header: invalid page size {n}"))),
        };
        if !(1..=2).contains(&h[18]) || !(1..=2).contains(&h[19]) {
            return Err(corrupt(
                label,
                format!(
                    "header: unsupported file format version (write {}, read {})",
                    h[18], h[19]
                ),
            ));
        }
        let reserved = usize::from(h[20]);
        let usable = page_size - reserved;
        if usable < 480 {
            return Err(corrupt(
                label,
                format!("header: {reserved} reserved bytes leave {usable} usable bytes a page (at least 480 needed)"),
            ));
        }
        if h[21..24] != [64, 32, 32] {
            return Err(corrupt(
                label,
                format!(
                    "header: invalid payload fractions {}/{}/{} (must be 64/32/32)",
                    h[21], h[22], h[23]
                ),
            ));
        }
        let in_file = len / page_size as u64;
        let in_header = u32_at(28);
        let page_count = if in_header != 0 && u32_at(24) == u32_at(92) {
            if u64::from(in_header) > in_file {
                return Err(corrupt(
                    label,
                    format!(
                        "truncated: the header counts {in_header} pages of {page_size} bytes, the file holds {in_file}"
                    ),
                ));
            }
            in_header
        } else {
            u32::try_from(in_file)
                .ok()
                .filter(|&n| n < u32::MAX)
                .ok_or_else(|| {
                    corrupt(label, format!("file of {len} bytes holds too many pages"))
                })?
        };
        if page_count == 0 {
            return Err(corrupt(
                label,
                format!("database of 0 pages ({len} bytes, page size {page_size})"),
            ));
        }
        let encoding = match u32_at(56) {
            // 0: nothing was ever written to the schema; any encoding reads it.
            0 | 1 => Encoding::Utf8,
            2 => Encoding::Utf16Le,
            3 => Encoding::Utf16Be,
            n => return Err(corrupt(label, format!("header: invalid text encoding {n}"))),
        };
        Ok(Db {
            store,
            page_size,
            usable,
            page_count,
            encoding,
            visited: vec![0; page_count as usize / 64 + 1],
            loads: 0,
            shared,
            label,
            text: String::new(),
        })
    }

    fn corrupt(&self, what: impl Display) -> ScanError {
        corrupt(self.label, what)
    }

    /// Reads page `n` into `buf`; each page is read at most once per scan.
    fn load(&mut self, n: u32, buf: &mut Vec<u8>) -> Result<(), ScanError> {
        if n == 0 || n > self.page_count {
            return Err(self.corrupt(format!(
                "page number {n} out of range (the database has {} pages)",
                self.page_count
            )));
        }
        let i = (n - 1) as usize;
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        if self.visited[word] & bit != 0 {
            return Err(self.corrupt(format!(
                "page {n} is referenced twice (a cycle in the file)"
            )));
        }
        self.visited[word] |= bit;
        self.loads += 1;
        if self.loads.is_multiple_of(CLOCK_PAGES) && self.shared.past_deadline() {
            return Err(ScanError::Timeout);
        }
        buf.clear();
        buf.resize(self.page_size, 0);
        let off = u64::from(n - 1) * self.page_size as u64;
        self.store.read_at(off, buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                self.corrupt(format!("page {n} lies past the end of the file"))
            } else {
                ScanError::Io(e)
            }
        })
    }

    fn node(&self, n: u32, page: &[u8]) -> Result<Node, ScanError> {
        let at = if n == 1 { 100 } else { 0 };
        let kind = page[at];
        let header = match kind {
            2 | 5 => 12,
            10 | 13 => 8,
            k => return Err(self.corrupt(format!("page {n} is not a b-tree page (type byte {k})"))),
        };
        let cells = usize::from(u16::from_be_bytes([page[at + 3], page[at + 4]]));
        let ptrs = at + header;
        if ptrs + 2 * cells > self.usable {
            return Err(self.corrupt(format!(
                "page {n}: {cells} cell pointers don't fit in the page"
            )));
        }
        let right = if header == 12 {
            u32::from_be_bytes([page[at + 8], page[at + 9], page[at + 10], page[at + 11]])
        } else {
            0
        };
        Ok(Node {
            kind,
            cells,
            ptrs,
            right,
        })
    }

    /// The offset of cell `i` of a page, checked to lie past the pointer array.
    fn cell(&self, n: u32, page: &[u8], node: &Node, i: usize) -> Result<usize, ScanError> {
        let p = node.ptrs + 2 * i;
        let off = usize::from(u16::from_be_bytes([page[p], page[p + 1]]));
        if off < node.ptrs + 2 * node.cells || off >= self.usable {
            return Err(self.corrupt(format!("page {n}: cell {i} at invalid offset {off}")));
        }
        Ok(off)
    }

    /// A cell's payload: its local part (and where the overflow chain starts) for a payload of
    /// `size` bytes starting at `at` on the page; and where the cell ends.
    fn payload<'p>(
        &self,
        n: u32,
        page: &'p [u8],
        at: usize,
        size: u64,
        table: bool,
    ) -> Result<(Payload<'p>, usize), ScanError> {
        let u = self.usable as u64;
        let x = if table {
            u - 35
        } else {
            (u - 12) * 64 / 255 - 23
        };
        let m = (u - 12) * 32 / 255 - 23;
        let local = if size <= x {
            size
        } else {
            let k = m + (size - m) % (u - 4);
            if k <= x {
                k
            } else {
                m
            }
        };
        // At most U - 35 bytes.
        let local = local as usize;
        let page = &page[..self.usable];
        let bad = || self.corrupt(format!("page {n}: cell payload overruns the page"));
        let end = at
            .checked_add(local)
            .filter(|&e| e <= page.len())
            .ok_or_else(bad)?;
        let (next, cell_end) = if (local as u64) < size {
            let b = page.get(end..end + 4).ok_or_else(bad)?;
            (u32::from_be_bytes([b[0], b[1], b[2], b[3]]), end + 4)
        } else {
            (0, end)
        };
        let payload = Payload {
            local: &page[at..end],
            pos: 0,
            next,
            left: size,
            ovf: Vec::new(),
            ovf_pos: 0,
            ovf_end: 0,
        };
        Ok((payload, cell_end))
    }

    /// Walks the b-tree rooted at page `n` in key order, calling `f` for every entry.
    /// `index`: whether the pages must be index b-tree pages (`None` at the root: either).
    fn walk(
        &mut self,
        n: u32,
        depth: u32,
        index: Option<bool>,
        f: &mut RowFn<'_, 'a>,
    ) -> Result<(), ScanError> {
        if depth > MAX_DEPTH {
            return Err(self.corrupt(format!("b-tree deeper than {MAX_DEPTH} levels at page {n}")));
        }
        let mut page = Vec::new();
        self.load(n, &mut page)?;
        let node = self.node(n, &page)?;
        let is_index = matches!(node.kind, 2 | 10);
        if index.is_some_and(|i| i != is_index) {
            return Err(self.corrupt(format!(
                "page {n}: an {} b-tree page inside a {} b-tree",
                if is_index { "index" } else { "table" },
                if is_index { "table" } else { "index" }
            )));
        }
        let usable = &page[..self.usable];
        let bad = |db: &Self| db.corrupt(format!("page {n}: cell overruns the page"));
        // Cells don't overlap: the bytes they cover fit in the room past the pointer array.
        // (Without this check, every cell pointer of a page could name the same big cell.)
        let room = self.usable - (node.ptrs + 2 * node.cells);
        let mut used = 0usize;
        let mut cover = |db: &Self, from: usize, to: usize| {
            used += to - from;
            if used > room {
                return Err(db.corrupt(format!("page {n}: cells overlap")));
            }
            Ok(())
        };
        match node.kind {
            5 => {
                let mut kids = Vec::with_capacity(node.cells + 1);
                for i in 0..node.cells {
                    let at = self.cell(n, &page, &node, i)?;
                    let b = usable.get(at..at + 4).ok_or_else(|| bad(self))?;
                    kids.push(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                }
                kids.push(node.right);
                drop(page);
                for k in kids {
                    self.walk(k, depth + 1, Some(false), f)?;
                }
            }
            13 => {
                for i in 0..node.cells {
                    let start = self.cell(n, &page, &node, i)?;
                    let mut at = start;
                    let size = varint(usable, &mut at).ok_or_else(|| bad(self))?;
                    let rowid = varint(usable, &mut at).ok_or_else(|| bad(self))? as i64;
                    let (mut p, end) = self.payload(n, &page, at, size, true)?;
                    cover(self, start, end)?;
                    f(self, Some(rowid), &mut p)?;
                }
            }
            2 => {
                for i in 0..node.cells {
                    let start = self.cell(n, &page, &node, i)?;
                    let b = usable.get(start..start + 4).ok_or_else(|| bad(self))?;
                    let child = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                    let mut at = start + 4;
                    let size = varint(usable, &mut at).ok_or_else(|| bad(self))?;
                    let (mut p, end) = self.payload(n, &page, at, size, false)?;
                    cover(self, start, end)?;
                    self.walk(child, depth + 1, Some(true), f)?;
                    f(self, None, &mut p)?;
                }
                self.walk(node.right, depth + 1, Some(true), f)?;
            }
            _ => {
                for i in 0..node.cells {
                    let start = self.cell(n, &page, &node, i)?;
                    let mut at = start;
                    let size = varint(usable, &mut at).ok_or_else(|| bad(self))?;
                    let (mut p, end) = self.payload(n, &page, at, size, false)?;
                    cover(self, start, end)?;
                    f(self, None, &mut p)?;
                }
            }
        }
        Ok(())
    }

    /// Decodes one record, calling `f` with each value's index and value.
    fn record(
        &mut self,
        p: &mut Payload<'_>,
        f: &mut dyn FnMut(usize, Val<'_>) -> Result<(), ScanError>,
    ) -> Result<(), ScanError> {
        let mut buf = Vec::new();
        // The header size, a varint read a byte at a time.
        let mut size = 0u64;
        let mut size_len = 0u64;
        for i in 0..9 {
            buf.clear();
            p.take(self, 1, Some(&mut buf))?;
            size_len += 1;
            let b = buf[0];
            if i == 8 {
                size = (size << 8) | u64::from(b);
                break;
            }
            size = (size << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        if size < size_len || size > MAX_RECORD_HEADER {
            return Err(self.corrupt(format!("record header size {size} is invalid")));
        }
        let mut header = Vec::new();
        p.take(self, size - size_len, Some(&mut header))?;
        let mut text = std::mem::take(&mut self.text);
        let result = self.values(p, &header, &mut buf, &mut text, f);
        self.text = text;
        result
    }

    /// The values of a record whose header (after its size) is `header`.
    fn values(
        &mut self,
        p: &mut Payload<'_>,
        header: &[u8],
        buf: &mut Vec<u8>,
        text: &mut String,
        f: &mut dyn FnMut(usize, Val<'_>) -> Result<(), ScanError>,
    ) -> Result<(), ScanError> {
        let mut at = 0;
        let mut idx = 0;
        while at < header.len() {
            let t = varint(header, &mut at)
                .ok_or_else(|| self.corrupt("record header ends inside a serial type"))?;
            let val = match t {
                0 => Val::Null,
                1..=6 => {
                    let len = [0, 1, 2, 3, 4, 6, 8][t as usize];
                    buf.clear();
                    p.take(self, len, Some(buf))?;
                    let mut v = if buf[0] & 0x80 != 0 { -1i64 } else { 0 };
                    for b in buf.iter() {
                        v = (v << 8) | i64::from(*b);
                    }
                    Val::Int(v)
                }
                7 => {
                    buf.clear();
                    p.take(self, 8, Some(buf))?;
                    let mut b = [0u8; 8];
                    b.copy_from_slice(buf);
                    Val::Real(f64::from_be_bytes(b))
                }
                8 => Val::Int(0),
                9 => Val::Int(1),
                10 | 11 => {
                    return Err(self.corrupt(format!("record uses reserved serial type {t}")))
                }
                t if t.is_multiple_of(2) => {
                    p.take(self, (t - 12) / 2, None)?;
                    Val::Blob
                }
                t => {
                    let len = (t - 13) / 2;
                    if len > MAX_LINE_BYTES as u64 {
                        return Err(line_too_long(self.label));
                    }
                    buf.clear();
                    p.take(self, len, Some(buf))?;
                    self.encoding.decode(buf, text);
                    Val::Text(text)
                }
            };
            f(idx, val)?;
            idx += 1;
        }
        Ok(())
    }

    /// The `type='table'` rows of `sqlite_schema`, in its order.
    fn schema(&mut self) -> Result<Vec<SchemaTable>, ScanError> {
        let mut tables = Vec::new();
        let mut total = 0usize;
        let label = self.label;
        self.walk(1, 0, Some(false), &mut |db, _, p| {
            let (mut ty, mut name, mut root, mut sql) = (None, None, 0, None);
            db.record(p, &mut |i, v| {
                match (i, v) {
                    (0, Val::Text(s)) => ty = Some(s == "table"),
                    (1, Val::Text(s)) => name = Some(s.to_owned()),
                    (3, Val::Int(r)) => root = r,
                    (4, Val::Text(s)) => {
                        total += s.len();
                        if total > MAX_LINE_BYTES {
                            return Err(line_too_long(label));
                        }
                        sql = Some(s.to_owned());
                    }
                    _ => {}
                }
                Ok(())
            })?;
            if let (Some(true), Some(name)) = (ty, name) {
                tables.push(SchemaTable {
                    name,
                    root,
                    sql: sql.unwrap_or_default(),
                });
            }
            Ok(())
        })?;
        Ok(tables)
    }

    /// Reads one table's rows into the sink; returns how many there were.
    fn table(&mut self, t: &SchemaTable, sink: &mut dyn Sink) -> Result<u64, ScanError> {
        if t.name.len() >= 7 && t.name.as_bytes()[..7].eq_ignore_ascii_case(b"sqlite_") {
            return Ok(0);
        }
        let def = match parse_create_table(&t.sql) {
            Parsed::Virtual => return Ok(0),
            Parsed::Table(def) => def,
            Parsed::Unknown => TableDef::default(),
        };
        let root = u32::try_from(t.root).map_err(|_| {
            self.corrupt(format!(
                "table {:?} has invalid root page {}",
                t.name, t.root
            ))
        })?;
        let names: Vec<String> = def.columns.iter().map(|c| c.name.clone()).collect();
        sink.columns(Some(&t.name), &names);
        // Record index → column index, for a rowid table and for a WITHOUT ROWID one.
        let rowid_map: Vec<usize> = (0..def.columns.len())
            .filter(|&i| def.columns[i].stored)
            .collect();
        let pk_map: Vec<usize> = if def.pk.is_empty() {
            Vec::new()
        } else {
            let mut m = def.pk.clone();
            m.extend(rowid_map.iter().filter(|i| !def.pk.contains(i)));
            m
        };
        let mut rows = 0u64;
        let mut value = String::new();
        let table = t.name.as_str();
        self.walk(root, 0, None, &mut |db, rowid, p| {
            rows += 1;
            let map = if rowid.is_some() { &rowid_map } else { &pk_map };
            db.record(p, &mut |i, v| {
                let col = map.get(i).copied();
                let name = col.map(|c| names[c].as_str());
                let text = match v {
                    Val::Null => match (rowid, col) {
                        (Some(r), Some(c)) if def.alias == Some(c) => {
                            value = r.to_string();
                            &value
                        }
                        _ => return Ok(()),
                    },
                    Val::Int(n) => {
                        value = n.to_string();
                        &value
                    }
                    Val::Real(r) => {
                        value = r.to_string();
                        &value
                    }
                    Val::Text(s) => s,
                    Val::Blob => return Ok(()),
                };
                sink.cell(Some(table), name, text, rows);
                Ok(())
            })
        })?;
        Ok(rows)
    }
}

/// A record's payload, read front to back across its overflow pages.
struct Payload<'p> {
    local: &'p [u8],
    pos: usize,
    /// The next overflow page, 0 for none.
    next: u32,
    /// Payload bytes not read yet.
    left: u64,
    ovf: Vec<u8>,
    ovf_pos: usize,
    ovf_end: usize,
}

impl Payload<'_> {
    /// Reads the next `n` bytes, appending them to `out` (or skipping them).
    fn take(
        &mut self,
        db: &mut Db<'_>,
        n: u64,
        mut out: Option<&mut Vec<u8>>,
    ) -> Result<(), ScanError> {
        if n > self.left {
            return Err(db.corrupt("record runs past the end of its payload"));
        }
        let mut n = n;
        while n > 0 {
            let (chunk, pos) = if self.pos < self.local.len() {
                (self.local, &mut self.pos)
            } else if self.ovf_pos < self.ovf_end {
                (&self.ovf[..self.ovf_end], &mut self.ovf_pos)
            } else {
                if self.next == 0 {
                    return Err(db.corrupt("overflow chain ends before the payload does"));
                }
                let page = self.next;
                db.load(page, &mut self.ovf)?;
                self.next =
                    u32::from_be_bytes([self.ovf[0], self.ovf[1], self.ovf[2], self.ovf[3]]);
                self.ovf_pos = 4;
                self.ovf_end = 4 + (db.usable as u64 - 4).min(self.left) as usize;
                continue;
            };
            let k = (chunk.len() - *pos).min(usize::try_from(n).unwrap_or(usize::MAX));
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(&chunk[*pos..*pos + k]);
            }
            *pos += k;
            n -= k as u64;
            self.left -= k as u64;
        }
        Ok(())
    }
}

/// A SQLite varint (1 to 9 bytes, big-endian, 7 bits a byte but 8 in the ninth).
fn varint(buf: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for i in 0..9 {
        let b = *buf.get(*at)?;
        *at += 1;
        if i == 8 {
            return Some((v << 8) | u64::from(b));
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            break;
        }
    }
    Some(v)
}

// ---------------------------------------------------------------------------------------
// CREATE TABLE statements: just enough to name the columns of a record.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    /// A bare word or number.
    Word(String),
    /// `"x"`, `` `x` ``, `[x]` or `'x'`, unescaped.
    Quoted(String),
    Punct(char),
}

impl Tok {
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
    fn name(&self) -> Option<&str> {
        match self {
            Tok::Word(w) | Tok::Quoted(w) => Some(w),
            Tok::Punct(_) => None,
        }
    }
}

fn tokenize(sql: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut it = sql.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            c if c.is_whitespace() => {}
            '-' if it.peek().is_some_and(|&(_, d)| d == '-') => {
                for (_, d) in it.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if it.peek().is_some_and(|&(_, d)| d == '*') => {
                it.next();
                let mut star = false;
                for (_, d) in it.by_ref() {
                    if star && d == '/' {
                        break;
                    }
                    star = d == '*';
                }
            }
            '"' | '`' | '\'' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let mut s = String::new();
                while let Some((_, d)) = it.next() {
                    if d == close {
                        // A doubled quote is one quote (not inside [...]).
                        if c != '[' && it.peek().is_some_and(|&(_, e)| e == close) {
                            it.next();
                            s.push(d);
                            continue;
                        }
                        break;
                    }
                    s.push(d);
                }
                toks.push(Tok::Quoted(s));
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii() => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = it.peek() {
                    if d.is_alphanumeric() || d == '_' || d == '$' || !d.is_ascii() {
                        end = j + d.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                toks.push(Tok::Word(sql[i..end].to_owned()));
            }
            c => toks.push(Tok::Punct(c)),
        }
    }
    toks
}

#[derive(Debug, Default)]
struct Column {
    name: String,
    /// False for a VIRTUAL generated column: it has no value in the record.
    stored: bool,
}

#[derive(Debug, Default)]
struct TableDef {
    columns: Vec<Column>,
    /// The INTEGER PRIMARY KEY column: an alias for the rowid, NULL in the record.
    alias: Option<usize>,
    /// PRIMARY KEY columns in key order (the first values of a WITHOUT ROWID record).
    pk: Vec<usize>,
}

#[derive(Debug)]
enum Parsed {
    Table(TableDef),
    Virtual,
    /// Not a `CREATE TABLE name (...)` this parser understands.
    Unknown,
}

/// Table-constraint keywords: an element starting with one is not a column.
const TABLE_CONSTRAINTS: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];
/// Words that end a column's type name.
const COLUMN_CONSTRAINTS: [&str; 11] = [
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

fn parse_create_table(sql: &str) -> Parsed {
    let toks = tokenize(sql);
    let mut i = 0;
    if !toks.first().is_some_and(|t| t.is_kw("CREATE")) {
        return Parsed::Unknown;
    }
    i += 1;
    if toks
        .get(i)
        .is_some_and(|t| t.is_kw("TEMP") || t.is_kw("TEMPORARY"))
    {
        i += 1;
    }
    if toks.get(i).is_some_and(|t| t.is_kw("VIRTUAL")) {
        return Parsed::Virtual;
    }
    if !toks.get(i).is_some_and(|t| t.is_kw("TABLE")) {
        return Parsed::Unknown;
    }
    // The column list: the first top-level `(` after the (maybe qualified) name.
    let Some(open) = toks[i..].iter().position(|t| *t == Tok::Punct('(')) else {
        return Parsed::Unknown;
    };
    let mut elements: Vec<&[Tok]> = Vec::new();
    let mut depth = 0;
    let mut start = i + open + 1;
    let mut close = None;
    for (j, t) in toks.iter().enumerate().skip(i + open + 1) {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') if depth == 0 => {
                elements.push(&toks[start..j]);
                close = Some(j);
                break;
            }
            Tok::Punct(')') => depth -= 1,
            Tok::Punct(',') if depth == 0 => {
                elements.push(&toks[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return Parsed::Unknown;
    };
    let without_rowid = toks[close..]
        .windows(2)
        .any(|w| w[0].is_kw("WITHOUT") && w[1].is_kw("ROWID"));

    let mut def = TableDef::default();
    let mut integer = Vec::new();
    let mut col_pk: Option<(usize, bool)> = None;
    let mut table_pk: Vec<String> = Vec::new();
    for el in elements {
        let Some(first) = el.first() else {
            continue;
        };
        let is_constraint = TABLE_CONSTRAINTS.iter().any(|k| first.is_kw(k));
        if is_constraint {
            if let Some(k) = top_level(el).find(|&k| el[k].is_kw("PRIMARY")) {
                table_pk = pk_list(&el[k..]);
            }
            continue;
        }
        let Some(name) = first.name() else {
            return Parsed::Unknown;
        };
        let idx = def.columns.len();
        let rest = &el[1..];
        let type_end = top_level(rest)
            .find(|&k| COLUMN_CONSTRAINTS.iter().any(|c| rest[k].is_kw(c)))
            .unwrap_or(rest.len());
        integer.push(type_end == 1 && rest[0].is_kw("INTEGER"));
        let cons = &rest[type_end..];
        let top: Vec<usize> = top_level(cons).collect();
        let mut stored = true;
        for (n, &k) in top.iter().enumerate() {
            let next = top.get(n + 1).map(|&k| &cons[k]);
            if cons[k].is_kw("PRIMARY") {
                let after = top.get(n + 2).map(|&k| &cons[k]);
                let desc = after.is_some_and(|t| t.is_kw("DESC"));
                if next.is_some_and(|t| t.is_kw("KEY")) && col_pk.is_none() {
                    col_pk = Some((idx, desc));
                }
            }
            if cons[k].is_kw("AS") {
                // A generated column: VIRTUAL unless STORED.
                stored = top[n..].iter().any(|&k| cons[k].is_kw("STORED"));
            }
        }
        def.columns.push(Column {
            name: name.to_owned(),
            stored,
        });
    }
    if let Some((c, desc)) = col_pk {
        def.pk = vec![c];
        if !without_rowid && integer[c] && !desc {
            def.alias = Some(c);
        }
    } else if !table_pk.is_empty() {
        for name in &table_pk {
            if let Some(c) = def
                .columns
                .iter()
                .position(|col| col.name.eq_ignore_ascii_case(name))
            {
                if !def.pk.contains(&c) {
                    def.pk.push(c);
                }
            }
        }
        if !without_rowid && table_pk.len() == 1 && def.pk.len() == 1 && integer[def.pk[0]] {
            def.alias = Some(def.pk[0]);
        }
    }
    Parsed::Table(def)
}

/// Indexes of the tokens of `toks` outside parentheses.
fn top_level(toks: &[Tok]) -> impl Iterator<Item = usize> + '_ {
    let mut depth = 0i32;
    toks.iter().enumerate().filter_map(move |(k, t)| {
        let at_top = depth == 0;
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth -= 1,
            _ => {}
        }
        (at_top && !matches!(t, Tok::Punct('(' | ')'))).then_some(k)
    })
}

/// The column names of `PRIMARY KEY (a, b COLLATE x DESC, ...)`.
fn pk_list(toks: &[Tok]) -> Vec<String> {
    let Some(open) = toks.iter().position(|t| *t == Tok::Punct('(')) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let mut depth = 0;
    let mut expect = true;
    for t in &toks[open + 1..] {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') if depth == 0 => break,
            Tok::Punct(')') => depth -= 1,
            Tok::Punct(',') if depth == 0 => expect = true,
            t if expect && depth == 0 => {
                if let Some(n) = t.name() {
                    names.push(n.to_owned());
                }
                expect = false;
            }
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(sql: &str) -> (Vec<(String, bool)>, Option<usize>, Vec<usize>) {
        match parse_create_table(sql) {
            Parsed::Table(d) => (
                d.columns.into_iter().map(|c| (c.name, c.stored)).collect(),
                d.alias,
                d.pk,
            ),
            other => panic!("{sql}: {other:?}"),
        }
    }

    fn names(sql: &str) -> Vec<String> {
        cols(sql).0.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn column_names_and_constraints() {
        assert_eq!(
            names(
                "CREATE TABLE \"t\" (\"a b\" TEXT, `c` VARCHAR(10, 2) NOT NULL DEFAULT (abs(-1)), \
                 [d] -- comment, e\n, 'e', f /* , g */ REFERENCES x(y), \
                 CONSTRAINT pk PRIMARY KEY (a), UNIQUE (c, d), CHECK (f > (1)), \
                 FOREIGN KEY (f) REFERENCES x(y))"
            ),
            ["a b", "c", "d", "e", "f"]
        );
        assert_eq!(
            names("CREATE TABLE x(\"q\"\"uote\", key, date)"),
            ["q\"uote", "key", "date"]
        );
        assert!(matches!(
            parse_create_table("CREATE VIRTUAL TABLE f USING fts5(a, b)"),
            Parsed::Virtual
        ));
        assert!(matches!(parse_create_table("garbage"), Parsed::Unknown));
        assert!(matches!(
            parse_create_table("CREATE TABLE t (a"),
            Parsed::Unknown
        ));
    }

    #[test]
    fn rowid_alias_and_primary_keys() {
        assert_eq!(cols("CREATE TABLE t(id INTEGER PRIMARY KEY, a)").1, Some(0));
        assert_eq!(
            cols("CREATE TABLE t(a, id integer primary key autoincrement)").1,
            Some(1)
        );
        assert_eq!(
            cols("CREATE TABLE t(id INTEGER PRIMARY KEY DESC, a)").1,
            None
        );
        assert_eq!(cols("CREATE TABLE t(id INT PRIMARY KEY, a)").1, None);
        assert_eq!(
            cols("CREATE TABLE t(a, id INTEGER, PRIMARY KEY(id DESC))").1,
            Some(1)
        );
        assert_eq!(
            cols("CREATE TABLE t(a INTEGER, b INTEGER, PRIMARY KEY(a, b))").1,
            None
        );
        let (_, alias, pk) =
            cols("CREATE TABLE t(a, b, c, PRIMARY KEY(c, \"A\" DESC)) WITHOUT ROWID");
        assert_eq!((alias, pk), (None, vec![2, 0]));
        assert_eq!(
            cols("CREATE TABLE t(id INTEGER PRIMARY KEY, a) WITHOUT ROWID").1,
            None
        );
    }

    #[test]
    fn generated_columns() {
        assert_eq!(
            cols("CREATE TABLE t(a, b AS (a * 2), c GENERATED ALWAYS AS (a) STORED, d)").0,
            [
                ("a".to_owned(), true),
                ("b".to_owned(), false),
                ("c".to_owned(), true),
                ("d".to_owned(), true)
            ]
        );
    }

    #[test]
    fn varints() {
        let mut at = 0;
        assert_eq!(varint(&[0x81, 0x00], &mut at), Some(128));
        at = 0;
        assert_eq!(varint(&[0xff; 9], &mut at), Some(u64::MAX));
        at = 0;
        assert_eq!(varint(&[0x81], &mut at), None);
    }
}
