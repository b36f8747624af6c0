import { Migration } from '@mikro-orm/migrations';

/** Federation licences, one per member and season. Created with `--name add_licences`. */
export class Migration20240301_add_licences extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "licence" ("id" serial primary key, "created_at" timestamptz not null, "member_id" int not null, "season" varchar(9) not null, "number" varchar(32) not null, "status" text check ("status" in ('pending', 'active', 'expired', 'revoked')) not null default 'pending', "valid_until" date not null);`);
    this.addSql(`create index "licence_member_id_index" on "licence" ("member_id");`);
    this.addSql(`alter table "licence" add constraint "licence_number_season_unique" unique ("number", "season");`);

    this.addSql(`alter table "licence" add constraint "licence_member_id_foreign" foreign key ("member_id") references "member" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "licence" cascade;`);
  }

}
