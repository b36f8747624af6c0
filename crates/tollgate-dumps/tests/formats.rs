//! Every readable format, generated here in the shape its tool writes, and the exact cells a
//! recording sink receives.

mod common;

use common::run;
use tollgate_dumps::{Format, Scanned};

fn one(scanned: &[Scanned]) -> &Scanned {
    assert_eq!(scanned.len(), 1, "{scanned:?}");
    &scanned[0]
}

const PG_PREAMBLE: &str = "SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
";

const PG_SCHEMA: &str = r#"
SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: audit(); Type: FUNCTION; Schema: public; Owner: app
--

CREATE FUNCTION public.audit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO public.audit_log VALUES (NEW.id, 'changed; really');
  RETURN NEW;
END;
$$;


ALTER FUNCTION public.audit() OWNER TO app;

--
-- Name: users; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public.users (
    id integer NOT NULL,
    email text NOT NULL,
    full_name text,
    bio text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_email_check CHECK ((email <> ''::text))
);


ALTER TABLE public.users OWNER TO app;

--
-- Name: "Order Items"; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public."Order Items" (
    "Id" bigint NOT NULL,
    price numeric(10,2),
    tags text[]
);


ALTER TABLE public."Order Items" OWNER TO app;
"#;

fn pg_dump(version: &str, body: &str) -> String {
    format!(
        "--\n-- PostgreSQL database dump\n--\n\n\
         -- Dumped from database version {version}\n\
         -- Dumped by pg_dump version {version}\n\n\
         {PG_PREAMBLE}{PG_SCHEMA}{body}\n\
         --\n-- PostgreSQL database dump complete\n--\n\n"
    )
}

#[test]
fn pg_dump_15_copy_blocks_with_escapes_and_nulls() {
    let body = "
--
-- Data for Name: Order Items; Type: TABLE DATA; Schema: public; Owner: app
--

COPY public.\"Order Items\" (\"Id\", price, tags) FROM stdin;
1\t9.99\t{red,\"big one\"}
2\t\\N\t{}
\\.


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: app
--

COPY public.users (id, email, full_name, bio, created_at) FROM stdin;
1\talice@example.com\tAlice Liddell\tLikes\\ttabs and\\nnewlines\t2024-01-02 03:04:05+00
2\tbob@example.com\t\\N\tback\\\\slash \\\\N not null, caf\\303\\251 \\x41\t2024-01-02 03:04:05+00
3\tcarol@example.com\t\t\\N\t2024-01-02 03:04:05+00
\\.


--
-- Name: users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: app
--

SELECT pg_catalog.setval('public.users_id_seq', 3, true);
";
    let dump = pg_dump("15.6 (Debian 15.6-1.pgdg120+2)", body);
    let (scanned, rec) = run(dump.as_bytes(), "shop.sql");
    assert_eq!(
        *one(&scanned),
        Scanned {
            format: Format::PgPlain,
            inner_path: None,
            data_rows: 5,
            opaque: false
        }
    );
    insta::assert_snapshot!(rec.text());
}

#[test]
fn pg_dump_inserts_forms() {
    // --inserts (no column list: names come from CREATE TABLE), --column-inserts, and
    // --rows-per-insert, with quotes, newlines, casts and arrays.
    let body = "
INSERT INTO public.users VALUES (1, 'alice@example.com', 'Alice O''Hara', 'line one
line two', '2024-01-02 03:04:05+00');
INSERT INTO public.users VALUES (2, 'bob@example.com', NULL, E'tab\\there', '2024-01-02 03:04:05+00'::timestamp with time zone);
INSERT INTO public.\"Order Items\" (\"Id\", price, tags) VALUES (1, 9.99, '{red,blue}');
INSERT INTO public.\"Order Items\" (\"Id\", price, tags) VALUES (2, -0.5, ARRAY['x', 'y']);
INSERT INTO public.users VALUES
\t(3, 'carol@example.com', 'Carol', NULL, '2024-01-02'),
\t(4, 'dave@example.com', 'Dave', NULL, '2024-01-03');
";
    let dump = pg_dump("15.6", body);
    let (scanned, rec) = run(dump.as_bytes(), "shop-inserts.sql");
    assert_eq!(one(&scanned).format, Format::PgPlain);
    assert_eq!(one(&scanned).data_rows, 6);
    insta::assert_snapshot!(rec.text());
}

#[test]
fn pg_dump_17_restrict_lines() {
    let dump = "--
-- PostgreSQL database dump
--

\\restrict 9bVsGQbYcIfNSzZCkMxFhbHiKKfgbuZ7ehjVAZXxBeWG7rVjAlvEWAFQSTgO7nD

-- Dumped from database version 17.6
-- Dumped by pg_dump version 17.6

SET statement_timeout = 0;
CREATE TABLE public.t (a text);
COPY public.t (a) FROM stdin;
x@example.com
\\.

\\unrestrict 9bVsGQbYcIfNSzZCkMxFhbHiKKfgbuZ7ehjVAZXxBeWG7rVjAlvEWAFQSTgO7nD
";
    let (scanned, rec) = run(dump.as_bytes(), "t.sql");
    assert_eq!(one(&scanned).format, Format::PgPlain);
    assert_eq!(
        rec.events,
        [
            r#"columns public.t ["a"]"#,
            r#" 13 public.t.a = "x@example.com""#
        ]
    );
}

#[test]
fn pg_dumpall_cluster_dump() {
    let dump = "--
-- PostgreSQL database cluster dump
--

\\restrict aaa

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Roles
--

CREATE ROLE app;
ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy';

\\unrestrict aaa

--
-- Databases
--

--
-- Database \"shop\" dump
--

--
-- PostgreSQL database dump
--

\\restrict bbb

SET statement_timeout = 0;
CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';

\\unrestrict bbb
\\connect shop
\\restrict ccc

CREATE TABLE public.customers (
    id integer,
    phone text
);
INSERT INTO public.customers VALUES (1, '+1 555 0100');
COPY public.customers (id, phone) FROM stdin;
2\t+1 555 0199
\\.

\\unrestrict ccc

--
-- PostgreSQL database cluster dump complete
--
";
    let (scanned, rec) = run(dump.as_bytes(), "cluster.sql");
    assert_eq!(one(&scanned).format, Format::PgDumpAll);
    assert_eq!(one(&scanned).data_rows, 2);
    assert_eq!(
        rec.events,
        [
            r#"columns public.customers ["id", "phone"]"#,
            r#" 46 public.customers.id = "1""#,
            r#" 46 public.customers.phone = "+1 555 0100""#,
            r#" 48 public.customers.id = "2""#,
            r#" 48 public.customers.phone = "+1 555 0199""#,
        ]
    );
}

#[test]
fn schema_only_dump_is_not_a_data_dump() {
    let dump = pg_dump("15.6", "");
    let (scanned, rec) = run(dump.as_bytes(), "schema.sql");
    assert_eq!(one(&scanned).format, Format::PgPlainSchemaOnly);
    assert_eq!(one(&scanned).data_rows, 0);
    assert!(rec.events.is_empty(), "{:?}", rec.events);
}

#[test]
fn mysqldump() {
    let dump = r#"-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
-- Server version	8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*!40103 SET TIME_ZONE='+00:00' */;

--
-- Table structure for table `users`
--

DROP TABLE IF EXISTS `users`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!50503 SET character_set_client = utf8mb4 */;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `email` varchar(255) NOT NULL,
  `name` varchar(255) DEFAULT NULL,
  `avatar` blob,
  PRIMARY KEY (`id`),
  UNIQUE KEY `email` (`email`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `users`
--

LOCK TABLES `users` WRITE;
/*!40000 ALTER TABLE `users` DISABLE KEYS */;
INSERT INTO `users` VALUES (1,'alice@example.com','O\'Brien, \"Al\"\nSr.',_binary 0x89504E47),(2,'bob@example.com',NULL,NULL);
/*!40000 ALTER TABLE `users` ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

-- Dump completed on 2024-03-01 10:00:00
"#;
    let (scanned, rec) = run(dump.as_bytes(), "shop.sql");
    assert_eq!(one(&scanned).format, Format::MySql);
    assert_eq!(one(&scanned).data_rows, 2);
    assert_eq!(
        rec.events,
        [
            r#"columns users ["id", "email", "name", "avatar"]"#,
            r#" 34 users.id = "1""#,
            r#" 34 users.email = "alice@example.com""#,
            r#" 34 users.name = "O'Brien, \"Al\"\nSr.""#,
            r#" 34 users.avatar = "0x89504E47""#,
            r#" 34 users.id = "2""#,
            r#" 34 users.email = "bob@example.com""#,
        ]
    );
}

#[test]
fn csv_with_semicolons_and_quoted_fields() {
    let csv = "\u{feff}id;name;email;note\r\n\
               1;\"Doe; John\";john@example.com;\"said \"\"hi\"\"\non two lines\"\r\n\
               2;Émilie;emilie@example.fr;\r\n\
               3;\"\";x@example.org;plain\r\n";
    let (scanned, rec) = run(csv.as_bytes(), "export.txt");
    assert_eq!(
        *one(&scanned),
        Scanned {
            format: Format::Csv,
            inner_path: None,
            data_rows: 3,
            opaque: false
        }
    );
    assert_eq!(
        rec.events,
        [
            r#"columns - ["id", "name", "email", "note"]"#,
            r#"  2 -.id = "1""#,
            r#"  2 -.name = "Doe; John""#,
            r#"  2 -.email = "john@example.com""#,
            r#"  2 -.note = "said \"hi\"\non two lines""#,
            r#"  4 -.id = "2""#,
            r#"  4 -.name = "Émilie""#,
            r#"  4 -.email = "emilie@example.fr""#,
            r#"  5 -.id = "3""#,
            r#"  5 -.email = "x@example.org""#,
            r#"  5 -.note = "plain""#,
        ]
    );
}

#[test]
fn csv_of_prices_is_still_emitted() {
    let (scanned, rec) = run(b"sku,price\nA-1,9.99\nB-2,19.50\n", "prices.csv");
    assert_eq!(one(&scanned).format, Format::Csv);
    assert_eq!(rec.cells, 4);
}

#[test]
fn tsv_with_header() {
    let tsv = "id\tname\tphone\n1\tAlice\t+33 1 23 45 67 89\n2\tBob\t\n";
    let (scanned, rec) = run(tsv.as_bytes(), "people.tsv");
    assert_eq!(one(&scanned).format, Format::Tsv);
    assert_eq!(
        rec.events,
        [
            r#"columns - ["id", "name", "phone"]"#,
            r#"  2 -.id = "1""#,
            r#"  2 -.name = "Alice""#,
            r#"  2 -.phone = "+33 1 23 45 67 89""#,
            r#"  3 -.id = "2""#,
            r#"  3 -.name = "Bob""#,
        ]
    );
}

#[test]
fn directory_format_dat_file_is_headerless_copy_data() {
    let dat = "1\talice@example.com\t\\N\n2\tbob@example.com\tBob\\tB\n\\.\n\n\n";
    let (scanned, rec) = run(dat.as_bytes(), "3345.dat");
    assert_eq!(one(&scanned).format, Format::PgPlain);
    assert_eq!(one(&scanned).data_rows, 2);
    assert_eq!(
        rec.events,
        [
            r#"  1 -.- = "1""#,
            r#"  1 -.- = "alice@example.com""#,
            r#"  2 -.- = "2""#,
            r#"  2 -.- = "bob@example.com""#,
            r#"  2 -.- = "Bob\tB""#,
        ]
    );
}

#[test]
fn seed_file_without_dump_header_is_read() {
    let seed = "-- seeds for local development\n\
                CREATE TABLE IF NOT EXISTS accounts (id serial PRIMARY KEY, Email text UNIQUE, active boolean);\n\
                INSERT INTO accounts (email, active) VALUES ('dev@example.com', true) ON CONFLICT DO NOTHING;\n\
                INSERT INTO Accounts VALUES (DEFAULT, 'ops@example.com', false);\n\
                UPDATE accounts SET email = 'not-a-row@example.com' WHERE id = 1;\n";
    let (scanned, rec) = run(seed.as_bytes(), "seed.sql");
    assert_eq!(one(&scanned).format, Format::SqlInserts);
    assert_eq!(
        rec.events,
        [
            r#"columns accounts ["email", "active"]"#,
            r#"  3 accounts.email = "dev@example.com""#,
            r#"  3 accounts.active = "true""#,
            r#"columns accounts ["id", "email", "active"]"#,
            r#"  4 accounts.email = "ops@example.com""#,
            r#"  4 accounts.active = "false""#,
        ]
    );
}

#[test]
fn text_files_code_and_migrations_emit_nothing() {
    let readme = "# tollgate\n\nA PostgreSQL migration safety gate, in Rust.\n\n| Path | Job |\n|---|---|\n| a | b |\n";
    let rust = "use std::io;\n\nfn main() {\n\tlet x = 1;\n\tprintln!(\"{x}\");\n}\n";
    let ts = "import { Migration } from '@mikro-orm/migrations';\n\nexport class M extends Migration {\n  async up() { this.addSql('insert into t values (1);'); }\n}\n";
    let migration = "-- 0001_init.sql\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nALTER TABLE users ADD COLUMN name text;\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n";
    let json = "{\"name\": \"x\", \"emails\": [\"a@example.com\", \"b@example.com\"]}\n";
    for (name, text) in [
        ("README.md", readme),
        ("main.rs", rust),
        ("Migration.ts", ts),
        ("0001_init.sql", migration),
        ("package.json", json),
        ("empty.sql", ""),
    ] {
        let (scanned, rec) = run(text.as_bytes(), name);
        assert_eq!(one(&scanned).format, Format::NotADump, "{name}");
        assert!(rec.events.is_empty(), "{name}: {:?}", rec.events);
    }
}

#[test]
fn invalid_utf8_is_replaced_per_cell() {
    let dump = b"COPY t (a, b) FROM stdin;\ncaf\xe9\tok\n\\.\n";
    let (_, rec) = run(dump, "latin1.sql");
    assert_eq!(
        rec.events,
        [
            r#"columns t ["a", "b"]"#,
            "  2 t.a = \"caf\u{fffd}\"",
            r#"  2 t.b = "ok""#
        ]
    );
}

#[test]
fn csv_format_copy_blocks_are_skipped_and_flagged_opaque() {
    let dump = "COPY t (a, b) FROM stdin WITH (FORMAT csv);\n\"x,1\",y\n\\.\nCOPY u (c) FROM stdin;\nz\n\\.\n";
    let (scanned, rec) = run(dump.as_bytes(), "csv-copy.sql");
    assert_eq!(
        *one(&scanned),
        Scanned {
            format: Format::SqlInserts,
            inner_path: None,
            data_rows: 2,
            opaque: true
        }
    );
    assert_eq!(
        rec.events,
        [
            r#"columns t ["a", "b"]"#,
            r#"columns u ["c"]"#,
            r#"  5 u.c = "z""#
        ]
    );
}

#[test]
fn cells_by_position_name_the_declared_column() {
    // The recorder checks on every `cell_at` that the table and column are those of the last
    // `columns` list at that position. Here: a COPY header in another order than CREATE TABLE
    // and with a column fewer, a table without CREATE TABLE, quoted and schema-qualified
    // names, INSERTs with and without a column list, a tuple longer than its list, and a
    // headerless COPY block (which goes by name: it declares no list).
    let body = "
COPY public.users (email, id, \"Full Name\") FROM stdin;
a@b.fr\t1\tAlice
\\N\t2\t\\N
\\.

COPY \"Sales\".\"Orders\" (\"Id\", note) FROM stdin;
7\tcall 06 12 34 56 78
\\.

COPY public.nocols FROM stdin;
x\ty
\\.

INSERT INTO public.users VALUES (3, 'c@d.fr', 'Carol', NULL, '2024-01-02');
INSERT INTO unknown_table VALUES (1, 'no list');
INSERT INTO public.users (id, email) VALUES (4, 'e@f.fr', 'one too many');
";
    let dump = pg_dump("15.6", body);
    let (_, rec) = run(dump.as_bytes(), "shop.sql");
    assert_eq!(
        rec.events,
        [
            r#"columns public.users ["email", "id", "Full Name"]"#,
            r#" 69 public.users.email = "a@b.fr""#,
            r#" 69 public.users.id = "1""#,
            r#" 69 public.users.Full Name = "Alice""#,
            r#" 70 public.users.id = "2""#,
            r#"columns Sales.Orders ["Id", "note"]"#,
            r#" 74 Sales.Orders.Id = "7""#,
            r#" 74 Sales.Orders.note = "call 06 12 34 56 78""#,
            r#" 78 public.nocols.- = "x""#,
            r#" 78 public.nocols.- = "y""#,
            r#"columns public.users ["id", "email", "full_name", "bio", "created_at"]"#,
            r#" 81 public.users.id = "3""#,
            r#" 81 public.users.email = "c@d.fr""#,
            r#" 81 public.users.full_name = "Carol""#,
            r#" 81 public.users.created_at = "2024-01-02""#,
            r#" 82 unknown_table.- = "1""#,
            r#" 82 unknown_table.- = "no list""#,
            r#"columns public.users ["id", "email"]"#,
            r#" 83 public.users.id = "4""#,
            r#" 83 public.users.email = "e@f.fr""#,
            r#" 83 public.users.- = "one too many""#,
        ]
    );
    assert_eq!(rec.indexed, 13);
}
