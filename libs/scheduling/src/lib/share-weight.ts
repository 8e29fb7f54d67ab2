import type { TierDefinition } from '@niyanta/models';

/** Scheduling weight worth one more unit of fair share (see {@link tierShareWeight}). */
export const SCHEDULING_WEIGHT_PER_SHARE = 50;

/**
 * A tier's share of the fleet under contention, relative to other tiers: `1 + schedulingWeight / 50`
 * (free 1, standard 2, premium 3, enterprise 5 with the default tiers). The tier's weight thus acts
 * twice, as the spec asks: added to the effective priority (a bounded lead) and as the rate at which
 * its customers are served once all are waiting. Never below 1, so a weight-0 tier still gets a share.
 */
export function tierShareWeight(tier: Pick<TierDefinition, 'schedulingWeight'>): number {
  const weight = Number.isFinite(tier.schedulingWeight) ? Math.max(0, tier.schedulingWeight) : 0;
  return 1 + weight / SCHEDULING_WEIGHT_PER_SHARE;
}
