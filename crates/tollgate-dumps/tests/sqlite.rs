//! SQLite database files, built here by python3's `sqlite3` module (the real SQLite library),
//! and the exact cells a recording sink receives; then corrupted copies of them.

mod common;

use std::process::Command;
use std::sync::OnceLock;

use common::*;
use proptest::prelude::*;
use tollgate_dumps::{Format, Limits, ScanError, Scanned};

/// Python helpers every script can use: `con` is a connection to the database being built.
const PRELUDE: &str = r#"
import sqlite3, sys
PRENOMS = ['Amélie', 'Benoît', 'Céline', 'Désiré', 'Élodie', 'François', 'Gaëlle', 'Hélène',
           'Inès', 'Jérôme', 'Loïc', 'Maëlys', 'Noël', 'Océane', 'Raphaël', 'Zoé']
NOMS = ['Lefèvre', 'Dubois', 'Moreau', 'Lambert', 'Bézier', 'Girard', 'Rousseau', 'Fontaine',
        'Chevalier', 'Mercier', 'Dupré', 'Gauthier', 'Perrin', 'Brunet', 'Lemaître']

def adherents(con, n):
    con.execute('''CREATE TABLE adherents (
        id INTEGER PRIMARY KEY,
        courriel TEXT NOT NULL UNIQUE,
        prenom TEXT, "nom" VARCHAR(80) COLLATE NOCASE,
        telephone TEXT, telephone_num INTEGER,
        date_naissance DATE CHECK (date_naissance > '1900-01-01'),
        taille REAL DEFAULT (1.70)
    )''')
    rows = []
    for i in range(1, n + 1):
        rows.append((
            i * 3,
            f'adherent{i}@exemple.fr',
            PRENOMS[i % 16],
            NOMS[i % 15],
            None if i % 7 == 0 else f'06 12 {i // 100 % 100:02} {i % 100:02} {i % 97:02}',
            33612000000 + i,
            f'{1950 + i % 50}-{1 + i % 12:02}-{1 + i % 28:02}',
            1.5 + (i % 50) / 100,
        ))
    con.executemany('INSERT INTO adherents VALUES (?, ?, ?, ?, ?, ?, ?, ?)', rows)
    con.commit()

con = sqlite3.connect(sys.argv[1])
"#;

/// Runs `script` (after [`PRELUDE`]) on a new database file; returns its bytes and stdout.
fn build(script: &str) -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("test.db");
    let out = Command::new("python3")
        .arg("-c")
        .arg(format!("{PRELUDE}\n{script}\ncon.commit()\ncon.close()\n"))
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 (with its sqlite3 module) is required to build the SQLite test databases: {e}")
        });
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&path).expect("the database python3 wrote");
    (bytes, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn db(script: &str) -> Vec<u8> {
    build(script).0
}

fn sqlite(rows: u64) -> Scanned {
    Scanned {
        format: Format::Sqlite,
        inner_path: None,
        data_rows: rows,
        opaque: false,
    }
}

const PRENOMS: [&str; 16] = [
    "Amélie",
    "Benoît",
    "Céline",
    "Désiré",
    "Élodie",
    "François",
    "Gaëlle",
    "Hélène",
    "Inès",
    "Jérôme",
    "Loïc",
    "Maëlys",
    "Noël",
    "Océane",
    "Raphaël",
    "Zoé",
];
const NOMS: [&str; 15] = [
    "Lefèvre",
    "Dubois",
    "Moreau",
    "Lambert",
    "Bézier",
    "Girard",
    "Rousseau",
    "Fontaine",
    "Chevalier",
    "Mercier",
    "Dupré",
    "Gauthier",
    "Perrin",
    "Brunet",
    "Lemaître",
];

/// What the `adherents(con, n)` table of the prelude reads as.
fn adherents_events(n: u64) -> Vec<String> {
    let mut ev = vec![
        r#"columns adherents ["id", "courriel", "prenom", "nom", "telephone", "telephone_num", "date_naissance", "taille"]"#
            .to_owned(),
    ];
    for i in 1..=n {
        let cell = |col: &str, v: String| format!("{i:>3} adherents.{col} = {v:?}");
        ev.push(cell("id", (i * 3).to_string()));
        ev.push(cell("courriel", format!("adherent{i}@exemple.fr")));
        ev.push(cell("prenom", PRENOMS[(i % 16) as usize].to_owned()));
        ev.push(cell("nom", NOMS[(i % 15) as usize].to_owned()));
        if i % 7 != 0 {
            ev.push(cell(
                "telephone",
                format!("06 12 {:02} {:02} {:02}", i / 100 % 100, i % 100, i % 97),
            ));
        }
        ev.push(cell("telephone_num", (33_612_000_000 + i).to_string()));
        ev.push(cell(
            "date_naissance",
            format!("{}-{:02}-{:02}", 1950 + i % 50, 1 + i % 12, 1 + i % 28),
        ));
        ev.push(cell("taille", (1.5 + (i % 50) as f64 / 100.0).to_string()));
    }
    ev
}

/// The b-tree depth of the tree rooted at `root`, following leftmost children.
fn depth(db: &[u8], root: usize) -> usize {
    let page_size = match u16::from_be_bytes([db[16], db[17]]) {
        1 => 65536,
        n => usize::from(n),
    };
    let mut page = root;
    let mut levels = 1;
    loop {
        let start = (page - 1) * page_size;
        let hdr = start + if page == 1 { 100 } else { 0 };
        if db[hdr] != 0x05 && db[hdr] != 0x02 {
            return levels;
        }
        let cell = start + usize::from(u16::from_be_bytes([db[hdr + 12], db[hdr + 13]]));
        page = u32::from_be_bytes(db[cell..cell + 4].try_into().unwrap()) as usize;
        levels += 1;
    }
}

#[test]
fn personal_data_in_every_page_size() {
    let want = adherents_events(5000);
    for page_size in [512, 4096, 65536] {
        let (bytes, out) = build(&format!(
            "con.execute('PRAGMA page_size = {page_size}')\nadherents(con, 5000)\n\
             print(con.execute(\"SELECT rootpage FROM sqlite_schema WHERE name = 'adherents'\").fetchone()[0])"
        ));
        let root: usize = out.trim().parse().unwrap();
        let levels = depth(&bytes, root);
        assert!(
            levels >= if page_size == 512 { 3 } else { 2 },
            "page size {page_size}: {levels} levels"
        );
        let (scanned, rec) = run(&bytes, "adherents.sqlite");
        assert_eq!(scanned, [sqlite(5000)], "page size {page_size}");
        assert_eq!(rec.events.len(), want.len(), "page size {page_size}");
        assert_eq!(rec.events, want, "page size {page_size}");
    }
}

#[test]
fn compressed_and_archived() {
    let bytes = db("adherents(con, 300)");
    let want = adherents_events(300);

    let (scanned, rec) = run(&gzip(&bytes), "app.db.gz");
    assert_eq!(scanned, [sqlite(300)]);
    assert_eq!(rec.events, want);

    let archive = zip(
        &[("LISEZMOI.txt", b"rien"), ("data/app.sqlite3", &bytes)],
        true,
    );
    let (scanned, rec) = run(&archive, "seed.zip");
    assert_eq!(
        scanned,
        [
            Scanned {
                format: Format::NotADump,
                inner_path: Some("seed.zip!LISEZMOI.txt".into()),
                data_rows: 0,
                opaque: false
            },
            Scanned {
                inner_path: Some("seed.zip!data/app.sqlite3".into()),
                ..sqlite(300)
            }
        ]
    );
    assert_eq!(rec.events, want);

    // The copy into memory is metered like any other reader.
    let limits = Limits {
        max_decompressed_bytes: bytes.len() as u64 / 2,
        ..Limits::default()
    };
    let (res, rec) = run_with(&gzip(&bytes), "app.db.gz", &limits);
    assert!(
        matches!(&res, Err(ScanError::LimitExceeded { what }) if what.contains("max_decompressed_bytes")),
        "{res:?}"
    );
    assert!(rec.events.is_empty());
}

#[test]
fn value_types_rowid_alias_generated_and_added_columns() {
    let bytes = db(r#"
con.executescript('''
CREATE TABLE mesures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    valeur REAL, entier INTEGER, drapeau INTEGER, photo BLOB, note TEXT,
    double AS (entier * 2),
    stocke INTEGER GENERATED ALWAYS AS (entier + 1) STORED
);
INSERT INTO mesures (valeur, entier, drapeau, photo, note) VALUES
    (3.25, -129, 0, x'00ff', ''),
    (1e20, 9007199254740993, 1, NULL, 'fin'),
    (-0.5, 70000, NULL, zeroblob(5000), NULL);
ALTER TABLE mesures ADD COLUMN ajout TEXT DEFAULT 'défaut';
INSERT INTO mesures (valeur, entier, drapeau, note, ajout) VALUES (NULL, 2147483648, 1, 'x', 'présent');
CREATE INDEX mesures_note ON mesures (note);
CREATE VIEW v AS SELECT note FROM mesures;
ANALYZE;
''')
"#);
    let (scanned, rec) = run(&bytes, "mesures.db");
    assert_eq!(scanned, [sqlite(4)]);
    let want = [
        r#"columns mesures ["id", "valeur", "entier", "drapeau", "photo", "note", "double", "stocke", "ajout"]"#,
        r#"  1 mesures.id = "1""#,
        r#"  1 mesures.valeur = "3.25""#,
        r#"  1 mesures.entier = "-129""#,
        r#"  1 mesures.drapeau = "0""#,
        r#"  1 mesures.note = """#,
        r#"  1 mesures.stocke = "-128""#,
        r#"  2 mesures.id = "2""#,
        r#"  2 mesures.valeur = "100000000000000000000""#,
        r#"  2 mesures.entier = "9007199254740993""#,
        r#"  2 mesures.drapeau = "1""#,
        r#"  2 mesures.note = "fin""#,
        r#"  2 mesures.stocke = "9007199254740994""#,
        r#"  3 mesures.id = "3""#,
        r#"  3 mesures.valeur = "-0.5""#,
        r#"  3 mesures.entier = "70000""#,
        r#"  3 mesures.stocke = "70001""#,
        r#"  4 mesures.id = "4""#,
        r#"  4 mesures.entier = "2147483648""#,
        r#"  4 mesures.drapeau = "1""#,
        r#"  4 mesures.note = "x""#,
        r#"  4 mesures.stocke = "2147483649""#,
        r#"  4 mesures.ajout = "présent""#,
    ];
    assert_eq!(
        rec.events, want,
        "sqlite_sequence and sqlite_stat1 are skipped"
    );
}

#[test]
fn long_values_on_overflow_pages() {
    let bytes = db(r#"
con.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, piece BLOB, corps TEXT, signature TEXT)')
con.execute("INSERT INTO notes VALUES (7, zeroblob(50000), ?, 'Jean Dupont')", ('Bonjour Hélène ' * 6400,))
con.execute("INSERT INTO notes VALUES (8, NULL, 'court', NULL)")
"#);
    let (scanned, rec) = run(&bytes, "notes.db");
    assert_eq!(scanned, [sqlite(2)]);
    let long = "Bonjour Hélène ".repeat(6400);
    assert!(long.len() > 100_000);
    assert_eq!(
        rec.events,
        [
            r#"columns notes ["id", "piece", "corps", "signature"]"#.to_owned(),
            r#"  1 notes.id = "7""#.to_owned(),
            format!("  1 notes.corps = {long:?}"),
            r#"  1 notes.signature = "Jean Dupont""#.to_owned(),
            r#"  2 notes.id = "8""#.to_owned(),
            r#"  2 notes.corps = "court""#.to_owned(),
        ]
    );
}

#[test]
fn without_rowid_tables() {
    let (bytes, out) = build(
        r#"
con.execute('PRAGMA page_size = 512')
con.execute('''CREATE TABLE communes (code_postal TEXT, insee INTEGER, nom TEXT, population INTEGER,
                PRIMARY KEY (insee, "code_postal")) WITHOUT ROWID''')
con.executemany('INSERT INTO communes VALUES (?, ?, ?, ?)',
    [(f'{10000 + i:05}', i * 7919 % 100000, f'Commune n°{i}', i * 10) for i in range(1, 3001)])
con.execute('CREATE TABLE reglages (cle TEXT PRIMARY KEY, valeur) WITHOUT ROWID')
con.execute("INSERT INTO reglages VALUES ('theme', 'sombre'), ('contact', 'admin@exemple.fr')")
print(con.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'communes'").fetchone()[0])
"#,
    );
    let root: usize = out.trim().parse().unwrap();
    assert!(
        depth(&bytes, root) >= 3,
        "an index b-tree with interior pages"
    );
    let (scanned, rec) = run(&bytes, "communes.db");
    assert_eq!(scanned, [sqlite(3002)]);

    let mut rows: Vec<u64> = (1..=3000).collect();
    rows.sort_by_key(|i| i * 7919 % 100_000);
    let mut want =
        vec![r#"columns communes ["code_postal", "insee", "nom", "population"]"#.to_owned()];
    for (n, i) in rows.iter().enumerate() {
        let line = n + 1;
        want.push(format!(
            "{line:>3} communes.insee = \"{}\"",
            i * 7919 % 100_000
        ));
        want.push(format!(
            "{line:>3} communes.code_postal = \"{:05}\"",
            10000 + i
        ));
        want.push(format!("{line:>3} communes.nom = \"Commune n°{i}\""));
        want.push(format!("{line:>3} communes.population = \"{}\"", i * 10));
    }
    want.extend(
        [
            r#"columns reglages ["cle", "valeur"]"#,
            r#"  1 reglages.cle = "contact""#,
            r#"  1 reglages.valeur = "admin@exemple.fr""#,
            r#"  2 reglages.cle = "theme""#,
            r#"  2 reglages.valeur = "sombre""#,
        ]
        .map(str::to_owned),
    );
    assert_eq!(rec.events, want);
}

#[test]
fn utf16_databases() {
    for enc in ["UTF-16le", "UTF-16be"] {
        let bytes = db(&format!(
            "con.execute(\"PRAGMA encoding = '{enc}'\")\nadherents(con, 200)\n\
             con.execute('CREATE TABLE \"textes ünicode\" (\"clé\" TEXT)')\n\
             con.execute('INSERT INTO \"textes ünicode\" VALUES (?)', ('😀 Élodie ' * 500,))"
        ));
        assert_eq!(
            u32::from_be_bytes(bytes[56..60].try_into().unwrap()),
            if enc == "UTF-16le" { 2 } else { 3 }
        );
        let (scanned, rec) = run(&bytes, "utf16.db");
        assert_eq!(scanned, [sqlite(201)], "{enc}");
        let mut want = adherents_events(200);
        want.push(r#"columns textes ünicode ["clé"]"#.to_owned());
        want.push(format!(
            "  1 textes ünicode.clé = {:?}",
            "😀 Élodie ".repeat(500)
        ));
        assert_eq!(rec.events, want, "{enc}");
    }
}

#[test]
fn schema_only_and_empty_databases() {
    let bytes = db(r#"
con.executescript('''
CREATE TABLE clients ("e-mail" TEXT, [nom complet] TEXT, `age` INT,
    CONSTRAINT pk PRIMARY KEY ("e-mail"), UNIQUE ([nom complet]), CHECK (age > (0)),
    FOREIGN KEY (age) REFERENCES x(y));
CREATE INDEX clients_age ON clients (age);
CREATE VIEW majeurs AS SELECT * FROM clients WHERE age >= 18;
CREATE TRIGGER t AFTER INSERT ON clients BEGIN SELECT 1; END;
''')
"#);
    let (scanned, rec) = run(&bytes, "schema.db");
    assert_eq!(scanned, [sqlite(0)]);
    assert_eq!(
        rec.events,
        [r#"columns clients ["e-mail", "nom complet", "age"]"#]
    );

    let bytes = db("con.execute('PRAGMA user_version = 3')");
    assert_eq!(bytes.len(), 4096, "one empty page");
    let (scanned, rec) = run(&bytes, "empty.db");
    assert_eq!(scanned, [sqlite(0)]);
    assert!(rec.events.is_empty());
}

#[test]
fn virtual_tables_are_skipped_their_shadow_tables_read() {
    let bytes = db(r#"
con.execute('CREATE VIRTUAL TABLE docs USING fts4(titre, contenu)')
con.execute("INSERT INTO docs VALUES ('Fiche', 'Écrire à paul.martin@exemple.fr')")
"#);
    let (scanned, rec) = run(&bytes, "fts.db");
    assert_eq!(scanned.len(), 1);
    assert!(scanned[0].data_rows >= 1 && !scanned[0].opaque);
    assert!(!rec.events.iter().any(|e| e.starts_with("columns docs ")));
    let content: Vec<&String> = rec
        .events
        .iter()
        .filter(|e| e.contains("docs_content"))
        .collect();
    assert_eq!(
        content,
        [
            r#"columns docs_content ["docid", "c0titre", "c1contenu"]"#,
            r#"  1 docs_content.docid = "1""#,
            r#"  1 docs_content.c0titre = "Fiche""#,
            r#"  1 docs_content.c1contenu = "Écrire à paul.martin@exemple.fr""#,
        ]
    );
}

#[test]
fn large_database_goes_through_a_temporary_file() {
    let bytes = db(r#"
con.execute('CREATE TABLE pieces (id INTEGER PRIMARY KEY, donnees BLOB)')
con.execute('INSERT INTO pieces VALUES (1, zeroblob(17 * 1024 * 1024))')
con.execute('CREATE TABLE contacts (courriel TEXT)')
con.execute("INSERT INTO contacts VALUES ('marie.curie@exemple.fr')")
"#);
    assert!(bytes.len() > 17 << 20);
    let (scanned, rec) = run(&bytes, "big.db");
    assert_eq!(scanned, [sqlite(2)]);
    assert_eq!(
        rec.events,
        [
            r#"columns pieces ["id", "donnees"]"#,
            r#"  1 pieces.id = "1""#,
            r#"columns contacts ["courriel"]"#,
            r#"  1 contacts.courriel = "marie.curie@exemple.fr""#,
        ]
    );
}

fn corrupt(data: &[u8]) -> String {
    let (res, _) = run_with(data, "bad.db", &Limits::default());
    match res {
        Err(ScanError::Corrupt { what }) => what,
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn corrupt_files() {
    let (bytes, out) = build(
        "con.execute('PRAGMA page_size = 512')\nadherents(con, 500)\n\
         print(con.execute(\"SELECT rootpage FROM sqlite_schema WHERE name = 'adherents'\").fetchone()[0])",
    );
    let what = corrupt(&bytes[..bytes.len() / 2]);
    assert!(what.starts_with("bad.db: SQLite truncated"), "{what}");
    assert!(!what.contains('\n'));

    let what = corrupt(&bytes[..100]);
    let pages = u32::from_be_bytes(bytes[28..32].try_into().unwrap());
    assert!(
        what.contains(&format!("the header counts {pages} pages")),
        "{what}"
    );
    // Page count 0: no valid count in the header and no page in the file.
    let mut header_only = bytes[..600].to_vec();
    header_only[28..32].fill(0);
    header_only.truncate(511);
    assert!(corrupt(&header_only).contains("database of 0 pages"));
    let what = corrupt(&bytes[..60]);
    assert!(
        what.contains("shorter than the 100-byte database header"),
        "{what}"
    );

    // An invalid in-header page count: the file size counts.
    let mut no_count = bytes.clone();
    no_count[28..32].fill(0);
    let (scanned, _) = run(&no_count, "ok.db");
    assert_eq!(scanned, [sqlite(500)]);

    let mut bad_size = bytes.clone();
    bad_size[16..18].copy_from_slice(&1000u16.to_be_bytes());
    assert!(corrupt(&bad_size).contains("invalid page size 1000"));
    let mut bad_enc = bytes.clone();
    bad_enc[56..60].copy_from_slice(&7u32.to_be_bytes());
    assert!(corrupt(&bad_enc).contains("invalid text encoding 7"));

    // An interior page whose right-most child is itself.
    let root: usize = out.trim().parse().unwrap();
    let at = (root - 1) * 512;
    assert_eq!(bytes[at], 0x05);
    let mut cycle = bytes.clone();
    cycle[at + 8..at + 12].copy_from_slice(&(root as u32).to_be_bytes());
    let what = corrupt(&cycle);
    assert!(
        what.contains(&format!("page {root} is referenced twice")),
        "{what}"
    );

    // A child page number past the end of the file.
    let mut far = bytes.clone();
    far[at + 8..at + 12].copy_from_slice(&1_000_000u32.to_be_bytes());
    assert!(corrupt(&far).contains("page number 1000000 out of range"));

    // Two cell pointers naming the same big cell.
    let bytes = db(r#"
con.execute('PRAGMA page_size = 512')
con.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, corps TEXT)')
con.execute("INSERT INTO notes VALUES (1, ?), (2, 'b')", ('a' * 450,))
"#);
    let leaf = 512;
    assert_eq!((bytes[leaf], bytes[leaf + 4]), (0x0d, 2));
    let mut overlap = bytes.clone();
    overlap.copy_within(leaf + 8..leaf + 10, leaf + 10);
    let what = corrupt(&overlap);
    assert!(what.contains("page 2: cells overlap"), "{what}");

    // Not a SQLite file past its magic.
    assert!(matches!(
        run_with(b"SQLite format 3\0rest", "app.db", &Limits::default()).0,
        Err(ScanError::Corrupt { .. })
    ));
}

/// A small database: a few pages of 512 bytes, interior pages, overflow, a WITHOUT ROWID table.
fn small_db() -> &'static [u8] {
    static DB: OnceLock<Vec<u8>> = OnceLock::new();
    DB.get_or_init(|| {
        db(r#"
con.execute('PRAGMA page_size = 512')
adherents(con, 40)
con.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, corps TEXT)')
con.execute("INSERT INTO notes VALUES (1, ?)", ('Bonjour ' * 300,))
con.execute('CREATE TABLE reglages (cle TEXT PRIMARY KEY, valeur) WITHOUT ROWID')
con.executemany('INSERT INTO reglages VALUES (?, ?)', [(f'cle{i}', i) for i in range(60)])
"#)
    })
}

#[test]
fn small_db_reads() {
    let (scanned, _) = run(small_db(), "small.db");
    assert_eq!(scanned, [sqlite(101)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn corrupted_databases_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut data = small_db().to_vec();
        for (at, v) in edits {
            let i = at.index(data.len());
            data[i] = v;
        }
        if let Some(cut) = cut {
            data.truncate(cut.index(data.len()));
        }
        let (res, _) = run_with(&data, "fuzz.db", &Limits::default());
        match res {
            Ok(_) | Err(ScanError::LimitExceeded { .. }) => {}
            Err(ScanError::Corrupt { what }) => prop_assert!(!what.contains('\n'), "{}", what),
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
    }
}
