import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestSchema, spawnApp, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

/**
 * A per-second schedule through a leader kill, with the real apps as processes: two
 * coordinator-leader candidates, the active one killed with SIGKILL. Every tick second of the
 * window has exactly one workload — none lost in the gap before the standby takes the lease, none
 * doubled by the two leaders.
 */
const ADMIN_KEY = `admin-${randomUUID()}`;

interface ReadyBody {
  details?: Record<string, unknown>;
}

describe('schedules through a leader failover (processes)', () => {
  let schema: TestSchema;
  let api: SpawnedApp;
  const leaders = new Map<string, SpawnedApp>();
  let db: Client;
  const prefix = `e2e_sched_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    schema = await createTestSchema('e2e_schedules');
    const env = appEnv(schema, prefix);
    api = await spawnApp('coordinator-api', { ...env, NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    for (const id of ['leader-one', 'leader-two']) {
      leaders.set(id, await spawnApp('coordinator-leader', { ...env, LEADER_ID: id, LEASE_TTL: '2s', LEASE_RENEW_INTERVAL: '500ms' }));
    }
    db = new Client({ connectionString: schema.url, options: `-c search_path=${schema.schema}` });
    await db.connect();
    // No worker in this suite: the type is registered as a worker would register it.
    await db.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 0)`);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await Promise.allSettled([...leaders.values()].map((leader) => leader.stop()));
    await api?.stop();
    await schema?.drop();
  }, 60_000);

  async function activeLeader(except?: string): Promise<string> {
    return eventually('a leader in office', async () => {
      for (const [id, leader] of leaders) {
        if (id === except || !leader.isRunning()) continue;
        const res = await http<ReadyBody>(leader.url, 'GET', '/ready').catch(() => undefined);
        if ((res?.body.details?.['leader'] as { is_leader?: boolean } | undefined)?.is_leader) return id;
      }
      return undefined;
    }, 30_000);
  }

  async function ticks(scheduleId: string): Promise<number[]> {
    const rows: Array<{ idempotency_key: string }> = await db.query(
      `SELECT idempotency_key FROM workloads WHERE schedule_id = $1 ORDER BY idempotency_key`,
      [scheduleId],
    ).then((result) => result.rows);
    return rows.map((row) => Date.parse(row.idempotency_key.slice(`schedule:${scheduleId}:`.length)));
  }

  it('keeps exactly one workload per tick second when the active leader is killed', async () => {
    const key = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'acme', tier: 'enterprise' });
    const created = await http<{ id: string; next_run_at: string }>(api.url, 'POST', '/v1/schedules', {
      key,
      body: { name: 'every-second', cron: '* * * * * *', timezone: 'UTC', overlap: 'allow', workload: { workload_type: 'sleep', input: { duration_ms: 1 } } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const first = await activeLeader();
    await eventually('three ticks fired by the first leader', async () => ((await ticks(id)).length >= 3 ? true : undefined), 30_000);
    const killedAt = Date.now();
    leaders.get(first)?.kill('SIGKILL');
    await leaders.get(first)?.waitForExit();

    const second = await activeLeader(first);
    expect(second).not.toBe(first);
    // Ticks after the takeover, well past the lease gap.
    await eventually('ticks fired by the new leader', async () => {
      const fired = await ticks(id);
      return fired.length > 0 && (fired[fired.length - 1] as number) > killedAt + 4_000 ? true : undefined;
    }, 30_000);
    const paused = await http(api.url, 'POST', `/v1/schedules/${id}/pause`, { key });
    expect(paused.status).toBe(200);

    const fired = await ticks(id);
    const [firstTick, lastTick] = [fired[0] as number, fired[fired.length - 1] as number];
    expect(new Set(fired).size).toBe(fired.length);
    // Contiguous: every second from the first tick to the last has its workload, across the kill.
    expect(fired).toEqual(Array.from({ length: (lastTick - firstTick) / 1000 + 1 }, (_, i) => firstTick + i * 1000));
    expect(firstTick).toBeLessThan(killedAt);
    expect(lastTick).toBeGreaterThan(killedAt + 4_000);

    // The fires after the kill were made by the new leader, fenced by its generation.
    const [byLeader] = (await db.query(
      `SELECT count(DISTINCT actor_id)::int AS leaders FROM audit_events WHERE action = 'schedule.fired' AND details->>'schedule_id' = $1`,
      [id],
    )).rows;
    expect(byLeader.leaders).toBe(2);
  });
});
