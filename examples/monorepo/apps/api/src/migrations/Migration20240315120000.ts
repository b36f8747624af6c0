import { Migration } from '@club/db-kit';

export class Migration20240315120000 extends Migration {

  override async up(): Promise<void> {
    this.lockTimeout();

    this.addSql(`create table "event" ("id" serial primary key, "created_at" timestamptz not null, "club_id" int not null, "title" varchar(255) not null, "kind" text check ("kind" in ('training', 'match', 'tournament', 'social')) not null, "starts_at" timestamptz not null, "ends_at" timestamptz null, "location" varchar(255) null);`);

    this.addSql(`alter table "event" add constraint "event_club_id_foreign" foreign key ("club_id") references "club" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "event" cascade;`);
  }

}
