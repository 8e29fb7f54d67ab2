import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ACTIVE_STATUS_SQL } from './status-sql';

/** Workloads one customer has occupying worker slots. */
export interface CustomerUsage {
  customerId: string;
  /** The customer's tier (null when the customer row is gone). */
  tier: string | null;
  /** SCHEDULED, RUNNING or PAUSING workloads. */
  running: number;
}

/** Per-customer usage for the tenant metrics (read-only). */
@Injectable()
export class TenantUsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Customers with at least one workload occupying a slot, most first. */
  async runningByCustomer(): Promise<CustomerUsage[]> {
    // The predicate matches the partial index of active workloads, so only those rows are read.
    const rows: Array<{ customer_id: string; tier: string | null; running: number }> = await this.dataSource.query(
      `SELECT w.customer_id, c.tier, count(*)::int AS running
         FROM workloads w LEFT JOIN customers c ON c.id = w.customer_id
        WHERE w.status IN (${ACTIVE_STATUS_SQL})
        GROUP BY w.customer_id, c.tier
        ORDER BY running DESC, w.customer_id`,
    );
    return rows.map((row) => ({ customerId: row.customer_id, tier: row.tier, running: Number(row.running) }));
  }
}
