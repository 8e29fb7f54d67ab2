import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAudit } from './audit.repository';

// UPDATEs below sit in a CTE whose SELECT returns the rows: TypeORM hands back `[rows, count]` for a
// bare UPDATE ... RETURNING on PostgreSQL, plain rows for a SELECT.

/** Name of the leader lease row in `coordinator_state`. */
export const LEADER_LEASE_NAME = 'leader';

/** What every leader write is fenced by: who leads and under which generation. */
export interface LeaderFence {
  leaderId: string;
  generation: number;
}

/** The leader lease as stored. */
export interface LeaderLease {
  holderId: string | null;
  generation: number;
  expiresAt: Date | null;
  /** True while the lease has not expired by the database clock. */
  held: boolean;
  /** Milliseconds until expiry by the database clock (0 when expired or never taken). */
  remainingMs: number;
}

/** A lease taken or renewed: the generation and when it lapses unless renewed. */
export interface LeaseGrant {
  generation: number;
  expiresAt: Date;
}

/**
 * A leader write found that its lease is gone (expired, released or taken over by a newer
 * generation). Nothing was written; the caller must stop acting as leader.
 */
export class LeaseLostError extends DomainError {
  constructor(readonly fence: LeaderFence) {
    super(ErrorCode.Conflict, `leader ${fence.leaderId} no longer holds the lease of generation ${fence.generation}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * SQL condition that is true only while `holderParam`/`generationParam` hold an unexpired lease
 * (by the database clock). Every leader UPDATE includes it so a deposed leader matches no row.
 * @param holderParam bind placeholder of the leader id, e.g. `$1`
 * @param generationParam bind placeholder of the generation, e.g. `$2`
 */
export function leaderFenceCondition(holderParam: string, generationParam: string): string {
  return `EXISTS (SELECT 1 FROM coordinator_state fence
                   WHERE fence.name = '${LEADER_LEASE_NAME}'
                     AND fence.holder_id = ${holderParam}
                     AND fence.generation = ${generationParam}::bigint
                     AND fence.lease_expires_at > now())`;
}

/**
 * Runs `work` in a transaction that first share-locks the lease row and checks it is still held
 * under `fence`. The share lock makes a takeover (which updates that row) wait until this
 * transaction ends, so every write of `work` lands before the next generation begins — stronger
 * than the per-statement fence alone, which cannot see a takeover that commits mid-transaction.
 * @throws LeaseLostError when the lease is not held under `fence` (nothing is written)
 */
export async function runFenced<T>(
  dataSource: DataSource,
  fence: LeaderFence,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM coordinator_state
        WHERE name = $1 AND holder_id = $2 AND generation = $3::bigint AND lease_expires_at > now()
        FOR SHARE`,
      [LEADER_LEASE_NAME, fence.leaderId, fence.generation],
    );
    if (rows.length === 0) {
      throw new LeaseLostError(fence);
    }
    return work(manager);
  });
}

interface LeaseRow {
  holder_id: string | null;
  generation: string | number;
  lease_expires_at: Date | null;
  held: boolean;
  remaining_ms: string | number;
}

/**
 * The leader lease in `coordinator_state`: take it when free or expired (a new generation), renew
 * it while held, release it on shutdown. Every comparison uses the database clock (`now()`), so
 * replicas with skewed clocks agree on who leads.
 */
@Injectable()
export class LeadershipRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes the lease for `leaderId` when nobody holds it or it has expired, incrementing the
   * generation, and records `leader.elected` in the same transaction. Concurrent callers are
   * serialised on the row: exactly one wins a free lease.
   * @returns the grant, or null when another holder's lease is still valid
   */
  async tryAcquire(leaderId: string, ttlMs: number): Promise<LeaseGrant | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ generation: string | number; lease_expires_at: Date; previous_holder: string | null }> =
        await manager.query(
          `WITH previous AS (SELECT holder_id FROM coordinator_state WHERE name = $1)
           INSERT INTO coordinator_state AS cs (name, holder_id, generation, lease_expires_at, updated_at)
           VALUES ($1, $2, 1, now() + make_interval(secs => $3::float8 / 1000), now())
           ON CONFLICT (name) DO UPDATE
              SET holder_id = EXCLUDED.holder_id,
                  generation = cs.generation + 1,
                  lease_expires_at = EXCLUDED.lease_expires_at,
                  updated_at = now()
            WHERE cs.lease_expires_at IS NULL OR cs.lease_expires_at <= now()
           RETURNING cs.generation, cs.lease_expires_at, (SELECT holder_id FROM previous) AS previous_holder`,
          [LEADER_LEASE_NAME, leaderId, ttlMs],
        );
      const row = rows[0];
      if (row === undefined) return null;
      const generation = Number(row.generation);
      await appendAudit(manager, [
        {
          action: 'leader.elected',
          actorType: 'coordinator',
          actorId: leaderId,
          details: { generation, previous_holder: row.previous_holder, lease_ttl_ms: ttlMs },
        },
      ]);
      return { generation, expiresAt: row.lease_expires_at };
    });
  }

  /**
   * Extends the lease by `ttlMs` from now, only while it is still held under `fence` and has not
   * lapsed.
   * @returns the new expiry, or null when the lease was lost (the caller must step down)
   */
  async renew(fence: LeaderFence, ttlMs: number): Promise<LeaseGrant | null> {
    const rows: Array<{ lease_expires_at: Date }> = await this.dataSource.query(
      `WITH renewed AS (
         UPDATE coordinator_state
            SET lease_expires_at = now() + make_interval(secs => $4::float8 / 1000), updated_at = now()
          WHERE name = $1 AND holder_id = $2 AND generation = $3::bigint AND lease_expires_at > now()
          RETURNING lease_expires_at)
       SELECT lease_expires_at FROM renewed`,
      [LEADER_LEASE_NAME, fence.leaderId, fence.generation, ttlMs],
    );
    const row = rows[0];
    return row === undefined ? null : { generation: fence.generation, expiresAt: row.lease_expires_at };
  }

  /**
   * Ends the lease now (if still held under `fence`) so a standby can take over without waiting
   * for it to expire.
   * @returns true when this call released it
   */
  async release(fence: LeaderFence): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH released AS (
         UPDATE coordinator_state SET lease_expires_at = now(), updated_at = now()
          WHERE name = $1 AND holder_id = $2 AND generation = $3::bigint AND lease_expires_at > now()
          RETURNING 1 AS released)
       SELECT released FROM released`,
      [LEADER_LEASE_NAME, fence.leaderId, fence.generation],
    );
    return rows.length > 0;
  }

  /** The lease as stored, or null before anyone took it. */
  async read(): Promise<LeaderLease | null> {
    const rows: LeaseRow[] = await this.dataSource.query(
      `SELECT holder_id, generation, lease_expires_at,
              COALESCE(lease_expires_at > now(), false) AS held,
              GREATEST(0, COALESCE(EXTRACT(EPOCH FROM (lease_expires_at - now())) * 1000, 0))::float8 AS remaining_ms
         FROM coordinator_state WHERE name = $1`,
      [LEADER_LEASE_NAME],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      holderId: row.holder_id,
      generation: Number(row.generation),
      expiresAt: row.lease_expires_at,
      held: row.held,
      remainingMs: Number(row.remaining_ms),
    };
  }
}
