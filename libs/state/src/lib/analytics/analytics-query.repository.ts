import { Injectable } from '@nestjs/common';
import { TERMINAL_STATUSES } from '@niyanta/models';
import { pipeline, type Readable } from 'node:stream';
import { escapeLiteral, type Pool, type PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { CsvLineEnds } from './csv-line-ends';
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
function summedHistogram(column: 'wait_hist' | 'run_hist', filtered: boolean): string {
  // Only rows that can hold counts are read: PENDING rows hold empty histograms, and only COMPLETED
  // rows have run times. Skipping the others spares most of the array reads of a long summary.
  const holds = column === 'run_hist' ? `status = 'COMPLETED'` : `status <> 'PENDING'`;
  const filter = ` FILTER (WHERE ${holds}${filtered ? ' AND status = ANY($3)' : ''})`;
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

/**
 * The `COPY` statement of each format. CSV is PostgreSQL's own CSV (RFC 4180 quoting; text columns
 * always quoted, null empty), LF line ends turned into CRLF on the way out. JSON is one object per
 * line, every line but the first led by a comma; it is copied as "CSV" with a delimiter and quote
 * that JSON text never holds raw (control characters are escaped in JSON), so each line comes out
 * byte for byte.
 */
const EXPORT_COPY: Record<ExportFormat, (rows: string) => string> = {
  csv: (rows) =>
    `COPY (SELECT ${EXPORT_COLUMNS.map((c) => `${EXPORT_SQL[c].sql} AS ${c}`).join(', ')} FROM ${rows}) TO STDOUT
     WITH (FORMAT csv, FORCE_QUOTE (${EXPORT_COLUMNS.filter((c) => EXPORT_SQL[c].text).join(', ')}))`,
  json: (rows) =>
    `COPY (SELECT CASE WHEN row_number() OVER () = 1 THEN '' ELSE ',' END
                  || json_build_object(${EXPORT_COLUMNS.map((c) => `'${c}', ${EXPORT_SQL[c].sql}`).join(', ')})::text
             FROM ${rows}) TO STDOUT
     WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`,
};

/** Bytes an export buffers per stream stage before pausing the one before it. */
const EXPORT_BUFFER_BYTES = 1 << 20;

/** A SQL literal of `value` (COPY takes no bind parameters). */
function literal(value: string | Date): string {
  return escapeLiteral(value instanceof Date ? value.toISOString() : value);
}

const textArray = (values: string[]) => `ARRAY[${values.map(literal).join(', ')}]::text[]`;

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

  /**
   * Counts and latency percentiles per bucket in `[from, to)`, from the rollups of that bucket size:
   * the per-customer rollups for one customer or a split by customer, else the operator rollups.
   */
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
    // Across every customer and not split by customer, the operator rollups hold the same sums in
    // a tenth of the rows or fewer (one per bucket, type, tier and status).
    const table = query.customerId || dims.includes('customer_id') ? 'analytics_rollups' : 'analytics_operator_rollups';
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
         FROM ${table}
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
   * first), rendered by PostgreSQL's `COPY ... TO STDOUT` as CSV lines (CRLF) or JSON objects (see
   * {@link EXPORT_COLUMNS}, {@link EXPORT_COPY}) and streamed as bytes on one dedicated connection:
   * no row becomes a JavaScript object, and the stream's backpressure pauses the connection, so
   * memory stays flat whatever the range. Destroy the stream to stop early: the connection is then
   * closed, not returned to the pool mid-copy.
   */
  async exportStream(query: ExportQuery, format: ExportFormat): Promise<Readable> {
    const conditions = [`w.created_at >= ${literal(query.from)}::timestamptz`, `w.created_at < ${literal(query.to)}::timestamptz`, 'w.customer_id = c.id'];
    // One customer, or each customer in turn: either way a range of the (customer_id, created_at)
    // index, so the first rows come at once however old the rest of the table is.
    const customers = query.customerId ? `SELECT ${literal(query.customerId)}::uuid AS id` : 'SELECT id FROM customers';
    if (query.workloadTypes?.length) conditions.push(`w.workload_type = ANY(${textArray(query.workloadTypes)})`);
    if (query.statuses?.length) conditions.push(`w.status = ANY(${textArray(query.statuses)})`);
    const rows = `(${customers}) c
           CROSS JOIN LATERAL (
             SELECT w.* FROM workloads w WHERE ${conditions.join(' AND ')} ORDER BY w.created_at DESC, w.id DESC
           ) w
           LEFT JOIN workers wk ON wk.id = w.worker_id`;
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client: PoolClient = await pool.connect();
    // Buffers of 1 MiB, not the streams' default 16 KiB: each hand-over between PostgreSQL, this
    // process and the client costs a wake-up, which on a busy machine waits for a CPU; fewer,
    // larger hand-overs keep the rate up while memory stays bounded (a few MiB per export).
    const copy = client.query(copyTo(EXPORT_COPY[format](rows), { highWaterMark: EXPORT_BUFFER_BYTES }));
    let released = false;
    const release = (error?: Error | null) => {
      if (released) return;
      released = true;
      // A copy cut short leaves the connection mid-protocol: close it rather than reuse it.
      client.release(error ?? undefined);
    };
    if (format === 'csv') {
      return pipeline(copy, new CsvLineEnds({ highWaterMark: EXPORT_BUFFER_BYTES }), (error) => release(error));
    }
    copy.once('end', () => release()).once('error', (error: Error) => release(error)).once('close', () => release(copy.readableEnded ? null : new Error('export stopped')));
    return copy;
  }
}
