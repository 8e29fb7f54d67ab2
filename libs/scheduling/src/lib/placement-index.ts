import { evaluateAffinity } from '@niyanta/affinity';
import { IndexedHeap, type HeapItem } from './indexed-heap';
import {
  explainRefusal,
  fullWorkersReason,
  type PlacementDecision,
  type PlacementRequest,
  type WorkerSlots,
} from './placement';

/** Options of {@link PlacementIndex}. */
export interface PlacementIndexOptions {
  /**
   * Most placement classes (distinct type, affinity and region) whose candidate workers are kept;
   * the least recently used class is dropped beyond it. Each costs one entry per fitting worker.
   * @default 512
   */
  maxClasses?: number;
}

interface WorkerNode {
  slots: WorkerSlots;
  /** Canonical form of what decides membership: types, tags, region, accepting. */
  signature: string;
  memberships: Set<Member>;
  /** Position in id order, so heaps compare numbers rather than strings on equal loads. */
  ord: number;
}

interface Member extends HeapItem {
  node: WorkerNode;
  /** The load the heap was ordered by; at most the true load (reservations are applied lazily). */
  load: number;
  heap: IndexedHeap<Member>;
  placement: { preferredMatches: number; regionMatch: boolean; score: number };
}

interface ClassCandidates {
  /** Candidates by affinity score, best first; within a bucket the least loaded worker on top. */
  buckets: IndexedHeap<Member>[];
  members: Member[];
}

function loadOf(slots: WorkerSlots): number {
  return slots.capacity > 0 ? slots.running / slots.capacity : 1;
}

function memberBefore(a: Member, b: Member): boolean {
  if (a.load !== b.load) return a.load < b.load;
  return a.node.ord < b.node.ord;
}

function canonical(record: Readonly<Record<string, string>> | undefined): string {
  if (!record) return '';
  return Object.keys(record)
    .sort()
    .map((key) => `${key.length}:${key}=${record[key]}`)
    .join(',');
}

function signatureOf(slots: WorkerSlots): string {
  return JSON.stringify([[...slots.workloadTypes].sort(), canonical(slots.tags), slots.region, slots.accepting]);
}

/** The key of a placement class: requests with equal keys are placed alike. */
export function placementClassKey(request: PlacementRequest): string {
  const { required, preferred, anti } = request.affinity;
  return JSON.stringify([request.workloadType, canonical(required), canonical(preferred), canonical(anti), request.region]);
}

/**
 * The fleet indexed for placement: {@link choose} gives exactly the answer of `chooseWorker(request,
 * workers())` (same worker, score and reason), but in O(log n) instead of evaluating every worker.
 *
 * Per placement class it keeps the workers that fit it apart from free slots (type, required and
 * anti tags, accepting), bucketed by affinity score, each bucket a heap by load. Reservations only
 * raise a load, so they are applied lazily: a heap top whose load went up is re-sifted when it is
 * next looked at. Lower loads (released or refreshed counts) are applied to every class at once.
 * A change of a worker's types, tags, region or accepting flag, or a worker joining or leaving,
 * drops the classes (they are rebuilt on demand), which is cheap because fleets change rarely.
 */
export class PlacementIndex {
  private readonly nodes = new Map<string, WorkerNode>();
  private readonly classes = new Map<string, ClassCandidates>();
  private readonly maxClasses: number;
  private list: WorkerSlots[] | null = null;
  private lastKey: string | null = null;
  private version = 0;
  /** Whether every node's `ord` is current (classes are dropped whenever it is not). */
  private ordered = true;

  constructor(options: PlacementIndexOptions = {}) {
    const maxClasses = options.maxClasses ?? 512;
    if (!Number.isInteger(maxClasses) || maxClasses < 1) throw new RangeError(`maxClasses must be an integer >= 1, got ${maxClasses}`);
    this.maxClasses = maxClasses;
  }

  /** Workers indexed. */
  get size(): number {
    return this.nodes.size;
  }

  /**
   * Changes whenever a worker joins, leaves, or changes its types, tags, region or accepting flag
   * (not on slot counts): findings about which workers fit are stale once it moved.
   */
  get fleetVersion(): number {
    return this.version;
  }

  /** Placement classes currently cached. */
  get classCount(): number {
    return this.classes.size;
  }

  /** The workers as the index sees them (its own objects: do not modify them). */
  workers(): readonly WorkerSlots[] {
    this.list ??= [...this.nodes.values()].map((node) => node.slots);
    return this.list;
  }

  get(workerId: string): Readonly<WorkerSlots> | undefined {
    return this.nodes.get(workerId)?.slots;
  }

  /** Replaces the whole fleet. */
  replaceAll(workers: Iterable<WorkerSlots>): void {
    this.nodes.clear();
    this.dropClasses();
    for (const worker of workers) this.upsert(worker);
  }

  /** Adds or refreshes a worker (copied; later changes go through this index). */
  upsert(worker: WorkerSlots): void {
    const slots: WorkerSlots = { ...worker, tags: { ...worker.tags }, workloadTypes: [...worker.workloadTypes] };
    const signature = signatureOf(slots);
    const node = this.nodes.get(slots.id);
    if (!node || node.signature !== signature) {
      this.dropClasses();
      this.nodes.set(slots.id, { slots, signature, memberships: new Set(), ord: -1 });
      this.list = null;
      this.ordered = false;
      return;
    }
    const lower = loadOf(slots) < loadOf(node.slots);
    node.slots.capacity = slots.capacity;
    node.slots.running = slots.running;
    if (lower) this.loadFell(node);
  }

  remove(workerId: string): void {
    if (!this.nodes.delete(workerId)) return;
    this.dropClasses();
    this.list = null;
  }

  /** Sets whether a worker takes new work (DRAINING, silent or dead workers do not). */
  setAccepting(workerId: string, accepting: boolean): void {
    const node = this.nodes.get(workerId);
    if (!node || node.slots.accepting === accepting) return;
    this.upsert({ ...node.slots, accepting });
  }

  /** Counts one more workload on the worker. */
  reserve(workerId: string): void {
    const node = this.nodes.get(workerId);
    if (node) node.slots.running++;
  }

  /** Undoes {@link reserve}. */
  release(workerId: string): void {
    const node = this.nodes.get(workerId);
    if (!node || node.slots.running <= 0) return;
    node.slots.running--;
    this.loadFell(node);
  }

  /**
   * The placement of `request`: equal to `chooseWorker(request, this.workers())`.
   * @param classKey `placementClassKey(request)` when the caller already has it (it is the costly part).
   */
  choose(request: PlacementRequest, classKey?: string): PlacementDecision {
    const candidates = this.candidates(request, classKey);
    for (const bucket of candidates.buckets) {
      const top = this.settledTop(bucket);
      if (top && top.node.slots.running < top.node.slots.capacity) {
        return { workerId: top.node.slots.id, ...top.placement };
      }
    }
    return { workerId: null, reason: this.refusal(request, candidates) };
  }

  /**
   * Why `request` waits when the fleet has no free slot for it: `all N fitting workers are full`
   * when some would take it, else the reason none ever would (as {@link choose} words them).
   */
  saturatedReason(request: PlacementRequest, classKey?: string): string {
    const candidates = this.candidates(request, classKey);
    return candidates.members.length > 0 ? fullWorkersReason(candidates.members.length) : this.refusal(request, candidates);
  }

  private refusal(request: PlacementRequest, candidates: ClassCandidates): string {
    // With fitting workers every one is full; otherwise only the slow path can name the rule.
    return candidates.members.length > 0 ? fullWorkersReason(candidates.members.length) : explainRefusal(request, this.workers());
  }

  /** Re-sifts tops whose load rose since they were ordered, until the top is current. */
  private settledTop(bucket: IndexedHeap<Member>): Member | undefined {
    for (let top = bucket.peek(); top; top = bucket.peek()) {
      const load = loadOf(top.node.slots);
      if (load === top.load) return top;
      top.load = load;
      bucket.update(top);
    }
    return undefined;
  }

  private loadFell(node: WorkerNode): void {
    const load = loadOf(node.slots);
    for (const member of node.memberships) {
      member.load = load;
      member.heap.update(member);
    }
  }

  private candidates(request: PlacementRequest, classKey?: string): ClassCandidates {
    const key = classKey ?? placementClassKey(request);
    const cached = this.classes.get(key);
    if (cached) {
      // Most recently used last, so eviction takes the oldest (skipped for the usual repeat).
      if (this.lastKey !== key) {
        this.classes.delete(key);
        this.classes.set(key, cached);
        this.lastKey = key;
      }
      return cached;
    }
    this.lastKey = key;
    const built = this.build(request);
    if (this.classes.size >= this.maxClasses) {
      const oldest = this.classes.keys().next().value as string;
      this.evict(oldest);
    }
    this.classes.set(key, built);
    return built;
  }

  private build(request: PlacementRequest): ClassCandidates {
    if (!this.ordered) {
      const ids = [...this.nodes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      ids.forEach((id, ord) => ((this.nodes.get(id) as WorkerNode).ord = ord));
      this.ordered = true;
    }
    const byScore = new Map<string, { preferredMatches: number; regionMatch: boolean; heap: IndexedHeap<Member> }>();
    const members: Member[] = [];
    for (const node of this.nodes.values()) {
      const slots = node.slots;
      if (!slots.accepting || !slots.workloadTypes.includes(request.workloadType)) continue;
      const evaluation = evaluateAffinity(request.affinity, slots, request.region);
      if (!evaluation.eligible) continue;
      const scoreKey = `${evaluation.preferredMatches}:${evaluation.regionMatch}`;
      let bucket = byScore.get(scoreKey);
      if (!bucket) {
        bucket = { preferredMatches: evaluation.preferredMatches, regionMatch: evaluation.regionMatch, heap: new IndexedHeap(memberBefore) };
        byScore.set(scoreKey, bucket);
      }
      const member: Member = {
        node,
        load: loadOf(slots),
        heap: bucket.heap,
        heapIndex: -1,
        placement: { preferredMatches: evaluation.preferredMatches, regionMatch: evaluation.regionMatch, score: evaluation.score },
      };
      bucket.heap.push(member);
      node.memberships.add(member);
      members.push(member);
    }
    const buckets = [...byScore.values()]
      .sort((a, b) => b.preferredMatches - a.preferredMatches || Number(b.regionMatch) - Number(a.regionMatch))
      .map((bucket) => bucket.heap);
    return { buckets, members };
  }

  private evict(key: string): void {
    const candidates = this.classes.get(key);
    if (!candidates) return;
    this.classes.delete(key);
    for (const member of candidates.members) member.node.memberships.delete(member);
  }

  private dropClasses(): void {
    this.version++;
    this.classes.clear();
    for (const node of this.nodes.values()) node.memberships.clear();
  }
}
