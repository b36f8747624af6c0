import { Migration } from '@mikro-orm/migrations';

const AUDITED_TABLES = ['club', 'member', 'licence', 'event'] as const;

export class Migration20240520140000 extends Migration {

  override async up(): Promise<void> {
    for (const table of AUDITED_TABLES) {
      this.addSql(`alter table "${table}" add column "updated_at" timestamptz not null default now();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of AUDITED_TABLES) {
      this.addSql(`alter table "${table}" drop column "updated_at";`);
    }
  }

}
