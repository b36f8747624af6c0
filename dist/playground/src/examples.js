// What the playground shows before the user types anything.

// A dbmate-style file: the up and the down in one text, so a pasted migration can carry its down
// (without a `-- migrate:down` section tollgate reports the missing down, as the CLI does).
export const SQL_PATH = "db/migrations/20250101000000_playground.sql";
export const TS_PATH = "src/migrations/Migration20250101000000.ts";

export const SQL_EXAMPLE = `-- A migration to lint: type or paste your own.
-- migrate:up
CREATE TABLE invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  member_id bigint NOT NULL,
  total_cents integer NOT NULL
);
CREATE INDEX invoices_member_id_idx ON invoices (member_id);
ALTER TABLE members DROP COLUMN fax;

-- migrate:down
ALTER TABLE members ADD COLUMN fax text;
DROP TABLE invoices;
`;

export const TS_EXAMPLE = `import { Migration } from '@mikro-orm/migrations';

export class Migration20250101000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index "member_email_index" on "member" ("email");');
    this.addSql('alter table "member" drop column "fax";');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "member" add column "fax" varchar(255) null;');
    this.addSql('drop index "member_email_index";');
  }
}
`;

export const POLICY_EXAMPLE = `# tollgate.toml: the same file the CLI reads.
# Turn a rule off or change its severity, e.g.:
# [rules]
# drop-column = "off"
`;
