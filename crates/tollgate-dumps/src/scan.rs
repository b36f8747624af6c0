//! The recursive driver: sniff a stream, then either unwrap it (compression, tar, zip) and
//! recurse, or hand it to the reader of its format.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, BufReader, Cursor, Read};
use std::rc::Rc;

use memchr::memmem;

use crate::compress::{self, Codec};
use crate::copy::{lossy, CopyTarget};
use crate::delimited::scan_delimited;
use crate::meter::{InMeter, OutMeter, Shared};
use crate::sniff::{sniff, Kind, SNIFF_LEN};
use crate::sql::{parse_copy_statement, scan_sql, Dialect, Header};
use crate::sqlite::scan_sqlite;
use crate::{Format, ScanError, Scanned, Sink};

/// A pg_dump tar TOC read: member file name (`NNNN.dat`) → its COPY target.
type TocMap = HashMap<String, CopyTarget>;

/// Largest pg_dump tar `toc.dat` read for the member → table mapping.
const MAX_TOC_BYTES: u64 = 64 << 20;

pub(crate) struct Scanner<'s> {
    pub shared: Rc<Shared>,
    pub sink: &'s mut dyn Sink,
    pub out: Vec<Scanned>,
}

/// What is known about the stream being scanned.
pub(crate) struct Member {
    /// `Scanned::inner_path`: `None` for the file itself (even when compressed).
    pub path: Option<String>,
    /// The file's display name, or its path inside the archive: used in messages.
    pub label: String,
    /// Its file name, for the CSV/TSV tie-break.
    pub name: String,
    /// Cleared when this stream turns out to be a wrapper: only innermost bytes count
    /// towards `max_decompressed_bytes`.
    pub counted: Option<Rc<Cell<bool>>>,
    /// The COPY target of a pg_dump tar `.dat` member, from the archive's TOC.
    pub forced: Option<CopyTarget>,
    pub in_tar: bool,
}

impl Member {
    fn child(&self, name: &str, counted: Rc<Cell<bool>>, forced: Option<CopyTarget>) -> Member {
        let path = format!("{}!{name}", self.label);
        Member {
            path: Some(path.clone()),
            label: path,
            name: name.rsplit('/').next().unwrap_or(name).to_owned(),
            counted: Some(counted),
            forced,
            in_tar: false,
        }
    }
}

fn io_corrupt(label: &str, what: impl std::fmt::Display) -> ScanError {
    ScanError::Corrupt {
        what: format!("{label}: {what}"),
    }
}

impl Scanner<'_> {
    fn push(&mut self, m: &Member, format: Format, data_rows: u64, opaque: bool) {
        self.out.push(Scanned {
            format,
            inner_path: m.path.clone(),
            data_rows,
            opaque,
        });
    }

    /// One more wrapper around the content: check the depth, stop counting this layer.
    fn enter(&self, depth: u8, m: &Member, kind: Kind) -> Result<(), ScanError> {
        let max = self.shared.limits.max_depth;
        if depth >= max {
            return Err(ScanError::LimitExceeded {
                what: format!(
                    "{}: {} inside {depth} archive/compression layer(s), more than {max} nested layers (max_depth)",
                    m.label,
                    compress::name(kind)
                ),
            });
        }
        if let Some(c) = &m.counted {
            c.set(false);
        }
        Ok(())
    }

    fn check_entries(&self, count: usize, m: &Member) -> Result<(), ScanError> {
        let max = self.shared.limits.max_entries;
        if count > max {
            return Err(ScanError::LimitExceeded {
                what: format!("{}: more than {max} archive members (max_entries)", m.label),
            });
        }
        Ok(())
    }

    pub fn scan_stream(
        &mut self,
        mut r: Box<dyn Read + '_>,
        depth: u8,
        m: Member,
    ) -> Result<Option<TocMap>, ScanError> {
        self.sink.member(m.path.as_deref());
        let mut prefix = Vec::with_capacity(SNIFF_LEN);
        (&mut r)
            .take(SNIFF_LEN as u64)
            .read_to_end(&mut prefix)
            .map_err(|e| self.shared.map_io(e, &m.label))?;
        let eof = prefix.len() < SNIFF_LEN;
        let kind = sniff(&prefix, eof, &m.name);
        let is_pg_toc = kind == Kind::PgArchive(3) && m.in_tar;
        let reader = Cursor::new(prefix).chain(r);
        let text_kind = matches!(
            kind,
            Kind::Sql(..) | Kind::CopyData | Kind::Delimited(_) | Kind::NotADump
        );
        if let (true, Some(target)) = (text_kind, &m.forced) {
            let (format, rows, opaque) = scan_sql(
                reader,
                Dialect::Pg,
                Header::None,
                Some(target.clone()),
                &self.shared,
                &m.label,
                self.sink,
            )?;
            self.push(&m, format, rows, opaque);
            return Ok(None);
        }
        match kind {
            Kind::Gzip | Kind::Zstd | Kind::Bzip2 | Kind::Xz => {
                self.enter(depth, &m, kind)?;
                let compressed = Rc::new(Cell::new(0));
                let codec = Codec::of(kind).unwrap_or_else(|| unreachable!());
                let dec = compress::decoder(codec, reader, compressed.clone());
                let counted = Rc::new(Cell::new(true));
                let out = OutMeter::new(
                    dec,
                    self.shared.clone(),
                    Some(compressed),
                    counted.clone(),
                    m.label.clone(),
                );
                let inner = Member {
                    name: strip_ext(&m.name).to_owned(),
                    counted: Some(counted),
                    ..m
                };
                self.scan_stream(Box::new(out), depth + 1, inner)
            }
            Kind::Tar => {
                self.enter(depth, &m, kind)?;
                self.scan_tar(reader, depth + 1, &m)?;
                Ok(None)
            }
            Kind::Zip => {
                self.enter(depth, &m, kind)?;
                self.scan_zip(reader, depth + 1, &m)?;
                Ok(None)
            }
            Kind::PgArchive(_) if is_pg_toc => {
                let mut data = Vec::new();
                reader
                    .take(MAX_TOC_BYTES + 1)
                    .read_to_end(&mut data)
                    .map_err(|e| self.shared.map_io(e, &m.label))?;
                let map = if data.len() as u64 > MAX_TOC_BYTES {
                    TocMap::new()
                } else {
                    toc_map(&data)
                };
                self.push(&m, Format::PgTar, 0, false);
                Ok(Some(map))
            }
            Kind::PgArchive(fmt) => {
                let format = match fmt {
                    3 => Format::PgTar,
                    5 => Format::PgDirectoryToc,
                    _ => Format::PgCustom,
                };
                self.push(&m, format, 0, true);
                Ok(None)
            }
            Kind::Sqlite => {
                let rows = scan_sqlite(reader, &self.shared, &m.label, self.sink)?;
                self.push(&m, Format::Sqlite, rows, false);
                Ok(None)
            }
            Kind::Sql(dialect, header) => {
                let (format, rows, opaque) = scan_sql(
                    reader,
                    dialect,
                    header,
                    None,
                    &self.shared,
                    &m.label,
                    self.sink,
                )?;
                self.push(&m, format, rows, opaque);
                Ok(None)
            }
            Kind::CopyData => {
                let target = CopyTarget {
                    table: None,
                    columns: Vec::new(),
                    text: true,
                };
                let (format, rows, opaque) = scan_sql(
                    reader,
                    Dialect::Pg,
                    Header::None,
                    Some(target),
                    &self.shared,
                    &m.label,
                    self.sink,
                )?;
                self.push(&m, format, rows, opaque);
                Ok(None)
            }
            Kind::Delimited(d) => {
                let rows = scan_delimited(reader, d, &self.shared, &m.label, self.sink)?;
                let format = if d == b'\t' { Format::Tsv } else { Format::Csv };
                self.push(&m, format, rows, false);
                Ok(None)
            }
            Kind::NotADump => {
                self.push(&m, Format::NotADump, 0, false);
                Ok(None)
            }
        }
    }

    fn scan_tar(&mut self, r: impl Read, depth: u8, m: &Member) -> Result<(), ScanError> {
        let mut archive = tar::Archive::new(r);
        let entries = archive
            .entries()
            .map_err(|e| self.shared.map_io(e, &m.label))?;
        let mut toc = TocMap::new();
        let mut count = 0;
        for entry in entries {
            let entry = entry.map_err(|e| self.shared.map_io(e, &m.label))?;
            count += 1;
            self.check_entries(count, m)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = lossy(&entry.path_bytes()).into_owned();
            let base = name.rsplit('/').next().unwrap_or(&name).to_owned();
            let counted = Rc::new(Cell::new(m.counted.is_some()));
            let mut child = m.child(&name, counted.clone(), toc.get(&base).cloned());
            child.in_tar = true;
            let meter = OutMeter::new(
                entry,
                self.shared.clone(),
                None,
                counted,
                child.label.clone(),
            );
            if let Some(map) = self.scan_stream(Box::new(meter), depth, child)? {
                toc.extend(map);
            }
        }
        Ok(())
    }

    /// Reads a zip archive front to back from its local headers (the central directory at
    /// the end is never needed, so the archive is not buffered or seeked).
    fn scan_zip(&mut self, r: impl Read, depth: u8, m: &Member) -> Result<(), ScanError> {
        const LOCAL: u32 = 0x0403_4b50;
        const DESCRIPTOR: u32 = 0x0807_4b50;
        let mut br = BufReader::with_capacity(64 * 1024, r);
        let mut count = 0;
        loop {
            let mut sig = [0u8; 4];
            let got = read_full(&mut br, &mut sig).map_err(|e| self.shared.map_io(e, &m.label))?;
            if got == 0 {
                break;
            }
            if got < 4 {
                return Err(io_corrupt(&m.label, "truncated zip archive"));
            }
            match u32::from_le_bytes(sig) {
                LOCAL => {}
                DESCRIPTOR if count == 0 => continue,
                // Central directory, end records, archive extra data, digital signature.
                0x0201_4b50 | 0x0605_4b50 | 0x0606_4b50 | 0x0706_4b50 | 0x0806_4b50
                | 0x0505_4b50 => break,
                _ => return Err(io_corrupt(&m.label, "bad zip local header signature")),
            }
            let mut h = [0u8; 26];
            br.read_exact(&mut h)
                .map_err(|e| self.shared.map_io(e, &m.label))?;
            let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
            let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
            let flags = u16_at(2);
            let method = u16_at(4);
            let comp32 = u32_at(14);
            let uncomp32 = u32_at(18);
            let mut name = vec![0u8; usize::from(u16_at(22))];
            let mut extra = vec![0u8; usize::from(u16_at(24))];
            br.read_exact(&mut name)
                .and_then(|()| br.read_exact(&mut extra))
                .map_err(|e| self.shared.map_io(e, &m.label))?;
            let name = lossy(&name).into_owned();
            count += 1;
            self.check_entries(count, m)?;

            let (mut comp, mut zip64) = (u64::from(comp32), false);
            let mut x = &extra[..];
            while x.len() >= 4 {
                let id = u16::from_le_bytes([x[0], x[1]]);
                let len = usize::from(u16::from_le_bytes([x[2], x[3]])).min(x.len() - 4);
                let data = &x[4..4 + len];
                if id == 0x0001 {
                    zip64 = true;
                    let mut off = 0;
                    if uncomp32 == u32::MAX {
                        off += 8;
                    }
                    if comp32 == u32::MAX {
                        if let Some(b) = data.get(off..off + 8) {
                            comp = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                        }
                    }
                }
                x = &x[4 + len..];
            }
            let descriptor = flags & 0x8 != 0;
            let encrypted = flags & 0x1 != 0;
            let known = !descriptor || comp != 0;
            let is_dir = name.ends_with('/');
            let supported = matches!(method, 0 | 8 | 12 | 93 | 95);
            let counted = Rc::new(Cell::new(method != 0 || m.counted.is_some()));
            let child = m.child(&name, counted.clone(), None);

            let skip_only = encrypted || !supported || (is_dir && known);
            if skip_only {
                if !known {
                    return Err(io_corrupt(
                        &child.label,
                        format!(
                            "zip member without sizes in its local header (method {method}{}) can't be skipped while streaming; extract the archive first",
                            if encrypted { ", encrypted" } else { "" }
                        ),
                    ));
                }
                self.skip(&mut br, comp, &child.label)?;
                if !is_dir {
                    self.push(&child, Format::NotADump, 0, true);
                }
            } else if known {
                let mut take = (&mut br).take(comp);
                {
                    let compressed = Rc::new(Cell::new(0));
                    let codec = match method {
                        0 => None,
                        8 => Some(Codec::Deflate),
                        12 => Some(Codec::Bzip2),
                        93 => Some(Codec::Zstd),
                        _ => Some(Codec::Xz),
                    };
                    let dec: Box<dyn Read + '_> = match codec {
                        None => Box::new(&mut take),
                        Some(c) => compress::decoder(c, &mut take, compressed.clone()),
                    };
                    let ratio = (method != 0).then_some(compressed);
                    let out = OutMeter::new(
                        dec,
                        self.shared.clone(),
                        ratio,
                        counted,
                        child.label.clone(),
                    );
                    self.scan_stream(Box::new(out), depth, child)?;
                }
                let label = format!("{}!{name}", m.label);
                io::copy(&mut take, &mut io::sink()).map_err(|e| self.shared.map_io(e, &label))?;
                if take.limit() > 0 {
                    return Err(io_corrupt(&label, "truncated zip member"));
                }
            } else if method == 8 {
                // No sizes: inflate to the end of the deflate stream (directories too).
                let compressed = Rc::new(Cell::new(0));
                let input = InMeter {
                    inner: &mut br,
                    count: compressed.clone(),
                };
                let label = child.label.clone();
                let mut out = OutMeter::new(
                    flate2::bufread::DeflateDecoder::new(input),
                    self.shared.clone(),
                    Some(compressed),
                    counted,
                    label.clone(),
                );
                if !is_dir {
                    self.scan_stream(Box::new(&mut out), depth, child)?;
                }
                // Decode to the end of the deflate stream to find the data descriptor.
                io::copy(&mut out, &mut io::sink()).map_err(|e| self.shared.map_io(e, &label))?;
            } else {
                return Err(io_corrupt(
                    &child.label,
                    format!("zip member with a data descriptor and method {method} can't be read while streaming; extract the archive first"),
                ));
            }
            if descriptor {
                let label = format!("{}!{name}", m.label);
                let mut first = [0u8; 4];
                br.read_exact(&mut first)
                    .map_err(|e| self.shared.map_io(e, &label))?;
                let rest = if zip64 { 16 } else { 8 };
                let rest = if u32::from_le_bytes(first) == DESCRIPTOR {
                    rest + 4
                } else {
                    rest
                };
                self.skip(&mut br, rest, &label)?;
            }
        }
        Ok(())
    }

    fn skip(&self, r: &mut impl Read, n: u64, label: &str) -> Result<(), ScanError> {
        let copied =
            io::copy(&mut r.take(n), &mut io::sink()).map_err(|e| self.shared.map_io(e, label))?;
        if copied < n {
            return Err(io_corrupt(label, "truncated archive"));
        }
        Ok(())
    }
}

/// Reads until `buf` is full or the stream ends; returns how much was read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn strip_ext(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// Maps the `NNNN.dat` members of a pg_dump tar archive to their tables without parsing the
/// TOC: its strings are length-prefixed (a sign byte, then `intSize` bytes little-endian), so
/// each `COPY ... FROM stdin;` statement and the `NNNN.dat` file name that follows it in the
/// same TOC entry can be found and checked against their length prefix.
fn toc_map(toc: &[u8]) -> TocMap {
    let int_size = usize::from(toc.get(8).copied().unwrap_or(4));
    if !(1..=8).contains(&int_size) {
        return TocMap::new();
    }
    // The length stored just before `at`, if it is a valid WriteStr prefix.
    let prefixed_len = |at: usize| -> Option<usize> {
        let start = at.checked_sub(int_size + 1)?;
        if toc[start] != 0 {
            return None;
        }
        let mut v = 0usize;
        for (i, b) in toc[start + 1..at].iter().enumerate() {
            v |= usize::from(*b) << (8 * i);
        }
        Some(v)
    };
    enum Found {
        Copy(CopyTarget),
        Dat(String),
    }
    let mut found = Vec::new();
    for p in memmem::find_iter(toc, b"COPY ") {
        let Some(len) = prefixed_len(p) else { continue };
        let Some(stmt) = toc.get(p..p + len) else {
            continue;
        };
        if !stmt.ends_with(b"FROM stdin;\n") {
            continue;
        }
        if let Some(t) = parse_copy_statement(stmt) {
            found.push((p, Found::Copy(t)));
        }
    }
    for q in memmem::find_iter(toc, b".dat") {
        let mut s = q;
        while s > 0 && toc[s - 1].is_ascii_digit() {
            s -= 1;
        }
        if s == q || prefixed_len(s) != Some(q + 4 - s) {
            continue;
        }
        found.push((s, Found::Dat(lossy(&toc[s..q + 4]).into_owned())));
    }
    found.sort_by_key(|(p, _)| *p);
    let mut map = TocMap::new();
    let mut pending: Option<CopyTarget> = None;
    for (_, f) in found {
        match f {
            Found::Copy(t) => pending = Some(t),
            Found::Dat(name) => {
                if let Some(t) = pending.take() {
                    map.insert(name, t);
                }
            }
        }
    }
    map
}
