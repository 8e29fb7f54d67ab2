import type { TierDefinition } from '@niyanta/models';

/**
 * Tier limits for the scheduler (SPEC §4): each customer's tier gives a scheduling weight and a
 * maximum of concurrently active workloads (SCHEDULED, RUNNING or PAUSING). Active counts are
 * loaded from the database and raised locally as the scheduler places work; a customer at its limit
 * is passed over until a refresh shows a slot freed.
 */
export class CustomerQuota {
  private readonly active = new Map<string, number>();
  private readonly configured: Readonly<Record<string, TierDefinition>>;

  private tiers: Readonly<Record<string, TierDefinition>>;

  constructor(
    tiers: Readonly<Record<string, TierDefinition>>,
    private readonly fallbackTier: string,
  ) {
    if (tiers[fallbackTier] === undefined) {
      throw new RangeError(`fallback tier "${fallbackTier}" is not one of the tiers (${Object.keys(tiers).join(', ')})`);
    }
    this.tiers = tiers;
    this.configured = tiers;
  }

  /**
   * Applies tier definitions read from the database over the configured ones (a tier defined in
   * both takes the database's values), so an operator's change reaches the scheduler at its next
   * sweep. Weights of workloads already queued stay as they were computed.
   */
  setTiers(stored: Readonly<Record<string, TierDefinition>>): void {
    this.tiers = { ...this.configured, ...stored };
  }

  /** True when `tier` is null or defined (configured or read from the database). */
  knows(tier: string | null): boolean {
    return tier === null || this.tiers[tier] !== undefined;
  }

  /** The definition of `tier`, or of the fallback tier when `tier` is unknown or null. */
  tier(tier: string | null): TierDefinition {
    return (tier !== null ? this.tiers[tier] : undefined) ?? (this.tiers[this.fallbackTier] as TierDefinition);
  }

  /** Replaces every count (customers absent from `counts` have none active). */
  replaceAll(counts: ReadonlyMap<string, number>): void {
    this.active.clear();
    for (const [customerId, count] of counts) this.active.set(customerId, count);
  }

  /** Replaces the counts of `customerIds` (absent from `counts` means none active). */
  refresh(customerIds: Iterable<string>, counts: ReadonlyMap<string, number>): void {
    for (const customerId of customerIds) {
      const count = counts.get(customerId) ?? 0;
      if (count > 0) this.active.set(customerId, count);
      else this.active.delete(customerId);
    }
  }

  activeCount(customerId: string): number {
    return this.active.get(customerId) ?? 0;
  }

  /** True when the customer may not get another active workload now. */
  atLimit(customerId: string, tier: string | null): boolean {
    return this.activeCount(customerId) >= this.tier(tier).maxRunning;
  }

  /** Counts one more active workload of the customer. */
  take(customerId: string): void {
    this.active.set(customerId, this.activeCount(customerId) + 1);
  }

  /** Undoes {@link take}. */
  release(customerId: string): void {
    const count = this.activeCount(customerId) - 1;
    if (count > 0) this.active.set(customerId, count);
    else this.active.delete(customerId);
  }
}
