import { Migration } from '@mikro-orm/migrations';

export class Migration20240125101500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "member" ("id" serial primary key, "created_at" timestamptz not null, "user_id" int not null, "club_id" int not null, "role" text check ("role" in ('player', 'coach', 'staff', 'admin')) not null default 'player', "joined_at" date not null);`);
    this.addSql(`create index "member_club_id_index" on "member" ("club_id");`);
    this.addSql(`alter table "member" add constraint "member_user_id_club_id_unique" unique ("user_id", "club_id");`);

    this.addSql(`alter table "member" add constraint "member_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade;`);
    this.addSql(`alter table "member" add constraint "member_club_id_foreign" foreign key ("club_id") references "club" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "member" cascade;`);
  }

}
