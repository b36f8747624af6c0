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

/// A COPY dump of `n` members with real-looking e-mails and phones.
fn member_dump(n: usize) -> String {
    let mut dump = String::from(
        "-- PostgreSQL database dump\n\nCOPY public.member (id, first_name, email, phone) FROM stdin;\n",
    );
    for i in 0..n {
        dump.push_str(&format!(
            "{i}\tCamille\tcamille.martin{i}@gmail.com\t06 12 34 {:02} {:02}\n",
            i % 90 + 10,
            i % 70 + 20
        ));
    }
    dump.push_str("\\.\n");
    dump
}

/// A repository with SQL migrations, an anonymisation script and `tollgate.toml`.
fn club_repo(dir: &std::path::Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    common::write(
        dir,
        "tollgate.toml",
        "[dumps]\nfixtures = [\"tests/fixtures/**\"]\n",
    );
    common::write(
        dir,
        "migrations/001_member.up.sql",
        "CREATE TABLE member (id bigint PRIMARY KEY, first_name text, email text, phone text);\n",
    );
    common::write(
        dir,
        "migrations/001_member.down.sql",
        "DROP TABLE member;\n",
    );
    common::write(
        dir,
        "scripts/anonymize-data.sql",
        "UPDATE member SET first_name = 'Membre ' || id, email = 'member' || id || '@example.invalid', phone = NULL;\n",
    );
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "init"]);
}

#[test]
fn check_runs_the_dump_guard_and_the_anonymisation_rule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    club_repo(d);
    let out = common::tollgate(d, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));

    // A migration that adds a personal column the script does not mask, and a dump.
    git(d, &["checkout", "-q", "-b", "feature"]);
    common::write(
        d,
        "migrations/002_member_birth_date.up.sql",
        "ALTER TABLE member ADD COLUMN birth_date date;\nALTER TABLE member ADD COLUMN shoe_size int;\n",
    );
    common::write(
        d,
        "migrations/002_member_birth_date.down.sql",
        "ALTER TABLE member DROP COLUMN shoe_size;\nALTER TABLE member DROP COLUMN birth_date;\n",
    );
    common::write(d, "backup/prod.sql", member_dump(30));
    // Ignored files can't be committed by accident: not scanned.
    common::write(d, ".gitignore", "local/\n");
    common::write(d, "local/mine.sql", member_dump(30));
    let out = common::tollgate(d, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let v = common::json(&out);
    let findings: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .filter(|(r, _, _)| r == "personal-data-in-dump" || r == "personal-column-not-anonymized")
        .collect();
    assert_eq!(
        findings,
        [
            (
                "personal-column-not-anonymized".to_string(),
                "migrations/002_member_birth_date.up.sql".to_string(),
                1
            ),
            (
                "personal-data-in-dump".to_string(),
                "backup/prod.sql".to_string(),
                1
            ),
        ],
        "{v:#}"
    );
    let text = common::stdout(&out);
    assert!(!text.contains("camille.martin"), "{text}");
    let human = common::tollgate(d, &["check", "--color", "never"]);
    let human_text = common::stdout(&human);
    assert!(human_text.contains("personal-data-in-dump"), "{human_text}");
    assert!(
        human_text.contains("member.email: email, 30 values"),
        "{human_text}"
    );
    assert!(
        human_text.contains("`member.birth_date` holds personal data"),
        "{human_text}"
    );
    for raw in ["camille.martin", "06 12 34"] {
        assert!(
            !human_text.contains(raw),
            "raw value {raw} in:\n{human_text}"
        );
    }

    // Masked, and the dump committed then deleted: `--base` still finds it in the branch.
    common::write(
        d,
        "scripts/anonymize-data.sql",
        "UPDATE member SET first_name = 'Membre ' || id, email = 'member' || id || '@example.invalid', phone = NULL, birth_date = date_trunc('year', birth_date)::date;\n",
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "feature"]);
    git(d, &["rm", "-q", "backup/prod.sql"]);
    git(d, &["commit", "-q", "-m", "remove the dump"]);
    let out = common::tollgate(d, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    let out = common::tollgate(d, &["check", "--base", "main", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let v = common::json(&out);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "personal-data-in-dump")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["path"], "backup/prod.sql");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("still in the history"),
        "{f:#}"
    );
}

#[test]
fn fixture_paths_allow_only_made_up_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    club_repo(d);
    // Names and cities with fiction phone numbers and reserved-domain e-mails.
    let mut seed = String::from("prenom,nom,ville,courriel,telephone\n");
    for i in 0..10 {
        seed.push_str(&format!(
            "Léa,Dubois{i},Lyon,lea{i}@example.com,06 39 98 12 {:02}\n",
            10 + i
        ));
    }
    // Names without any provable value: personal outside a fixture path.
    let mut names = String::from("prenom,nom,ville\n");
    for i in 0..10 {
        names.push_str(&format!("Hugo,Martin{i},Lyon\n"));
    }
    common::write(d, "tests/fixtures/seed.csv", &seed);
    common::write(d, "tests/fixtures/names.csv", &names);
    let out = common::tollgate(d, &["dumps", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));

    // The same names outside the fixture globs are blocked.
    common::write(d, "exports/names.csv", &names);
    let out = common::tollgate(d, &["dumps", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let v = common::json(&out);
    let blocked: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "blocked")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(blocked, ["exports/names.csv"], "{v:#}");
    std::fs::remove_file(d.join("exports/names.csv")).unwrap();

    // One real e-mail in a fixture is not made up: blocked.
    seed.push_str("Inès,Petit,Lyon,ines.petit@gmail.com,06 39 98 12 99\n");
    common::write(d, "tests/fixtures/seed.csv", &seed);
    let out = common::tollgate(d, &["dumps"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let text = common::stdout(&out);
    assert!(text.contains("tests/fixtures/seed.csv: blocked"), "{text}");
    assert!(!text.contains("ines.petit"), "{text}");
}

#[test]
fn baseline_suppresses_by_content_and_reports_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    club_repo(d);
    common::write(d, "dumps/sample.sql", member_dump(3));
    common::write(d, "dumps/big.sql", member_dump(80));
    let out = common::tollgate(d, &["dumps"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));

    // Written entries need a human reason before they count.
    let out = common::tollgate(d, &["dumps", "--write-baseline"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    assert!(common::stdout(&out).contains("wrote 8 baseline entries to tollgate.baseline.toml"));
    let written = std::fs::read_to_string(d.join("tollgate.baseline.toml")).unwrap();
    // The small dump's distinct values (3 e-mails, 3 phones, 1 first name), and the big
    // dump's content (80 rows are too many values to list).
    assert_eq!(
        written.matches("fingerprint = \"value:").count(),
        7,
        "{written}"
    );
    assert_eq!(
        written.matches("fingerprint = \"blob:").count(),
        1,
        "{written}"
    );
    assert!(!written.contains("camille.martin"), "{written}");
    let out = common::tollgate(d, &["dumps"]);
    assert_eq!(out.status.code(), Some(2), "{}", common::stdout(&out));
    let err = common::stderr(&out);
    assert!(err.contains("tollgate.baseline.toml:"), "{err}");
    assert!(err.contains("needs a reason"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let reviewed = written.replace(
        "TODO: say why this is not real personal data, and who checked",
        "made-up members for the demo, checked by the DPO",
    );
    common::write(d, "tollgate.baseline.toml", &reviewed);
    let out = common::tollgate(d, &["dumps", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    let v = common::json(&out);
    assert_eq!(v["baselined"], 1, "the big dump, by blob: {v:#}");
    assert_eq!(v["baseline_notes"].as_array().unwrap().len(), 0, "{v:#}");

    // Content, not position: renamed files stay suppressed, and the small dump's values are
    // suppressed wherever they appear.
    std::fs::rename(d.join("dumps/big.sql"), d.join("dumps/renamed.sql")).unwrap();
    common::write(
        d,
        "dumps/sample.sql",
        format!("-- re-exported\n{}", member_dump(3)),
    );
    let out = common::tollgate(d, &["dumps"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    // A changed byte in the big dump is new content: blocked again.
    let big = member_dump(80).replace("Camille", "Camilla");
    common::write(d, "dumps/renamed.sql", &big);
    let out = common::tollgate(d, &["dumps"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let text = common::stdout(&out);
    assert!(text.contains("dumps/renamed.sql: blocked"), "{text}");
    assert!(text.contains("matched nothing: remove it"), "{text}");

    // A baseline that is not text is named, with the fix.
    common::write(d, "tollgate.baseline.toml", b"\xff\xfe\x00binary");
    let out = common::tollgate(d, &["dumps"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains("tollgate.baseline.toml: the baseline is not UTF-8 text"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // An expired entry suppresses nothing, and says so.
    std::fs::remove_file(d.join("dumps/renamed.sql")).unwrap();
    let expired = format!(
        "{}\n[[suppress]]\nfingerprint = \"blob:0123456789abcdef0123456789abcdef01234567\"\nreason = \"old\"\nexpires = \"2020-01-01\"\n",
        reviewed
    );
    common::write(d, "tollgate.baseline.toml", &expired);
    let out = common::tollgate(d, &["dumps"]);
    let text = common::stdout(&out);
    assert!(text.contains("expired on 2020-01-01"), "{text}");
}

#[test]
fn evidence_names_the_archive_member() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write(
        d,
        "export/data/users.csv",
        "prenom,nom,courriel\nLéa,Dubois,lea.dubois@orange.fr\n",
    );
    common::write(d, "export/data/prices.csv", "sku,price\nA,1.00\n");
    let status = std::process::Command::new("tar")
        .args(["-czf", "backup.tar.gz", "-C", "export", "data"])
        .current_dir(d)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_dir_all(d.join("export")).unwrap();
    let out = common::tollgate(d, &["dumps", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let v = common::json(&out);
    let ev = &v["files"][0]["evidence"];
    assert!(
        ev.as_array()
            .unwrap()
            .iter()
            .all(|e| e["member"] == "backup.tar.gz!data/users.csv"),
        "{v:#}"
    );
    let text = common::stdout(&common::tollgate(d, &["dumps"]));
    assert!(
        text.contains("  backup.tar.gz!data/users.csv: courriel: email, 1 value"),
        "{text}"
    );
}

#[test]
fn the_pii_dictionaries_extend_from_tollgate_toml() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write(d, "export.csv", "id,surnom_joueur\n1,Titi\n2,Grosminet\n");
    common::write(d, "tollgate.toml", "");
    let out = common::tollgate(d, &["dumps", "export.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    common::write(
        d,
        "tollgate.toml",
        "[pii.columns]\nname = [\"surnom_joueur\"]\n",
    );
    let out = common::tollgate(d, &["dumps", "export.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    assert!(common::stdout(&out).contains("surnom_joueur: name, 2 values"));
    // A mistake in the table points at the file, the line and the key.
    common::write(
        d,
        "tollgate.toml",
        "[pii.columns]\nnames = [\"surnom_joueur\"]\n",
    );
    let out = common::tollgate(d, &["dumps", "export.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.starts_with("tollgate: error: "), "{err}");
    assert!(err.contains("tollgate.toml:2"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn sqlite_files_are_read_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let script = "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1] + '/app.db')
c.execute('create table member(id integer primary key, prenom text, courriel text, telephone text)')
c.executemany('insert into member(prenom, courriel, telephone) values (?, ?, ?)',
              [('Léa', 'lea%d@orange.fr' % i, '06 12 34 56 %02d' % i) for i in range(20)])
c.commit()
c = sqlite3.connect(sys.argv[1] + '/seed.sqlite')
c.execute('create table member(id integer primary key, prenom text, courriel text)')
c.executemany('insert into member(prenom, courriel) values (?, ?)',
              [('Léa', 'lea%d@example.com' % i) for i in range(20)])
c.commit()
";
    let status = std::process::Command::new("python3")
        .args(["-c", script, d.to_str().unwrap()])
        .status()
        .expect("python3 builds the SQLite files; install it");
    assert!(status.success());
    let out = common::tollgate(d, &["dumps", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    let v = common::json(&out);
    let files = v["files"].as_array().unwrap();
    let app = files.iter().find(|f| f["path"] == "app.db").unwrap();
    assert_eq!(app["status"], "blocked", "{v:#}");
    assert_eq!(app["formats"][0], "SQLite database");
    let cols: Vec<&str> = app["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(
        cols,
        ["member.courriel", "member.prenom", "member.telephone"]
    );
    // Seed rows on example.com are not personal data.
    assert!(files
        .iter()
        .all(|f| f["path"] != "seed.sqlite" || f["status"] == "passed"));
    assert!(!common::stdout(&out).contains("lea1@orange.fr"));
}
