import { CountBuckets } from './count-buckets';
import { DEFAULT_AGING_PER_MINUTE } from './effective-priority';
import { HeapItem, IndexedHeap } from './indexed-heap';

/** One workload waiting to be placed, as the leader's scheduler sees it. */
export interface PendingEntry<T = unknown> {
  id: string;
  customerId: string;
  /** Scheduling weight of the customer's tier, added to the priority. */
  tierWeight: number;
  /** The workload's priority (0–1000, higher first). */
  priority: number;
  /** Epoch ms from which the entry ages (when it became PENDING). */
  enqueuedAt: number;
  /** Epoch ms before which the entry is not offered (retry backoff); null means at once. */
  notBefore: number | null;
  workloadType: string;
  /**
   * The customer's share of the fleet relative to other customers (its tier's share weight, see
   * `tierShareWeight`): under contention, customers' takes follow these weights. Must be > 0.
   * @default 1
   */
  shareWeight?: number;
  /**
   * Placement class: entries of one group need the same kind of worker (same type, affinity and
   * region), so when one cannot be placed none can, and {@link OfferDecision} `skip-group` passes
   * over all of them at once. @default workloadType
   */
  group?: string;
  /** Whatever the scheduler needs to place and write the entry. */
  payload: T;
}

/**
 * The scheduler's answer to one offered entry:
 * - `take`: remove it from the queue and return it from {@link PendingQueue.takeBatch};
 * - `skip`: leave it queued and offer the next entry;
 * - `skip-group`: leave every entry of this entry's group queued for the rest of the batch;
 * - `skip-customer`: leave every entry of this entry's customer queued for the rest of the batch
 *   (for example the customer is at its tier's running limit);
 * - `stop`: leave it queued and end the batch (for example no worker has a free slot).
 */
export type OfferDecision = 'take' | 'skip' | 'skip-group' | 'skip-customer' | 'stop';

/** Options of {@link PendingQueue}. */
export interface PendingQueueOptions {
  /** Priority points gained per minute of waiting. @default 10 */
  agingPerMinute?: number;
  /**
   * Priority points one take costs a customer of share weight 1 (a customer of weight `w` pays
   * `shareCost / w`): the exchange rate between priority and fair share. A priority lead of `d`
   * points buys a customer `d / shareCost * w` takes ahead of another before they share by weight.
   * 0 turns fair sharing off (least recently served customer first among equals).
   * @default 100
   */
  shareCost?: number;
}

/** Default of {@link PendingQueueOptions.shareCost}. */
export const DEFAULT_SHARE_COST = 100;

/** Options of {@link PendingQueue.takeBatch}. */
export interface TakeBatchOptions {
  /** Stop after offering this many entries, bounding the work of one batch. @default Infinity */
  maxOffers?: number;
}

interface EntryNode<T> extends HeapItem {
  entry: PendingEntry<T>;
  /** Static form of the effective priority, scaled to ms: see {@link PendingQueue}. */
  key: number;
  seq: number;
  lane: Lane<T> | null;
}

interface Lane<T> extends HeapItem {
  group: string;
  customer: CustomerQueue<T>;
  heap: IndexedHeap<EntryNode<T>>;
  /** Entries of the lane including those set aside by the running batch. */
  count: number;
  parked: boolean;
}

interface CustomerQueue<T> extends HeapItem {
  id: string;
  lanes: Map<string, Lane<T>>;
  laneHeap: IndexedHeap<Lane<T>>;
  count: number;
  /**
   * The customer's virtual position (in rank units): how far its service has advanced. Each take
   * moves it on by `shareCost / shareWeight`; -Infinity until its first take.
   */
  position: number;
  /** Passed over as a whole (`skip-customer`) since its last take: it rejoins like a newcomer. */
  passedOver: boolean;
  /** Order of the customer's last service; 0 = not served. Breaks rank ties least-recently-served first. */
  servedSeq: number;
  rank: number;
  headEnqueuedAt: number;
  headSeq: number;
  parked: boolean;
}

const MINUTE_MS = 60_000;

function nodeBefore<T>(a: EntryNode<T>, b: EntryNode<T>): boolean {
  if (a.key !== b.key) return a.key > b.key;
  if (a.entry.enqueuedAt !== b.entry.enqueuedAt) return a.entry.enqueuedAt < b.entry.enqueuedAt;
  return a.seq < b.seq;
}

function laneBefore<T>(a: Lane<T>, b: Lane<T>): boolean {
  return nodeBefore(a.heap.peek() as EntryNode<T>, b.heap.peek() as EntryNode<T>);
}

function customerBefore<T>(a: CustomerQueue<T>, b: CustomerQueue<T>): boolean {
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (a.servedSeq !== b.servedSeq) return a.servedSeq < b.servedSeq;
  if (a.headEnqueuedAt !== b.headEnqueuedAt) return a.headEnqueuedAt < b.headEnqueuedAt;
  return a.headSeq < b.headSeq;
}

/**
 * The leader's in-memory queue of PENDING workloads: priority order with aging, weighted fair
 * shares among customers, retry delays. All operations are O(log n); the library README states the
 * exact order, the fairness bound and the starvation bound.
 *
 * In short, with `a = agingPerMinute`: within one customer, entries come out by effective priority
 * `priority + tierWeight + a * minutesSince(enqueuedAt)`, then older first. Across customers, each
 * customer competes with its best entry, ranked by that entry's effective priority minus the
 * service the customer has had: every take costs the customer `shareCost / shareWeight` points
 * (start-time fair queuing). So customers of equal standing share the takes in proportion to their
 * weights, a higher priority buys a bounded lead rather than the whole fleet, a customer with
 * 100,000 entries is one competitor like a customer with one, and waiting still raises an entry
 * until it is taken.
 *
 * All entries age at the same rate, so the relative order of two entries never changes with time:
 * keys are kept in the static form `(priority + tierWeight) * 60000 - a * enqueuedAt` (rank units:
 * 60000 per priority point) and the heaps never need re-sorting as time passes.
 */
export class PendingQueue<T = unknown> {
  private readonly aging: number;
  /** `shareCost` in rank units. */
  private readonly shareCost: number;
  /** System virtual time (rank units): the largest take start so far, and never behind `a * now`. */
  private virtualTime = -Infinity;
  private readonly byId = new Map<string, EntryNode<T>>();
  /** Entries per customer, due or not, with the largest customer at hand (see {@link largestCustomer}). */
  private readonly perCustomer = new CountBuckets<string>();
  /** Entries waiting for their `notBefore`, per customer (what {@link evictionCandidate} offers first). */
  private readonly delayedOf = new Map<string, Set<EntryNode<T>>>();
  private readonly customers = new Map<string, CustomerQueue<T>>();
  private readonly top = new IndexedHeap<CustomerQueue<T>>(customerBefore);
  private readonly delayed = new IndexedHeap<EntryNode<T>>(
    (a, b) => (a.entry.notBefore as number) < (b.entry.notBefore as number) || (a.entry.notBefore === b.entry.notBefore && a.seq < b.seq),
  );
  private seq = 0;
  private serveSeq = 0;
  private batching = false;

  constructor(options: PendingQueueOptions = {}) {
    const aging = options.agingPerMinute ?? DEFAULT_AGING_PER_MINUTE;
    if (!Number.isFinite(aging) || aging < 0) throw new RangeError(`agingPerMinute must be a finite number >= 0, got ${aging}`);
    this.aging = aging;
    const shareCost = options.shareCost ?? DEFAULT_SHARE_COST;
    if (!Number.isFinite(shareCost) || shareCost < 0) throw new RangeError(`shareCost must be a finite number >= 0, got ${shareCost}`);
    this.shareCost = shareCost * MINUTE_MS;
  }

  /** Entries queued, due or not. */
  get size(): number {
    return this.byId.size;
  }

  /** Entries waiting for their `notBefore`. */
  get delayedSize(): number {
    return this.delayed.size;
  }

  /** Customers with at least one due entry. */
  get customerCount(): number {
    return this.customers.size;
  }

  /** Entries of the customer, due or not. */
  countOf(customerId: string): number {
    return this.perCustomer.get(customerId);
  }

  /**
   * The customer with the most entries (ties: any of them), or undefined when the queue is empty.
   * O(1): counts are kept in buckets by size, so admitting to a full queue costs no scan of customers.
   */
  largestCustomer(): { customerId: string; count: number } | undefined {
    const largest = this.perCustomer.largest();
    return largest && { customerId: largest.key, count: largest.count };
  }

  /**
   * An entry of the customer that would be offered late: a retry still waiting for its `notBefore`
   * if it has one, else a leaf of its largest lane's heap (never the lane's head unless it is
   * alone). For making room in a bounded queue; O(lanes of the customer).
   */
  evictionCandidate(customerId: string): PendingEntry<T> | undefined {
    const waiting = this.delayedOf.get(customerId);
    if (waiting) for (const node of waiting) return node.entry;
    const customer = this.customers.get(customerId);
    if (!customer) return undefined;
    let largest: Lane<T> | undefined;
    for (const lane of customer.lanes.values()) if (!largest || lane.heap.size > largest.heap.size) largest = lane;
    const nodes = largest?.heap.values();
    return nodes && nodes.length > 0 ? (nodes[nodes.length - 1] as EntryNode<T>).entry : undefined;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): PendingEntry<T> | undefined {
    return this.byId.get(id)?.entry;
  }

  /** Every queued entry, in no particular order. */
  *values(): IterableIterator<PendingEntry<T>> {
    for (const node of this.byId.values()) yield node.entry;
  }

  /** The earliest `notBefore` among entries not yet due, or null when none waits. */
  nextDueAt(): number | null {
    return this.delayed.peek()?.entry.notBefore ?? null;
  }

  /** Adds an entry; throws when its id is already queued (use {@link upsert} to replace). */
  add(entry: PendingEntry<T>): void {
    this.assertIdle();
    if (this.byId.has(entry.id)) throw new Error(`pending entry ${entry.id} is already queued`);
    this.insert(entry);
  }

  /** Adds an entry or replaces the queued one with the same id. Returns true when it was new. */
  upsert(entry: PendingEntry<T>): boolean {
    this.assertIdle();
    const existed = this.byId.has(entry.id);
    if (existed) this.detach(this.byId.get(entry.id) as EntryNode<T>);
    this.insert(entry);
    return !existed;
  }

  /** Removes an entry (cancelled, paused, or placed elsewhere). Returns it, or undefined when absent. */
  remove(id: string): PendingEntry<T> | undefined {
    this.assertIdle();
    const node = this.byId.get(id);
    if (!node) return undefined;
    this.detach(node);
    return node.entry;
  }

  clear(): void {
    this.assertIdle();
    this.byId.clear();
    this.perCustomer.clear();
    this.delayedOf.clear();
    this.customers.clear();
    this.top.clear();
    this.delayed.clear();
  }

  /**
   * Offers due entries (`notBefore <= now`) in queue order to `accept` and removes the ones it
   * takes, until `max` are taken, `accept` says `stop`, `options.maxOffers` entries were offered, or
   * nothing is left to offer. Each entry is offered at most once per batch; entries not taken stay
   * queued with their position unchanged. `accept` must not modify the queue.
   *
   * @param now epoch ms; decides which entries are due, and how far behind real time a customer's
   *   fair-share position may lag (see the README).
   */
  takeBatch(
    now: number,
    max: number,
    accept: (entry: PendingEntry<T>) => OfferDecision = () => 'take',
    options: TakeBatchOptions = {},
  ): PendingEntry<T>[] {
    this.assertIdle();
    if (this.aging * now > this.virtualTime) this.virtualTime = this.aging * now;
    this.promoteDue(now);
    const taken: PendingEntry<T>[] = [];
    const maxOffers = options.maxOffers ?? Infinity;
    const parkedNodes: EntryNode<T>[] = [];
    const parkedLanes: Lane<T>[] = [];
    const parkedCustomers: CustomerQueue<T>[] = [];
    const skippedGroups = new Set<string>();
    let offers = 0;
    this.batching = true;
    try {
      while (taken.length < max && offers < maxOffers) {
        const customer = this.top.peek();
        if (!customer) break;
        const lane = customer.laneHeap.peek() as Lane<T>;
        if (skippedGroups.has(lane.group)) {
          this.parkLane(lane, parkedLanes);
          continue;
        }
        const node = lane.heap.peek() as EntryNode<T>;
        offers++;
        const decision = accept(node.entry);
        if (decision === 'take') {
          lane.heap.pop();
          this.byId.delete(node.entry.id);
          this.uncount(node.entry.customerId);
          node.lane = null;
          this.charge(customer, node.entry, now);
          this.shrink(lane);
          taken.push(node.entry);
        } else if (decision === 'skip') {
          lane.heap.pop();
          parkedNodes.push(node);
          this.refreshLane(lane);
          this.refreshCustomer(customer);
        } else if (decision === 'skip-group') {
          skippedGroups.add(lane.group);
          this.parkLane(lane, parkedLanes);
        } else if (decision === 'skip-customer') {
          customer.passedOver = true;
          this.top.remove(customer);
          customer.parked = true;
          parkedCustomers.push(customer);
        } else {
          break;
        }
      }
    } finally {
      this.batching = false;
      this.restore(parkedNodes, parkedLanes, parkedCustomers);
    }
    return taken;
  }

  /**
   * Start-time fair queuing: the take starts at the customer's position, moves it on by
   * `shareCost / shareWeight`, and advances the virtual time. The start is no earlier than the
   * entry's own aging clock (its waiting is not counted twice), nor one take's cost behind real
   * time, nor — for a customer passed over as a whole since its last take — behind the virtual time
   * (it rejoins like a newcomer); so credit from waiting is worth at most about one turn. A customer that merely lags
   * because its priority is lower keeps its place (that lag is the price of the priority gap).
   */
  private charge(customer: CustomerQueue<T>, entry: PendingEntry<T>, now: number): void {
    let start = Math.max(this.aging * entry.enqueuedAt, customer.position, this.aging * now - this.shareCost);
    if (customer.passedOver) start = Math.max(start, this.virtualTime);
    if (start > this.virtualTime) this.virtualTime = start;
    customer.position = start + this.shareCost / (entry.shareWeight ?? 1);
    customer.passedOver = false;
    customer.servedSeq = ++this.serveSeq;
  }

  private assertIdle(): void {
    if (this.batching) throw new Error('the pending queue cannot be changed from inside takeBatch');
  }

  private insert(entry: PendingEntry<T>): void {
    validate(entry);
    const node: EntryNode<T> = {
      entry,
      key: (entry.priority + entry.tierWeight) * MINUTE_MS - this.aging * entry.enqueuedAt,
      seq: ++this.seq,
      lane: null,
      heapIndex: -1,
    };
    this.byId.set(entry.id, node);
    this.perCustomer.increment(entry.customerId);
    if (entry.notBefore !== null) {
      this.delayed.push(node);
      this.trackDelayed(node);
    } else {
      this.enqueueDue(node);
    }
  }

  private promoteDue(now: number): void {
    for (let next = this.delayed.peek(); next && (next.entry.notBefore as number) <= now; next = this.delayed.peek()) {
      this.delayed.pop();
      this.untrackDelayed(next);
      this.enqueueDue(next);
    }
  }

  private enqueueDue(node: EntryNode<T>): void {
    const { customerId } = node.entry;
    let customer = this.customers.get(customerId);
    if (!customer) {
      customer = {
        id: customerId,
        lanes: new Map(),
        laneHeap: new IndexedHeap<Lane<T>>(laneBefore),
        count: 0,
        // A newcomer starts level with the system's virtual time: no banked credit.
        position: this.virtualTime,
        passedOver: false,
        servedSeq: 0,
        rank: 0,
        headEnqueuedAt: 0,
        headSeq: 0,
        parked: false,
        heapIndex: -1,
      };
      this.customers.set(customerId, customer);
    }
    const group = node.entry.group ?? node.entry.workloadType;
    let lane = customer.lanes.get(group);
    if (!lane) {
      lane = { group, customer, heap: new IndexedHeap<EntryNode<T>>(nodeBefore), count: 0, parked: false, heapIndex: -1 };
      customer.lanes.set(group, lane);
    }
    node.lane = lane;
    lane.heap.push(node);
    lane.count++;
    customer.count++;
    this.refreshLane(lane);
    this.refreshCustomer(customer);
  }

  private uncount(customerId: string): void {
    this.perCustomer.decrement(customerId);
  }

  private trackDelayed(node: EntryNode<T>): void {
    const { customerId } = node.entry;
    let waiting = this.delayedOf.get(customerId);
    if (!waiting) {
      waiting = new Set();
      this.delayedOf.set(customerId, waiting);
    }
    waiting.add(node);
  }

  private untrackDelayed(node: EntryNode<T>): void {
    const { customerId } = node.entry;
    const waiting = this.delayedOf.get(customerId);
    if (!waiting) return;
    waiting.delete(node);
    if (waiting.size === 0) this.delayedOf.delete(customerId);
  }

  private detach(node: EntryNode<T>): void {
    this.byId.delete(node.entry.id);
    this.uncount(node.entry.customerId);
    const lane = node.lane;
    if (!lane) {
      this.delayed.remove(node);
      this.untrackDelayed(node);
      return;
    }
    lane.heap.remove(node);
    node.lane = null;
    this.shrink(lane);
  }

  /** Bookkeeping after one entry left `lane` for good. */
  private shrink(lane: Lane<T>): void {
    const customer = lane.customer;
    lane.count--;
    customer.count--;
    this.refreshLane(lane);
    if (lane.count === 0) customer.lanes.delete(lane.group);
    if (customer.count === 0) {
      this.top.remove(customer);
      this.customers.delete(customer.id);
    } else {
      this.refreshCustomer(customer);
    }
  }

  private parkLane(lane: Lane<T>, parkedLanes: Lane<T>[]): void {
    lane.customer.laneHeap.remove(lane);
    lane.parked = true;
    parkedLanes.push(lane);
    this.refreshCustomer(lane.customer);
  }

  private refreshLane(lane: Lane<T>): void {
    const lanes = lane.customer.laneHeap;
    if (lane.heap.size === 0) lanes.remove(lane);
    else if (lane.parked) return;
    else if (lanes.contains(lane)) lanes.update(lane);
    else lanes.push(lane);
  }

  private refreshCustomer(customer: CustomerQueue<T>): void {
    const lane = customer.laneHeap.peek();
    if (!lane) {
      this.top.remove(customer);
      return;
    }
    if (customer.parked) return;
    const head = lane.heap.peek() as EntryNode<T>;
    const { priority, tierWeight, enqueuedAt } = head.entry;
    customer.rank = (priority + tierWeight) * MINUTE_MS - Math.max(this.aging * enqueuedAt, customer.position);
    customer.headEnqueuedAt = enqueuedAt;
    customer.headSeq = head.seq;
    if (this.top.contains(customer)) this.top.update(customer);
    else this.top.push(customer);
  }

  private restore(nodes: EntryNode<T>[], lanes: Lane<T>[], customers: CustomerQueue<T>[]): void {
    const touchedLanes = new Set<Lane<T>>(lanes);
    for (const node of nodes) {
      const lane = node.lane as Lane<T>;
      lane.heap.push(node);
      touchedLanes.add(lane);
    }
    const touchedCustomers = new Set<CustomerQueue<T>>(customers);
    for (const lane of touchedLanes) {
      lane.parked = false;
      if (lane.count > 0) {
        this.refreshLane(lane);
        touchedCustomers.add(lane.customer);
      }
    }
    for (const customer of touchedCustomers) {
      customer.parked = false;
      if (customer.count > 0) this.refreshCustomer(customer);
    }
  }
}

function validate(entry: PendingEntry<unknown>): void {
  if (typeof entry.id !== 'string' || entry.id.length === 0) throw new TypeError('pending entry needs a non-empty id');
  if (typeof entry.customerId !== 'string') throw new TypeError(`pending entry ${entry.id} needs a customerId`);
  for (const field of ['priority', 'tierWeight', 'enqueuedAt'] as const) {
    if (!Number.isFinite(entry[field])) throw new RangeError(`pending entry ${entry.id}: ${field} must be a finite number`);
  }
  if (entry.shareWeight !== undefined && !(Number.isFinite(entry.shareWeight) && entry.shareWeight > 0)) {
    throw new RangeError(`pending entry ${entry.id}: shareWeight must be a finite number > 0`);
  }
  if (entry.notBefore !== null && !Number.isFinite(entry.notBefore)) {
    throw new RangeError(`pending entry ${entry.id}: notBefore must be a finite number or null`);
  }
}
