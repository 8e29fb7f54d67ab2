import { Injectable } from '@nestjs/common';
import type { Customer, CustomerState } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { appendAudit, type AuditActor, type AuditEventInput } from './audit.repository';

/** A `customers` row as node-postgres returns it for {@link CUSTOMER_COLUMNS}. */
export interface CustomerRow {
  id: string;
  name: string;
  tier: string;
  status: CustomerState;
  created_at: Date;
  updated_at: Date;
}

/** The columns {@link toCustomer} reads. */
export const CUSTOMER_COLUMNS = 'id, name, tier, status, created_at, updated_at';

/** Maps a raw row to the domain {@link Customer}. */
export function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    name: row.name,
    tier: row.tier,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Creates and reads customers (tenants). */
@Injectable()
export class CustomerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts an active customer and its `customer.created` audit event in one transaction. */
  async create(input: { name: string; tier: string }, actor: AuditActor): Promise<Customer> {
    return this.dataSource.transaction(async (manager) => {
      const rows: CustomerRow[] = await manager.query(
        `INSERT INTO customers (name, tier) VALUES ($1, $2) RETURNING ${CUSTOMER_COLUMNS}`,
        [input.name, input.tier],
      );
      const customer = toCustomer(rows[0] as CustomerRow);
      await appendAudit(manager, [
        {
          action: 'customer.created',
          ...actor,
          customerId: customer.id,
          after: { name: customer.name, tier: customer.tier, status: customer.status },
        },
      ]);
      return customer;
    });
  }

  /**
   * The oldest customer named `name`, created (with its audit event) when there is none. An
   * advisory lock on the name keeps two concurrent callers from creating it twice.
   */
  async findOrCreateByName(name: string, tier: string, actor: AuditActor): Promise<{ customer: Customer; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`niyanta.customer.${name}`]);
      const existing: CustomerRow[] = await manager.query(
        `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE name = $1 ORDER BY created_at, id LIMIT 1`,
        [name],
      );
      const found = existing[0];
      if (found) return { customer: toCustomer(found), created: false };
      const rows: CustomerRow[] = await manager.query(
        `INSERT INTO customers (name, tier) VALUES ($1, $2) RETURNING ${CUSTOMER_COLUMNS}`,
        [name, tier],
      );
      const customer = toCustomer(rows[0] as CustomerRow);
      await appendAudit(manager, [
        { action: 'customer.created', ...actor, customerId: customer.id, after: { name, tier, status: customer.status } },
      ]);
      return { customer, created: true };
    });
  }

  /**
   * One page of customers, oldest first, after the customer with id `afterId` (keyset on
   * `(created_at, id)`); `next` is the last id of the page when more may follow.
   */
  async listPage(options: { afterId?: string; limit: number }): Promise<{ items: Customer[]; next: string | null }> {
    const limit = Math.max(1, Math.floor(options.limit));
    const rows: CustomerRow[] =
      options.afterId === undefined
        ? await this.dataSource.query(`SELECT ${CUSTOMER_COLUMNS} FROM customers ORDER BY created_at, id LIMIT $1`, [limit + 1])
        : await this.dataSource.query(
            `SELECT ${CUSTOMER_COLUMNS} FROM customers
              WHERE (created_at, id) > (SELECT created_at, id FROM customers WHERE id = $1)
              ORDER BY created_at, id LIMIT $2`,
            [options.afterId, limit + 1],
          );
    const items = rows.slice(0, limit).map(toCustomer);
    return { items, next: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  /**
   * Changes the customer's tier and/or status, with one audit event per change (`customer.tier_changed`,
   * `customer.suspended`, `customer.unsuspended`) in the same transaction. Null when the customer does
   * not exist; a change to the current value records nothing.
   */
  async update(
    id: string,
    changes: { tier?: string; status?: CustomerState },
    actor: AuditActor,
  ): Promise<{ before: Customer; after: Customer } | null> {
    return this.dataSource.transaction(async (manager) => {
      const current: CustomerRow[] = await manager.query(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = $1 FOR UPDATE`, [id]);
      const row = current[0];
      if (!row) return null;
      const before = toCustomer(row);
      const tier = changes.tier ?? before.tier;
      const status = changes.status ?? before.status;
      if (tier === before.tier && status === before.status) return { before, after: before };
      const updated: CustomerRow[] = await manager.query(
        `WITH u AS (UPDATE customers SET tier = $2, status = $3, updated_at = now() WHERE id = $1 RETURNING ${CUSTOMER_COLUMNS})
         SELECT * FROM u`,
        [id, tier, status],
      );
      const after = toCustomer(updated[0] as CustomerRow);
      const events: AuditEventInput[] = [];
      if (tier !== before.tier) {
        events.push({ action: 'customer.tier_changed', ...actor, customerId: id, before: { tier: before.tier }, after: { tier } });
      }
      if (status !== before.status) {
        events.push({
          action: status === 'suspended' ? 'customer.suspended' : 'customer.unsuspended',
          ...actor,
          customerId: id,
          before: { status: before.status },
          after: { status },
        });
      }
      await appendAudit(manager, events);
      return { before, after };
    });
  }

  /** Every customer, oldest first. */
  async list(): Promise<Customer[]> {
    const rows: CustomerRow[] = await this.dataSource.query(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers ORDER BY created_at, id`,
    );
    return rows.map(toCustomer);
  }

  async findById(id: string): Promise<Customer | null> {
    const rows: CustomerRow[] = await this.dataSource.query(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = $1`, [
      id,
    ]);
    const row = rows[0];
    return row ? toCustomer(row) : null;
  }
}
