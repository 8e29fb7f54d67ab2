import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@niyanta/state';
import { freePort, spawnApp, startNatsServer, type AppName, type NatsServerHandle, type SpawnedApp } from '@niyanta/testing';

/** Timing variables given to every process (unset ones take the product defaults). */
export type Timings = Record<string, string>;

/**
 * Short timings for the suite, so that each fault resolves in seconds: WORKER_TIMEOUT 3 s,
 * HEARTBEAT_INTERVAL 500 ms, LEASE_TTL 2 s (renewed every 500 ms).
 */
export const SHORT_TIMINGS: Timings = {
  WORKER_TIMEOUT: '3s',
  HEARTBEAT_INTERVAL: '500ms',
  LEASE_TTL: '2s',
  LEASE_RENEW_INTERVAL: '500ms',
  ASSIGNMENT_ACK_TIMEOUT: '2s',
  SCHEDULER_SWEEP_INTERVAL: '1s',
  DRAIN_TIMEOUT: '5s',
  RETRY_BASE_DELAY: '200ms',
  RETRY_MAX_DELAY: '2s',
};

/** The product defaults (SPEC §6, §7): WORKER_TIMEOUT 15 s, HEARTBEAT_INTERVAL 5 s, LEASE_TTL 5 s. */
export const DEFAULT_TIMINGS: Timings = {
  RETRY_BASE_DELAY: '200ms',
  RETRY_MAX_DELAY: '2s',
};

/** What {@link ChaosCluster.start} builds. */
export interface ClusterOptions {
  timings: Timings;
  apis?: number;
  leaders?: number;
  workers?: number;
  workerCapacity?: number;
  /** `BROKER_FAULTS` for every process started from now on. */
  brokerFaults?: string;
  log?: (line: string) => void;
}

/** One role's processes by name. */
export type Fleet = Map<string, SpawnedApp>;

const SCHEMA = 'chaos';
const PREFIX = 'chaos';
const DATABASE = 'niyanta';

/**
 * A private Niyanta deployment for fault injection: its own embedded PostgreSQL (temp dir, free
 * port) and its own nats-server (free port, JetStream store kept across restarts) — so restarting
 * them disturbs no other suite — and the apps as real processes.
 */
export class ChaosCluster {
  readonly apis: Fleet = new Map();
  readonly leaders: Fleet = new Map();
  readonly workers: Fleet = new Map();
  readonly adminKey = `chaos-admin-${randomUUID()}`;
  customerKey = '';
  customerId = '';
  brokerFaults: string | undefined;
  private pg: EmbeddedPostgres | null = null;
  private readonly serial = new Map<string, number>();

  private constructor(
    private readonly dir: string,
    private readonly pgPort: number,
    readonly nats: NatsServerHandle,
    readonly db: Pool,
    readonly databaseUrl: string,
    private readonly options: ClusterOptions,
  ) {
    this.brokerFaults = options.brokerFaults;
  }

  /** Starts PostgreSQL, NATS, then the API (which migrates), then the other processes in parallel. */
  static async start(options: ClusterOptions): Promise<ChaosCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'niyanta-chaos-'));
    // Embedded PostgreSQL runs as the postgres OS user when the suite runs as root.
    await chmod(dir, 0o755);
    const pgPort = await freePort();
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, database: DATABASE });
    const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
    const db = new Pool({ connectionString: pg.url, max: 3, connectionTimeoutMillis: 2_000 });
    // A connection lost in a PostgreSQL restart must not crash the suite; the next query reconnects.
    db.on('error', () => undefined);
    const cluster = new ChaosCluster(dir, pgPort, nats, db, pg.url, options);
    cluster.pg = pg;
    await cluster.spawn('api', { RUN_MIGRATIONS: 'true' });
    await cluster.createCustomer();
    const starts: Array<Promise<unknown>> = [];
    for (let i = 1; i < (options.apis ?? 2); i++) starts.push(cluster.spawn('api'));
    for (let i = 0; i < (options.leaders ?? 2); i++) starts.push(cluster.spawn('leader'));
    for (let i = 0; i < (options.workers ?? 3); i++) starts.push(cluster.spawn('worker'));
    await Promise.all(starts);
    return cluster;
  }

  /** Environment shared by every process. */
  private env(): Record<string, string | undefined> {
    return {
      DATABASE_URL: this.databaseUrl,
      DATABASE_SCHEMA: SCHEMA,
      DATABASE_POOL_SIZE: '5',
      NATS_URL: this.nats.url,
      BROKER_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      NIYANTA_ADMIN_API_KEY: this.adminKey,
      BROKER_FAULTS: this.brokerFaults,
      RUN_MIGRATIONS: undefined,
      ...this.options.timings,
    };
  }

  /** Starts one more process of `role` under a new name (`api-3`, `leader-2`, `worker-5`...). */
  async spawn(role: 'api' | 'leader' | 'worker', extra: Record<string, string> = {}): Promise<{ name: string; app: SpawnedApp }> {
    const n = (this.serial.get(role) ?? 0) + 1;
    this.serial.set(role, n);
    const name = `${role}-${n}`;
    const app: AppName = role === 'api' ? 'coordinator-api' : role === 'leader' ? 'coordinator-leader' : 'worker';
    const identity =
      role === 'leader'
        ? { LEADER_ID: name }
        : role === 'worker'
          ? { WORKER_ID: name, WORKER_CAPACITY: String(this.options.workerCapacity ?? 8) }
          : {};
    const spawned = await spawnApp(app, { ...this.env(), ...identity, ...extra }, { timeoutMs: 90_000 });
    this.fleet(role).set(name, spawned);
    this.options.log?.(`started ${name} (pid ${spawned.pid})`);
    return { name, app: spawned };
  }

  fleet(role: 'api' | 'leader' | 'worker'): Fleet {
    return role === 'api' ? this.apis : role === 'leader' ? this.leaders : this.workers;
  }

  /** Forgets a process that was killed or stopped (its logs stay readable through `app`). */
  remove(role: 'api' | 'leader' | 'worker', name: string): SpawnedApp {
    const app = this.fleet(role).get(name);
    if (!app) throw new Error(`no ${role} named ${name}`);
    this.fleet(role).delete(name);
    return app;
  }

  /** Every running process, by name. */
  all(): Array<[string, SpawnedApp]> {
    return [...this.apis, ...this.leaders, ...this.workers];
  }

  /** Base URLs of the running APIs. */
  apiUrls(): string[] {
    return [...this.apis.values()].filter((app) => app.isRunning()).map((app) => app.url);
  }

  /** Fast shutdown of PostgreSQL (clients are cut off). */
  async stopPostgres(): Promise<void> {
    await this.pg?.stop();
    this.pg = null;
  }

  /** PostgreSQL again, on the same port and data directory. */
  async startPostgres(): Promise<void> {
    if (this.pg) return;
    this.pg = await startEmbeddedPostgres({ dataDir: join(this.dir, 'pg'), port: this.pgPort, database: DATABASE });
  }

  /** Runs `sql` on the cluster's database (schema `chaos`). */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await this.db.connect();
    try {
      await client.query(`SET search_path TO ${SCHEMA}`);
      return (await client.query(sql, params)).rows as T[];
    } finally {
      client.release();
    }
  }

  /** Stops everything and removes the temporary directory. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.all().map(([, app]) => app.stop(10_000)));
    await this.db.end().catch(() => undefined);
    await this.nats.stop().catch(() => undefined);
    await this.stopPostgres().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async createCustomer(): Promise<void> {
    const url = [...this.apis.values()][0]?.url;
    if (!url) throw new Error('no API running');
    const admin = { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json' };
    const customer = await fetch(`${url}/v1/admin/customers`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'chaos-load', tier: 'enterprise' }),
    });
    if (customer.status !== 201) throw new Error(`creating the customer failed: ${customer.status} ${await customer.text()}`);
    this.customerId = ((await customer.json()) as { id: string }).id;
    const key = await fetch(`${url}/v1/admin/customers/${this.customerId}/api-keys`, { method: 'POST', headers: admin, body: '{}' });
    if (key.status !== 201) throw new Error(`issuing a key failed: ${key.status} ${await key.text()}`);
    this.customerKey = ((await key.json()) as { key: string }).key;
  }
}
