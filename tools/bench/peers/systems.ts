/**
 * The three job queues of the side-by-side benchmark behind one interface: Niyanta (its REST API,
 * as real processes), pg-boss (on the same PostgreSQL) and BullMQ (on a private Redis). Each runs
 * the same no-op job; "started" is when the worker began the job, "completed" what the queue
 * reports as completed.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Client } from 'pg';
import { spawnApp, type SpawnedApp } from '@niyanta/testing';

/** Wall-clock time in milliseconds with sub-millisecond resolution (comparable across processes). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export interface QueueSystem {
  readonly name: string;
  /** Enqueues one job; resolves with its id once the queue acknowledged it. */
  submitOne(): Promise<string>;
  /** Enqueues `count` jobs in one call. */
  submitBatch(count: number): Promise<void>;
  /** How many jobs have completed since the system started. */
  completedCount(): Promise<number>;
  /** When the worker started each of `ids` (epoch ms); missing ids have not started. */
  startTimes(ids: readonly string[]): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/** Polls until `system` reports at least `expected` completed jobs; returns when (epoch ms). */
export async function waitForCompleted(system: QueueSystem, expected: number, timeoutMs = 600_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await system.completedCount();
    if (n >= expected) return nowMs();
    if (Date.now() > deadline) throw new Error(`${system.name}: ${n} of ${expected} completed after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// Niyanta

export interface NiyantaOptions {
  databaseUrl: string;
  schema: string;
  natsUrl: string;
  brokerPrefix: string;
  workers: number;
  capacity: number;
  /** The `sleep` input of every submitted workload. */
  input?: { duration_ms: number; steps: number };
  /** Extra environment per process (`api`, `leader`, `worker-<i>`), e.g. a preload. */
  envFor?: (role: string) => Record<string, string>;
}

/** The operator key the benchmark gives the API processes it starts. */
export const ADMIN_KEY = `bench-admin-${process.pid}-${Date.now()}`;

export class Niyanta implements QueueSystem {
  readonly name = 'Niyanta';
  private readonly db: Client;
  private readonly body: string;

  private constructor(
    readonly api: SpawnedApp,
    readonly leader: SpawnedApp,
    readonly workers: SpawnedApp[],
    readonly key: string,
    readonly options: NiyantaOptions,
  ) {
    this.db = new Client({ connectionString: options.databaseUrl, application_name: 'niyanta-bench' });
    this.body = JSON.stringify({ workload_type: 'sleep', input: options.input ?? { duration_ms: 0, steps: 1 } });
  }

  static async start(options: NiyantaOptions): Promise<Niyanta> {
    const env = {
      DATABASE_URL: options.databaseUrl,
      DATABASE_SCHEMA: options.schema,
      NATS_URL: options.natsUrl,
      BROKER_PREFIX: options.brokerPrefix,
      LOG_LEVEL: 'warn',
    };
    const extra = options.envFor ?? (() => ({}));
    const started: SpawnedApp[] = [];
    try {
      const api = await spawnApp('coordinator-api', { ...env, ...extra('api'), NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
      started.push(api);
      const leader = await spawnApp('coordinator-leader', { ...env, ...extra('leader') });
      started.push(leader);
      const workers: SpawnedApp[] = [];
      for (let i = 1; i <= options.workers; i++) {
        const worker = await spawnApp('worker', {
          ...env,
          ...extra(`worker-${i}`),
          WORKER_ID: `bench-w${i}`,
          WORKER_CAPACITY: String(options.capacity),
        });
        started.push(worker);
        workers.push(worker);
      }
      const key = await Niyanta.issueKey(api.url);
      const system = new Niyanta(api, leader, workers, key, options);
      await system.db.connect();
      return system;
    } catch (error) {
      await Promise.allSettled(started.map((a) => a.stop()));
      throw error;
    }
  }

  private static issueKey(apiUrl: string): Promise<string> {
    return issueEnterpriseKey(apiUrl);
  }

  /** Another customer's key (e.g. for probes that must not share the first customer's limits). */
  async newCustomerKey(): Promise<string> {
    return Niyanta.issueKey(this.api.url);
  }

  async submitOne(key = this.key, body = this.body): Promise<string> {
    const res = await send(`${this.api.url}/v1/workloads`, key, body);
    const json = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(json)}`);
    return json.id;
  }

  async submitBatch(count: number, input = this.options.input ?? { duration_ms: 0, steps: 1 }): Promise<void> {
    const item = { workload_type: 'sleep', input };
    await postJson(this.api.url, this.key, '/v1/workloads/batch', { items: Array.from({ length: count }, () => item) });
  }

  async completedCount(): Promise<number> {
    const r = await this.db.query(`SELECT count(*)::int AS n FROM "${this.options.schema}".workloads WHERE status = 'COMPLETED'`);
    return r.rows[0].n as number;
  }

  async countByStatus(): Promise<Record<string, number>> {
    const r = await this.db.query(`SELECT status, count(*)::int AS n FROM "${this.options.schema}".workloads GROUP BY status`);
    return Object.fromEntries(r.rows.map((row: { status: string; n: number }) => [row.status, row.n]));
  }

  async startTimes(ids: readonly string[]): Promise<Map<string, number>> {
    const r = await this.db.query(
      `SELECT id, extract(epoch FROM started_at) * 1000 AS ms FROM "${this.options.schema}".workloads WHERE id = ANY($1) AND started_at IS NOT NULL`,
      [ids],
    );
    return new Map(r.rows.map((row: { id: string; ms: string }) => [row.id, Number(row.ms)]));
  }

  /** The benchmark's own connection (its statements are not the product's). */
  get client(): Client {
    return this.db;
  }

  get processes(): SpawnedApp[] {
    return [this.api, this.leader, ...this.workers];
  }

  async stop(): Promise<void> {
    await this.db.end().catch(() => undefined);
    // Workers first, so they do not wait for a leader that is already gone.
    await Promise.allSettled(this.workers.map((w) => w.stop()));
    await Promise.allSettled([this.leader.stop(), this.api.stop()]);
  }
}

/** Creates an enterprise customer (the tier whose limits do not throttle the benchmark) and returns its new key. */
export async function issueEnterpriseKey(apiUrl: string): Promise<string> {
  const customer = await postJson(apiUrl, ADMIN_KEY, '/v1/admin/customers', { name: `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, tier: 'enterprise' });
  const issued = await postJson(apiUrl, ADMIN_KEY, `/v1/admin/customers/${(customer as { id: string }).id}/api-keys`, {});
  return (issued as { key: string }).key;
}

export async function postJson(url: string, key: string, path: string, body: unknown): Promise<unknown> {
  const res = await send(`${url}${path}`, key, JSON.stringify(body));
  const json: unknown = await res.json();
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path} failed: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Requests sent again because the server had closed the kept-alive connection they were sent on. */
export const resent = { count: 0 };

/**
 * POSTs `body`. A request written to a kept-alive connection the server closed at the same moment
 * (its idle timeout; a client whose event loop lags on a loaded machine reuses the connection too
 * late) fails with "other side closed" before any answer: it is sent again, up to twice, and
 * counted in {@link resent}.
 */
export async function send(url: string, key: string, body: string, attempt = 0): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (attempt >= 2 || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw error;
    resent.count++;
    return send(url, key, body, attempt + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// The peers: loaded from tools/bench/node_modules (installed on demand), typed here by the slice
// of their API the benchmark uses, so the workspace type-checks without them installed.

const benchRequire = createRequire(join(__dirname, '..', 'package.json'));

interface PgBossJob {
  id: string;
}
interface PgBossInstance {
  on(event: 'error', listener: (error: unknown) => void): void;
  start(): Promise<unknown>;
  stop(options?: { graceful?: boolean; timeout?: number }): Promise<void>;
  createQueue(name: string, options?: { notify?: boolean }): Promise<void>;
  send(name: string, data: object): Promise<string | null>;
  insert(name: string, jobs: Array<{ data: object }>): Promise<unknown>;
  work(
    name: string,
    options: { localConcurrency: number; batchSize: number; burstWhenBatchFull?: boolean; pollingIntervalSeconds: number; notifyPollingIntervalSeconds: number },
    handler: (jobs: PgBossJob[]) => Promise<void>,
  ): Promise<string>;
}

/**
 * pg-boss on the same PostgreSQL, in a schema of its own: one worker fetching up to 50 jobs at a
 * time (`batchSize: 50`, fetching again at once while batches come back full, else every 0.5 s),
 * the jobs of a batch run concurrently. `localConcurrency: 50` with one job per fetch is capped by
 * the polling interval (50 jobs per 0.5 s). LISTEN/NOTIFY (`notify`) wakes the worker on a new job,
 * but its commit-time NOTIFY serialises every sender's commit on a shared PostgreSQL.
 */
export class PgBoss implements QueueSystem {
  readonly name: string;
  private readonly started = new Map<string, number>();
  private readonly queue = 'bench';

  private constructor(
    private readonly boss: PgBossInstance,
    private readonly db: Client,
    private readonly schema: string,
  ) {
    this.name = `pg-boss ${(benchRequire('pg-boss/package.json') as { version: string }).version}`;
  }

  static async start(databaseUrl: string, schema: string, concurrency: number, notify: boolean): Promise<PgBoss> {
    const { PgBoss: Boss } = benchRequire('pg-boss') as { PgBoss: new (options: object) => PgBossInstance };
    const boss = new Boss({ connectionString: databaseUrl, schema, useListenNotify: notify });
    boss.on('error', (error) => console.error('pg-boss:', error));
    await boss.start();
    const db = new Client({ connectionString: databaseUrl, application_name: 'pg-boss-bench' });
    await db.connect();
    const system = new PgBoss(boss, db, schema);
    await boss.createQueue(system.queue, { notify });
    const options = { localConcurrency: 1, batchSize: concurrency, burstWhenBatchFull: true };
    await boss.work(system.queue, { ...options, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 }, async (jobs) => {
      const t = nowMs();
      for (const job of jobs) system.started.set(job.id, t);
    });
    return system;
  }

  async submitOne(): Promise<string> {
    const id = await this.boss.send(this.queue, { duration_ms: 0 });
    if (id === null) throw new Error('pg-boss send returned no id');
    return id;
  }

  async submitBatch(count: number): Promise<void> {
    await this.boss.insert(
      this.queue,
      Array.from({ length: count }, () => ({ data: { duration_ms: 0 } })),
    );
  }

  async completedCount(): Promise<number> {
    const r = await this.db.query(`SELECT count(*)::int AS n FROM "${this.schema}".job WHERE name = $1 AND state = 'completed'`, [this.queue]);
    return r.rows[0].n as number;
  }

  async startTimes(ids: readonly string[]): Promise<Map<string, number>> {
    return new Map(ids.flatMap((id) => (this.started.has(id) ? [[id, this.started.get(id) as number] as const] : [])));
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 });
    await this.db.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch(() => undefined);
    await this.db.end();
  }
}

interface BullJob {
  id?: string;
}
interface BullQueue {
  add(name: string, data: object): Promise<BullJob>;
  addBulk(jobs: Array<{ name: string; data: object }>): Promise<BullJob[]>;
  close(): Promise<void>;
}
interface BullWorker {
  on(event: 'completed', listener: () => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}
interface BullModule {
  Queue: new (name: string, options: { connection: { host: string; port: number } }) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: BullJob) => Promise<void>,
    options: { connection: { host: string; port: number; maxRetriesPerRequest: null }; concurrency: number },
  ) => BullWorker;
}

/** BullMQ with default job options (completed jobs kept), one worker of concurrency 50. */
export class BullMq implements QueueSystem {
  readonly name: string;

  private constructor(
    private readonly queue: BullQueue,
    private readonly worker: BullWorker,
    private readonly counts: { completed: number },
    private readonly started: Map<string, number>,
  ) {
    this.name = `BullMQ ${(benchRequire('bullmq/package.json') as { version: string }).version}`;
  }

  static async start(redisUrl: string, concurrency: number): Promise<BullMq> {
    const { Queue, Worker } = benchRequire('bullmq') as BullModule;
    const { hostname, port } = new URL(redisUrl);
    const connection = { host: hostname, port: Number(port) };
    const queue = new Queue('bench', { connection });
    const counts = { completed: 0 };
    const started = new Map<string, number>();
    const worker = new Worker(
      'bench',
      async (job) => {
        started.set(job.id as string, nowMs());
      },
      { connection: { ...connection, maxRetriesPerRequest: null }, concurrency },
    );
    worker.on('error', (error) => console.error('bullmq:', error));
    // Emitted once the job is moved to the completed set.
    worker.on('completed', () => counts.completed++);
    await worker.waitUntilReady();
    return new BullMq(queue, worker, counts, started);
  }

  async submitOne(): Promise<string> {
    const job = await this.queue.add('noop', { duration_ms: 0 });
    return job.id as string;
  }

  async submitBatch(count: number): Promise<void> {
    await this.queue.addBulk(Array.from({ length: count }, () => ({ name: 'noop', data: { duration_ms: 0 } })));
  }

  async completedCount(): Promise<number> {
    return this.counts.completed;
  }

  async startTimes(ids: readonly string[]): Promise<Map<string, number>> {
    return new Map(ids.flatMap((id) => (this.started.has(id) ? [[id, this.started.get(id) as number] as const] : [])));
  }

  async stop(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
