// Applies, reverts or lists the state migrations:
//   DATABASE_URL=postgres://... [DATABASE_SCHEMA=public] node -r @swc-node/register tools/migrations/migrate.ts up|down|status
// `up` creates the schema when missing and is safe to run from several places at once.
import 'reflect-metadata';
import { STATE_MIGRATIONS, createDataSource, listAppliedMigrations, revertAllMigrations, runMigrations } from '@niyanta/state';

type Command = 'up' | 'down' | 'status';

async function main(command: Command): Promise<void> {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is required (postgres://user:password@host:5432/database)');
  const schema = process.env['DATABASE_SCHEMA'] || undefined;
  const dataSource = await createDataSource({ url, schema, applicationName: 'niyanta-migrations' });
  try {
    if (command === 'up') {
      const applied = await runMigrations(dataSource);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
    } else if (command === 'down') {
      const reverted = await revertAllMigrations(dataSource);
      console.log(reverted.length ? `reverted: ${reverted.join(', ')}` : 'nothing to revert');
    } else {
      const applied = new Set(await listAppliedMigrations(dataSource));
      for (const migration of STATE_MIGRATIONS) {
        const name = new migration().name;
        console.log(`${applied.has(name) ? '[x]' : '[ ]'} ${name}`);
      }
    }
  } finally {
    await dataSource.destroy();
  }
}

const command = process.argv[2];
if (command !== 'up' && command !== 'down' && command !== 'status') {
  console.error('usage: migrate up|down|status');
  process.exit(2);
}
main(command).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
