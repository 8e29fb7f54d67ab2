import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, type ErrorDetail, type JsonValue, type Workload } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { appendAudit } from './audit.repository';
import { runFenced, type LeaderFence } from './leadership.repository';
import { leaderChangeAudit, toLeaderChange, type ChangeRow, type LeaderWorkloadChange } from './scheduling.repository';
import {
  SUBMIT_SQL,
  submissionPayload,
  WorkloadSubmissionRepository,
  type InsertedWorkloadRow,
  type NewWorkload,
  type NewWorkloadGraphFields,
  type SubmissionResult,
} from './workload-submission.repository';
import { toWorkload, workloadColumns, type WorkloadRow } from './workload-row.mapper';

/** A parent of a graph item: another item of the submission (by index) or an earlier workload. */
export type GraphParentRef = { kind: 'item'; index: number; ref: string | null } | { kind: 'workload'; id: string };

/** A submission with dependencies: the workloads, and per item its parents (already validated as a DAG). */
export interface NewWorkloadGraph {
  customerId: string;
  items: readonly NewWorkload[];
  parents: ReadonlyArray<readonly GraphParentRef[]>;
  /** Where each item sits in the request, for error details (`items.3.`). */
  pathOf: (index: number) => string;
}

/** What the leader did for the ends of some parents. */
export interface DependencyResolution {
  /** Dependents whose last parent completed: now visible to the scheduler. */
  released: Array<{ id: string; customerId: string }>;
  /** Dependents cancelled because a parent (or its parent) failed or was cancelled. */
  cancelled: LeaderWorkloadChange[];
}

/** A page of a workload's dependents, newest first. */
export interface DependentsPage {
  items: Workload[];
  /** Keyset position of the last item (`created_at` with microseconds, RFC 3339 UTC). */
  last: { createdAt: string; id: string } | null;
  /** Whether more follow the last item. */
  more: boolean;
}

/** Error code of a dependent cancelled because a parent did not complete (SPEC §8). */
export const DEPENDENCY_FAILED = 'dependency_failed';

/** PostgreSQL's SQLSTATE for a transaction aborted to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';
/** Tries of a graph submission aborted by a deadlock. */
const DEADLOCK_RETRIES = 3;

/** Statuses in which a dependent still waits (it has not started: it cannot have while waiting). */
const WAITING = `('PENDING', 'PAUSED')`;

/**
 * `pending_reason` of a dependent with `left` of `total` parents not completed; the same text as
 * `waitingForDependenciesReason` of the scheduling lib, built where the counts are.
 */
const REASON_SQL = (left: string, total: string) =>
  `'waiting_for_dependencies: ' || ${left} || ' of ' || ${total} || ' parents not completed yet'`;

/**
 * The outputs of a workload's parents, keyed by parent id and, for a parent named by `ref` in its
 * batch, by that ref as well: what `ctx.parents` gives a handler.
 */
export async function loadParentOutputs(dataSource: DataSource, workloadId: string): Promise<Record<string, JsonValue>> {
  const rows: Array<{ parent_id: string; parent_ref: string | null; output: JsonValue | null }> = await dataSource.query(
    `SELECT d.parent_id, d.parent_ref, p.output
       FROM workload_dependencies d JOIN workloads p ON p.id = d.parent_id
      WHERE d.workload_id = $1`,
    [workloadId],
  );
  const outputs: Record<string, JsonValue> = {};
  for (const row of rows) {
    outputs[row.parent_id] = row.output ?? null;
    if (row.parent_ref !== null) outputs[row.parent_ref] = row.output ?? null;
  }
  return outputs;
}

/**
 * Dependencies between workloads (SPEC §8): atomic submission of a graph, the leader's release and
 * cascade when parents end, and the reads of the API (dependents, parents) and the worker
 * (`ctx.parents`). Nothing here runs for a workload without dependencies.
 */
@Injectable()
export class WorkloadDependencyRepository {
  /** Builds the submission results (and looks up idempotent repeats) as a plain submission does. */
  private readonly submissions: WorkloadSubmissionRepository;

  constructor(private readonly dataSource: DataSource) {
    this.submissions = new WorkloadSubmissionRepository(dataSource);
  }

  /**
   * Inserts a graph in one transaction: the earlier workloads it names are locked and marked as
   * having dependents (they must be the customer's and not have failed or been cancelled), the
   * workloads are inserted with their audit events — a dependent PENDING with `waiting_parents` and
   * its `pending_reason` — and the edges are written. Any problem rolls everything back.
   * @throws DomainError `validation_failed` for unknown, foreign, failed or cancelled parents
   */
  async submitGraph(graph: NewWorkloadGraph): Promise<SubmissionResult[]> {
    // Locking earlier parents can meet the leader placing some of them in another order; PostgreSQL
    // then aborts one transaction as a deadlock, which nothing of has been written by: run it again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.submitGraphOnce(graph);
      } catch (error: unknown) {
        const failure = error as { code?: unknown; driverError?: { code?: unknown } };
        const code = failure.code ?? failure.driverError?.code;
        if (attempt >= DEADLOCK_RETRIES || code !== DEADLOCK_DETECTED) throw error;
      }
    }
  }

  private async submitGraphOnce(graph: NewWorkloadGraph): Promise<SubmissionResult[]> {
    const { items, parents, customerId } = graph;
    const ids = items.map(() => randomUUID());
    const earlier = [...new Set(parents.flatMap((list) => list.flatMap((p) => (p.kind === 'workload' ? [p.id] : []))))];
    const parentIndexes = new Set(parents.flatMap((list) => list.flatMap((p) => (p.kind === 'item' ? [p.index] : []))));

    return this.dataSource.transaction(async (manager) => {
      // Locking the parents orders this insert with their end: a parent that completes first is
      // counted as completed here; one that ends later finds `has_dependents` set and its children.
      const found: Array<{ id: string; status: string }> =
        earlier.length === 0
          ? []
          : await manager.query(
              // Locked in id order, as every other multi-row write of workloads does (no deadlock
              // with a worker completing some of these parents in one statement).
              `WITH locked AS (
                 SELECT id FROM workloads WHERE id = ANY($1::uuid[]) AND customer_id = $2 ORDER BY id FOR UPDATE
               ), marked AS (
                 UPDATE workloads w SET has_dependents = true FROM locked WHERE w.id = locked.id
                 RETURNING w.id, w.status)
               SELECT * FROM marked`,
              [earlier, customerId],
            );
      const statusById = new Map(found.map((row) => [row.id, row.status]));
      const problems: ErrorDetail[] = [];
      parents.forEach((list, index) => {
        list.forEach((parent) => {
          if (parent.kind !== 'workload') return;
          const status = statusById.get(parent.id);
          const path = `${graph.pathOf(index)}depends_on`;
          // Another customer's id reads as unknown, never as foreign (SPEC §3: 404, never 403).
          if (status === undefined) problems.push({ path, message: `workload ${parent.id} does not exist` });
          else if (status === 'FAILED' || status === 'CANCELLED') {
            problems.push({ path, message: `workload ${parent.id} is ${status} and will never complete` });
          }
        });
      });
      if (problems.length > 0) {
        throw new DomainError(ErrorCode.ValidationFailed, 'depends_on names workloads that cannot be waited for', problems);
      }

      const fields: NewWorkloadGraphFields[] = items.map((_item, index) => {
        const list = parents[index] ?? [];
        const left = list.filter((p) => p.kind === 'item' || statusById.get(p.id) !== 'COMPLETED').length;
        return {
          // A workload whose parents all completed already stores 0: it has parents (ctx.parents) but waits for none.
          waitingParents: list.length === 0 ? null : left,
          pendingReason: left > 0 ? `waiting_for_dependencies: ${left} of ${list.length} parents not completed yet` : null,
          hasDependents: parentIndexes.has(index),
        };
      });
      const rows: InsertedWorkloadRow[] = await manager.query(SUBMIT_SQL, [submissionPayload(items, ids, fields)]);
      if (rows.length !== items.length) {
        // Idempotency keys make a repeated graph return its first workloads; a graph that is partly
        // new is refused rather than wired to workloads it did not create.
        if (rows.length === 0) return this.submissions.results(items, ids, rows);
        throw new DomainError(
          ErrorCode.Conflict,
          'some idempotency keys of this graph were used by earlier workloads; submit the graph with new keys or repeat it whole',
        );
      }

      const edges = parents.flatMap((list, index) =>
        list.map((parent) => ({
          workload_id: ids[index],
          parent_id: parent.kind === 'item' ? ids[parent.index] : parent.id,
          parent_ref: parent.kind === 'item' ? parent.ref : null,
        })),
      );
      if (edges.length > 0) {
        await manager.query(
          `INSERT INTO workload_dependencies (parent_id, workload_id, parent_ref)
           SELECT parent_id, workload_id, parent_ref
             FROM jsonb_to_recordset($1::jsonb) AS e(parent_id uuid, workload_id uuid, parent_ref text)`,
          [JSON.stringify(edges)],
        );
      }
      return this.submissions.results(items, ids, rows);
    });
  }

  /**
   * Acts on the end of `parentIds` (any that are not COMPLETED, FAILED or CANCELLED are ignored):
   * dependents of a failed or cancelled parent are cancelled with `dependency_failed`, transitively
   * and audited; every other waiting dependent gets its count of parents left recomputed and is
   * released when it reaches 0. Idempotent, in one transaction fenced by `fence`.
   * @throws LeaseLostError when the lease is no longer held (nothing is written)
   */
  async resolve(fence: LeaderFence, parentIds: readonly string[]): Promise<DependencyResolution> {
    if (parentIds.length === 0) return { released: [], cancelled: [] };
    return runFenced(this.dataSource, fence, async (manager) => {
      const cancelledRows: Array<ChangeRow & { parent_id: string; parent_status: string }> = await manager.query(
        `WITH RECURSIVE doomed(id, cause, cause_status) AS (
           SELECT d.workload_id, p.id, p.status
             FROM workload_dependencies d JOIN workloads p ON p.id = d.parent_id
            WHERE d.parent_id = ANY($1::uuid[]) AND p.status IN ('FAILED', 'CANCELLED')
           UNION
           SELECT d.workload_id, doomed.cause, doomed.cause_status
             FROM workload_dependencies d JOIN doomed ON d.parent_id = doomed.id
         ), target AS (
           SELECT DISTINCT ON (id) id, cause, cause_status FROM doomed ORDER BY id, cause
         ), locked AS (
           SELECT w.id, w.status, w.attempt, w.worker_id FROM workloads w JOIN target t ON t.id = w.id
            WHERE w.status IN ${WAITING} ORDER BY w.id FOR UPDATE OF w
         ), changed AS (
           UPDATE workloads w
              SET status = 'CANCELLED', completed_at = now(), pending_reason = NULL, updated_at = now(),
                  error = jsonb_build_object('code', '${DEPENDENCY_FAILED}',
                                             'message', 'parent ' || t.cause || ' ended ' || t.cause_status)
             FROM target t, locked l
            WHERE w.id = t.id AND l.id = w.id
           RETURNING w.id, w.customer_id, w.workload_type, w.status, w.attempt, w.worker_id, w.progress,
                     l.status AS previous_status, l.attempt AS previous_attempt, l.worker_id AS previous_worker_id,
                     t.cause AS parent_id, t.cause_status AS parent_status)
         SELECT * FROM changed`,
        [parentIds],
      );
      const cancelled = cancelledRows.map(toLeaderChange);
      await appendAudit(
        manager,
        cancelledRows.map((row, index) =>
          leaderChangeAudit('workload.cancelled', cancelled[index] as LeaderWorkloadChange, fence, {
            reason: DEPENDENCY_FAILED,
            parent_id: row.parent_id,
            parent_status: row.parent_status,
          }),
        ),
      );

      const counted: Array<{ id: string; customer_id: string; status: string; waiting_parents: number }> = await manager.query(
        `WITH children AS (
           SELECT DISTINCT d.workload_id AS id FROM workload_dependencies d
             JOIN workloads p ON p.id = d.parent_id
            WHERE d.parent_id = ANY($1::uuid[]) AND p.status = 'COMPLETED'
         ), counts AS (
           SELECT c.id, count(*)::int AS total, (count(*) FILTER (WHERE p.status <> 'COMPLETED'))::int AS left_count
             FROM children c JOIN workload_dependencies d ON d.workload_id = c.id JOIN workloads p ON p.id = d.parent_id
            GROUP BY c.id
         ), locked AS (
           SELECT w.id FROM workloads w JOIN counts n ON n.id = w.id
            WHERE w.status IN ${WAITING} AND w.waiting_parents > 0 AND w.waiting_parents <> n.left_count
            ORDER BY w.id FOR UPDATE OF w
         ), changed AS (
           UPDATE workloads w
              SET waiting_parents = n.left_count,
                  pending_reason = CASE WHEN n.left_count = 0 THEN NULL ELSE ${REASON_SQL('n.left_count', 'n.total')} END,
                  updated_at = CASE WHEN n.left_count = 0 THEN now() ELSE w.updated_at END
             FROM counts n, locked l
            WHERE w.id = n.id AND l.id = w.id AND w.status IN ${WAITING} AND w.waiting_parents > 0
           RETURNING w.id, w.customer_id, w.status, w.waiting_parents)
         SELECT * FROM changed`,
        [parentIds],
      );
      const released = counted
        .filter((row) => row.waiting_parents === 0 && row.status === 'PENDING')
        .map((row) => ({ id: row.id, customerId: row.customer_id }));
      return { released, cancelled };
    });
  }

  /**
   * Parents whose end has not been acted on yet: ended parents of dependents that still wait with a
   * count of parents left that is out of date, at most `limit`. After a leader failover (a parent
   * that ended while no leader ran) and when a wake-up was lost, {@link resolve} them. Walks only
   * the partial index of waiting dependents.
   */
  async findUnresolvedParents(limit: number): Promise<string[]> {
    const rows: Array<{ parent_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT d.parent_id
         FROM workloads c
         JOIN workload_dependencies d ON d.workload_id = c.id
         JOIN workloads p ON p.id = d.parent_id
        WHERE c.waiting_parents > 0 AND c.status IN ${WAITING}
          AND p.status IN ('COMPLETED', 'FAILED', 'CANCELLED')
          AND (p.status <> 'COMPLETED' OR c.waiting_parents <> (
                SELECT count(*) FROM workload_dependencies d2 JOIN workloads p2 ON p2.id = d2.parent_id
                 WHERE d2.workload_id = c.id AND p2.status <> 'COMPLETED'))
        LIMIT $1`,
      [Math.max(1, Math.floor(limit))],
    );
    return rows.map((row) => row.parent_id);
  }

  /** Ids of the parents of each of `workloadIds` (absent: no parents). */
  async parentIds(workloadIds: readonly string[]): Promise<Map<string, string[]>> {
    if (workloadIds.length === 0) return new Map();
    const rows: Array<{ workload_id: string; parent_ids: string[] }> = await this.dataSource.query(
      `SELECT workload_id, array_agg(parent_id ORDER BY parent_id) AS parent_ids
         FROM workload_dependencies WHERE workload_id = ANY($1::uuid[]) GROUP BY workload_id`,
      [workloadIds],
    );
    return new Map(rows.map((row) => [row.workload_id, row.parent_ids]));
  }

  /** {@link loadParentOutputs}. */
  parentOutputs(workloadId: string): Promise<Record<string, JsonValue>> {
    return loadParentOutputs(this.dataSource, workloadId);
  }

  /**
   * The customer's workloads that depend on `parentId`, newest first, `limit` per page, after the
   * position `after` (keyset on `created_at`, `id`). Null when the parent is not the customer's.
   */
  async dependents(
    customerId: string,
    parentId: string,
    limit: number,
    after: { createdAt: string; id: string } | null,
  ): Promise<DependentsPage | null> {
    const owned: unknown[] = await this.dataSource.query(`SELECT 1 FROM workloads WHERE id = $1 AND customer_id = $2`, [
      parentId,
      customerId,
    ]);
    if (owned.length === 0) return null;
    const rows: Array<WorkloadRow & { position_created_at: string }> = await this.dataSource.query(
      `SELECT ${workloadColumns('w')},
              to_char(w.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_created_at
         FROM workload_dependencies d JOIN workloads w ON w.id = d.workload_id
        WHERE d.parent_id = $1 AND w.customer_id = $2
          AND ($3::timestamptz IS NULL OR (w.created_at, w.id) < ($3::timestamptz, $4::uuid))
        ORDER BY w.created_at DESC, w.id DESC
        LIMIT $5`,
      [parentId, customerId, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toWorkload),
      last: last ? { createdAt: last.position_created_at, id: last.id } : null,
      more: rows.length > limit,
    };
  }
}
