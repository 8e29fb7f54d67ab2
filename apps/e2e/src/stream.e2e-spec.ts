import { randomUUID } from 'node:crypto';
import { createNiyantaClient, NiyantaApiError, type NiyantaClient, type StreamMessage, type WorkloadStream } from '@niyanta/sdk';
import { createTestSchema, spawnApp, testNatsUrl, uniqueBrokerPrefix, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { eventually } from './support/http';

/**
 * The live stream across processes: two coordinator-api replicas, a leader and a worker on the
 * machine's PostgreSQL and NATS. A client watches through replica A while workloads are submitted
 * through replica B and run on the worker: every state change reaches it, in order, and another
 * customer's stream stays silent.
 */
const ADMIN_KEY = `admin-${randomUUID()}`;

/** Collects what a stream yields, in the background. */
function collect(stream: WorkloadStream): { messages: StreamMessage[]; done: Promise<unknown> } {
  const messages: StreamMessage[] = [];
  const done = (async () => {
    for await (const message of stream) messages.push(message);
  })().catch((error: unknown) => error);
  return { messages, done };
}

function updatesOf(messages: StreamMessage[], id: string): string[] {
  return messages.flatMap((m) => (m.type === 'update' && m.workload.id === id ? [m.workload.status] : []));
}

describe('GET /v1/stream across API replicas (processes)', () => {
  let schema: TestSchema;
  const apps: SpawnedApp[] = [];
  let replicaA: SpawnedApp;
  let replicaB: SpawnedApp;
  let viaA: NiyantaClient;
  let viaB: NiyantaClient;
  let otherCustomer: NiyantaClient;

  beforeAll(async () => {
    schema = await createTestSchema('e2e_stream');
    const env = {
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.schema,
      NATS_URL: testNatsUrl(),
      BROKER_PREFIX: uniqueBrokerPrefix('e2e_stream'),
      NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
    };
    replicaA = await spawnApp('coordinator-api', { ...env, RUN_MIGRATIONS: 'true' });
    apps.push(replicaA);
    const [b, leader, worker] = await Promise.all([
      spawnApp('coordinator-api', env),
      spawnApp('coordinator-leader', env),
      spawnApp('worker', { ...env, WORKER_ID: 'stream-worker', HEARTBEAT_INTERVAL: '500ms', WORKER_CAPACITY: '8' }),
    ]);
    replicaB = b;
    apps.push(b, leader, worker);

    const admin = createNiyantaClient({ baseUrl: replicaA.url, apiKey: ADMIN_KEY });
    const keyFor = async (name: string): Promise<string> => {
      const customer = await admin.api.POST('/v1/admin/customers', { body: { name, tier: 'standard' } });
      if (!customer.data) throw new Error(`creating ${name} failed: ${customer.response.status}`);
      const key = await admin.api.POST('/v1/admin/customers/{id}/api-keys', { params: { path: { id: customer.data.id } }, body: { name: 'e2e' } });
      if (!key.data) throw new Error(`issuing a key failed: ${key.response.status}`);
      return key.data.key;
    };
    const key = await keyFor('stream-watcher');
    viaA = createNiyantaClient({ baseUrl: replicaA.url, apiKey: key });
    viaB = createNiyantaClient({ baseUrl: replicaB.url, apiKey: key });
    otherCustomer = createNiyantaClient({ baseUrl: replicaA.url, apiKey: await keyFor('stream-bystander') });
    await eventually('the worker to register sleep', async () => ((await viaB.workloadTypes()).some((t) => t.workload_type === 'sleep') ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await schema?.drop();
  }, 60_000);

  it('refuses a stream without a valid key with 401', async () => {
    const stream = createNiyantaClient({ baseUrl: replicaA.url, apiKey: 'nyk_nosuchky_notARealKeyButWellFormed00' }).stream();
    const failure = await stream.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NiyantaApiError);
    expect(failure).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('sends the snapshot, then every change made through the other replica until COMPLETED, only to its customer', async () => {
    const waiting = await viaB.submit({ workload_type: 'sleep', input: { duration_ms: 60_000 }, labels: { e2e: 'stream' } });
    await eventually('the long workload to run', async () => ((await viaB.get(waiting.id)).status === 'RUNNING' ? true : undefined));

    const watcher = viaA.stream();
    const bystander = otherCustomer.stream();
    const watched = collect(watcher);
    const ignored = collect(bystander);
    await eventually('both snapshots', async () => (watched.messages.length > 0 && ignored.messages.length > 0 ? true : undefined));

    const snapshot = watched.messages[0];
    expect(snapshot?.type).toBe('snapshot');
    if (snapshot?.type === 'snapshot') {
      expect(snapshot.workloads.map((w) => [w.id, w.status])).toEqual([[waiting.id, 'RUNNING']]);
    }

    const quick = await viaB.submit({ workload_type: 'sleep', input: { duration_ms: 300, steps: 3 } });
    await eventually('the quick workload to complete on the stream', async () => (updatesOf(watched.messages, quick.id).includes('COMPLETED') ? true : undefined), 30_000);
    expect(updatesOf(watched.messages, quick.id)).toEqual(['PENDING', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    const completed = watched.messages.find((m) => m.type === 'update' && m.workload.id === quick.id && m.workload.status === 'COMPLETED');
    expect(completed?.type === 'update' && completed.workload.output).toMatchObject({ slept_ms: 300 });

    await viaB.cancel(waiting.id);
    await eventually('the cancellation on the stream', async () => (updatesOf(watched.messages, waiting.id).includes('CANCELLED') ? true : undefined));

    // The bystander's own workload proves its stream is live; nothing else ever reached it.
    const own = await otherCustomer.submit({ workload_type: 'sleep', input: { duration_ms: 1 } });
    await eventually('the bystander sees its own workload', async () => (updatesOf(ignored.messages, own.id).length > 0 ? true : undefined));
    const seenByBystander = ignored.messages.flatMap((m) => (m.type === 'snapshot' ? m.workloads.map((w) => w.id) : [m.workload.id]));
    expect(new Set(seenByBystander)).toEqual(new Set([own.id]));

    watcher.close();
    bystander.close();
    await Promise.all([watched.done, ignored.done]);
  });

  it('filters by id and status across replicas', async () => {
    const target = await viaB.submit({ workload_type: 'sleep', input: { duration_ms: 1000 } });
    const stream = viaA.stream({ ids: [target.id], status: ['COMPLETED'] });
    const seen = collect(stream);
    // The same replica, unfiltered: it receives every event in the order the filtered one does.
    const everything = viaA.stream({});
    const all = collect(everything);
    await viaB.submit({ workload_type: 'sleep', input: { duration_ms: 1 } });
    // Whether it completes before or after the snapshot is read, it shows up exactly once.
    const states = (messages: StreamMessage[]) =>
      messages.flatMap((m) => (m.type === 'snapshot' ? m.workloads.map((w) => [w.id, w.status]) : [[m.workload.id, m.workload.status]]));
    await eventually('the completion', async () => (states(seen.messages).length > 0 ? true : undefined), 30_000);
    // A workload submitted after it: once the unfiltered stream shows it, the replica has passed on
    // everything it received before, so a repeat of the completion would be on the filtered stream.
    const marker = await viaB.submit({ workload_type: 'sleep', input: { duration_ms: 1 } });
    await eventually('the later workload', async () => (states(all.messages).some(([id]) => id === marker.id) ? true : undefined), 30_000);
    stream.close();
    everything.close();
    await Promise.all([seen.done, all.done]);
    expect(states(seen.messages)).toEqual([[target.id, 'COMPLETED']]);
  });
});
