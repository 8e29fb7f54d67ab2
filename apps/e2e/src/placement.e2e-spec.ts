import { randomUUID } from 'node:crypto';
import { createTestSchema, spawnApp, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

/**
 * Placement with the real apps as processes on the machine's PostgreSQL and NATS: workers tagged
 * through WORKER_TAGS / WORKER_REGION, required and anti tags always honoured, preferred tags and
 * region honoured while capacity allows, and every kind of wait explained by `pending_reason`
 * until a fitting worker joins. The leader's sweep runs once a minute here, so everything placed
 * within seconds was placed on an event.
 */
interface WorkloadJson {
  id: string;
  status: string;
  worker_id: string | null;
  pending_reason: string | null;
}
interface WorkerJson {
  id: string;
  status: string;
  tags: Record<string, string>;
  region: string | null;
  capacity: number;
}

const ADMIN_KEY = `admin-${randomUUID()}`;
/** What a PENDING workload shows until the scheduler has found a reason of its own. */
const QUEUED = 'queued: waiting for its turn to be scheduled';
const foundReason = (w: WorkloadJson): boolean => w.pending_reason !== null && w.pending_reason !== QUEUED;
const ACTIVE = ['SCHEDULED', 'RUNNING', 'COMPLETED'];

/** The fleet: id → [WORKER_TAGS, WORKER_REGION, WORKER_CAPACITY]. */
const FLEET: Record<string, [string, string, number]> = {
  'w-gpu': ['gpu=a100,pool=reserved,disk=hdd', 'eu', 2],
  'w-spot': ['gpu=none,pool=spot,disk=ssd', 'us', 20],
  'w-ssd': ['gpu=none,pool=reserved,disk=ssd', 'eu', 20],
  'w-plain': ['gpu=none,pool=reserved,disk=hdd', 'us', 20],
};

describe('placement (processes)', () => {
  let schema: TestSchema;
  let api: SpawnedApp;
  let leader: SpawnedApp;
  const workers = new Map<string, SpawnedApp>();
  let key: string;
  let freeKey: string;
  const prefix = `e2e_place_${randomUUID().slice(0, 8)}`;

  const commonEnv = () => appEnv(schema, prefix);

  async function startWorker(id: string, tags: string, region: string, capacity: number): Promise<void> {
    workers.set(
      id,
      await spawnApp('worker', {
        ...commonEnv(),
        WORKER_ID: id,
        WORKER_TAGS: tags,
        WORKER_REGION: region,
        WORKER_CAPACITY: String(capacity),
        HEARTBEAT_INTERVAL: '500ms',
      }),
    );
  }

  const get = (id: string, as = key) => http<WorkloadJson>(api.url, 'GET', `/v1/workloads/${id}`, { key: as });

  async function submitBatch(items: unknown[], as = key): Promise<WorkloadJson[]> {
    const res = await http<{ items: WorkloadJson[] }>(api.url, 'POST', '/v1/workloads/batch', { key: as, body: { items } });
    expect(res.status).toBe(201);
    return res.body.items;
  }

  /** Polls the list (one request per round, gentle on the rate limit) until every id is in `statuses`. */
  async function waitAll(ids: string[], statuses: string[], as = key, timeoutMs = 30_000): Promise<Map<string, WorkloadJson>> {
    return eventually(
      `${ids.length} workloads to reach ${statuses.join('|')}`,
      async () => {
        const res = await http<{ items: WorkloadJson[] }>(api.url, 'GET', '/v1/workloads?limit=500', { key: as });
        const byId = new Map((res.body.items ?? []).map((w) => [w.id, w]));
        return ids.every((id) => statuses.includes(byId.get(id)?.status ?? '')) ? byId : undefined;
      },
      timeoutMs,
      200,
    );
  }

  const sleep = (ms: number, extra: Record<string, unknown> = {}) => ({ workload_type: 'sleep', input: { duration_ms: ms, steps: 1 }, ...extra });

  async function cancel(ids: string[], as = key): Promise<void> {
    const res = await http(api.url, 'POST', '/v1/workloads/batch/cancel', { key: as, body: { ids } });
    expect(res.status).toBeLessThan(300);
  }

  beforeAll(async () => {
    schema = await createTestSchema('e2e_placement');
    api = await spawnApp('coordinator-api', { ...commonEnv(), NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    leader = await spawnApp('coordinator-leader', {
      ...commonEnv(),
      WORKER_TIMEOUT: '3s',
      SCHEDULER_SWEEP_INTERVAL: '60s',
    });
    await Promise.all(Object.entries(FLEET).map(([id, [tags, region, capacity]]) => startWorker(id, tags, region, capacity)));

    key = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'placement-enterprise', tier: 'enterprise' });
    freeKey = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'placement-free', tier: 'free' });
    await eventually('four live workers', async () => {
      const res = await http<{ items: WorkerJson[] }>(api.url, 'GET', '/v1/workers', { key });
      return res.body.items?.filter((w) => w.status === 'ACTIVE').length === 4 ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([...workers.values()].map((w) => w.stop()));
    await Promise.allSettled([leader?.stop(), api?.stop()]);
    await schema?.drop();
  }, 60_000);

  it('registers each worker with the tags, region and capacity from WORKER_TAGS, WORKER_REGION and WORKER_CAPACITY', async () => {
    const res = await http<{ items: WorkerJson[] }>(api.url, 'GET', '/v1/workers', { key });
    const byId = new Map(res.body.items.map((w) => [w.id, w]));
    for (const [id, [tags, region, capacity]] of Object.entries(FLEET)) {
      const expectedTags = Object.fromEntries(tags.split(',').map((pair) => pair.split('=') as [string, string]));
      expect(byId.get(id)).toMatchObject({ status: 'ACTIVE', tags: expectedTags, region, capacity });
    }
  });

  it('always honours required tags and never violates anti tags', async () => {
    const gpu = await submitBatch(Array.from({ length: 6 }, () => sleep(50, { affinity: { required: { gpu: 'a100' } } })));
    const notSpot = await submitBatch(Array.from({ length: 30 }, () => sleep(50, { affinity: { anti: { pool: 'spot' } } })));
    const done = await waitAll([...gpu, ...notSpot].map((w) => w.id), ['COMPLETED']);
    // Six GPU workloads through a 2-slot worker: the others waited rather than run elsewhere.
    for (const w of gpu) expect(done.get(w.id)?.worker_id).toBe('w-gpu');
    for (const w of notSpot) expect(done.get(w.id)?.worker_id).not.toBe('w-spot');
  });

  it('honours preferred tags and the preferred region while capacity allows', async () => {
    const ssd = await submitBatch(Array.from({ length: 8 }, () => sleep(2_000, { affinity: { preferred: { disk: 'ssd', pool: 'reserved' } } })));
    const usPlain = await submitBatch(Array.from({ length: 5 }, () => sleep(2_000, { region: 'us', affinity: { anti: { pool: 'spot' } } })));
    const placed = await waitAll([...ssd, ...usPlain].map((w) => w.id), ACTIVE);
    // w-ssd is the only worker with both preferred tags, and has room for all eight.
    for (const w of ssd) expect(placed.get(w.id)?.worker_id).toBe('w-ssd');
    // In us, only w-plain is not spot.
    for (const w of usPlain) expect(placed.get(w.id)?.worker_id).toBe('w-plain');
    await waitAll([...ssd, ...usPlain].map((w) => w.id), ['COMPLETED']);
  });

  it('explains a wait for a full worker and for the customer limit, and clears the reason when placed', async () => {
    const gpu = await submitBatch(Array.from({ length: 3 }, () => sleep(60_000, { affinity: { required: { gpu: 'a100' } } })));
    const third = await eventually('a gpu workload waiting with its reason', async () => {
      const states = await Promise.all(gpu.map((w) => get(w.id)));
      const running = states.filter((s) => ACTIVE.includes(s.body.status));
      const waiting = states.find((s) => s.body.status === 'PENDING' && foundReason(s.body));
      return running.length === 2 && waiting ? waiting.body : undefined;
    });
    expect(third.pending_reason).toBe('the 1 fitting worker is full');

    // A free customer may run 10 at once: the 11th and 12th wait with the limit as their reason.
    const free = await submitBatch(Array.from({ length: 12 }, () => sleep(60_000)), freeKey);
    const capped = await eventually(
      'two capped workloads with their reason',
      async () => {
        const res = await http<{ items: WorkloadJson[] }>(api.url, 'GET', '/v1/workloads?limit=500', { key: freeKey });
        const items = res.body.items ?? [];
        const waiting = items.filter((w) => w.status === 'PENDING' && foundReason(w));
        return items.filter((w) => ACTIVE.includes(w.status)).length === 10 && waiting.length === 2 ? waiting : undefined;
      },
      30_000,
      500,
    );
    for (const w of capped) expect(w.pending_reason).toBe('customer at concurrency limit 10');

    // Freeing a slot places the waiting workload at once (no sweep for a minute) and clears its reason.
    const running = gpu.find((w) => w.id !== third.id) as WorkloadJson;
    await cancel([running.id]);
    const placed = await waitAll([third.id], ACTIVE, key, 10_000);
    expect(placed.get(third.id)).toMatchObject({ worker_id: 'w-gpu', pending_reason: null });
    await cancel(gpu.map((w) => w.id));
    await cancel(free.map((w) => w.id), freeKey);
  }, 90_000);

  it('keeps an unsatisfiable workload PENDING with its reason and places it as soon as a fitting worker joins', async () => {
    const [h100] = await submitBatch([sleep(50, { affinity: { required: { gpu: 'h100' } } })]);
    const id = (h100 as WorkloadJson).id;
    const waiting = await eventually('the reason', async () => {
      const res = await get(id);
      return foundReason(res.body) ? res.body : undefined;
    });
    expect(waiting).toMatchObject({ status: 'PENDING', worker_id: null, pending_reason: 'no live worker has gpu=h100' });
    // A workload that fits is placed and run meanwhile; this one still waits.
    const [fits] = await submitBatch([sleep(10)]);
    await waitAll([(fits as WorkloadJson).id], ['COMPLETED'], key);
    expect((await get(id)).body.status).toBe('PENDING');

    await startWorker('w-h100', 'gpu=h100,pool=reserved', 'ap', 1);
    const done = await waitAll([id], ['COMPLETED'], key, 20_000);
    expect(done.get(id)).toMatchObject({ worker_id: 'w-h100', pending_reason: null });
  });

  it('exports the autoscaling and placement-quality metrics from the leader', async () => {
    const res = await http<string>(leader.url, 'GET', '/metrics');
    expect(res.status).toBe(200);
    const text = String(res.body);
    expect(text).toMatch(/niyanta_scheduler_latency_seconds_count\{tier="enterprise"\} [1-9]/);
    expect(text).toMatch(/niyanta_scheduler_soft_affinity_placements_total\{result="satisfied"\} [1-9]/);
    expect(text).toMatch(/niyanta_scheduler_decisions_total\{outcome="scheduled"\} [1-9]/);
    expect(text).toContain('niyanta_scheduler_pending_workloads');
    expect(text).toContain('niyanta_scheduler_oldest_pending_age_seconds');
  });
});
