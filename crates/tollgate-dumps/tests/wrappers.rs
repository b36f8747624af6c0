//! Compression, archives, nesting, and the limits that keep a hostile file from costing more
//! than a bounded amount of work.

mod common;

use std::io::{self, Read};
use std::time::{Duration, Instant};

use common::*;
use tollgate_dumps::{scan, Format, Limits, ScanError, Scanned};

const DUMP: &str = "--\n-- PostgreSQL database dump\n--\n\n\
                    SET statement_timeout = 0;\n\
                    COPY public.users (id, email) FROM stdin;\n\
                    1\talice@example.com\n\
                    2\tbob@example.com\n\
                    \\.\n";

const CSV: &str = "id,email\n1,carol@example.com\n";

fn expected_dump_cells(line_base: u64) -> Vec<String> {
    vec![
        r#"columns public.users ["id", "email"]"#.to_owned(),
        format!("{:>3} public.users.id = \"1\"", line_base),
        format!(
            "{:>3} public.users.email = \"alice@example.com\"",
            line_base
        ),
        format!("{:>3} public.users.id = \"2\"", line_base + 1),
        format!(
            "{:>3} public.users.email = \"bob@example.com\"",
            line_base + 1
        ),
    ]
}

fn plain(format: Format, path: Option<&str>, rows: u64) -> Scanned {
    Scanned {
        format,
        inner_path: path.map(str::to_owned),
        data_rows: rows,
        opaque: false,
    }
}

#[test]
fn single_stream_compressions() {
    let data = DUMP.as_bytes();
    for (name, bytes) in [
        ("dump.sql.gz", gzip(data)),
        ("dump.sql.zst", zstd(data)),
        ("dump.sql.bz2", bzip2(data)),
        ("dump.sql.xz", xz(data)),
    ] {
        let (scanned, rec) = run(&bytes, name);
        assert_eq!(scanned, [plain(Format::PgPlain, None, 2)], "{name}");
        assert_eq!(rec.events, expected_dump_cells(7), "{name}");
    }
}

#[test]
fn a_large_compressed_dump_reads_like_the_plain_one() {
    // Several megabytes: the decoder runs on a second thread and hands back many chunks, in
    // order, whatever the codec.
    let mut dump = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nCOPY public.t (id, note) FROM stdin;\n",
    );
    for i in 0..60_000u32 {
        dump.push_str(&format!(
            "{i}\trow {i}: {} call 06 12 {:02} 56 78\n",
            "x".repeat((i % 97) as usize),
            i % 100
        ));
    }
    dump.push_str("\\.\n");
    let (plain_scanned, plain_rec) = run(dump.as_bytes(), "dump.sql");
    assert_eq!(plain_scanned[0].data_rows, 60_000);
    for (name, bytes) in [
        ("dump.sql.gz", gzip(dump.as_bytes())),
        ("dump.sql.zst", zstd(dump.as_bytes())),
        ("dump.sql.bz2", bzip2(dump.as_bytes())),
        ("dump.sql.xz", xz(dump.as_bytes())),
    ] {
        let (scanned, rec) = run(&bytes, name);
        assert_eq!(scanned, plain_scanned, "{name}");
        assert!(rec.events == plain_rec.events, "{name}: other cells");
    }
}

#[test]
fn concatenated_gzip_members_and_zstd_frames() {
    let (first, second) = DUMP.split_at(DUMP.find("2\tbob").unwrap());
    let mut gz = gzip(first.as_bytes());
    gz.extend(gzip(second.as_bytes()));
    let (_, rec) = run(&gz, "multi.gz");
    assert_eq!(rec.events, expected_dump_cells(7));

    let mut zs = zstd(first.as_bytes());
    // A skippable frame between the two data frames.
    zs.extend([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    zs.extend(zstd(second.as_bytes()));
    let (_, rec) = run(&zs, "multi.zst");
    assert_eq!(rec.events, expected_dump_cells(7));
}

#[test]
fn zip_stored_deflated_and_streamed() {
    let members: [(&str, &[u8]); 3] = [
        ("dump.sql", DUMP.as_bytes()),
        ("docs/", b""),
        ("export/users.csv", CSV.as_bytes()),
    ];
    let expected = [
        plain(Format::PgPlain, Some("backup.zip!dump.sql"), 2),
        plain(Format::Csv, Some("backup.zip!export/users.csv"), 1),
    ];
    for (kind, bytes) in [
        ("stored", zip(&members, false)),
        ("deflated", zip(&members, true)),
        ("streamed", zip_streamed(&members)),
    ] {
        let (scanned, rec) = run(&bytes, "backup.zip");
        assert_eq!(scanned, expected, "{kind}");
        let mut want = expected_dump_cells(7);
        want.extend([
            r#"columns - ["id", "email"]"#.to_owned(),
            r#"  2 -.id = "1""#.to_owned(),
            r#"  2 -.email = "carol@example.com""#.to_owned(),
        ]);
        assert_eq!(rec.events, want, "{kind}");
    }
}

#[test]
fn tar_and_tar_gz() {
    let t = tar(&[
        ("data/dump.sql", DUMP.as_bytes()),
        ("data/users.csv", CSV.as_bytes()),
        ("README.md", b"# backups\n"),
    ]);
    let expected = |outer: &str| {
        vec![
            plain(Format::PgPlain, Some(&format!("{outer}!data/dump.sql")), 2),
            plain(Format::Csv, Some(&format!("{outer}!data/users.csv")), 1),
            plain(Format::NotADump, Some(&format!("{outer}!README.md")), 0),
        ]
    };
    let (scanned, rec) = run(&t, "backup.tar");
    assert_eq!(scanned, expected("backup.tar"));
    assert_eq!(rec.cells, 6);
    let (scanned, rec) = run(&gzip(&t), "backup.tar.gz");
    assert_eq!(scanned, expected("backup.tar.gz"));
    assert_eq!(rec.cells, 6);
}

#[test]
fn sql_gz_inside_zip_is_depth_two() {
    let z = zip(&[("nightly/dump.sql.gz", &gzip(DUMP.as_bytes()))], true);
    let (scanned, rec) = run(&z, "backup.zip");
    assert_eq!(
        scanned,
        [plain(
            Format::PgPlain,
            Some("backup.zip!nightly/dump.sql.gz"),
            2
        )]
    );
    assert_eq!(rec.events, expected_dump_cells(7));
}

#[test]
fn depth_three_is_refused() {
    let inner = zip(&[("dump.sql.gz", &gzip(DUMP.as_bytes()))], true);
    let outer = zip(&[("inner.zip", &inner)], false);
    let (res, rec) = run_with(&outer, "outer.zip", &Limits::default());
    let err = res.unwrap_err();
    assert!(
        matches!(&err, ScanError::LimitExceeded { what } if what.contains("max_depth") && what.contains("outer.zip!inner.zip!dump.sql.gz")),
        "{err}"
    );
    assert!(rec.events.is_empty());
    // The same file with a raised limit.
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let (res, rec) = run_with(&outer, "outer.zip", &limits);
    assert_eq!(res.unwrap().len(), 1);
    assert_eq!(rec.events, expected_dump_cells(7));
}

/// 50 MB of repetitive rows: gzip shrinks them about 1000:1.
fn bomb_rows() -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    io::copy(
        &mut io::repeat(b'x').take(50_000_000).chain(&b"\n"[..]),
        &mut WriteRows(&mut e),
    )
    .unwrap();
    e.finish().unwrap()
}

/// Writes `1\t<data>\n` rows of 1000 bytes.
struct WriteRows<'a, W: io::Write>(&'a mut W);
impl<W: io::Write> io::Write for WriteRows<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for chunk in buf.chunks(996) {
            self.0.write_all(b"1\t")?;
            self.0.write_all(chunk)?;
            self.0.write_all(b"\n")?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[test]
fn a_gzip_bomb_stops_at_the_ratio_cap() {
    let bomb = bomb_rows();
    assert!(bomb.len() < 250_000, "{}", bomb.len());
    let (res, rec) = run_with(&bomb, "rows.tsv.gz", &Limits::default());
    let err = res.unwrap_err();
    assert!(
        matches!(&err, ScanError::LimitExceeded { what } if what.contains("max_ratio")),
        "{err}"
    );
    // Stopped after a few MB, not 50.
    assert!(rec.cells < 20_000, "{}", rec.cells);
}

#[test]
fn the_decompressed_size_cap_stops_a_large_member() {
    let bomb = bomb_rows();
    let limits = Limits {
        max_decompressed_bytes: 2 << 20,
        max_ratio: 1_000_000,
        ..Limits::default()
    };
    let (res, rec) = run_with(&bomb, "rows.tsv.gz", &limits);
    let err = res.unwrap_err();
    assert!(
        matches!(&err, ScanError::LimitExceeded { what } if what.contains("max_decompressed_bytes")),
        "{err}"
    );
    assert!(rec.cells < 10_000, "{}", rec.cells);
    assert!(err.to_string().contains("the file is not passed"));
}

#[test]
fn zeros_skipped_inside_a_tar_gz_still_hit_the_ratio_cap() {
    let zeros = vec![0u8; 50_000_000];
    let t = gzip(&tar(&[
        ("zeros.bin", &zeros),
        ("users.csv", CSV.as_bytes()),
    ]));
    drop(zeros);
    let (res, _) = run_with(&t, "b.tar.gz", &Limits::default());
    assert!(
        matches!(res, Err(ScanError::LimitExceeded { .. })),
        "{res:?}"
    );
}

#[test]
fn zeros_at_the_top_level_are_not_a_dump_and_not_read_further() {
    let z = gzip(&vec![0u8; 5_000_000]);
    let (res, rec) = run_with(&z, "zeros.gz", &Limits::default());
    assert_eq!(res.unwrap(), [plain(Format::NotADump, None, 0)]);
    assert!(rec.events.is_empty());
}

#[test]
fn truncated_compression_is_corrupt() {
    let big: String = (0..20_000)
        .map(|i| format!("{i},user{i}@example.com\n"))
        .collect();
    let csv = format!("id,email\n{big}");
    for (name, bytes) in [
        ("t.csv.gz", gzip(csv.as_bytes())),
        ("t.csv.zst", zstd(csv.as_bytes())),
        ("t.csv.bz2", bzip2(csv.as_bytes())),
        ("t.csv.xz", xz(csv.as_bytes())),
    ] {
        let cut = &bytes[..bytes.len() / 2];
        let (res, _) = run_with(cut, name, &Limits::default());
        assert!(
            matches!(&res, Err(ScanError::Corrupt { what }) if what.starts_with(name)),
            "{name}: {res:?}"
        );
    }
    let z = zip(&[("a.csv", csv.as_bytes())], true);
    let (res, _) = run_with(&z[..z.len() / 2], "a.zip", &Limits::default());
    assert!(matches!(res, Err(ScanError::Corrupt { .. })), "{res:?}");
}

#[test]
fn pg_custom_and_directory_toc_are_opaque() {
    let mut custom = b"PGDMP\x01\x0f\x00\x04\x08\x01".to_vec();
    custom.extend([0u8; 100]);
    let (res, rec) = run_with(&custom, "db.dump", &Limits::default());
    assert_eq!(
        res.unwrap(),
        [Scanned {
            format: Format::PgCustom,
            inner_path: None,
            data_rows: 0,
            opaque: true
        }]
    );
    assert!(rec.events.is_empty());
    let mut toc = custom.clone();
    toc[10] = 5;
    let (res, _) = run_with(&toc, "toc.dat", &Limits::default());
    assert_eq!(res.unwrap()[0].format, Format::PgDirectoryToc);
    // SQLite files are read (tests/sqlite.rs): 20 bytes are not a database.
    let (res, _) = run_with(b"SQLite format 3\0rest", "app.db", &Limits::default());
    assert!(
        matches!(&res, Err(ScanError::Corrupt { what }) if what.contains("100-byte database header")),
        "{res:?}"
    );
}

/// A pg_dump `-Ft` archive: `toc.dat` first (its TOC strings are length-prefixed: a sign byte
/// and a 4-byte little-endian length), then one `NNNN.dat` member per table, then
/// `restore.sql`.
#[test]
fn pg_dump_tar_format_maps_dat_members_to_tables() {
    fn s(out: &mut Vec<u8>, v: &str) {
        out.push(0);
        out.extend((v.len() as u32).to_le_bytes());
        out.extend(v.as_bytes());
    }
    fn null(out: &mut Vec<u8>) {
        out.extend([1, 1, 0, 0, 0]);
    }
    let mut toc = b"PGDMP\x01\x10\x00\x04\x08\x03".to_vec();
    toc.extend([0; 20]);
    for (table, cols, file) in [
        ("users", "id, email", "3345.dat"),
        ("\"Order Items\"", "\"Id\", note", "3346.dat"),
    ] {
        s(&mut toc, table);
        s(&mut toc, "TABLE DATA");
        s(&mut toc, "");
        s(&mut toc, "");
        s(
            &mut toc,
            &format!("COPY public.{table} ({cols}) FROM stdin;\n"),
        );
        s(&mut toc, "public");
        null(&mut toc);
        s(&mut toc, "app");
        s(&mut toc, file);
    }
    let restore = "--\n-- NOTE:\n--\n-- File paths need to be edited.\n--\n\n\
                   --\n-- PostgreSQL database dump\n--\n\n\
                   COPY public.users (id, email) FROM '$$PATH$$/3345.dat';\n";
    let t = tar(&[
        ("toc.dat", &toc),
        ("3345.dat", b"1\talice@example.com\n\\.\n\n\n"),
        ("3346.dat", b"7\tleave at door\n\\.\n\n\n"),
        ("restore.sql", restore.as_bytes()),
    ]);
    let (scanned, rec) = run(&t, "db.tar");
    assert_eq!(
        scanned,
        [
            plain(Format::PgTar, Some("db.tar!toc.dat"), 0),
            plain(Format::PgPlain, Some("db.tar!3345.dat"), 1),
            plain(Format::PgPlain, Some("db.tar!3346.dat"), 1),
            plain(Format::PgPlainSchemaOnly, Some("db.tar!restore.sql"), 0),
        ]
    );
    assert_eq!(
        rec.events,
        [
            r#"columns public.users ["id", "email"]"#,
            r#"  1 public.users.id = "1""#,
            r#"  1 public.users.email = "alice@example.com""#,
            r#"columns public.Order Items ["Id", "note"]"#,
            r#"  1 public.Order Items.Id = "7""#,
            r#"  1 public.Order Items.note = "leave at door""#,
        ]
    );
}

#[test]
fn too_many_archive_members() {
    let names: Vec<String> = (0..20).map(|i| format!("f{i}.txt")).collect();
    let members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    for (name, bytes) in [("a.tar", tar(&members)), ("a.zip", zip(&members, true))] {
        let (res, _) = run_with(&bytes, name, &limits);
        assert!(
            matches!(&res, Err(ScanError::LimitExceeded { what }) if what.contains("max_entries")),
            "{name}: {res:?}"
        );
    }
}

#[test]
fn a_passed_deadline_is_a_timeout() {
    let limits = Limits {
        deadline: Some(Instant::now() - Duration::from_millis(1)),
        ..Limits::default()
    };
    let (res, _) = run_with(DUMP.as_bytes(), "d.sql", &limits);
    assert!(matches!(res, Err(ScanError::Timeout)), "{res:?}");
}

#[test]
fn reader_errors_are_io_errors() {
    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::new(io::ErrorKind::PermissionDenied, "nope"));
            }
            let n = self.0.min(buf.len());
            buf[..n].fill(b'a');
            self.0 -= n;
            Ok(n)
        }
    }
    let mut rec = Recorder::default();
    let res = scan(Failing(100), "f", &Limits::default(), &mut rec);
    assert!(
        matches!(&res, Err(ScanError::Io(e)) if e.kind() == io::ErrorKind::PermissionDenied),
        "{res:?}"
    );
    let gz = gzip(CSV.as_bytes());
    let res = scan(
        (&gz[..10]).chain(Failing(0)),
        "f.gz",
        &Limits::default(),
        &mut rec,
    );
    assert!(matches!(&res, Err(ScanError::Io(_))), "{res:?}");
}

#[test]
fn a_line_over_the_cap_is_a_limit() {
    // Streamed, so the test does not hold 64 MiB: a COPY row that never ends.
    let head = b"COPY t (a) FROM stdin;\n".as_slice();
    let endless = io::repeat(b'y').take(tollgate_dumps::MAX_LINE_BYTES as u64 + 10);
    let mut rec = Recorder::default();
    let res = scan(
        head.chain(endless),
        "long.sql",
        &Limits::default(),
        &mut rec,
    );
    assert!(
        matches!(&res, Err(ScanError::LimitExceeded { what }) if what.contains("longer than")),
        "{res:?}"
    );
}
