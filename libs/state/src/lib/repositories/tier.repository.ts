import { Injectable } from '@nestjs/common';
import type { TierDefinition } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { appendAudit, type AuditActor } from './audit.repository';

/** A tier definition as stored, with its timestamps. */
export interface StoredTier extends TierDefinition {
  createdAt: Date;
  updatedAt: Date;
}

interface TierRow {
  name: string;
  requests_per_second: number;
  burst: number;
  max_running: number;
  scheduling_weight: number;
  max_priority: number;
  max_pending: number;
  max_fleet_share: number;
  max_schedules: number;
  created_at: Date;
  updated_at: Date;
}

const TIER_COLUMNS =
  'name, requests_per_second, burst, max_running, scheduling_weight, max_priority, max_pending, max_fleet_share, max_schedules, created_at, updated_at';

function toTier(row: TierRow): StoredTier {
  return {
    name: row.name,
    requestsPerSecond: Number(row.requests_per_second),
    burst: row.burst,
    maxRunning: row.max_running,
    schedulingWeight: row.scheduling_weight,
    maxPriority: row.max_priority,
    maxPending: row.max_pending,
    maxFleetShare: Number(row.max_fleet_share),
    maxSchedules: row.max_schedules,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function definitionOf(tier: TierDefinition): TierDefinition {
  return {
    name: tier.name,
    requestsPerSecond: tier.requestsPerSecond,
    burst: tier.burst,
    maxRunning: tier.maxRunning,
    schedulingWeight: tier.schedulingWeight,
    maxPriority: tier.maxPriority,
    maxPending: tier.maxPending,
    maxFleetShare: tier.maxFleetShare,
    maxSchedules: tier.maxSchedules,
  };
}

/** Reads and edits the tier definitions (`tiers`) that every API replica and the leader share. */
@Injectable()
export class TierRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every tier, by name. */
  async list(): Promise<StoredTier[]> {
    const rows: TierRow[] = await this.dataSource.query(`SELECT ${TIER_COLUMNS} FROM tiers ORDER BY name`);
    return rows.map(toTier);
  }

  /** Every tier keyed by name (the shape the scheduler's quota takes). */
  async loadMap(): Promise<Record<string, TierDefinition>> {
    const map: Record<string, TierDefinition> = {};
    for (const tier of await this.list()) map[tier.name] = definitionOf(tier);
    return map;
  }

  async find(name: string): Promise<StoredTier | null> {
    const rows: TierRow[] = await this.dataSource.query(`SELECT ${TIER_COLUMNS} FROM tiers WHERE name = $1`, [name]);
    const row = rows[0];
    return row ? toTier(row) : null;
  }

  /**
   * Creates or replaces the tier `tier.name`, with a `tier.updated` audit event holding the
   * definition before (null when new) and after, in one transaction.
   */
  async upsert(tier: TierDefinition, actor: AuditActor): Promise<{ tier: StoredTier; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const previous: TierRow[] = await manager.query(`SELECT ${TIER_COLUMNS} FROM tiers WHERE name = $1 FOR UPDATE`, [tier.name]);
      const rows: TierRow[] = await manager.query(
        `INSERT INTO tiers (name, requests_per_second, burst, max_running, scheduling_weight, max_priority, max_pending, max_fleet_share, max_schedules)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (name) DO UPDATE
           SET requests_per_second = EXCLUDED.requests_per_second, burst = EXCLUDED.burst,
               max_running = EXCLUDED.max_running, scheduling_weight = EXCLUDED.scheduling_weight,
               max_priority = EXCLUDED.max_priority, max_pending = EXCLUDED.max_pending,
               max_fleet_share = EXCLUDED.max_fleet_share, max_schedules = EXCLUDED.max_schedules, updated_at = now()
         RETURNING ${TIER_COLUMNS}`,
        [
          tier.name,
          tier.requestsPerSecond,
          tier.burst,
          tier.maxRunning,
          tier.schedulingWeight,
          tier.maxPriority,
          tier.maxPending,
          tier.maxFleetShare,
          tier.maxSchedules,
        ],
      );
      const stored = toTier(rows[0] as TierRow);
      const before = previous[0] ? definitionOf(toTier(previous[0])) : null;
      await appendAudit(manager, [{ action: 'tier.updated', ...actor, before, after: definitionOf(stored) }]);
      return { tier: stored, created: before === null };
    });
  }
}
