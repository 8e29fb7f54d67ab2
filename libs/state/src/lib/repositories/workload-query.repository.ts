import { Injectable } from '@nestjs/common';
import type { CheckpointInfo, Workload, WorkloadStatus } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { CHECKPOINT_INFO_COLUMNS, toCheckpointInfo, type CheckpointInfoRow } from './checkpoint-row.mapper';
import { toWorkload, workloadColumns, type WorkloadRow } from './workload-row.mapper';

/**
 * A position in the newest-first listing: the last row seen. `createdAt` is an RFC 3339 UTC string
 * with microseconds, because PostgreSQL keeps microseconds and a millisecond `Date` would make the
 * keyset comparison skip or repeat rows created within the same millisecond.
 */
export interface WorkloadListPosition {
  createdAt: string;
  id: string;
}

/** Filters of {@link WorkloadQueryRepository.list}; absent fields do not filter. */
export interface WorkloadListQuery {
  customerId: string;
  statuses?: readonly WorkloadStatus[];
  workloadType?: string;
  /** Every pair must be present in the workload's labels. */
  labels?: Readonly<Record<string, string>>;
  /** Exclusive. */
  createdAfter?: Date;
  /** Exclusive. */
  createdBefore?: Date;
  /** Continue after this row. */
  after?: WorkloadListPosition;
  limit: number;
  /**
   * Read `input` and `output` (large, caller-sized JSON). When false the items carry `{}` and null:
   * a listing that does not show them does not make PostgreSQL detoast or send them.
   * @default { input: true, output: true }
   */
  columns?: { input: boolean; output: boolean };
}

/** One page of workloads, newest first. */
export interface WorkloadPage {
  items: Workload[];
  /** The position of each item (a cursor may continue after any of them). */
  positions: WorkloadListPosition[];
  /** Where the next page starts; null on the last page. */
  next: WorkloadListPosition | null;
}

/** A row of {@link WorkloadQueryRepository.listSizes}: where it is and how many bytes its JSON columns hold. */
export interface WorkloadListSize {
  position: WorkloadListPosition;
  /** Bytes of the requested JSON columns as text (what a response carries). */
  bytes: number;
}

const COLUMNS = workloadColumns();

/** The workload columns with `input` and/or `output` replaced by constants when not wanted. */
function listColumns(columns: { input: boolean; output: boolean } | undefined): string {
  if (!columns || (columns.input && columns.output)) return COLUMNS;
  return COLUMNS.split(', ')
    .map((name) => (name === 'input' && !columns.input ? `'{}'::jsonb AS input` : name === 'output' && !columns.output ? 'NULL::jsonb AS output' : name))
    .join(', ');
}
const POSITION_COLUMN = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_created_at`;

/** Reads a customer's workloads and their checkpoint metadata. Every read is scoped by customer. */
@Injectable()
export class WorkloadQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The workload if it exists and belongs to `customerId`; null otherwise (the caller answers 404). */
  async findForCustomer(customerId: string, id: string): Promise<Workload | null> {
    const rows: WorkloadRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM workloads WHERE id = $1 AND customer_id = $2`,
      [id, customerId],
    );
    const row = rows[0];
    return row ? toWorkload(row) : null;
  }

  /**
   * Newest first by `(created_at, id)` (keyset pagination over the customer's list index): rows
   * inserted while a client pages are newer than its position, so they never shift later pages.
   */
  async list(query: WorkloadListQuery): Promise<WorkloadPage> {
    const { where, params, param } = this.listFilter(query);
    const limitParam = param(query.limit + 1);
    const rows: Array<WorkloadRow & { position_created_at: string }> = await this.dataSource.query(
      `SELECT ${listColumns(query.columns)}, ${POSITION_COLUMN} FROM workloads
        WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC
        LIMIT ${limitParam}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toWorkload),
      positions: page.map((row) => ({ createdAt: row.position_created_at, id: row.id })),
      next: rows.length > query.limit && last ? { createdAt: last.position_created_at, id: last.id } : null,
    };
  }

  /**
   * The positions of the rows {@link list} would return (plus one, to tell whether more follow), each
   * with the size of its `input`/`output` as text, computed by PostgreSQL: the API sizes a page to
   * its byte budget before it reads any large value.
   */
  async listSizes(query: WorkloadListQuery): Promise<WorkloadListSize[]> {
    const { where, params, param } = this.listFilter(query);
    const limitParam = param(query.limit + 1);
    const sized = [
      query.columns?.input !== false ? 'octet_length(input::text)' : '0',
      query.columns?.output !== false ? 'coalesce(octet_length(output::text), 0)' : '0',
    ].join(' + ');
    const rows: Array<{ id: string; position_created_at: string; bytes: string }> = await this.dataSource.query(
      `SELECT id, ${POSITION_COLUMN}, (${sized})::bigint AS bytes FROM workloads
        WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC
        LIMIT ${limitParam}`,
      params,
    );
    return rows.map((row) => ({ position: { createdAt: row.position_created_at, id: row.id }, bytes: Number(row.bytes) }));
  }

  private listFilter(query: WorkloadListQuery): { where: string[]; params: unknown[]; param: (value: unknown) => string } {
    const params: unknown[] = [query.customerId];
    const where = ['customer_id = $1'];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.statuses && query.statuses.length > 0) {
      where.push(`status = ANY(${param(query.statuses)}::text[])`);
    }
    if (query.workloadType !== undefined) where.push(`workload_type = ${param(query.workloadType)}`);
    if (query.labels && Object.keys(query.labels).length > 0) {
      where.push(`labels @> ${param(JSON.stringify(query.labels))}::jsonb`);
    }
    if (query.createdAfter) where.push(`created_at > ${param(query.createdAfter)}`);
    if (query.createdBefore) where.push(`created_at < ${param(query.createdBefore)}`);
    if (query.after) {
      where.push(`(created_at, id) < (${param(query.after.createdAt)}::timestamptz, ${param(query.after.id)}::uuid)`);
    }
    return { where, params, param };
  }

  /** Checkpoint metadata of a workload, newest first (never the bytes). */
  async listCheckpoints(workloadId: string, limit = 1000): Promise<CheckpointInfo[]> {
    const rows: CheckpointInfoRow[] = await this.dataSource.query(
      `SELECT ${CHECKPOINT_INFO_COLUMNS} FROM checkpoints WHERE workload_id = $1 ORDER BY sequence DESC LIMIT $2`,
      [workloadId, limit],
    );
    return rows.map(toCheckpointInfo);
  }
}
