import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type {
  AffinityRules,
  CheckpointPolicy,
  JsonObject,
  Workload,
  WorkloadTypeConfig,
} from '@niyanta/models';
import { DataSource } from 'typeorm';
import type { AuditActor } from './audit.repository';
import { toWorkloadTypeConfig, WORKLOAD_CONFIG_COLUMNS, type WorkloadConfigRow } from './workload-config-row.mapper';
import { WAITING_STATUS_SQL } from './status-sql';
import { toWorkload, workloadColumns, type WorkloadRow } from './workload-row.mapper';

/** A validated submission, with every default already resolved from the type's config. */
export interface NewWorkload {
  customerId: string;
  workloadType: string;
  priority: number;
  input: JsonObject;
  affinity: AffinityRules;
  region: string | null;
  labels: Record<string, string>;
  maxRetries: number;
  idempotencyKey: string | null;
  timeoutSeconds: number | null;
  /** Per-workload override of the type's policy; a field left out keeps the type's. */
  checkpointPolicy: Partial<CheckpointPolicy> | null;
  /** Recorded on the `workload.submitted` audit event. */
  actor: AuditActor;
  /** W3C `traceparent` of the submission's span when tracing is on; stored for the leader and worker. */
  traceContext?: string | null;
}

/** What became of one submission. */
export interface SubmissionResult {
  workload: Workload;
  /** False when an earlier submission with the same idempotency key was returned instead. */
  created: boolean;
}


/**
 * Graph fields of a submission (SPEC §8), absent for a workload without dependencies: they are then
 * left out of the JSON sent and the columns stay NULL.
 */
export interface NewWorkloadGraphFields {
  /** Parents not completed yet (0: it has parents, all completed); null: it has none. */
  waitingParents: number | null;
  pendingReason: string | null;
  hasDependents: boolean;
}

/**
 * What the insert returns: every column but the ones the caller sent, which can be large (`input`)
 * and need not travel back from PostgreSQL and be parsed again; `output` is null on insert.
 */
const SENT_COLUMNS = ['input', 'output', 'affinity', 'labels'] as const;
const INSERTED_COLUMNS = workloadColumns(undefined, SENT_COLUMNS);

/** A row the submission statement returns. */
export type InsertedWorkloadRow = Omit<WorkloadRow, (typeof SENT_COLUMNS)[number]>;

/**
 * One statement inserts the workloads and their `workload.submitted` audit events, so the two commit
 * together (a statement is atomic) in a single round trip. Rows arrive as one JSON array parameter:
 * a 1,000-item batch stays far below the bind-parameter limit and parses in one pass.
 */
export const SUBMIT_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
    id uuid, customer_id uuid, workload_type text, priority integer, input jsonb, affinity jsonb,
    labels jsonb, region text, max_retries integer, idempotency_key text, timeout_seconds integer,
    checkpoint_policy jsonb, actor_type text, actor_id text, key_id uuid, request_id text,
    waiting_parents integer, has_dependents boolean, pending_reason text, trace_context text)
),
inserted AS (
  INSERT INTO workloads (id, customer_id, workload_type, status, priority, input, affinity, labels,
                         region, max_retries, idempotency_key, timeout_seconds, checkpoint_policy,
                         waiting_parents, has_dependents, pending_reason, trace_context)
  SELECT id, customer_id, workload_type, 'PENDING', priority, input, affinity, labels,
         region, max_retries, idempotency_key, timeout_seconds, checkpoint_policy,
         waiting_parents, has_dependents, pending_reason, trace_context
    FROM input
  ON CONFLICT (customer_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING ${INSERTED_COLUMNS}
),
audited AS (
  INSERT INTO audit_events (customer_id, workload_id, actor_type, actor_id, key_id, action, after, request_id)
  SELECT w.customer_id, w.id, i.actor_type, i.actor_id, i.key_id, 'workload.submitted',
         jsonb_build_object('status', w.status, 'attempt', w.attempt, 'worker_id', w.worker_id), i.request_id
    FROM inserted w JOIN input i ON i.id = w.id
)
SELECT * FROM inserted`;

/** Inserts submitted workloads (idempotently) and reads the type configs submission needs. */
@Injectable()
export class WorkloadSubmissionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Configs of the given types that exist (an absent key means the type is not registered). */
  async findTypeConfigs(workloadTypes: readonly string[]): Promise<Map<string, WorkloadTypeConfig>> {
    const unique = [...new Set(workloadTypes)];
    if (unique.length === 0) return new Map();
    const rows: WorkloadConfigRow[] = await this.dataSource.query(
      `SELECT ${WORKLOAD_CONFIG_COLUMNS} FROM workload_configs WHERE workload_type = ANY($1::text[])`,
      [unique],
    );
    return new Map(rows.map((row) => [row.workload_type, toWorkloadTypeConfig(row)]));
  }

  /**
   * How many workloads the customer has waiting (PENDING or PAUSED): what the tier's `maxPending`
   * bounds. An index-only scan of `(customer_id, status, …)`.
   */
  async countWaiting(customerId: string): Promise<number> {
    const rows: Array<{ waiting: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS waiting FROM workloads WHERE customer_id = $1 AND status IN (${WAITING_STATUS_SQL})`,
      [customerId],
    );
    return Number(rows[0]?.waiting ?? 0);
  }

  /**
   * Inserts every workload as `PENDING` with its audit event, all or none, and returns one result per
   * input in input order. An item whose `(customerId, idempotencyKey)` already exists is not inserted;
   * the existing workload is returned with `created: false`. Concurrent repeats are serialised by the
   * unique index, so exactly one of them creates the row — also when the repeats share one call
   * (grouped concurrent requests): the first item creates it and the others get it back.
   */
  async submit(items: readonly NewWorkload[]): Promise<SubmissionResult[]> {
    if (items.length === 0) return [];
    const ids = items.map(() => randomUUID());
    const rows: InsertedWorkloadRow[] = await this.dataSource.query(SUBMIT_SQL, [
      submissionPayload(items, ids),
    ]);
    return this.results(items, ids, rows);
  }

  /**
   * The results of {@link submit} from the rows its statement returned (shared with the graph
   * submission, which runs the same statement inside its transaction).
   */
  async results(
    items: readonly NewWorkload[],
    ids: readonly string[],
    rows: readonly InsertedWorkloadRow[],
  ): Promise<SubmissionResult[]> {
    const sent = new Map(items.map((item, index) => [ids[index] as string, item]));
    const inserted = new Map(
      rows.map((row) => {
        const item = sent.get(row.id) as NewWorkload;
        return [row.id, toWorkload({ ...row, input: item.input, output: null, affinity: item.affinity, labels: item.labels })];
      }),
    );

    const repeats = items.filter((_item, index) => !inserted.has(ids[index] as string));
    const existing = await this.findByIdempotencyKeys(repeats);

    return items.map((item, index) => {
      const created = inserted.get(ids[index] as string);
      if (created) return { workload: created, created: true };
      const earlier = existing.get(idempotencyKeyOf(item.customerId, item.idempotencyKey));
      if (!earlier) {
        // Only a conflict on the idempotency index skips an insert, and that row is committed.
        throw new Error(`workload with idempotency key ${item.idempotencyKey} was neither inserted nor found`);
      }
      return { workload: earlier, created: false };
    });
  }

  /** The customer's workload submitted with `idempotencyKey`, or null. */
  async findByIdempotencyKey(customerId: string, idempotencyKey: string): Promise<Workload | null> {
    const rows: WorkloadRow[] = await this.dataSource.query(
      `SELECT ${workloadColumns()} FROM workloads WHERE customer_id = $1 AND idempotency_key = $2`,
      [customerId, idempotencyKey],
    );
    return rows[0] ? toWorkload(rows[0]) : null;
  }

  private async findByIdempotencyKeys(items: readonly NewWorkload[]): Promise<Map<string, Workload>> {
    if (items.length === 0) return new Map();
    const rows: WorkloadRow[] = await this.dataSource.query(
      `SELECT ${workloadColumns('w')} FROM workloads w
         JOIN unnest($1::uuid[], $2::text[]) AS k(customer_id, idempotency_key)
           ON w.customer_id = k.customer_id AND w.idempotency_key = k.idempotency_key`,
      [items.map((item) => item.customerId), items.map((item) => item.idempotencyKey)],
    );
    return new Map(
      rows.map((row) => [idempotencyKeyOf(row.customer_id, row.idempotency_key), toWorkload(row)]),
    );
  }
}

/**
 * The statement's JSON parameter: one object per item. Graph fields are added only for items that
 * have them (`graph`, aligned with `items`), so a plain submission sends exactly what it did before.
 */
export function submissionPayload(
  items: readonly NewWorkload[],
  ids: readonly string[],
  graph?: ReadonlyArray<NewWorkloadGraphFields | null>,
): string {
  const payload = items.map((item, index) => {
    const row: Record<string, unknown> = {
      id: ids[index],
      customer_id: item.customerId,
      workload_type: item.workloadType,
      priority: item.priority,
      input: item.input,
      affinity: item.affinity,
      labels: item.labels,
      region: item.region,
      max_retries: item.maxRetries,
      idempotency_key: item.idempotencyKey,
      timeout_seconds: item.timeoutSeconds,
      checkpoint_policy: item.checkpointPolicy,
      actor_type: item.actor.actorType,
      actor_id: item.actor.actorId,
      key_id: item.actor.keyId ?? null,
      request_id: item.actor.requestId ?? null,
    };
    // Left out when null: the JSON of a submission without tracing stays as it was.
    if (item.traceContext) row['trace_context'] = item.traceContext;
    const fields = graph?.[index];
    if (fields) {
      if (fields.waitingParents !== null) row['waiting_parents'] = fields.waitingParents;
      if (fields.pendingReason !== null) row['pending_reason'] = fields.pendingReason;
      if (fields.hasDependents) row['has_dependents'] = true;
    }
    return row;
  });
  return JSON.stringify(payload);
}

function idempotencyKeyOf(customerId: string, key: string | null): string {
  return `${customerId}\u0000${key ?? ''}`;
}
