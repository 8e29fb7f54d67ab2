/** The `pending_reason` of workloads held back because their type is at its concurrency cap. */
export function typeLimitReason(workloadType: string, maxConcurrent: number): string {
  return `workload type "${workloadType}" at its concurrency limit ${maxConcurrent}`;
}

/**
 * Per-type caps on workloads occupying slots across the fleet (`workload_configs.max_concurrent`).
 * Like the customer quota: caps and counts are loaded from the database, raised locally as the
 * scheduler places work, and a capped type is refreshed when slots free.
 */
export class TypeQuota {
  private limits = new Map<string, number>();
  private readonly active = new Map<string, number>();

  /** Replaces the caps (types absent have none). */
  setLimits(limits: ReadonlyMap<string, number>): void {
    this.limits = new Map(limits);
  }

  /** The types that have a cap. */
  cappedTypes(): string[] {
    return [...this.limits.keys()];
  }

  /** Replaces the active counts of `types` (absent from `counts`: none active). */
  refresh(types: Iterable<string>, counts: ReadonlyMap<string, number>): void {
    for (const type of types) {
      const count = counts.get(type) ?? 0;
      if (count > 0) this.active.set(type, count);
      else this.active.delete(type);
    }
  }

  /** The type's cap when it has been reached, else null (no cap, or room left). */
  reached(workloadType: string): number | null {
    const limit = this.limits.get(workloadType);
    if (limit === undefined) return null;
    return (this.active.get(workloadType) ?? 0) >= limit ? limit : null;
  }

  /** Counts one more active workload of the type (only capped types are counted). */
  take(workloadType: string): void {
    if (this.limits.has(workloadType)) this.active.set(workloadType, (this.active.get(workloadType) ?? 0) + 1);
  }

  /** Undoes {@link take}. */
  release(workloadType: string): void {
    const count = (this.active.get(workloadType) ?? 0) - 1;
    if (count > 0) this.active.set(workloadType, count);
    else this.active.delete(workloadType);
  }
}
