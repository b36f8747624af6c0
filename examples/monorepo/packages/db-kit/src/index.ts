import { Migration as MikroMigration } from '@mikro-orm/migrations';

/**
 * The club platform's migration base class: MikroORM's, plus helpers the team wants in every
 * migration.
 */
export abstract class Migration extends MikroMigration {
  /** Fail fast instead of queueing all traffic behind a blocked `alter table`. */
  protected lockTimeout(value = '5s'): void {
    this.addSql(`set local lock_timeout = '${value}';`);
  }
}
