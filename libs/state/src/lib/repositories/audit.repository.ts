import { Injectable } from '@nestjs/common';
import type { JsonValue } from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';

/** Who caused an audited action. */
export type AuditActorKind = 'customer' | 'admin' | 'worker' | 'coordinator' | 'system';

/**
 * One audit event to record. `before`/`after` of workload changes hold `{status, attempt, worker_id}`.
 * Values must be JSON-serialisable; `undefined` is stored as SQL NULL.
 */
export interface AuditEventInput {
  /** Dotted verb, e.g. `workload.submitted`, `auth.failed`. */
  action: string;
  actorType: AuditActorKind;
  /** Customer id, worker id, leader id; null when unknown (a failed authentication). */
  actorId: string | null;
  keyId?: string | null;
  customerId?: string | null;
  workloadId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  details?: unknown;
  /**
   * A writer-assigned UUID for an event that may be written more than once (replayed from an outbox
   * after a crash): a second insert with the same id is ignored. Absent for events written in the
   * transaction of their change.
   */
  eventId?: string | null;
  /** When it happened, if earlier than the insert (a replayed event). @default the insert's time */
  occurredAt?: Date | null;
}

/** Who performs a change, as the repositories that audit it take it. */
export interface AuditActor {
  actorType: AuditActorKind;
  actorId: string | null;
  /** The API key used, when the actor is a customer. */
  keyId?: string | null;
  /** The request (or flow) that caused the change. */
  requestId?: string | null;
}

/** A recorded audit event as read back (camelCase domain shape). */
export interface AuditEvent {
  /** bigserial as a string (exact beyond 2^53). */
  id: string;
  occurredAt: Date;
  action: string;
  actorType: string;
  actorId: string | null;
  keyId: string | null;
  customerId: string | null;
  workloadId: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  requestId: string | null;
  details: JsonValue | null;
}

const COLUMNS = 12;
// PostgreSQL accepts at most 65535 bind parameters per statement.
const ROWS_PER_STATEMENT = Math.floor(65535 / COLUMNS);

function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Inserts `events` with `manager`, so that they commit or roll back with the change they describe
 * (pass the transaction's manager). Multi-row inserts keep a 1,000-item batch to one round trip.
 * An event whose `eventId` is already recorded is skipped, so replays are idempotent.
 */
export async function appendAudit(manager: EntityManager, events: AuditEventInput[]): Promise<void> {
  for (let start = 0; start < events.length; start += ROWS_PER_STATEMENT) {
    const chunk = events.slice(start, start + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const rows = chunk.map((event) => {
      const base = params.length;
      // JSON is stringified here: node-postgres would turn a JS array into a PostgreSQL array literal.
      params.push(
        event.customerId ?? null,
        event.workloadId ?? null,
        event.actorType,
        event.actorId,
        event.keyId ?? null,
        event.action,
        jsonParam(event.before),
        jsonParam(event.after),
        event.requestId ?? null,
        jsonParam(event.details),
        event.eventId ?? null,
        event.occurredAt ?? null,
      );
      const p = (i: number) => `$${base + i}`;
      return `(${p(1)}::uuid, ${p(2)}::uuid, ${p(3)}, ${p(4)}, ${p(5)}::uuid, ${p(6)}, ${p(7)}::jsonb, ${p(8)}::jsonb, ${p(9)}, ${p(10)}::jsonb, ${p(11)}::uuid, COALESCE(${p(12)}::timestamptz, now()))`;
    });
    await manager.query(
      `INSERT INTO audit_events
         (customer_id, workload_id, actor_type, actor_id, key_id, action, before, after, request_id, details,
          event_id, occurred_at)
       VALUES ${rows.join(', ')}
       ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING`,
      params,
    );
  }
}

/** An `audit_events` row as node-postgres returns it. */
export interface AuditRow {
  id: string;
  occurred_at: Date;
  action: string;
  actor_type: string;
  actor_id: string | null;
  key_id: string | null;
  customer_id: string | null;
  workload_id: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  request_id: string | null;
  details: JsonValue | null;
}

/** Maps a raw row to the domain {@link AuditEvent}. */
export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: String(row.id),
    occurredAt: row.occurred_at,
    action: row.action,
    actorType: row.actor_type,
    actorId: row.actor_id,
    keyId: row.key_id,
    customerId: row.customer_id,
    workloadId: row.workload_id,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    details: row.details,
  };
}

/** Appends and reads audit events outside another transaction. */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records events in a transaction of their own (for events that go with no state change, e.g. `auth.failed`). */
  async append(events: AuditEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await appendAudit(this.dataSource.manager, events);
  }

  /** The trail of one workload, oldest first. */
  async listForWorkload(workloadId: string, limit = 1000): Promise<AuditEvent[]> {
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT id, occurred_at, action, actor_type, actor_id, key_id, customer_id, workload_id,
              before, after, request_id, details
         FROM audit_events WHERE workload_id = $1 ORDER BY id ASC LIMIT $2`,
      [workloadId, limit],
    );
    return rows.map(toAuditEvent);
  }
}
