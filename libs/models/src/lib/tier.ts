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
}

export const DEFAULT_TIERS: Readonly<Record<string, TierDefinition>> = Object.freeze({
  free: { name: 'free', requestsPerSecond: 10, burst: 20, maxRunning: 10, schedulingWeight: 0, maxPriority: 500 },
  standard: { name: 'standard', requestsPerSecond: 100, burst: 200, maxRunning: 100, schedulingWeight: 50, maxPriority: 800 },
  premium: { name: 'premium', requestsPerSecond: 1000, burst: 2000, maxRunning: 1000, schedulingWeight: 100, maxPriority: 1000 },
  enterprise: { name: 'enterprise', requestsPerSecond: 5000, burst: 10000, maxRunning: 10000, schedulingWeight: 200, maxPriority: 1000 },
});
