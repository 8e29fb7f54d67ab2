import type { TierDefinition } from '@niyanta/models';
import { concurrencyLimitReason } from './pending-reasons';

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
  /** Slots of the live fleet (accepting workers), which a tier's `maxFleetShare` is a share of. */
  private fleetSlots = Infinity;

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

  /** The live fleet's slots, as of the current pass (see {@link limit}). */
  setFleetSlots(slots: number): void {
    this.fleetSlots = Math.max(0, slots);
  }

  /**
   * How many active workloads a customer of `tier` may have now: the tier's `maxRunning`, and no
   * more than its `maxFleetShare` of the live fleet's slots (at least one), so on a small fleet one
   * customer cannot hold every slot while others wait behind its long runs.
   */
  limit(tier: string | null): number {
    const definition = this.tier(tier);
    const share = definition.maxFleetShare;
    if (share >= 1 || !Number.isFinite(this.fleetSlots)) return definition.maxRunning;
    return Math.min(definition.maxRunning, Math.max(1, Math.floor(this.fleetSlots * share)));
  }

  /** Why a customer at its {@link limit} waits, in words for `pending_reason`. */
  limitReason(tier: string | null): string {
    const definition = this.tier(tier);
    const limit = this.limit(tier);
    return limit < definition.maxRunning
      ? `customer at its fleet share: ${limit} of ${this.fleetSlots} slots`
      : concurrencyLimitReason(definition.maxRunning);
  }

  /** True when the customer may not get another active workload now. */
  atLimit(customerId: string, tier: string | null): boolean {
    return this.activeCount(customerId) >= this.limit(tier);
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
