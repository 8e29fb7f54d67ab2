/**
 * The per-workload budget: N workloads through Niyanta (1 coordinator-api, 1 coordinator-leader,
 * 1 worker) on a database of their own and a private nats-server, and what each cost per process —
 * SQL statements and commits (counted in the apps by sql-count.preload.cjs), rows written
 * (pg_stat_user_tables), broker messages (the nats-server's per-connection counts) and CPU time
 * (/proc/<pid>/stat of the apps, of their PostgreSQL backends and of nats-server).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { cpuMicros, createBenchDatabase, loadAverage, startNats, type PrivateServer } from './host';
import { Niyanta, nowMs, waitForCompleted } from './systems';

export interface BudgetOptions {
  serverUrl: string;
  total: number;
  mode: 'single' | 'batch';
  inFlight: number;
  batchSize: number;
  /** Length of the idle window measured before the run (background cost per second). */
  idleSeconds: number;
}

const ROLES = ['api', 'leader', 'worker-1'] as const;
type Role = (typeof ROLES)[number];
const COLUMNS = ['api', 'leader', 'worker-1', 'postgres', 'nats'] as const;
type Column = (typeof COLUMNS)[number];

/** Which process a PostgreSQL `application_name` or a NATS connection name belongs to. */
function roleOf(name: string): Role | undefined {
  if (name === 'coordinator-api') return 'api';
  if (name.startsWith('coordinator-leader')) return 'leader';
  if (name === 'worker:bench-w1') return 'worker-1';
  return undefined;
}

interface SqlCounts {
  seq: number;
  statements: number;
  commits: number;
  implicitCommits: number;
  rollbacks: number;
  byText: Record<string, number>;
}

interface Snapshot {
  at: number;
  sql: Record<Role, SqlCounts>;
  cpu: Record<Column, number>;
  /** Per backend role: CPU of its PostgreSQL backends. */
  backendCpu: Record<Role, number>;
  published: Record<Role, number>;
  natsDelivered: number;
  xactCommit: number;
  tables: Record<string, { ins: number; upd: number; hot: number; del: number }>;
  benchStatements: number;
}

/** Statements the benchmark itself sends to the database (they are not the product's commits). */
let benchStatements = 0;
{
  const original = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    benchStatements++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
}

/** Follows the CPU time of the apps' PostgreSQL backends, which come and go with the pools. */
class BackendCpu {
  /** pid → role, CPU at first sight (0 when it appeared during the window), last CPU read. */
  private readonly seen = new Map<number, { role: Role; last: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly monitor: Client,
    private readonly database: string,
  ) {}

  async sample(): Promise<void> {
    const r = await this.monitor.query(`SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1`, [this.database]);
    for (const row of r.rows as Array<{ pid: number; application_name: string }>) {
      const role = roleOf(row.application_name);
      if (role === undefined) continue;
      const cpu = cpuMicros(row.pid);
      if (cpu !== undefined) this.seen.set(row.pid, { role, last: cpu });
    }
  }

  start(): void {
    const tick = () => {
      this.timer = setTimeout(() => void this.sample().then(tick, tick), 250);
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Total CPU of every backend seen so far (a backend that exited counts with its last sample). */
  totals(): Record<Role, number> {
    const out = { api: 0, leader: 0, 'worker-1': 0 } as Record<Role, number>;
    for (const { role, last } of this.seen.values()) out[role] += last;
    return out;
  }
}

function pidsOf(app: Niyanta): Record<Role, number> {
  return { api: app.api.pid, leader: app.leader.pid, 'worker-1': app.workers[0]?.pid ?? 0 };
}

async function readSql(app: Niyanta, files: Record<Role, string>, previous?: Record<Role, SqlCounts>): Promise<Record<Role, SqlCounts>> {
  const pids = pidsOf(app);
  const out = {} as Record<Role, SqlCounts>;
  for (const role of ROLES) {
    const before = previous?.[role].seq ?? 0;
    process.kill(pids[role], 'SIGUSR2');
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (existsSync(files[role])) {
        try {
          const j = JSON.parse(readFileSync(files[role], 'utf8')) as Omit<SqlCounts, 'byText'> & { statements: unknown };
          const raw = j as unknown as { seq: number; statements: Record<string, number>; commits: number; implicitCommits: number; rollbacks: number };
          if (raw.seq > before) {
            const total = Object.values(raw.statements).reduce((a, b) => a + b, 0);
            out[role] = { seq: raw.seq, statements: total, commits: raw.commits, implicitCommits: raw.implicitCommits, rollbacks: raw.rollbacks, byText: raw.statements };
            break;
          }
        } catch {
          // being written
        }
      }
      if (Date.now() > deadline) throw new Error(`${role} wrote no SQL counts`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return out;
}

async function snapshot(
  app: Niyanta,
  nats: PrivateServer,
  monitor: Client,
  backends: BackendCpu,
  database: string,
  files: Record<Role, string>,
  previous?: Snapshot,
): Promise<Snapshot> {
  await backends.sample();
  const sql = await readSql(app, files, previous?.sql);
  const backendCpu = backends.totals();
  const cpu = {
    api: cpuMicros(app.api.pid) ?? 0,
    leader: cpuMicros(app.leader.pid) ?? 0,
    'worker-1': cpuMicros(pidsOf(app)['worker-1']) ?? 0,
    postgres: backendCpu.api + backendCpu.leader + backendCpu['worker-1'],
    nats: cpuMicros(nats.pid) ?? 0,
  };
  const connz = (await (await fetch(`${nats.monitorUrl}/connz?limit=1024`)).json()) as {
    connections?: Array<{ name?: string; in_msgs: number; out_msgs: number }>;
  };
  const published = { api: 0, leader: 0, 'worker-1': 0 } as Record<Role, number>;
  let natsDelivered = 0;
  for (const c of connz.connections ?? []) {
    const role = roleOf(c.name ?? '');
    if (role === undefined) continue;
    published[role] += c.in_msgs;
    natsDelivered += c.out_msgs;
  }
  const db = await monitor.query(`SELECT xact_commit::bigint AS x FROM pg_stat_database WHERE datname = $1`, [database]);
  const t = await monitor.query(
    `SELECT relname, n_tup_ins::bigint AS ins, n_tup_upd::bigint AS upd, n_tup_hot_upd::bigint AS hot, n_tup_del::bigint AS del
       FROM pg_stat_user_tables WHERE schemaname = 'niyanta'`,
  );
  const tables: Snapshot['tables'] = {};
  for (const r of t.rows as Array<Record<string, string>>) {
    tables[r['relname'] as string] = { ins: Number(r['ins']), upd: Number(r['upd']), hot: Number(r['hot']), del: Number(r['del']) };
  }
  return { at: nowMs(), sql, cpu, backendCpu, published, natsDelivered, xactCommit: Number(db.rows[0].x), tables, benchStatements };
}

const settle = () => new Promise((r) => setTimeout(r, 11_000)); // idle backends flush their statistics within 10 s

export async function runBudget(o: BudgetOptions, log: (line: string) => void): Promise<string> {
  const database = await createBenchDatabase(o.serverUrl);
  const nats = await startNats();
  const dir = mkdtempSync(join(os.tmpdir(), 'niyanta-budget-'));
  const files = Object.fromEntries(ROLES.map((r) => [r, join(dir, `${r}.json`)])) as Record<Role, string>;
  const preload = resolve(__dirname, '..', 'sql-count.preload.cjs');
  const monitor = new Client({ connectionString: database.url, application_name: 'niyanta-bench-monitor' });
  let app: Niyanta | undefined;
  const backends = new BackendCpu(monitor, database.name);
  try {
    await monitor.connect();
    const cluster = await Niyanta.start({
      databaseUrl: database.url,
      schema: 'niyanta',
      natsUrl: nats.url,
      brokerPrefix: 'budget',
      workers: 1,
      capacity: 50,
      envFor: (role) => ({ NODE_OPTIONS: `--require ${preload}`, SQL_COUNT_FILE: files[role as Role] }),
    });
    app = cluster;
    backends.start();
    log(`warm-up (load ${loadAverage()})`);
    await Promise.all(Array.from({ length: 200 }, () => cluster.submitOne()));
    await waitForCompleted(cluster, 200);
    await settle();

    const a = await snapshot(cluster, nats, monitor, backends, database.name, files);
    log(`idle ${o.idleSeconds} s (load ${loadAverage()})`);
    await new Promise((r) => setTimeout(r, o.idleSeconds * 1000));
    const b = await snapshot(cluster, nats, monitor, backends, database.name, files, a);

    const loadBefore = loadAverage();
    log(`${o.total} workloads, ${o.mode} submits (load ${loadBefore})`);
    const t0 = nowMs();
    if (o.mode === 'single') {
      let next = 0;
      await Promise.all(
        Array.from({ length: o.inFlight }, async () => {
          while (next < o.total) {
            next++;
            await cluster.submitOne();
          }
        }),
      );
    } else {
      for (let sent = 0; sent < o.total; sent += o.batchSize) await cluster.submitBatch(Math.min(o.batchSize, o.total - sent));
    }
    const done = await waitForCompleted(cluster, 200 + o.total);
    const loadAfter = loadAverage();
    await settle();
    const c = await snapshot(cluster, nats, monitor, backends, database.name, files, b);
    return report(o, a, b, c, (done - t0) / 1000, loadBefore, loadAfter);
  } finally {
    backends.stop();
    await app?.stop();
    await monitor.end().catch(() => undefined);
    await nats.stop();
    await database.drop().catch((e: unknown) => log(`dropping ${database.name} failed: ${String(e)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(o: BudgetOptions, a: Snapshot, b: Snapshot, c: Snapshot, runSeconds: number, loadBefore: string, loadAfter: string): string {
  const idleSec = (b.at - a.at) / 1000;
  const tailSec = (c.at - b.at) / 1000 - runSeconds; // the settle time after the run, idle again
  // Per workload: the run's delta less the idle background of the settle time that followed it.
  const per = (pick: (s: Snapshot) => number): number => (pick(c) - pick(b) - ((pick(b) - pick(a)) / idleSec) * tailSec) / o.total;
  const idle = (pick: (s: Snapshot) => number): number => (pick(b) - pick(a)) / idleSec;
  const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
  const cols = (pick: (col: Column) => ((s: Snapshot) => number) | undefined, digits = 1) =>
    COLUMNS.map((col) => {
      const p = pick(col);
      return p ? f(per(p), digits) : '—';
    });
  const sumCols = (pick: (role: Role) => (s: Snapshot) => number) => (s: Snapshot) => ROLES.reduce((acc, r) => acc + pick(r)(s), 0);
  const tableSum = (k: 'ins' | 'upd' | 'hot' | 'del') => (s: Snapshot) => Object.values(s.tables).reduce((acc, t) => acc + t[k], 0);
  const row = (label: string, values: string[], total: string) => `| ${label} | ${values.join(' | ')} | ${total} |`;

  const stmts = (r: Role) => (s: Snapshot) => s.sql[r].statements;
  const commits = (r: Role) => (s: Snapshot) => s.sql[r].commits + s.sql[r].implicitCommits;
  const published = (r: Role) => (s: Snapshot) => s.published[r];
  const cpu = (col: Column) => (s: Snapshot) => s.cpu[col];
  const xact = (s: Snapshot) => s.xactCommit - s.benchStatements;
  const roleOrNone = <T>(fn: (r: Role) => T) => (col: Column) => ((ROLES as readonly string[]).includes(col) ? fn(col as Role) : undefined);

  const lines = [
    `\n### Per-workload budget — ${new Date().toISOString().slice(0, 16)}Z, ${o.total} workloads, ${o.mode === 'single' ? `single submits, ${o.inFlight} in flight` : `batches of ${o.batchSize}`}`,
    `1 coordinator-api, 1 coordinator-leader, 1 worker (capacity 50); \`sleep\` \`{duration_ms: 0, steps: 1}\`; run ${runSeconds.toFixed(1)} s ` +
      `(${Math.round(o.total / runSeconds)}/s); load ${loadBefore} before, ${loadAfter} after. Per workload, background of the run included ` +
      `(the idle background per second is the last column).`,
    '',
    `| per workload | api | leader | worker | PostgreSQL | NATS | total | idle, per second (all) |`,
    '|---|---|---|---|---|---|---|---|',
    row('SQL statements', cols(roleOrNone(stmts), 2), `${f(per(sumCols(stmts)), 2)} | ${f(idle(sumCols(stmts)))}`),
    row(
      'transactions (COMMITs + statements outside one; PostgreSQL: xact_commit)',
      [...ROLES.map((r) => f(per(commits(r)), 2)), f(per(xact), 2), '—'],
      `${f(per(sumCols(commits)), 2)} | ${f(idle(xact))}`,
    ),
    row(
      'rows written (insert + update + delete)',
      ['—', '—', '—', `${f(per((s) => tableSum('ins')(s) + tableSum('upd')(s) + tableSum('del')(s)), 2)} (${f(per(tableSum('ins')), 2)} ins, ${f(per(tableSum('upd')), 2)} upd of which ${f(per(tableSum('hot')), 2)} HOT, ${f(per(tableSum('del')), 2)} del)`, '—'],
      `${f(per((s) => tableSum('ins')(s) + tableSum('upd')(s) + tableSum('del')(s)))} | ${f(idle((s) => tableSum('ins')(s) + tableSum('upd')(s) + tableSum('del')(s)))}`,
    ),
    row(
      'broker messages published (NATS: delivered to clients)',
      [...ROLES.map((r) => f(per(published(r)), 2)), '—', f(per((s) => s.natsDelivered), 2)],
      `${f(per(sumCols(published)), 2)} | ${f(idle(sumCols(published)))}`,
    ),
    row('CPU µs', cols(cpu, 0), `${f(per((s) => COLUMNS.reduce((acc, col) => acc + s.cpu[col], 0)), 0)} | ${f(idle((s) => COLUMNS.reduce((acc, col) => acc + s.cpu[col], 0)), 0)}`),
    row(
      'CPU µs of PostgreSQL backends, by client',
      [...ROLES.map((r) => f(per((s) => s.backendCpu[r]), 0)), '—', '—'],
      `${f(per(cpu('postgres')), 0)} | ${f(idle(cpu('postgres')), 0)}`,
    ),
    '',
    '| table | inserts | updates | of which HOT | deletes (per workload) |',
    '|---|---|---|---|---|',
    ...Object.keys(c.tables)
      .map((name) => {
        const t = (k: 'ins' | 'upd' | 'hot' | 'del') => per((s) => s.tables[name]?.[k] ?? 0);
        return { name, ins: t('ins'), upd: t('upd'), hot: t('hot'), del: t('del') };
      })
      .filter((t) => t.ins + t.upd + t.del >= 0.005)
      .sort((x, y) => y.ins + y.upd + y.del - (x.ins + x.upd + x.del))
      .map((t) => `| ${t.name} | ${f(t.ins, 2)} | ${f(t.upd, 2)} | ${f(t.hot, 2)} | ${f(t.del, 2)} |`),
    '',
    '| process | statements per workload | statement (normalised) |',
    '|---|---|---|',
    ...ROLES.flatMap((r) =>
      Object.keys(c.sql[r].byText)
        .map((text) => ({ text, n: per((s) => s.sql[r].byText[text] ?? 0) }))
        .filter((x) => x.n >= 0.01)
        .sort((x, y) => y.n - x.n)
        .slice(0, 12)
        .map((x) => `| ${r} | ${f(x.n, 2)} | \`${x.text.slice(0, 200).replace(/\|/g, '\\|').replace(/`/g, "'")}${x.text.length > 200 ? '…' : ''}\` |`),
    ),
    '',
  ];
  return lines.join('\n');
}
