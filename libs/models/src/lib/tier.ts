/** Customer tiers (SPEC §4). The set is configurable; these are the defaults. */
export const DEFAULT_TIER_NAMES = ['free', 'standard', 'premium', 'enterprise'] as const;
export type TierName = string;

/** What a tier grants a customer. */
export interface TierDefinition {
  name: TierName;
  /** Sustained requests per second (token bucket refill). */
  requestsPerSecond: number;
  /** Bucket size. */
  burst: number;
  /** Concurrently running workloads. */
  maxRunning: number;
  /** Added to effective priority when scheduling. */
  schedulingWeight: number;
  /** Highest priority a submission may ask for. */
  maxPriority: number;
  /**
   * Workloads one customer may have waiting (PENDING or PAUSED) at once; a submission beyond it is
   * refused with 429 `quota_exceeded`, so one customer's flood cannot fill the queue.
   */
  maxPending: number;
  /**
   * Largest share (0–1] of the fleet's live slots one customer may hold at once, on top of
   * `maxRunning`: on a small fleet a tier's running limit cannot take every slot from the others.
   * At least one slot is always allowed.
   */
  maxFleetShare: number;
  /** Cron schedules one customer may keep (SPEC §8); creating one more is 429 `quota_exceeded`. */
  maxSchedules: number;
}

/** `maxPending`, `maxFleetShare` and `maxSchedules` of a tier defined without them (the column defaults too). */
export const TIER_LIMIT_DEFAULTS = Object.freeze({ maxPending: 100_000, maxFleetShare: 1, maxSchedules: 100 });

export const DEFAULT_TIERS: Readonly<Record<string, TierDefinition>> = Object.freeze({
  free: { name: 'free', requestsPerSecond: 10, burst: 20, maxRunning: 10, schedulingWeight: 0, maxPriority: 500, maxPending: 10_000, maxFleetShare: 0.5, maxSchedules: 10 },
  standard: { name: 'standard', requestsPerSecond: 100, burst: 200, maxRunning: 100, schedulingWeight: 50, maxPriority: 800, maxPending: 100_000, maxFleetShare: 0.75, maxSchedules: 100 },
  premium: { name: 'premium', requestsPerSecond: 1000, burst: 2000, maxRunning: 1000, schedulingWeight: 100, maxPriority: 1000, maxPending: 1_000_000, maxFleetShare: 1, maxSchedules: 1_000 },
  enterprise: { name: 'enterprise', requestsPerSecond: 5000, burst: 10000, maxRunning: 10000, schedulingWeight: 200, maxPriority: 1000, maxPending: 10_000_000, maxFleetShare: 1, maxSchedules: 10_000 },
});
