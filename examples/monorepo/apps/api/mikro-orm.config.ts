import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';

export default defineConfig({
  clientUrl: process.env.DATABASE_URL ?? 'postgresql://club:club@localhost:5432/club',
  dbName: 'club',
  entities: ['./dist/**/*.entity.js'],
  entitiesTs: ['./src/**/*.entity.ts'],
  extensions: [Migrator],
  migrations: {
    tableName: 'mikro_orm_migrations',
    path: './src/migrations',
    glob: '!(*.d).{js,ts}',
    transactional: true,
    // allOrNothing is left at its default (true): every pending migration of a run shares one
    // transaction, whatever a single migration's isTransactional() says.
    disableForeignKeys: false,
    snapshot: true,
    emit: 'ts',
  },
  debug: process.env.NODE_ENV !== 'production',
});
