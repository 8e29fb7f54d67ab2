import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LATENCY_BUCKET_INDEXES, LATENCY_BUCKETS_SQL } from './latency-histogram';

/** Name of the watermark row the workload rollups advance. */
export const ROLLUP_WATERMARK = 'rollups';

/** Bucket sizes the rollups keep, and for how long each is kept (ms). */
export const ROLLUP_RETENTION_MS = {
  minute: 2 * 86_400_000,
  hour: 35 * 86_400_000,
  day: 400 * 86_400_000,
} as const;

/** A bucket size of the rollups. */
export type RollupResolution = keyof typeof ROLLUP_RETENTION_MS;

/** Resolutions, finest first. */
export const ROLLUP_RESOLUTIONS = Object.keys(ROLLUP_RETENTION_MS) as RollupResolution[];

/** How long the per-worker busy time (hourly) is kept (ms). */
export const WORKER_ROLLUP_RETENTION_MS = ROLLUP_RETENTION_MS.hour;

/** What one {@link AnalyticsRollupRepository.rollUp} did. */
export interface RollupResult {
  /** Audit events the round read (every action, so the watermark moves past all of them). */
  events: number;
  /** The watermark after the round. */
  watermark: number;
}

/** Options of {@link AnalyticsRollupRepository.rollUp}. */
export interface RollupOptions {
  /** Most audit events read by one statement. */
  batchSize: number;
  /**
   * Events of transactions begun less than this long ago wait for the next round: a transaction
   * still open may yet commit an event with a lower id, which the watermark would otherwise pass.
   */
  settleMs: number;
}

const ACTION_STATUS = `CASE e.action WHEN 'workload.completed' THEN 'COMPLETED' WHEN 'workload.failed' THEN 'FAILED'
                                   WHEN 'workload.cancelled' THEN 'CANCELLED' ELSE 'PENDING' END`;

function histogram(column: string): string {
  return `ARRAY[${LATENCY_BUCKET_INDEXES.map((i) => `count(*) FILTER (WHERE ${column} = ${i})`).join(', ')}]::integer[]`;
}

function mergedHistogram(table: string, column: string): string {
  return `ARRAY[${LATENCY_BUCKET_INDEXES.map((i) => `${table}.${column}[${i}] + excluded.${column}[${i}]`).join(', ')}]`;
}

/**
 * Upserts one resolution's facts into `analytics_rollups` (per customer) or, without the customer
 * dimension, into `analytics_operator_rollups` (what an operator's summary across customers reads).
 */
function upsertRollups(resolution: RollupResolution, cte: string, table: 'analytics_rollups' | 'analytics_operator_rollups'): string {
  const customer = table === 'analytics_rollups' ? 'customer_id, ' : '';
  const groups = table === 'analytics_rollups' ? '2, 3, 4, 5, 6' : '2, 3, 4, 5';
  return `${cte} AS (
    INSERT INTO ${table} (resolution, bucket_start, ${customer}workload_type, tier, status,
                                   submitted, retried, finished, wait_hist, run_hist)
    SELECT '${resolution}', date_trunc('${resolution}', at, 'UTC'), ${customer}workload_type, tier, status,
           sum(submitted), sum(retried), sum(finished), ${histogram('wait_bucket')}, ${histogram('run_bucket')}
      FROM facts
     -- Buckets already past their retention (a backlog being caught up) are not written at all.
     WHERE at >= now() - interval '${ROLLUP_RETENTION_MS[resolution]} milliseconds'
     GROUP BY ${groups}
    ON CONFLICT ON CONSTRAINT pk_${table} DO UPDATE SET
      submitted = ${table}.submitted + excluded.submitted,
      retried = ${table}.retried + excluded.retried,
      finished = ${table}.finished + excluded.finished,
      wait_hist = ${mergedHistogram(table, 'wait_hist')},
      run_hist = ${mergedHistogram(table, 'run_hist')}
    RETURNING 1)`;
}

const UPSERTS = ROLLUP_RESOLUTIONS.flatMap((resolution) => [
  upsertRollups(resolution, `by_${resolution}`, 'analytics_rollups'),
  upsertRollups(resolution, `all_by_${resolution}`, 'analytics_operator_rollups'),
]).join(',\n');

/**
 * The one statement of a rollup round: reads the next settled audit events after the watermark
 * (a primary-key range), joins their workloads by id, adds their counts and latency buckets to the
 * minute, hour and day rollups (per customer, and summed over customers for the operator's
 * view) and their busy time to the workers' hourly rollups, and moves the
 * watermark — all or nothing. Nothing is written on the request or execution paths: the audit
 * events it reads are the ones those paths write anyway.
 */
const ROLL_UP_SQL = `
WITH wm AS (
  SELECT last_event_id AS id FROM analytics_watermarks WHERE name = $1 FOR UPDATE
), win AS MATERIALIZED (
  -- One pass over the batch's primary-key range, reading only the columns the round needs.
  SELECT e.id, e.occurred_at, e.workload_id, e.action FROM audit_events e WHERE e.id > (SELECT id FROM wm) ORDER BY e.id LIMIT $2
), upto AS (
  SELECT COALESCE(
    (SELECT min(id) - 1 FROM win WHERE occurred_at > now() - make_interval(secs => $3::float8 / 1000)),
    (SELECT max(id) FROM win),
    (SELECT id FROM wm)) AS id
), ev AS (
  SELECT e.workload_id, e.action, e.occurred_at FROM win e
   WHERE e.id <= (SELECT id FROM upto)
     AND e.workload_id IS NOT NULL
     AND e.action IN ('workload.submitted', 'workload.retry_scheduled', 'workload.completed', 'workload.failed', 'workload.cancelled')
), facts AS (
  SELECT w.customer_id, c.tier, w.workload_type, ${ACTION_STATUS} AS status, e.occurred_at AS at,
         (e.action = 'workload.submitted')::int AS submitted,
         (e.action = 'workload.retry_scheduled')::int AS retried,
         (e.action IN ('workload.completed', 'workload.failed', 'workload.cancelled'))::int AS finished,
         CASE WHEN e.action IN ('workload.completed', 'workload.failed', 'workload.cancelled') AND w.started_at IS NOT NULL
              THEN width_bucket(GREATEST(0, extract(epoch FROM w.started_at - w.created_at) * 1000)::float8, ${LATENCY_BUCKETS_SQL}) END AS wait_bucket,
         CASE WHEN e.action = 'workload.completed' AND w.started_at IS NOT NULL AND w.completed_at IS NOT NULL
              THEN width_bucket(GREATEST(0, extract(epoch FROM w.completed_at - w.started_at) * 1000)::float8, ${LATENCY_BUCKETS_SQL}) END AS run_bucket,
         CASE WHEN e.action IN ('workload.completed', 'workload.failed', 'workload.cancelled') THEN w.worker_id END AS worker_id,
         w.started_at, w.completed_at
    FROM ev e
    JOIN workloads w ON w.id = e.workload_id
    JOIN customers c ON c.id = w.customer_id
), ${UPSERTS},
busy AS (
  INSERT INTO analytics_worker_rollups (bucket_start, worker_id, customer_id, region, busy_ms)
  SELECT h, f.worker_id, f.customer_id, max(wk.region),
         sum(extract(epoch FROM LEAST(f.completed_at, h + interval '1 hour') - GREATEST(f.started_at, h)) * 1000)::bigint
    FROM facts f
    LEFT JOIN workers wk ON wk.id = f.worker_id
    CROSS JOIN LATERAL generate_series(date_trunc('hour', f.started_at, 'UTC'), f.completed_at, interval '1 hour') AS h
   WHERE f.worker_id IS NOT NULL AND f.started_at IS NOT NULL AND f.completed_at > f.started_at
     AND f.completed_at >= now() - interval '${WORKER_ROLLUP_RETENTION_MS} milliseconds'
   GROUP BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT pk_analytics_worker_rollups DO UPDATE SET
    busy_ms = analytics_worker_rollups.busy_ms + excluded.busy_ms,
    region = COALESCE(excluded.region, analytics_worker_rollups.region)
  RETURNING 1
), moved AS (
  UPDATE analytics_watermarks m SET last_event_id = (SELECT id FROM upto), updated_at = now()
   WHERE m.name = $1
  RETURNING m.last_event_id
)
SELECT last_event_id::float8 AS watermark, (SELECT count(*) FROM win WHERE id <= (SELECT id FROM upto))::int AS events
  FROM moved`;

/**
 * The leader's side of analytics: aggregating finished work into rollups behind a watermark, and
 * removing rollups past retention. Safe to run from two processes at once (the watermark row is
 * locked by the statement), though only the leader does.
 */
@Injectable()
export class AnalyticsRollupRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Aggregates the next settled audit events after the watermark, in one statement. */
  async rollUp(options: RollupOptions): Promise<RollupResult> {
    const rows: Array<{ watermark: number; events: number }> = await this.dataSource.query(ROLL_UP_SQL, [
      ROLLUP_WATERMARK,
      options.batchSize,
      options.settleMs,
    ]);
    const row = rows[0];
    if (!row) throw new Error(`analytics watermark "${ROLLUP_WATERMARK}" is missing (migration AnalyticsRollups not applied?)`);
    return { events: row.events, watermark: row.watermark };
  }

  /** Deletes rollups older than their resolution's retention; returns the rows removed. */
  async prune(now: Date = new Date()): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `WITH rollups AS (
         DELETE FROM analytics_rollups WHERE (resolution = 'minute' AND bucket_start < $1)
            OR (resolution = 'hour' AND bucket_start < $2) OR (resolution = 'day' AND bucket_start < $3) RETURNING 1),
       operator AS (
         DELETE FROM analytics_operator_rollups WHERE (resolution = 'minute' AND bucket_start < $1)
            OR (resolution = 'hour' AND bucket_start < $2) OR (resolution = 'day' AND bucket_start < $3) RETURNING 1),
       workers AS (DELETE FROM analytics_worker_rollups WHERE bucket_start < $4 RETURNING 1)
       SELECT ((SELECT count(*) FROM rollups) + (SELECT count(*) FROM operator) + (SELECT count(*) FROM workers))::int AS n`,
      [
        ...ROLLUP_RESOLUTIONS.map((resolution) => new Date(now.getTime() - ROLLUP_RETENTION_MS[resolution])),
        new Date(now.getTime() - WORKER_ROLLUP_RETENTION_MS),
      ],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
