import { Migration } from '@mikro-orm/migrations';

export class Migration20240402083000 extends Migration {

  override name = 'AddMemberPhone';

  override async up(): Promise<void> {
    this.addSql(`alter table "member" add column "phone" varchar(32) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "member" drop column "phone";`);
  }

}
