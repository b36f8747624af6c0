import { Migration } from '@mikro-orm/migrations';

export class Migration20240110093012 extends Migration {

  async up(): Promise<void> {
    this.addSql('create table "user" ("id" serial primary key, "created_at" timestamptz(0) not null, "updated_at" timestamptz(0) not null, "email" varchar(255) not null, "password_hash" varchar(255) not null, "full_name" varchar(255) not null, "locale" varchar(5) not null default \'fr-FR\');');
    this.addSql('alter table "user" add constraint "user_email_unique" unique ("email");');
  }

  async down(): Promise<void> {
    this.addSql('drop table if exists "user" cascade;');
  }

}
