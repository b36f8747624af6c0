import { Migration } from '@mikro-orm/migrations';

export class Migration20240112141530 extends Migration {

  async up(): Promise<void> {
    this.addSql('create table "club" ("id" serial primary key, "created_at" timestamptz(0) not null, "name" varchar(255) not null, "slug" varchar(255) not null, "federation_code" varchar(16) null, "country" char(2) not null default \'FR\');');
    this.addSql('alter table "club" add constraint "club_slug_unique" unique ("slug");');
    this.addSql('comment on column "club"."name" is \'Official name, as registered with the federation (e.g. \'\'AS Saint-Priest\'\')\';');
  }

  async down(): Promise<void> {
    this.addSql('drop table if exists "club" cascade;');
  }

}
