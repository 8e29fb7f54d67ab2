import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestSchema, spawnApp, uniqueBrokerPrefix, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv } from './support/fleet';
import { eventually, http } from './support/http';

const FAILURES = 40;

/** A well-formed key nobody issued, with a prefix of its own so each failure can be found again. */
function unknownKey(i: number): { prefix: string; key: string } {
  const prefix = `zz${String(i).padStart(6, '0')}`;
  return { prefix, key: `nyk_${prefix}_${'x'.repeat(32)}` };
}

/**
 * `auth.failed` events survive the API process being killed outright: each is in the local outbox
 * before the 401 is sent, and the next API process started on the same outbox directory writes
 * them, each exactly once.
 */
describe('audit outbox across a killed API process', () => {
  let schema: TestSchema;
  let outboxDir: string;
  let env: Record<string, string>;
  const apps: SpawnedApp[] = [];
  let db: Client;

  beforeAll(async () => {
    schema = await createTestSchema('e2e_audit_outbox');
    outboxDir = mkdtempSync(join(tmpdir(), 'e2e-audit-outbox-'));
    env = {
      ...appEnv(schema, uniqueBrokerPrefix('e2e_audit_outbox')),
      AUDIT_OUTBOX_DIR: outboxDir,
      // Every failure its own event, and no throttling of the test's one client address: the outbox's
      // durability per event is what is tested (aggregation: tenant-isolation.int-spec.ts).
      AUTH_FAILURE_WINDOW: '0',
      AUTH_THROTTLE_BURST: '0',
    };
    db = new Client({ connectionString: schema.url });
    await db.connect();
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await db?.end();
    await schema?.drop();
    rmSync(outboxDir, { recursive: true, force: true });
  });

  async function authFailedByPrefix(): Promise<Map<string, number>> {
    const result = await db.query<{ prefix: string; n: number }>(
      `SELECT details->>'prefix' AS prefix, count(*)::int AS n FROM "${schema.schema}".audit_events
        WHERE action = 'auth.failed' GROUP BY 1`,
    );
    return new Map(result.rows.map((row) => [row.prefix, row.n]));
  }

  it('writes every auth failure of a SIGKILLed process exactly once, from the next process', async () => {
    // Writes are held back for an hour: nothing reaches PostgreSQL before the kill.
    const first = await spawnApp('coordinator-api', { ...env, AUDIT_FLUSH_INTERVAL: '1h' });
    apps.push(first);
    const keys = Array.from({ length: FAILURES }, (_, i) => unknownKey(i));
    const statuses = await Promise.all(keys.map(({ key }) => http(first.url, 'GET', '/v1/workloads', { key }).then((r) => r.status)));
    expect(statuses).toEqual(keys.map(() => 401));
    expect((await authFailedByPrefix()).size).toBe(0);

    first.kill('SIGKILL');
    expect(await first.waitForExit()).toEqual({ code: null, signal: 'SIGKILL' });
    const left = readdirSync(outboxDir);
    expect(left).toEqual([expect.stringMatching(new RegExp(`^audit-${first.pid}-[0-9a-f]+-0\\.jsonl$`))]);
    expect(readFileSync(join(outboxDir, left[0] ?? ''), 'utf8').trim().split('\n')).toHaveLength(FAILURES);

    const second = await spawnApp('coordinator-api', { ...env, RUN_MIGRATIONS: 'false' });
    apps.push(second);
    const written = await eventually('the replayed auth failures', async () => {
      const counts = await authFailedByPrefix();
      return counts.size >= FAILURES ? counts : undefined;
    });
    expect([...written.entries()].sort()).toEqual(keys.map(({ prefix }) => [prefix, 1]));
    // The dead process's file is deleted once written; the new process has written nothing of its own.
    await eventually('the outbox emptied', async () => (readdirSync(outboxDir).length === 0 ? true : undefined), 5_000);

    // Its own failures take the normal path and are not duplicated by the replay.
    const extra = unknownKey(FAILURES);
    expect((await http(second.url, 'GET', '/v1/workloads', { key: extra.key })).status).toBe(401);
    await eventually('the new failure', async () => ((await authFailedByPrefix()).get(extra.prefix) === 1 ? true : undefined));
    await second.stop();
    const total = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema.schema}".audit_events WHERE action = 'auth.failed'`,
    );
    expect(total.rows[0]?.n).toBe(FAILURES + 1);
    expect(readdirSync(outboxDir)).toEqual([]);
  });
});
