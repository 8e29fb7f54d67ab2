// DataSource for the TypeORM CLI (migration:generate / show / run / revert):
//   DATABASE_URL=postgres://... [DATABASE_SCHEMA=public] \
//     node -r @swc-node/register node_modules/typeorm/cli.js migration:show -d tools/migrations/data-source.ts
// The schema must exist; `migrate.ts` creates it and holds the migration lock, so prefer it for running.
import 'reflect-metadata';
import { buildDataSource } from '@niyanta/state';

const url = process.env['DATABASE_URL'];
if (!url) {
  throw new Error('DATABASE_URL is required (postgres://user:password@host:5432/database)');
}

export default buildDataSource({ url, schema: process.env['DATABASE_SCHEMA'] || undefined, applicationName: 'niyanta-migrations' });
