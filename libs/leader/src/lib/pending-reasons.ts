import type { PendingEntry, PendingQueue, PlacementRequest } from '@niyanta/scheduling';

/** What {@link PendingReasons} needs of a queued workload's payload. */
export interface ReasonCarrier extends PlacementRequest {
  /** The reason stored on the row, so it is written only when it changes. */
  pendingReason: string | null;
}

/** The `pending_reason` of a customer's queued workloads while it is at its tier's running limit. */
export function concurrencyLimitReason(maxRunning: number): string {
  return `customer at concurrency limit ${maxRunning}`;
}

interface ClassFinding {
  /** A representative request of the class (all its workloads need the same kind of worker). */
  request: PlacementRequest;
  /** What the scheduler last found: a reason, or null when the class was placeable. */
  reason: string | null;
}

/**
 * Keeps `pending_reason` in step with why each queued workload waits (SPEC §5), for the three kinds
 * of wait: nothing could ever take it (`no live worker has gpu=a100`), its customer is at its tier's
 * running limit (`customer at concurrency limit 10`, which wins), or every worker that would take it
 * is full (`all 12 fitting workers are full`). A workload that is about to be placed shows none.
 *
 * Findings are kept per placement class and per customer. A row is written only when the reason it
 * shows differs from the finding, in bounded batches: a change of a class's or customer's finding
 * makes one scan of the queue; a workload joining the queue is checked on its own. At steady
 * saturation the findings do not change, so nothing is rewritten; the cost is one write per workload
 * that starts waiting, batched with the others of the pass.
 */
export class PendingReasons {
  private readonly classes = new Map<string, ClassFinding>();
  private readonly dirtyGroups = new Set<string>();
  private readonly capped = new Map<string, string>();
  /** Capped state as last collected, so a customer flapping at its limit costs no scan per pass. */
  private readonly collectedCapped = new Map<string, string>();
  private readonly dirtyCustomers = new Set<string>();
  private readonly dirtyEntries = new Set<string>();
  private saturatedFleetVersion = -1;

  /** The scheduler's finding for class `group`: a reason, or null when it is placeable. */
  observe(group: string, request: PlacementRequest, reason: string | null): void {
    const finding = this.classes.get(group);
    if (finding && finding.reason === reason) return;
    this.classes.set(group, { request: finding?.request ?? request, reason });
    this.dirtyGroups.add(group);
  }

  /** The scheduler's finding for a customer: the limit reason while capped, null once it may run more. */
  observeCustomer(customerId: string, reason: string | null): void {
    if ((this.capped.get(customerId) ?? null) === reason) return;
    if (reason === null) this.capped.delete(customerId);
    else this.capped.set(customerId, reason);
    this.dirtyCustomers.add(customerId);
  }

  /**
   * The pass ran out of free slots: every class last found placeable now waits for a slot. Classes
   * with a reason keep it unless the fleet changed since the last such pass (`fleetVersion`), so a
   * saturated fleet costs no work per pass. `reasonOf` words the wait for a class (`all N fitting
   * workers are full`, or why none ever fits).
   */
  saturated(skip: ReadonlySet<string>, reasonOf: (request: PlacementRequest, group: string) => string, fleetVersion: number): void {
    const fleetChanged = fleetVersion !== this.saturatedFleetVersion;
    this.saturatedFleetVersion = fleetVersion;
    for (const [group, finding] of this.classes) {
      if ((fleetChanged || finding.reason === null) && !skip.has(group)) {
        this.observe(group, finding.request, reasonOf(finding.request, group));
      }
    }
  }

  /** A workload joined the queue (or was re-read): registers its class and checks its row. */
  enqueued(entry: PendingEntry<ReasonCarrier>): void {
    const group = entry.group ?? entry.workloadType;
    if (!this.classes.has(group)) this.classes.set(group, { request: requestOf(entry.payload), reason: null });
    if (this.reasonFor(entry) !== entry.payload.pendingReason) this.dirtyEntries.add(entry.id);
  }

  /** True when {@link collect} has work to do. */
  get pending(): boolean {
    return this.dirtyGroups.size > 0 || this.dirtyCustomers.size > 0 || this.dirtyEntries.size > 0;
  }

  /**
   * The reason changes to write, at most `limit` (what is not finished stays due), applied to the
   * entries' payloads as if written.
   */
  collect<T extends ReasonCarrier>(queue: PendingQueue<T>, limit: number): Array<{ id: string; reason: string | null }> {
    for (const customerId of this.dirtyCustomers) {
      if (this.capped.get(customerId) === this.collectedCapped.get(customerId)) this.dirtyCustomers.delete(customerId);
    }
    const changes: Array<{ id: string; reason: string | null }> = [];
    const write = (entry: PendingEntry<T>): boolean => {
      const reason = this.reasonFor(entry);
      if (entry.payload.pendingReason === reason) return true;
      if (changes.length >= limit) return false;
      entry.payload.pendingReason = reason;
      changes.push({ id: entry.id, reason });
      return true;
    };
    if (this.dirtyGroups.size > 0 || this.dirtyCustomers.size > 0) {
      let complete = true;
      for (const entry of queue.values()) {
        const group = entry.group ?? entry.workloadType;
        if (!this.dirtyGroups.has(group) && !this.dirtyCustomers.has(entry.customerId)) continue;
        if (!write(entry)) {
          complete = false;
          break;
        }
      }
      if (!complete) return changes;
      this.dirtyGroups.clear();
      for (const customerId of this.dirtyCustomers) {
        const state = this.capped.get(customerId);
        if (state === undefined) this.collectedCapped.delete(customerId);
        else this.collectedCapped.set(customerId, state);
      }
      this.dirtyCustomers.clear();
    }
    for (const id of this.dirtyEntries) {
      const entry = queue.get(id);
      if (entry && !write(entry)) break;
      this.dirtyEntries.delete(id);
    }
    return changes;
  }

  /** Forgets classes and customers with no queued workload, so a long term does not pile them up. */
  prune<T>(queue: PendingQueue<T>): void {
    const groups = new Set<string>();
    const customers = new Set<string>();
    for (const entry of queue.values()) {
      groups.add(entry.group ?? entry.workloadType);
      customers.add(entry.customerId);
    }
    for (const group of this.classes.keys()) {
      if (!groups.has(group)) {
        this.classes.delete(group);
        this.dirtyGroups.delete(group);
      }
    }
    for (const map of [this.capped, this.collectedCapped]) {
      for (const customerId of map.keys()) if (!customers.has(customerId)) map.delete(customerId);
    }
    for (const customerId of this.dirtyCustomers) if (!customers.has(customerId)) this.dirtyCustomers.delete(customerId);
    for (const id of this.dirtyEntries) if (!queue.has(id)) this.dirtyEntries.delete(id);
  }

  /** Classes with a recorded finding. */
  get size(): number {
    return this.classes.size;
  }

  clear(): void {
    this.classes.clear();
    this.dirtyGroups.clear();
    this.capped.clear();
    this.collectedCapped.clear();
    this.dirtyCustomers.clear();
    this.dirtyEntries.clear();
  }

  private reasonFor(entry: PendingEntry<ReasonCarrier>): string | null {
    return this.capped.get(entry.customerId) ?? this.classes.get(entry.group ?? entry.workloadType)?.reason ?? null;
  }
}

function requestOf(payload: PlacementRequest): PlacementRequest {
  return { workloadType: payload.workloadType, affinity: payload.affinity, region: payload.region };
}
