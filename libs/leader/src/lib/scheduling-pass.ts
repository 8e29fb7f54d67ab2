import type { AffinityRules } from '@niyanta/models';
import { chooseWorker, isPlaced, type PendingEntry, type PendingQueue, type WorkerSlots } from '@niyanta/scheduling';
import type { PendingWorkload } from '@niyanta/state';
import type { ClusterView } from './cluster-view';
import type { CustomerQuota } from './customer-quota';

/** What the scheduler keeps per queued workload (the queue entry's payload). */
export interface QueuedWorkload {
  attempt: number;
  /** The customer's tier name as stored (null when unknown). */
  tier: string | null;
  workloadType: string;
  affinity: AffinityRules;
  region: string | null;
  /** The reason stored on the row, so it is written only when it changes. */
  pendingReason: string | null;
}

/** One entry of the leader's pending queue. */
export type QueueEntry = PendingEntry<QueuedWorkload>;

function canonical(record: Readonly<Record<string, string>>): string {
  return Object.keys(record)
    .sort()
    .map((key) => `${key}=${record[key]}`)
    .join(',');
}

/**
 * The placement class of a workload: workloads of one class need the same kind of worker, so when
 * one of them cannot be placed none of them can, and the queue passes over the class at once.
 */
export function placementGroup(workload: Pick<QueuedWorkload, 'workloadType' | 'affinity' | 'region'>): string {
  const { required, preferred, anti } = workload.affinity;
  return [workload.workloadType, canonical(required), canonical(preferred), canonical(anti), workload.region ?? ''].join('|');
}

/** The queue entry of a PENDING workload read from the database. */
export function toQueueEntry(workload: PendingWorkload, quota: CustomerQuota): QueueEntry {
  const payload: QueuedWorkload = {
    attempt: workload.attempt,
    tier: workload.customerTier,
    workloadType: workload.workloadType,
    affinity: workload.affinity,
    region: workload.region,
    pendingReason: workload.pendingReason,
  };
  return {
    id: workload.id,
    customerId: workload.customerId,
    tierWeight: quota.tier(workload.customerTier).schedulingWeight,
    priority: workload.priority,
    enqueuedAt: workload.createdAt.getTime(),
    notBefore: workload.notBefore?.getTime() ?? null,
    workloadType: workload.workloadType,
    group: placementGroup(payload),
    payload,
  };
}

/** The `pending_reason` of a customer's queued workloads while it is at its tier's running limit. */
export function concurrencyLimitReason(maxRunning: number): string {
  return `customer at concurrency limit ${maxRunning}`;
}

/**
 * Keeps `pending_reason` in step with what the scheduler found, per placement class. A class that no
 * live worker could take even with every slot free gets the refusal as its reason; a class that was
 * placed, or only waits for a free slot, gets none (capacity is transient: writing "full" on every
 * waiting row at saturation would double the write load for nothing). When a class's reason
 * changes, its queued workloads are due for it; rows already showing it are not written again.
 *
 * A customer at its tier's running limit is the other reason a workload waits: while the customer
 * is capped its workloads show {@link concurrencyLimitReason} (it wins over the class's finding).
 * Customers are due for a write only when their capped state differs from what was last collected,
 * so a customer that touches its limit on every freed slot does not cost a queue scan per pass.
 */
export class PendingReasons {
  private readonly byGroup = new Map<string, string | null>();
  private readonly dirty = new Set<string>();
  private readonly capped = new Map<string, string>();
  private readonly collectedCapped = new Map<string, string>();
  private readonly dirtyCustomers = new Set<string>();

  /** The scheduler's finding for `group`: a reason, or null when it is placeable. */
  observe(group: string, reason: string | null): void {
    if (this.byGroup.get(group) === reason && this.byGroup.has(group)) return;
    this.byGroup.set(group, reason);
    this.dirty.add(group);
  }

  /** The scheduler's finding for a customer: the limit reason while capped, null once it may run more. */
  observeCustomer(customerId: string, reason: string | null): void {
    if ((this.capped.get(customerId) ?? null) === reason) return;
    if (reason === null) this.capped.delete(customerId);
    else this.capped.set(customerId, reason);
    this.dirtyCustomers.add(customerId);
  }

  /** A workload joined the queue showing `reason`: due for a write if its class or customer says otherwise. */
  enqueued(group: string, reason: string | null, customerId?: string): void {
    const limit = customerId === undefined ? undefined : this.capped.get(customerId);
    if (limit !== undefined) {
      if (limit !== reason && customerId !== undefined) {
        // Forget what was collected so the next collect scans this customer's entries.
        this.collectedCapped.delete(customerId);
        this.dirtyCustomers.add(customerId);
      }
      return;
    }
    if (this.byGroup.has(group) && this.byGroup.get(group) !== reason) this.dirty.add(group);
  }

  /** True when {@link collect} has work to do. */
  get pending(): boolean {
    return this.dirty.size > 0 || this.dirtyCustomers.size > 0;
  }

  /**
   * The reason changes to write, at most `limit` (classes and customers not finished stay due),
   * applied to the entries' payloads as if written. One scan of the queue, only when something changed.
   */
  collect(queue: PendingQueue<QueuedWorkload>, limit: number): Array<{ id: string; reason: string | null }> {
    for (const customerId of this.dirtyCustomers) {
      const state = this.capped.get(customerId);
      if (state === this.collectedCapped.get(customerId)) this.dirtyCustomers.delete(customerId);
    }
    if (this.dirty.size === 0 && this.dirtyCustomers.size === 0) return [];
    const changes: Array<{ id: string; reason: string | null }> = [];
    let complete = true;
    for (const entry of queue.values()) {
      const group = entry.group ?? entry.workloadType;
      if (!this.dirty.has(group) && !this.dirtyCustomers.has(entry.customerId)) continue;
      const reason = this.capped.get(entry.customerId) ?? this.byGroup.get(group) ?? null;
      if (entry.payload.pendingReason === reason) continue;
      if (changes.length >= limit) {
        complete = false;
        break;
      }
      entry.payload.pendingReason = reason;
      changes.push({ id: entry.id, reason });
    }
    if (complete) {
      this.dirty.clear();
      for (const customerId of this.dirtyCustomers) {
        const state = this.capped.get(customerId);
        if (state === undefined) this.collectedCapped.delete(customerId);
        else this.collectedCapped.set(customerId, state);
      }
      this.dirtyCustomers.clear();
    }
    return changes;
  }

  /** Forgets classes and customers with no queued workload, so a long term does not pile them up. */
  prune(queue: PendingQueue<QueuedWorkload>): void {
    const live = new Set<string>();
    const customers = new Set<string>();
    for (const entry of queue.values()) {
      live.add(entry.group ?? entry.workloadType);
      customers.add(entry.customerId);
    }
    for (const group of this.byGroup.keys()) {
      if (!live.has(group)) {
        this.byGroup.delete(group);
        this.dirty.delete(group);
      }
    }
    for (const map of [this.capped, this.collectedCapped]) {
      for (const customerId of map.keys()) if (!customers.has(customerId)) map.delete(customerId);
    }
    for (const customerId of this.dirtyCustomers) if (!customers.has(customerId)) this.dirtyCustomers.delete(customerId);
  }

  /** Classes with a recorded finding. */
  get size(): number {
    return this.byGroup.size;
  }

  clear(): void {
    this.byGroup.clear();
    this.dirty.clear();
    this.capped.clear();
    this.collectedCapped.clear();
    this.dirtyCustomers.clear();
  }
}

/** One workload placed by a pass (not yet written). */
export interface PlannedPlacement {
  entry: QueueEntry;
  workerId: string;
}

/** The decisions of one scheduling pass. */
export interface PassPlan {
  /** Taken out of the queue; each reserved a slot in the view and the customer's quota. */
  placements: PlannedPlacement[];
  /** Customers passed over because they are at their tier's limit. */
  cappedCustomers: Set<string>;
  /** Entries offered (placed or not). */
  offers: number;
}

/** Inputs of {@link planPass}. */
export interface PassInput {
  queue: PendingQueue<QueuedWorkload>;
  view: ClusterView;
  quota: CustomerQuota;
  reasons: PendingReasons;
  /** Epoch ms by the database clock: decides which retries are due. */
  now: number;
  maxPlacements: number;
  maxOffers: number;
}

/**
 * Decides one pass: due entries in queue order, each placed with `chooseWorker` on the view's
 * workers. A refused entry's whole placement class is passed over (its reason observed), a customer
 * at its tier limit is passed over (its limit observed as the reason of its workloads), and the
 * pass ends early once no live worker has a free slot.
 */
export function planPass(input: PassInput): PassPlan {
  const { queue, view, quota, reasons } = input;
  const workers = view.slots();
  let free = 0;
  let anyAccepting = false;
  for (const worker of workers) {
    if (!worker.accepting) continue;
    anyAccepting = true;
    free += Math.max(0, worker.capacity - worker.running);
  }
  // The fleet as if every slot were free: tells "waits for a slot" from "nothing can ever take it".
  let unbounded: WorkerSlots[] | undefined;
  const placements: PlannedPlacement[] = [];
  const cappedCustomers = new Set<string>();
  let offers = 0;
  queue.takeBatch(
    input.now,
    input.maxPlacements,
    (entry) => {
      // With no live worker at all every class is refused at once; keep going so each gets its reason.
      if (free <= 0 && anyAccepting) return 'stop';
      offers++;
      const workload = entry.payload;
      if (quota.atLimit(entry.customerId, workload.tier)) {
        cappedCustomers.add(entry.customerId);
        reasons.observeCustomer(entry.customerId, concurrencyLimitReason(quota.tier(workload.tier).maxRunning));
        return 'skip-customer';
      }
      reasons.observeCustomer(entry.customerId, null);
      const group = entry.group ?? entry.workloadType;
      const decision = chooseWorker(workload, workers);
      if (!isPlaced(decision)) {
        unbounded ??= workers.map((worker) => ({ ...worker, running: 0 }));
        reasons.observe(group, isPlaced(chooseWorker(workload, unbounded)) ? null : decision.reason);
        return 'skip-group';
      }
      view.reserve(decision.workerId);
      quota.take(entry.customerId);
      reasons.observe(group, null);
      free--;
      placements.push({ entry, workerId: decision.workerId });
      return 'take';
    },
    { maxOffers: input.maxOffers },
  );
  return { placements, cappedCustomers, offers };
}
