import { Migration } from '@mikro-orm/migrations';

export class Migration20240505091500 extends Migration {

  // CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    this.addSql(`create index concurrently if not exists "event_club_id_starts_at_index" on "event" ("club_id", "starts_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index concurrently if exists "event_club_id_starts_at_index";`);
  }

}
