//! A pull request to play: a git repository with a base commit on `develop` (a MikroORM
//! migration creating `member`) and a head commit on `feature` adding a destructive migration
//! (and, optionally, a dump with personal data), plus its `pull_request` event payload.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use super::{git, write};

pub const LABEL: &str = "migration:destructive-approved";
pub const TOKEN: &str = "ghs_test_token_never_printed";

pub const BASE_MIGRATION: &str = r#"import { Migration } from '@mikro-orm/migrations';

export class Migration20240101000000 extends Migration {

  async up(): Promise<void> {
    this.addSql('create table "member" ("id" serial primary key, "email" varchar(255) not null, "phone" varchar(32) null);');
  }

  async down(): Promise<void> {
    this.addSql('drop table if exists "member" cascade;');
  }

}
"#;

pub const PR_MIGRATION: &str = r#"import { Migration } from '@mikro-orm/migrations';

export class Migration20240601000000 extends Migration {

  async up(): Promise<void> {
    this.addSql('alter table "member" drop column "phone";');
  }

  async down(): Promise<void> {
    this.addSql('alter table "member" add column "phone" varchar(32) null;');
  }

}
"#;

pub fn dump() -> String {
    let mut d = String::from(
        "-- PostgreSQL database dump\n\nCOPY public.member (id, email, phone) FROM stdin;\n",
    );
    for i in 0..20 {
        d.push_str(&format!(
            "{i}\tcamille.martin{i}@gmail.com\t06 12 34 {:02} {:02}\n",
            i + 10,
            i + 20
        ));
    }
    d.push_str("\\.\n");
    d
}

pub fn rev(dir: &Path, r: &str) -> String {
    let out = Command::new("git")
        .args(["rev-parse", r])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with a base commit on `develop` and a pull-request head commit.
pub struct Repo {
    pub dir: tempfile::TempDir,
    pub base: String,
    pub head: String,
}

pub fn repo(with_dump: bool) -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "develop"]);
    write(d, "package.json", r#"{"name":"api","private":true}"#);
    write(
        d,
        "apps/api/src/migrations/Migration20240101000000.ts",
        BASE_MIGRATION,
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "base"]);
    let base = rev(d, "HEAD");
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(
        d,
        "apps/api/src/migrations/Migration20240601000000.ts",
        PR_MIGRATION,
    );
    if with_dump {
        write(d, "backups/prod-2024-05.sql", dump());
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "drop phone"]);
    let head = rev(d, "HEAD");
    Repo { dir, base, head }
}

pub fn pr_event(r: &Repo, action: &str, labels: &[&str], fork: bool) -> Value {
    let head_repo = if fork { "someone/api" } else { "acme/api" };
    json!({
        "action": action,
        "number": 7,
        "pull_request": {
            "number": 7,
            "user": { "login": "dev" },
            "labels": labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
            "base": { "sha": r.base, "ref": "develop", "repo": { "full_name": "acme/api" } },
            "head": { "sha": r.head, "ref": "feature", "repo": { "full_name": head_repo } },
        },
        "repository": { "full_name": "acme/api" },
    })
}

impl Repo {
    /// A new head commit whose PR migration has `up_line` instead of the `drop column "phone"`
    /// line of [`PR_MIGRATION`].
    pub fn with_up(self, up_line: &str, message: &str) -> Repo {
        let m = PR_MIGRATION.replace(
            "    this.addSql('alter table \"member\" drop column \"phone\";');\n",
            up_line,
        );
        write(
            self.dir.path(),
            "apps/api/src/migrations/Migration20240601000000.ts",
            m,
        );
        git(self.dir.path(), &["commit", "-q", "-am", message]);
        let head = rev(self.dir.path(), "HEAD");
        Repo { head, ..self }
    }
}

/// A throwaway PostgreSQL for tests that pass `--database-url`, with the runtime that drives
/// it; panics (never skips) when it cannot start.
pub fn server() -> (tokio::runtime::Runtime, tollgate_verify::Server) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(tollgate_verify::Server::start(
            &tollgate_verify::ServerOptions::default(),
        ))
        .unwrap_or_else(|e| panic!("PostgreSQL must start for these tests: {e}"));
    (rt, server)
}
