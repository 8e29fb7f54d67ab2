import type { SpawnedApp } from '@niyanta/testing';
import type { ChaosCluster } from './cluster';

/** Body of `GET /ready`. */
export interface ReadyBody {
  status: string;
  checks: Record<string, { ok: boolean; error?: string }>;
  details?: { leader?: { id: string; is_leader: boolean; generation: number | null } } & Record<string, unknown>;
}

/** Polls `probe` every `intervalMs` until it returns a value; fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error: unknown) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `GET /ready` of `app`: status and body, or status 0 when it does not answer. */
export async function ready(app: SpawnedApp): Promise<{ status: number; body: ReadyBody | null }> {
  try {
    const res = await fetch(`${app.url}/ready`, { signal: AbortSignal.timeout(3_000) });
    return { status: res.status, body: (await res.json()) as ReadyBody };
  } catch {
    return { status: 0, body: null };
  }
}

/** `GET /metrics` of `app` as text ('' when it does not answer). */
export async function metrics(app: SpawnedApp): Promise<string> {
  try {
    const res = await fetch(`${app.url}/metrics`, { signal: AbortSignal.timeout(3_000) });
    return await res.text();
  } catch {
    return '';
  }
}

/** The value of an unlabelled metric in Prometheus text, or null. */
export function metricValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

/** The leader replica holding the lease (per its own `/ready` details), waiting for one to. */
export async function activeLeader(cluster: ChaosCluster, timeoutMs = 30_000): Promise<{ name: string; app: SpawnedApp; generation: number }> {
  return waitFor(
    'a leader in office',
    async () => {
      for (const [name, app] of cluster.leaders) {
        const { body } = await ready(app);
        const leader = body?.details?.leader;
        if (leader?.is_leader && leader.generation !== null) return { name, app, generation: leader.generation };
      }
      return undefined;
    },
    timeoutMs,
  );
}

/** The worker running the most workloads right now (at least `min`), with what it runs. */
export async function busiestWorker(
  cluster: ChaosCluster,
  min = 1,
): Promise<{ name: string; app: SpawnedApp; running: Array<{ id: string; attempt: number }> }> {
  return waitFor(
    `a worker running at least ${min} workload(s)`,
    async () => {
      const rows = await cluster.query<{ worker_id: string; id: string; attempt: number }>(
        `SELECT worker_id, id, attempt FROM workloads WHERE status = 'RUNNING' AND worker_id = ANY($1::text[])`,
        [[...cluster.workers.keys()]],
      );
      const byWorker = new Map<string, Array<{ id: string; attempt: number }>>();
      for (const row of rows) byWorker.set(row.worker_id, [...(byWorker.get(row.worker_id) ?? []), { id: row.id, attempt: row.attempt }]);
      const [name, running] = [...byWorker].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
      const app = name === undefined ? undefined : cluster.workers.get(name);
      return app && running && running.length >= min ? { name: name as string, app, running } : undefined;
    },
    30_000,
    100,
  );
}

/**
 * Waits until each of `attempts` runs again under a newer attempt (RUNNING elsewhere) or has
 * completed; returns when that happened.
 */
export async function waitResumed(cluster: ChaosCluster, attempts: Array<{ id: string; attempt: number }>, timeoutMs: number): Promise<number> {
  await waitFor(
    'the lost workloads to run again',
    async () => {
      const rows = await cluster.query<{ id: string; status: string; attempt: number }>(
        `SELECT id, status, attempt FROM workloads WHERE id = ANY($1::uuid[])`,
        [attempts.map((a) => a.id)],
      );
      const before = new Map(attempts.map((a) => [a.id, a.attempt]));
      const resumed = rows.every(
        (row) => row.status === 'COMPLETED' || (row.status === 'RUNNING' && row.attempt > (before.get(row.id) ?? Infinity)),
      );
      return rows.length === attempts.length && resumed ? true : undefined;
    },
    timeoutMs,
  );
  return Date.now();
}

/** Waits until every process answers `/ready` with `status`; returns when. */
export async function waitAllReady(cluster: ChaosCluster, status: 200 | 503, timeoutMs: number, except: string[] = []): Promise<number> {
  await waitFor(
    `every process to answer /ready ${status}`,
    async () => {
      const answers = await Promise.all(
        cluster
          .all()
          .filter(([name]) => !except.includes(name))
          .map(async ([, app]) => (await ready(app)).status),
      );
      return answers.every((answer) => answer === status) ? true : undefined;
    },
    timeoutMs,
  );
  return Date.now();
}

/** Epoch ms of the first audit event `action` after `since` (optionally by `actorId`), waiting for it. */
export async function firstAuditAfter(
  cluster: ChaosCluster,
  action: string,
  since: number,
  timeoutMs: number,
  actorId?: string,
): Promise<number> {
  return waitFor(
    `a ${action} event after the fault`,
    async () => {
      const rows = await cluster.query<{ at: Date }>(
        `SELECT min(occurred_at) AS at FROM audit_events
          WHERE action = $1 AND occurred_at > to_timestamp($2::float8 / 1000) AND ($3::text IS NULL OR actor_id = $3)`,
        [action, since, actorId ?? null],
      );
      return rows[0]?.at ? new Date(rows[0].at).getTime() : undefined;
    },
    timeoutMs,
    50,
  );
}

/** Waits until every API answers an authenticated read with 200 (its circuit breaker closed); returns when. */
export async function waitApisServing(cluster: ChaosCluster, timeoutMs: number): Promise<number> {
  await waitFor(
    'every API to serve requests again',
    async () => {
      const answers = await Promise.all(
        cluster.apiUrls().map(async (url) => {
          const res = await fetch(`${url}/v1/workloads?limit=1`, {
            headers: { authorization: `Bearer ${cluster.customerKey}` },
            signal: AbortSignal.timeout(3_000),
          }).catch(() => null);
          return res?.status ?? 0;
        }),
      );
      return answers.every((status) => status === 200) ? true : undefined;
    },
    timeoutMs,
  );
  return Date.now();
}
