//! The dump guard end to end: real `pg_dump` output from a scratch PostgreSQL cluster filled
//! with realistic fake French personal data, generated files, and git history.

mod common;

use common::git;
use common::pg::Cluster;

/// A club database with fake but valid-looking French personal data.
pub const CLUB_DATA: &str = r#"
CREATE TABLE adherent (
    id serial PRIMARY KEY,
    prenom text NOT NULL,
    nom text NOT NULL,
    courriel text NOT NULL,
    telephone text,
    date_naissance date,
    numero_licence text,
    adresse text,
    code_postal text,
    ville text,
    notes_privees text
);
CREATE TABLE login_history (id bigserial PRIMARY KEY, adherent_id int REFERENCES adherent, ip_address inet, at timestamptz DEFAULT now());
CREATE TABLE product (id serial PRIMARY KEY, name text, price numeric(8,2), sku text);

INSERT INTO adherent (prenom, nom, courriel, telephone, date_naissance, numero_licence, adresse, code_postal, ville, notes_privees)
SELECT p, n,
       lower(p) || '.' || lower(n) || i || '@' || (ARRAY['gmail.com','orange.fr','free.fr','laposte.net'])[1 + i % 4],
       '06 ' || lpad((10 + i % 89)::text, 2, '0') || ' ' || lpad((i * 7 % 100)::text, 2, '0') || ' ' || lpad((i * 13 % 100)::text, 2, '0') || ' ' || lpad((i * 31 % 100)::text, 2, '0'),
       date '1960-01-01' + (i * 137 % 18000),
       'FFT-' || (1000000 + i * 7919),
       (i % 120 + 1) || ' rue de la République',
       lpad((69000 + i % 9)::text, 5, '0'),
       'Lyon',
       CASE WHEN i % 5 = 0 THEN 'Blessure au genou, certificat médical à renouveler' END
FROM generate_series(1, 200) AS i,
     LATERAL (SELECT (ARRAY['Camille','Léa','Hugo','Lucas','Chloé','Inès','Jules','Manon'])[1 + i % 8] AS p,
                     (ARRAY['Martin','Bernard','Dubois','Thomas','Robert','Richard','Petit','Durand'])[1 + i * 3 % 8] AS n) AS names;
INSERT INTO login_history (adherent_id, ip_address)
SELECT 1 + i % 200, ('81.' || (i % 250) || '.' || (i * 7 % 250) || '.' || (1 + i % 200))::inet FROM generate_series(1, 500) AS i;
INSERT INTO product (name, price, sku) SELECT 'Raquette ' || i, 19.90 + i, 'SKU-' || i FROM generate_series(1, 50) AS i;
"#;

#[test]
fn a_scratch_cluster_dumps_real_rows() {
    let pg = Cluster::start();
    pg.psql("postgres", "CREATE DATABASE club;");
    pg.psql("club", CLUB_DATA);
    let plain = pg.pg_dump("club", "club.sql", &[]);
    let text = std::fs::read_to_string(&plain).unwrap();
    assert!(text.contains("-- PostgreSQL database dump"));
    assert!(text.contains("COPY public.adherent (id, prenom, nom, courriel"));
    let schema_only = pg.pg_dump("club", "schema.sql", &["--schema-only"]);
    assert!(!std::fs::read_to_string(schema_only)
        .unwrap()
        .contains("COPY "));
}

/// Raw values that must never appear in any output.
fn raw_values(dump: &str) -> Vec<String> {
    let mut raws = Vec::new();
    for line in dump
        .lines()
        .filter(|l| l.contains("@gmail.com") || l.contains("@orange.fr"))
    {
        for field in line.split('\t') {
            if field.contains('@') || field.starts_with("06 ") || field.starts_with("FFT-") {
                raws.push(field.to_string());
            }
        }
        if raws.len() > 60 {
            break;
        }
    }
    assert!(raws.len() > 10, "test data not found in the dump");
    raws
}

#[test]
fn real_pg_dump_is_blocked_and_nothing_raw_is_printed() {
    let pg = Cluster::start();
    pg.psql("postgres", "CREATE DATABASE club;");
    pg.psql("club", CLUB_DATA);
    let dir = tempfile::tempdir().unwrap();
    let plain = pg.pg_dump("club", "club.sql", &[]);
    let inserts = pg.pg_dump("club", "club-inserts.sql", &["--column-inserts"]);
    let schema = pg.pg_dump("club", "schema.sql", &["--schema-only"]);
    let custom = pg.pg_dump("club", "club.dump", &["-Fc"]);
    let text = std::fs::read_to_string(&plain).unwrap();
    for (src, name) in [
        (&plain, "dumps/club.sql"),
        (&inserts, "dumps/club-inserts.sql"),
        (&schema, "db/schema.sql"),
        (&custom, "backups/club.dump"),
    ] {
        common::write(dir.path(), name, std::fs::read(src).unwrap());
    }
    // Gzip the plain dump with the system gzip, as someone would before attaching it.
    let gz = std::process::Command::new("gzip")
        .args(["-c", plain.to_str().unwrap()])
        .output()
        .unwrap();
    common::write(dir.path(), "dumps/club.sql.gz", gz.stdout);

    for format in ["human", "json"] {
        let out = common::tollgate(dir.path(), &["dumps", ".", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
        let all = format!("{}{}", common::stdout(&out), common::stderr(&out));
        for raw in raw_values(&text) {
            assert!(
                !all.contains(&raw),
                "raw value `{raw}` printed in {format} output"
            );
        }
        if format == "json" {
            let v = common::json(&out);
            let files = v["files"].as_array().unwrap();
            let blocked: Vec<&str> = files
                .iter()
                .filter(|f| f["status"] == "blocked")
                .map(|f| f["path"].as_str().unwrap())
                .collect();
            assert_eq!(
                blocked,
                [
                    "backups/club.dump",
                    "dumps/club-inserts.sql",
                    "dumps/club.sql",
                    "dumps/club.sql.gz"
                ],
                "{v:#}"
            );
            let plain = files
                .iter()
                .find(|f| f["path"] == "dumps/club.sql")
                .unwrap();
            let cols: Vec<&str> = plain["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["blocking"] == true)
                .filter_map(|e| e["column"].as_str())
                .collect();
            for c in [
                "public.adherent.courriel",
                "public.adherent.telephone",
                "public.adherent.date_naissance",
                "public.adherent.numero_licence",
                "public.login_history.ip_address",
            ] {
                assert!(
                    cols.iter()
                        .any(|x| x.ends_with(c.trim_start_matches("public."))),
                    "{c} not in {cols:?}"
                );
            }
            assert!(!cols.iter().any(|c| c.contains("product")), "{cols:?}");
        }
    }
}

#[test]
fn negative_cases_pass() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "seeds/dev.sql",
        "INSERT INTO users (email, first_name) VALUES ('alice@example.com', 'Alice'), ('bob@example.com', 'Bob');\n",
    );
    common::write(
        dir.path(),
        "README.md",
        "Contact the maintainer at jean.dupont@gmail.com for access.\n",
    );
    common::write(
        dir.path(),
        "migrations/001_users.sql",
        "CREATE TABLE users (id serial PRIMARY KEY, email text, prenom text, nom text, telephone text, date_naissance date, ip_address inet);\n",
    );
    common::write(
        dir.path(),
        "exports/prices.csv",
        "sku;name;price\nRQ-1;Raquette pro;129.90\nRQ-2;Raquette junior;59.90\nBL-1;Balles x4;7.50\n",
    );
    let out = common::tollgate(dir.path(), &["dumps", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    let v = common::json(&out);
    assert_eq!(v["blocked"], 0, "{v:#}");
}

#[test]
fn staged_mode_reads_the_index_not_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let mut dump = String::from(
        "-- PostgreSQL database dump\n\nCOPY public.member (id, email, phone) FROM stdin;\n",
    );
    for i in 0..20 {
        dump.push_str(&format!(
            "{i}\tcamille.martin{i}@gmail.com\t06 12 34 {:02} {:02}\n",
            i + 10,
            i + 20
        ));
    }
    dump.push_str("\\.\n");
    common::write(dir.path(), "backup.sql", &dump);
    git(dir.path(), &["add", "backup.sql"]);
    // The working tree copy is emptied after staging: a hook that reads files scans 0 bytes.
    common::write(dir.path(), "backup.sql", "");
    let out = common::tollgate(dir.path(), &["dumps", "--staged"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let text = common::stdout(&out);
    assert!(text.contains("backup.sql: blocked"), "{text}");
    assert!(!text.contains("camille.martin"), "{text}");
    // Nothing staged: passes.
    git(dir.path(), &["reset", "-q"]);
    let out = common::tollgate(dir.path(), &["dumps", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
}

#[test]
fn range_mode_finds_a_dump_added_then_deleted() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    common::write(dir.path(), "README.md", "club app\n");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    let mut csv = String::from("prenom,nom,email,telephone\n");
    for i in 0..10 {
        csv.push_str(&format!(
            "Léa,Dubois{i},lea.dubois{i}@orange.fr,+33 6 12 34 56 {:02}\n",
            10 + i
        ));
    }
    common::write(dir.path(), "export.csv", &csv);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "add export"]);
    git(dir.path(), &["rm", "-q", "export.csv"]);
    git(dir.path(), &["commit", "-q", "-m", "oops, remove export"]);
    let out = common::tollgate(
        dir.path(),
        &["dumps", "--range", "main..feature", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let v = common::json(&out);
    assert_eq!(v["files"][0]["path"], "export.csv", "{v:#}");
    assert!(!common::stdout(&out).contains("lea.dubois"));
    let out = common::tollgate(dir.path(), &["dumps", "--range", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_limit_hit_is_not_scanned_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // A tar holding a member compressed three levels deep exceeds the nesting cap.
    let inner = std::process::Command::new("sh")
        .args(["-c", "printf 'a,b\\n1,2\\n' | gzip -c | gzip -c | gzip -c"])
        .output()
        .unwrap()
        .stdout;
    common::write(dir.path(), "deep.csv.gz.gz.gz", inner);
    let out = common::tollgate(dir.path(), &["dumps", "deep.csv.gz.gz.gz"]);
    assert_eq!(out.status.code(), Some(2), "{}", common::stdout(&out));
    assert!(common::stdout(&out).contains("not scanned"));
}

#[test]
fn anonymize_check_follows_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "migrations/001_adherent.up.sql",
        "CREATE TABLE adherent (id serial PRIMARY KEY, prenom text, nom text, email text, club_id int);\n",
    );
    common::write(
        dir.path(),
        "migrations/001_adherent.down.sql",
        "DROP TABLE adherent;\n",
    );
    common::write(
        dir.path(),
        "migrations/002_contact.up.sql",
        "ALTER TABLE adherent RENAME COLUMN email TO courriel;\nALTER TABLE adherent ADD COLUMN telephone text;\n",
    );
    common::write(
        dir.path(),
        "migrations/002_contact.down.sql",
        "ALTER TABLE adherent DROP COLUMN telephone;\nALTER TABLE adherent RENAME COLUMN courriel TO email;\n",
    );
    common::write(
        dir.path(),
        "scripts/anonymize-data.sql",
        "UPDATE adherent SET prenom = 'Prénom', nom = nom, email = 'x@example.com';\n",
    );
    let out = common::tollgate(dir.path(), &["anonymize-check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let v = common::json(&out);
    let gaps: Vec<String> = v["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{}.{}",
                g["table"].as_str().unwrap(),
                g["column"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        gaps,
        ["adherent.nom", "adherent.courriel", "adherent.telephone"],
        "{v:#}"
    );
    common::write(
        dir.path(),
        "scripts/anonymize-data.sql",
        "UPDATE adherent SET prenom = 'Prénom', nom = 'Nom', courriel = 'adherent' || id || '@example.com', telephone = NULL;\n",
    );
    let out = common::tollgate(dir.path(), &["anonymize-check"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    let out = common::tollgate(dir.path(), &["anonymize-check", "--script", "missing.sql"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_input_is_a_one_line_error_or_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    // A gzip cut short: not scanned, exit 2, never a pass.
    common::write(
        dir.path(),
        "trunc.sql.gz",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x4c",
    );
    let out = common::tollgate(dir.path(), &["dumps", "trunc.sql.gz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stdout(&out).contains("trunc.sql.gz: not scanned: corrupt"));
    // Empty and binary files are not dumps.
    common::write(dir.path(), "empty.sql", "");
    common::write(
        dir.path(),
        "noise.bin",
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    let out = common::tollgate(dir.path(), &["dumps", "empty.sql", "noise.bin"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    // A missing path and a broken config name the file.
    let out = common::tollgate(dir.path(), &["dumps", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("nope: cannot read"));
    common::write(dir.path(), "tollgate.toml", "[dumps]\nscna = []\n");
    let out = common::tollgate(dir.path(), &["dumps", "empty.sql"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains("tollgate.toml:2:1: unknown key `scna` in [dumps]"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
