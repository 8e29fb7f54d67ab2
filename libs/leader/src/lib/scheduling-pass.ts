import type { AffinityRules } from '@niyanta/models';
import {
  isPlaced,
  placementClassKey,
  tierShareWeight,
  type PendingEntry,
  type PendingQueue,
  type PendingWorkload,
} from '@niyanta/scheduling';
import type { ClusterView } from './cluster-view';
import type { CustomerQuota } from './customer-quota';
import type { PendingReasons } from './pending-reasons';
import { typeLimitReason, type TypeQuota } from './type-quota';

export { concurrencyLimitReason } from './pending-reasons';

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
  /** Epoch ms (database clock) since which the workload has been PENDING this time. */
  pendingSince: number;
  /** W3C `traceparent` of its submission when it was traced (tracing on). */
  traceContext?: string;
}

/** One entry of the leader's pending queue. */
export type QueueEntry = PendingEntry<QueuedWorkload>;

/**
 * The placement class of a workload: workloads of one class need the same kind of worker, so when
 * one of them cannot be placed none of them can, and the queue passes over the class at once.
 */
export function placementGroup(workload: Pick<QueuedWorkload, 'workloadType' | 'affinity' | 'region'>): string {
  return placementClassKey(workload);
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
    pendingSince: workload.pendingSince.getTime(),
    ...(workload.traceContext ? { traceContext: workload.traceContext } : {}),
  };
  const tier = quota.tier(workload.customerTier);
  return {
    id: workload.id,
    customerId: workload.customerId,
    tierWeight: tier.schedulingWeight,
    shareWeight: tierShareWeight(tier),
    priority: workload.priority,
    enqueuedAt: workload.createdAt.getTime(),
    notBefore: workload.notBefore?.getTime() ?? null,
    workloadType: workload.workloadType,
    group: placementGroup(payload),
    payload,
  };
}

/** One workload placed by a pass (not yet written). */
export interface PlannedPlacement {
  entry: QueueEntry;
  workerId: string;
  /** How the worker met the workload's soft rules (preferred tags, region). */
  preferredMatches: number;
  regionMatch: boolean;
}

/** The decisions of one scheduling pass. */
export interface PassPlan {
  /** Taken out of the queue; each reserved a slot in the view and the customer's quota. */
  placements: PlannedPlacement[];
  /** Customers passed over because they are at their tier's limit. */
  cappedCustomers: Set<string>;
  /** Workload types passed over because they are at their concurrency cap. */
  cappedTypes: Set<string>;
  /** Entries offered (placed or not). */
  offers: number;
  /** True when the pass ended because no live worker had a free slot left. */
  saturated: boolean;
}

/** Inputs of {@link planPass}. */
export interface PassInput {
  queue: PendingQueue<QueuedWorkload>;
  view: ClusterView;
  quota: CustomerQuota;
  /** Per-type caps (`workload_configs.max_concurrent`). */
  types: TypeQuota;
  reasons: PendingReasons;
  /** Epoch ms by the database clock: decides which retries are due. */
  now: number;
  maxPlacements: number;
  maxOffers: number;
}

/**
 * Decides one pass: due entries in queue order, each placed by the view (the best fitting worker,
 * see `chooseWorker`). A refused entry's whole placement class is passed over (its reason observed),
 * a customer at its tier limit is passed over (its limit observed as the reason of its workloads),
 * so is a class whose workload type is at its concurrency cap, and the pass ends early once no live worker has a free slot — then every class still waiting is
 * observed as waiting for a slot.
 */
export function planPass(input: PassInput): PassPlan {
  const { queue, view, quota, types, reasons } = input;
  let free = 0;
  let fleetSlots = 0;
  let anyAccepting = false;
  for (const worker of view.slots()) {
    if (!worker.accepting) continue;
    anyAccepting = true;
    fleetSlots += worker.capacity;
    free += Math.max(0, worker.capacity - worker.running);
  }
  quota.setFleetSlots(fleetSlots);
  const placements: PlannedPlacement[] = [];
  const cappedCustomers = new Set<string>();
  const cappedTypes = new Set<string>();
  const refused = new Set<string>();
  let offers = 0;
  let saturated = false;
  const placedGroups = new Map<string, QueuedWorkload>();
  queue.takeBatch(
    input.now,
    input.maxPlacements,
    (entry) => {
      // With no live worker at all every class is refused at once; keep going so each gets its reason.
      if (free <= 0 && anyAccepting) {
        saturated = true;
        return 'stop';
      }
      offers++;
      const workload = entry.payload;
      if (quota.atLimit(entry.customerId, workload.tier)) {
        cappedCustomers.add(entry.customerId);
        reasons.observeCustomer(entry.customerId, quota.limitReason(workload.tier));
        return 'skip-customer';
      }
      reasons.observeCustomer(entry.customerId, null);
      const group = entry.group ?? entry.workloadType;
      const typeLimit = types.reached(workload.workloadType);
      if (typeLimit !== null) {
        cappedTypes.add(workload.workloadType);
        refused.add(group);
        reasons.observe(group, workload, typeLimitReason(workload.workloadType, typeLimit));
        return 'skip-group';
      }
      const decision = view.choose(workload, group);
      if (!isPlaced(decision)) {
        refused.add(group);
        reasons.observe(group, workload, decision.reason);
        return 'skip-group';
      }
      view.reserve(decision.workerId);
      quota.take(entry.customerId);
      types.take(workload.workloadType);
      placedGroups.set(group, workload);
      free--;
      placements.push({
        entry,
        workerId: decision.workerId,
        preferredMatches: decision.preferredMatches,
        regionMatch: decision.regionMatch,
      });
      return 'take';
    },
    { maxOffers: input.maxOffers },
  );
  // A placement shows its class can be placed, which clears the class's reason — unless the pass
  // was cut short by its placement budget with slots still free: the rest of the class is placed by
  // the next pass (its UPDATE clears each reason), so clearing here would rewrite the reason of every
  // queued workload of the class twice per pass (to null now, back to "full" at the next saturated
  // pass) while a backlog drains — thousands of row writes per pass on the leader's critical path.
  const cut = !saturated && (placements.length >= input.maxPlacements || offers >= input.maxOffers);
  // A class refused later in the pass (its fitting workers filled up) keeps that refusal.
  if (!cut) for (const [group, workload] of placedGroups) if (!refused.has(group)) reasons.observe(group, workload, null);
  if (saturated) reasons.saturated(refused, (request, group) => view.saturatedReason(request, group), view.fleetVersion);
  return { placements, cappedCustomers, cappedTypes, offers, saturated };
}
