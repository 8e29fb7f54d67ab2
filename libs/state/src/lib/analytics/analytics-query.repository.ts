import { Injectable } from '@nestjs/common';
import { TERMINAL_STATUSES } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { histogramPercentiles, LATENCY_BUCKET_INDEXES, type LatencyPercentiles } from './latency-histogram';
import type { RollupResolution } from './analytics-rollup.repository';
import { EXECUTING_STATUS_SQL } from '../repositories/status-sql';

/** A dimension a summary can be split by. */
export type SummaryDimension = 'workload_type' | 'tier' | 'customer_id';

/** What {@link AnalyticsQueryRepository.summary} aggregates. Absent filters do not filter. */
export interface SummaryQuery {
  from: Date;
  to: Date;
  bucket: RollupResolution;
  /** Only this customer (always set for a customer's own view). */
  customerId?: string;
  workloadTypes?: string[];
  /** Terminal statuses the outcome counts and latencies are restricted to. */
  statuses?: string[];
  groupBy?: SummaryDimension[];
}

/** One bucket of a summary (one per dimension combination when grouped). */
export interface SummaryRow {
  bucketStart: Date;
  workloadType: string | null;
  tier: string | null;
  customerId: string | null;
  submitted: number;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  waitMs: LatencyPercentiles;
  runMs: LatencyPercentiles;
}

/** Utilization of one worker over a range. */
export interface WorkerUtilizationRow {
  workerId: string;
  region: string | null;
  status: string;
  capacity: number;
  busySlotSeconds: number;
  slotSeconds: number;
}

/** Filters of {@link AnalyticsQueryRepository.exportLines}. */
export interface ExportQuery {
  from: Date;
  to: Date;
  customerId?: string;
  workloadTypes?: string[];
  statuses?: string[];
}

/** Encodings of an export row. */
export type ExportFormat = 'csv' | 'json';

/**
 * Columns of an export, in order (a CSV's header, a JSON row's keys): id, customer_id,
 * workload_type, status, attempt, created_at, scheduled_at, started_at, completed_at (RFC 3339),
 * wait_ms (submitted → running), run_ms (running → completed), worker_id, region (the worker's),
 * labels (a JSON object).
 */
export const EXPORT_COLUMNS = [
  'id', 'customer_id', 'workload_type', 'status', 'attempt', 'created_at', 'scheduled_at', 'started_at',
  'completed_at', 'wait_ms', 'run_ms', 'worker_id', 'region', 'labels',
] as const;

const TERMINAL: readonly string[] = TERMINAL_STATUSES;
const DIMENSION_COLUMNS: Record<SummaryDimension, string> = { workload_type: 'workload_type', tier: 'tier', customer_id: 'customer_id' };

/** Element-wise sum of a histogram column; `filtered` restricts it to the statuses in `$3`. */
function summedHistogram(column: string, filtered: boolean): string {
  // Rows of non-terminal status hold empty histograms, so without a status filter no FILTER is needed.
  const filter = filtered ? ' FILTER (WHERE status = ANY($3))' : '';
  return `ARRAY[${LATENCY_BUCKET_INDEXES.map((i) => `COALESCE(sum(${column}[${i}])${filter}, 0)`).join(', ')}]::float8[]`;
}

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** SQL of each export column, in {@link EXPORT_COLUMNS} order, and whether CSV may need to quote it. */
const EXPORT_SQL: Record<(typeof EXPORT_COLUMNS)[number], { sql: string; text: boolean }> = {
  id: { sql: 'w.id::text', text: false },
  customer_id: { sql: 'w.customer_id::text', text: false },
  workload_type: { sql: 'w.workload_type', text: true },
  status: { sql: 'w.status', text: false },
  attempt: { sql: 'w.attempt', text: false },
  created_at: { sql: ts('w.created_at'), text: false },
  scheduled_at: { sql: ts('w.scheduled_at'), text: false },
  started_at: { sql: ts('w.started_at'), text: false },
  completed_at: { sql: ts('w.completed_at'), text: false },
  wait_ms: { sql: 'round(extract(epoch FROM w.started_at - w.created_at) * 1000)::bigint', text: false },
  run_ms: { sql: "CASE WHEN w.status = 'COMPLETED' THEN round(extract(epoch FROM w.completed_at - w.started_at) * 1000)::bigint END", text: false },
  worker_id: { sql: 'w.worker_id', text: true },
  region: { sql: 'wk.region', text: true },
  labels: { sql: 'w.labels', text: true },
};

/** RFC 4180 quoting of a text value: always quoted (cheaper than testing each value; null stays empty). */
function csvText(sql: string): string {
  return `'"' || replace((${sql})::text, '"', '""') || '"'`;
}

/** Each row rendered by the database: one CSV line, or one JSON object. */
const EXPORT_LINE: Record<ExportFormat, string> = {
  csv: EXPORT_COLUMNS.map((c) => `COALESCE(${EXPORT_SQL[c].text ? csvText(EXPORT_SQL[c].sql) : `(${EXPORT_SQL[c].sql})::text`}, '')`).join(` || ',' || `),
  json: `json_build_object(${EXPORT_COLUMNS.map((c) => `'${c}', ${EXPORT_SQL[c].sql}`).join(', ')})::text`,
};

interface SummarySqlRow {
  bucket_start: Date;
  workload_type: string | null;
  tier: string | null;
  customer_id: string | null;
  submitted: number;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  wait_hist: number[];
  run_hist: number[];
}

/** Reads of the analytics API: summaries and utilization from the rollups, and workload exports. */
@Injectable()
export class AnalyticsQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts and latency percentiles per bucket in `[from, to)`, from the rollups of that bucket size. */
  async summary(query: SummaryQuery): Promise<SummaryRow[]> {
    const filtered = Boolean(query.statuses?.length);
    const statuses = filtered ? (query.statuses ?? []).filter((s) => TERMINAL.includes(s)) : TERMINAL;
    const params: unknown[] = [query.bucket, [query.from, query.to], statuses];
    const conditions = [`resolution = $1`, `bucket_start >= date_trunc($1, ($2::timestamptz[])[1], 'UTC')`, `bucket_start < ($2::timestamptz[])[2]`];
    if (query.customerId) {
      params.push(query.customerId);
      conditions.push(`customer_id = $${params.length}`);
    }
    if (query.workloadTypes?.length) {
      params.push(query.workloadTypes);
      conditions.push(`workload_type = ANY($${params.length})`);
    }
    const dims = (query.groupBy ?? []).map((d) => DIMENSION_COLUMNS[d]);
    const select = (['workload_type', 'tier', 'customer_id'] as const)
      .map((d) => (dims.includes(d) ? `${d}${d === 'customer_id' ? '::text' : ''} AS ${d}` : `NULL AS ${d}`))
      .join(', ');
    const rows: SummarySqlRow[] = await this.dataSource.query(
      `SELECT bucket_start, ${select},
              sum(submitted)::float8 AS submitted, sum(retried)::float8 AS retried,
              COALESCE(sum(finished) FILTER (WHERE status = 'COMPLETED' AND status = ANY($3)), 0)::float8 AS completed,
              COALESCE(sum(finished) FILTER (WHERE status = 'FAILED' AND status = ANY($3)), 0)::float8 AS failed,
              COALESCE(sum(finished) FILTER (WHERE status = 'CANCELLED' AND status = ANY($3)), 0)::float8 AS cancelled,
              ${summedHistogram('wait_hist', filtered)} AS wait_hist, ${summedHistogram('run_hist', filtered)} AS run_hist
         FROM analytics_rollups
        WHERE ${conditions.join(' AND ')}
        GROUP BY ${['bucket_start', ...dims].join(', ')}
        ORDER BY ${['bucket_start', ...dims].join(', ')}`,
      params,
    );
    return rows.map((row) => ({
      bucketStart: row.bucket_start,
      workloadType: row.workload_type,
      tier: row.tier,
      customerId: row.customer_id,
      submitted: row.submitted,
      completed: row.completed,
      failed: row.failed,
      cancelled: row.cancelled,
      retried: row.retried,
      waitMs: histogramPercentiles(row.wait_hist),
      runMs: histogramPercentiles(row.run_hist),
    }));
  }

  /**
   * Busy slot-seconds (finished work from the hourly rollups, plus running work up to now) and
   * slot-seconds (capacity × time registered and alive) of every known worker within `[from, to)`.
   * With `customerId`, busy time counts only that customer's workloads.
   */
  async workerUtilization(from: Date, to: Date, customerId?: string): Promise<WorkerUtilizationRow[]> {
    const params: unknown[] = [from, to];
    let customerFilter = '';
    if (customerId) {
      params.push(customerId);
      customerFilter = `AND customer_id = $3`;
    }
    const rows: Array<{ id: string; region: string | null; status: string; capacity: number; busy: number; slots: number }> =
      await this.dataSource.query(
        `WITH finished AS (
           SELECT worker_id, sum(busy_ms)::float8 / 1000 AS s FROM analytics_worker_rollups
            WHERE bucket_start >= date_trunc('hour', $1::timestamptz, 'UTC') AND bucket_start < $2 ${customerFilter}
            GROUP BY worker_id
         ), running AS (
           SELECT worker_id, sum(GREATEST(0, extract(epoch FROM LEAST(now(), $2::timestamptz) - GREATEST(started_at, $1::timestamptz))))::float8 AS s
             FROM workloads
            WHERE status IN (${EXECUTING_STATUS_SQL}) AND worker_id IS NOT NULL AND started_at IS NOT NULL ${customerFilter}
            GROUP BY worker_id
         )
         SELECT w.id, w.region, w.status, w.capacity,
                COALESCE(f.s, 0) + COALESCE(r.s, 0) AS busy,
                (w.capacity * GREATEST(0, extract(epoch FROM
                   LEAST($2::timestamptz, CASE WHEN w.status IN ('DEAD', 'STOPPED') THEN w.last_heartbeat_at ELSE now() END)
                   - GREATEST($1::timestamptz, w.registered_at))))::float8 AS slots
           FROM workers w
           LEFT JOIN finished f ON f.worker_id = w.id
           LEFT JOIN running r ON r.worker_id = w.id
          ORDER BY w.id`,
        params,
      );
    return rows.map((row) => ({
      workerId: row.id,
      region: row.region,
      status: row.status,
      capacity: row.capacity,
      busySlotSeconds: row.busy,
      slotSeconds: row.slots,
    }));
  }

  /**
   * Every workload created in `[from, to)` matching the filters (customer by customer, each newest
   * first), rendered by the database as CSV lines or JSON objects (see
   * {@link EXPORT_COLUMNS}) and read through a server-side cursor `pageSize` rows at a time on one
   * dedicated connection, so memory stays flat whatever the range. Stop iterating to close it early.
   */
  async *exportLines(query: ExportQuery, format: ExportFormat, pageSize = 10_000): AsyncGenerator<string[]> {
    const params: unknown[] = [query.from, query.to];
    const conditions = ['w.created_at >= $1', 'w.created_at < $2'];
    // One customer, or each customer in turn: either way a range of the (customer_id, created_at)
    // index, so the first rows come at once however old the rest of the table is.
    const customers = query.customerId ? `SELECT $${params.push(query.customerId)}::uuid AS id` : 'SELECT id FROM customers';
    conditions.push('w.customer_id = c.id');
    if (query.workloadTypes?.length) {
      params.push(query.workloadTypes);
      conditions.push(`w.workload_type = ANY($${params.length})`);
    }
    if (query.statuses?.length) {
      params.push(query.statuses);
      conditions.push(`w.status = ANY($${params.length})`);
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let open = false;
    try {
      await runner.query('BEGIN READ ONLY');
      open = true;
      await runner.query(
        `DECLARE analytics_export NO SCROLL CURSOR FOR
         SELECT ${EXPORT_LINE[format]} AS line
           FROM (${customers}) c
           CROSS JOIN LATERAL (
             SELECT w.* FROM workloads w WHERE ${conditions.join(' AND ')} ORDER BY w.created_at DESC, w.id DESC
           ) w
           LEFT JOIN workers wk ON wk.id = w.worker_id`,
        params,
      );
      for (;;) {
        const rows: Array<{ line: string }> = await runner.query(`FETCH ${Math.max(1, Math.floor(pageSize))} FROM analytics_export`);
        if (rows.length === 0) break;
        yield rows.map((row) => row.line);
      }
    } finally {
      try {
        if (open) await runner.query('ROLLBACK');
      } finally {
        await runner.release();
      }
    }
  }
}
