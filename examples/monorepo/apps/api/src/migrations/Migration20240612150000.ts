import { Migration } from '@mikro-orm/migrations';

export class Migration20240612150000 extends Migration {

  override async up(): Promise<void> {
    // Runs right away (not queued like addSql): expire the licences of past seasons.
    await this.execute(`update "licence" set "status" = 'expired' where "valid_until" < current_date and "status" <> 'expired';`);

    this.addSql(`alter table "licence" add column "expired_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "licence" drop column "expired_at";`);
  }

}
