import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, spawnApp, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

/**
 * Dependencies with the real apps as processes on the machine's PostgreSQL and NATS: a graph
 * submitted in one batch runs in order — every child starts after all its parents completed, by
 * the audit trail — a handler reads its parents' outputs from `ctx.parents`, and a failed parent
 * cancels its dependents. The leader's sweep runs once a minute here, so a graph that completes
 * within seconds was released on events.
 */
interface WorkloadJson {
  id: string;
  status: string;
  output: unknown;
  error: { code: string; message: string } | null;
  pending_reason: string | null;
  depends_on?: string[];
}
interface EventJson {
  action: string;
  occurred_at: string;
}

const ADMIN_KEY = `admin-${randomUUID()}`;

// A user module (plain definition object, no packages): waits a little, returns its name and what ctx.parents held.
const STEP_MODULE = `module.exports = {
  type: 'step',
  create: () => ({
    init() {},
    execute: async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, ctx.input.ms || 20));
      return { name: ctx.input.name, parents: ctx.parents };
    },
    checkpoint: () => null,
    close() {},
  }),
};
`;

describe('dependencies (processes)', () => {
  let schema: TestSchema;
  let dir: string;
  let api: SpawnedApp;
  let leader: SpawnedApp;
  const workers: SpawnedApp[] = [];
  let key: string;
  const prefix = `e2e_deps_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    schema = await createTestSchema('e2e_deps');
    dir = await mkdtemp(join(tmpdir(), 'niyanta-deps-'));
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'step.workload.js'), STEP_MODULE);
    const env = appEnv(schema, prefix);
    api = await spawnApp('coordinator-api', { ...env, NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    leader = await spawnApp('coordinator-leader', { ...env, SCHEDULER_SWEEP_INTERVAL: '60s' });
    for (const id of ['deps-w1', 'deps-w2']) {
      workers.push(
        await spawnApp('worker', { ...env, WORKER_ID: id, WORKER_CAPACITY: '4', WORKLOAD_MODULES: join(dir, 'step.workload.js') }),
      );
    }
    key = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'deps-enterprise', tier: 'enterprise' });
    await eventually('the step type registered', async () => {
      const res = await http<{ items: Array<{ workload_type: string }> }>(api.url, 'GET', '/v1/workload-types', { key });
      return res.body.items?.some((t) => t.workload_type === 'step') ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await Promise.allSettled([leader?.stop(), api?.stop()]);
    await schema?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const get = async (id: string) => (await http<WorkloadJson>(api.url, 'GET', `/v1/workloads/${id}`, { key })).body;

  async function events(id: string): Promise<EventJson[]> {
    return (await http<{ items: EventJson[] }>(api.url, 'GET', `/v1/workloads/${id}/events`, { key })).body.items;
  }

  async function at(id: string, action: string): Promise<number> {
    const event = (await events(id)).find((e) => e.action === action);
    if (!event) throw new Error(`${id} has no ${action} event`);
    return Date.parse(event.occurred_at);
  }

  async function submitGraph(items: Array<Record<string, unknown>>): Promise<Record<string, WorkloadJson>> {
    const res = await http<{ items: WorkloadJson[] }>(api.url, 'POST', '/v1/workloads/batch', { key, body: { items } });
    expect(res.status).toBe(201);
    return Object.fromEntries(items.map((item, index) => [item['ref'] as string, res.body.items[index] as WorkloadJson]));
  }

  async function waitAll(ids: string[], status: string): Promise<void> {
    await eventually(`${ids.length} workloads ${status}`, async () => {
      const all = await Promise.all(ids.map(get));
      return all.every((w) => w.status === status) ? true : undefined;
    }, 30_000);
  }

  /** Every child's `workload.started` comes after every parent's `workload.completed`; returns the gaps (ms). */
  async function assertOrder(graph: Record<string, WorkloadJson>, parentsOf: Record<string, string[]>): Promise<number[]> {
    const gaps: number[] = [];
    for (const [child, parents] of Object.entries(parentsOf)) {
      const started = await at((graph[child] as WorkloadJson).id, 'workload.started');
      const lastParent = Math.max(...(await Promise.all(parents.map((p) => at((graph[p] as WorkloadJson).id, 'workload.completed')))));
      expect(started).toBeGreaterThanOrEqual(lastParent);
      gaps.push(started - lastParent);
    }
    return gaps;
  }

  it('runs a diamond in order', async () => {
    const parentsOf = { b: ['a'], c: ['a'], d: ['b', 'c'] };
    const graph = await submitGraph([
      { ref: 'd', workload_type: 'step', input: { name: 'd' }, depends_on: ['b', 'c'] },
      { ref: 'b', workload_type: 'step', input: { name: 'b', ms: 60 }, depends_on: ['a'] },
      { ref: 'c', workload_type: 'step', input: { name: 'c' }, depends_on: ['a'] },
      { ref: 'a', workload_type: 'step', input: { name: 'a' } },
    ]);
    expect(graph['d']?.pending_reason).toBe('waiting_for_dependencies: 2 of 2 parents not completed yet');
    await waitAll(Object.values(graph).map((w) => w.id), 'COMPLETED');
    const gaps = await assertOrder(graph, parentsOf);
    process.stdout.write(`diamond: child start after its last parent completed, ms: ${gaps.join(', ')}\n`);
  });

  it('runs extract → transform ×3 → load in order, and load reads its parents’ outputs from ctx.parents', async () => {
    const graph = await submitGraph([
      { ref: 'extract', workload_type: 'step', input: { name: 'extract' } },
      { ref: 't1', workload_type: 'step', input: { name: 't1' }, depends_on: ['extract'] },
      { ref: 't2', workload_type: 'step', input: { name: 't2', ms: 80 }, depends_on: ['extract'] },
      { ref: 't3', workload_type: 'step', input: { name: 't3' }, depends_on: ['extract'] },
      { ref: 'load', workload_type: 'step', input: { name: 'load' }, depends_on: ['t1', 't2', 't3'] },
    ]);
    await waitAll(Object.values(graph).map((w) => w.id), 'COMPLETED');
    await assertOrder(graph, { t1: ['extract'], t2: ['extract'], t3: ['extract'], load: ['t1', 't2', 't3'] });

    const load = await get((graph['load'] as WorkloadJson).id);
    const parents = (load.output as { parents: Record<string, { name: string }> }).parents;
    for (const ref of ['t1', 't2', 't3']) {
      expect(parents[ref]?.name).toBe(ref);
      expect(parents[(graph[ref] as WorkloadJson).id]?.name).toBe(ref);
    }
    expect(Object.keys(parents)).toHaveLength(6);
    expect((await get((graph['extract'] as WorkloadJson).id)).output).toEqual({ name: 'extract', parents: {} });
    expect([...(load.depends_on ?? [])].sort()).toEqual(['t1', 't2', 't3'].map((r) => (graph[r] as WorkloadJson).id).sort());
  });

  it('cancels the dependents of a failed parent with dependency_failed', async () => {
    const graph = await submitGraph([
      { ref: 'bad', workload_type: 'flaky', input: { fail_attempts: 1 }, max_retries: 0 },
      { ref: 'child', workload_type: 'step', input: { name: 'child' }, depends_on: ['bad'] },
      { ref: 'grandchild', workload_type: 'step', input: { name: 'grandchild' }, depends_on: ['child'] },
    ]);
    await waitAll([(graph['grandchild'] as WorkloadJson).id, (graph['child'] as WorkloadJson).id], 'CANCELLED');
    expect((await get((graph['bad'] as WorkloadJson).id)).status).toBe('FAILED');
    const grandchild = await get((graph['grandchild'] as WorkloadJson).id);
    expect(grandchild.error?.code).toBe('dependency_failed');
    expect((await events(grandchild.id)).map((e) => e.action)).toEqual(['workload.submitted', 'workload.cancelled']);
  });
});
