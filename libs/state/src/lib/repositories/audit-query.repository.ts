import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toAuditEvent, type AuditEvent, type AuditRow } from './audit.repository';

/** Filters of {@link AuditQueryRepository.search}; absent fields do not filter. */
export interface AuditSearch {
  customerId?: string;
  actorType?: string;
  actorId?: string;
  action?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Continue with events older than this id (the previous page's last). */
  beforeId?: string;
  limit: number;
}

/** One page of audit events, newest first. */
export interface AuditPage {
  items: AuditEvent[];
  /** Id to continue before; null on the last page. */
  next: string | null;
}

const SELECT = `SELECT id, occurred_at, action, actor_type, actor_id, key_id, customer_id, workload_id,
                       before, after, request_id, details FROM audit_events`;

/** The operator's view of the audit trail, and its retention. */
@Injectable()
export class AuditQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Events matching every given filter, newest first (keyset on the bigserial id). */
  async search(filter: AuditSearch): Promise<AuditPage> {
    const limit = Math.max(1, Math.floor(filter.limit));
    const conditions: string[] = [];
    const params: unknown[] = [];
    // Every value is a bind parameter; only these fixed column names are spliced into the SQL.
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.customerId !== undefined) add('customer_id = ?::uuid', filter.customerId);
    if (filter.actorType !== undefined) add('actor_type = ?', filter.actorType);
    if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
    if (filter.to !== undefined) add('occurred_at < ?', filter.to);
    if (filter.beforeId !== undefined) add('id < ?::bigint', filter.beforeId);
    params.push(limit + 1);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows: AuditRow[] = await this.dataSource.query(`${SELECT} ${where} ORDER BY id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, limit).map(toAuditEvent);
    return { items, next: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  /**
   * Deletes at most `batchSize` events that occurred before `cutoff` (oldest first), so retention
   * never holds long locks or bloats one transaction. Call again while it returns `batchSize`.
   * @returns how many events were deleted
   */
  async deleteOlderThan(cutoff: Date, batchSize: number): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `WITH doomed AS (
         SELECT id FROM audit_events WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2),
       deleted AS (
         DELETE FROM audit_events a USING doomed WHERE a.id = doomed.id RETURNING 1)
       SELECT count(*)::int AS n FROM deleted`,
      [cutoff, Math.max(1, Math.floor(batchSize))],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
