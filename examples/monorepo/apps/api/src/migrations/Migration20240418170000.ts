import { Migration } from '@mikro-orm/migrations';

// Member status for the new membership workflow. No down(): the team decided this one is
// forward-only.
export class Migration20240418170000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "member" add column "status" text check ("status" in ('active', 'suspended', 'left')) not null default 'active';`);
    this.addSql(`create index "member_status_index" on "member" ("status");`);
  }

}
