import {
  leaseRenewalFits,
  nonNegativeInteger,
  nonNegativeNumber,
  parseOptions,
  positiveInteger,
  positiveNumber,
} from '@niyanta/config';
import { DEFAULT_TIERS, type TierDefinition } from '@niyanta/models';
import { z } from 'zod';

/** Options of `LeaderModule.forRoot` (the app parses them from its configuration). */
export interface LeaderOptions {
  /** This replica's identity in the lease; unique per process. */
  leaderId: string;
  /** A worker whose last heartbeat is older than this is DEAD and its workloads are reassigned. */
  workerTimeoutMs: number;
  /** How long a lease lasts without renewal; bounds failover after a crash. */
  leaseTtlMs: number;
  /** How often the leader renews its lease (and a standby tries to take it). Well below `leaseTtlMs`. */
  leaseRenewIntervalMs: number;
  /** Period of the scheduler's reconciling sweep (messages may be lost; the database is the truth). */
  sweepIntervalMs: number;
  /** A workload still SCHEDULED this long after its assignment is re-sent, then reclaimed. */
  assignmentAckTimeoutMs: number;
  /** First delay before retrying a leader duty that failed on a database or broker error. */
  retryBaseDelayMs: number;
  /** Largest such delay (exponential backoff with jitter in between). */
  retryMaxDelayMs: number;
  /**
   * How many times an unacknowledged assignment is re-sent before it is reclaimed.
   * @default 2
   */
  assignmentResends?: number;
  /**
   * Heartbeats of a live worker that must leave out an attempt the database has RUNNING on it
   * before the leader takes that attempt back (its outcome was lost).
   * @default 3
   */
  orphanAfterHeartbeats?: number;
  /**
   * Period of the health monitor.
   * @default workerTimeoutMs / 5, between 100 ms and 1 s
   */
  healthCheckIntervalMs?: number;
  /**
   * Most PENDING workloads the scheduler keeps in memory (loaded in queue order); the rest wait
   * in the database until the queue drains.
   * @default 100000
   */
  maxQueuedWorkloads?: number;
  /**
   * Most of one customer's workloads the scheduler holds in memory; the rest of its backlog stays
   * PENDING in the database and is read as the held ones are placed. With the eviction rule of a full
   * queue, one customer's flood cannot keep another's workloads out (SPEC §5).
   * @default 10000
   */
  maxQueuedPerCustomer?: number;
  /**
   * Most workloads one scheduling pass places (one transaction); a full pass is followed by another.
   * @default 1000
   */
  maxPlacementsPerPass?: number;
  /**
   * Customer tiers: scheduling weight and running limit per tier name.
   * @default DEFAULT_TIERS
   */
  tiers?: Readonly<Record<string, TierDefinition>>;
  /**
   * Tier of customers whose tier is unknown to `tiers`.
   * @default 'free'
   */
  fallbackTier?: string;
  /**
   * Priority points a pending workload gains per minute of waiting.
   * @default 10
   */
  agingPerMinute?: number;
  /**
   * Priority points one placement costs a customer of share weight 1 (`tierShareWeight`: free 1 …
   * enterprise 5): how far a priority or tier lead carries before customers share the fleet by
   * weight. 0: no fair sharing (least recently served first among equals).
   * @default 100
   */
  shareCost?: number;
  /**
   * Audit events older than this are deleted by the leader (`AUDIT_RETENTION`).
   * @default 30 days
   */
  auditRetentionMs?: number;
  /**
   * How often the leader looks for audit events past retention.
   * @default 10 minutes
   */
  auditRetentionIntervalMs?: number;
  /**
   * Most audit events deleted per statement (batches follow each other until none is left).
   * @default 5000
   */
  auditRetentionBatchSize?: number;
  /**
   * How often the leader refreshes the per-customer running-workloads gauge.
   * @default 15 seconds
   */
  tenantMetricsIntervalMs?: number;
  /**
   * Customers named in that gauge; the others are summed per tier as `other`.
   * @default 10
   */
  tenantMetricsTopCustomers?: number;
}

/** {@link LeaderOptions} with every default filled in. */
export type ResolvedLeaderOptions = Required<LeaderOptions>;

/** Nest token of the {@link ResolvedLeaderOptions}. */
export const LEADER_OPTIONS = Symbol('LEADER_OPTIONS');

const OPTIONS_SCHEMA = z
  .object({
    leaderId: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
    workerTimeoutMs: positiveNumber(),
    leaseTtlMs: positiveNumber(),
    leaseRenewIntervalMs: positiveNumber(),
    sweepIntervalMs: positiveNumber(),
    assignmentAckTimeoutMs: positiveNumber(),
    retryBaseDelayMs: positiveNumber(),
    retryMaxDelayMs: positiveNumber(),
    assignmentResends: nonNegativeInteger().default(2),
    orphanAfterHeartbeats: positiveInteger().default(3),
    healthCheckIntervalMs: positiveNumber().optional(),
    maxQueuedWorkloads: positiveNumber().default(100_000),
    maxQueuedPerCustomer: positiveInteger().default(10_000),
    maxPlacementsPerPass: positiveNumber().default(1_000),
    shareCost: nonNegativeNumber().default(100),
    auditRetentionMs: positiveNumber().default(30 * 86_400_000),
    auditRetentionIntervalMs: positiveNumber().default(600_000),
    auditRetentionBatchSize: positiveNumber().default(5_000),
    tenantMetricsIntervalMs: positiveNumber().default(15_000),
  })
  .superRefine((o, ctx) => {
    if (!leaseRenewalFits(o.leaseTtlMs, o.leaseRenewIntervalMs)) {
      ctx.addIssue({ code: 'custom', path: ['leaseRenewIntervalMs'], message: `must be at most half of leaseTtlMs (${o.leaseTtlMs})` });
    }
    if (o.retryMaxDelayMs < o.retryBaseDelayMs) {
      ctx.addIssue({ code: 'custom', path: ['retryMaxDelayMs'], message: 'must be at least retryBaseDelayMs' });
    }
  });

/** Validates `options` and fills in defaults (see {@link leaseRenewalFits} for the lease rule). */
export function resolveLeaderOptions(options: LeaderOptions): ResolvedLeaderOptions {
  const checked = parseOptions(OPTIONS_SCHEMA, options, 'LeaderOptions');
  return {
    ...checked,
    healthCheckIntervalMs: checked.healthCheckIntervalMs ?? Math.min(1_000, Math.max(100, checked.workerTimeoutMs / 5)),
    // Not range-checked: any tier table, name or rate is usable.
    tiers: options.tiers ?? DEFAULT_TIERS,
    fallbackTier: options.fallbackTier ?? 'free',
    agingPerMinute: options.agingPerMinute ?? 10,
    tenantMetricsTopCustomers: Math.max(0, Math.floor(options.tenantMetricsTopCustomers ?? 10)),
  };
}
