import type { WorkerStatus } from '@niyanta/models';
import {
  PlacementIndex,
  type PlacementDecision,
  type PlacementRequest,
  type WorkerSlots,
  type WorkerSnapshot,
} from '@niyanta/scheduling';

interface WorkerEntry {
  status: WorkerStatus;
  /** Local-clock estimate of the last heartbeat (snapshot time minus its age). */
  heartbeatAt: number;
  /** Local time of the snapshot. */
  refreshedAt: number;
}

/**
 * The scheduler's picture of the fleet: every ACTIVE or DRAINING worker with its occupied slots.
 * Counts come from the database (refreshed on heartbeats, freed slots and sweeps) and are raised
 * locally as the scheduler places work, so one pass never over-fills a worker. Only ACTIVE workers
 * whose heartbeat is younger than the worker timeout accept work.
 *
 * Placement goes through a {@link PlacementIndex}, so a decision costs O(log n) rather than a scan
 * of the fleet, with exactly the answers of `chooseWorker`.
 */
export class ClusterView {
  private readonly workers = new Map<string, WorkerEntry>();
  private readonly index = new PlacementIndex();

  constructor(
    private readonly workerTimeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Moves when the set of workers or what they offer changes (not on slot counts). */
  get fleetVersion(): number {
    return this.index.fleetVersion;
  }

  /** Workers known (ACTIVE or DRAINING). */
  get size(): number {
    return this.workers.size;
  }

  has(workerId: string): boolean {
    return this.workers.has(workerId);
  }

  /** Occupied slots of a worker as the view counts them, or undefined when unknown. */
  running(workerId: string): number | undefined {
    return this.index.get(workerId)?.running;
  }

  /** Replaces the whole fleet (taking office, periodic sweep). */
  replaceAll(snapshots: readonly WorkerSnapshot[]): void {
    this.workers.clear();
    this.index.replaceAll([]);
    for (const snapshot of snapshots) this.apply(snapshot);
  }

  /** Refreshes one worker; a worker that is no longer ACTIVE or DRAINING leaves the view. */
  apply(snapshot: WorkerSnapshot): void {
    if (snapshot.status !== 'ACTIVE' && snapshot.status !== 'DRAINING') {
      this.remove(snapshot.id);
      return;
    }
    const now = this.clock();
    const entry: WorkerEntry = { status: snapshot.status, heartbeatAt: now - snapshot.heartbeatAgeMs, refreshedAt: now };
    this.workers.set(snapshot.id, entry);
    this.index.upsert({
      id: snapshot.id,
      tags: snapshot.tags,
      region: snapshot.region,
      capacity: snapshot.capacity,
      running: snapshot.activeCount,
      workloadTypes: snapshot.workloadTypes,
      accepting: this.accepting(entry, now),
    });
  }

  /** Age in ms of the oldest last heartbeat among the workers in the view; null when there are none. */
  oldestHeartbeatAgeMs(): number | null {
    if (this.workers.size === 0) return null;
    let oldest = Infinity;
    for (const entry of this.workers.values()) if (entry.heartbeatAt < oldest) oldest = entry.heartbeatAt;
    return this.clock() - oldest;
  }

  /** Forgets a worker (it no longer exists). */
  remove(workerId: string): void {
    this.workers.delete(workerId);
    this.index.remove(workerId);
  }

  /**
   * The workers for placement, with `accepting` evaluated now. The objects are the view's own (do
   * not modify them), so {@link reserve} is visible to later placements in the same pass.
   */
  slots(): readonly WorkerSlots[] {
    const now = this.clock();
    for (const [id, entry] of this.workers) this.index.setAccepting(id, this.accepting(entry, now));
    return this.index.workers();
  }

  /**
   * Where `request` goes now (call {@link slots} first in a pass, to settle who accepts work).
   * `classKey`: its `placementClassKey`, when known.
   */
  choose(request: PlacementRequest, classKey?: string): PlacementDecision {
    return this.index.choose(request, classKey);
  }

  /** Why `request` waits when no worker has a free slot (`all 12 fitting workers are full`, or why none fits). */
  saturatedReason(request: PlacementRequest, classKey?: string): string {
    return this.index.saturatedReason(request, classKey);
  }

  /**
   * ACTIVE workers whose last known heartbeat is more than half the timeout old and whose snapshot
   * is older than `minAgeMs`: their heartbeat messages may have been lost while the database has
   * fresh ones, so the scheduler re-reads them before it stops placing work on them.
   */
  workersToRecheck(minAgeMs: number): string[] {
    const now = this.clock();
    const ids: string[] = [];
    for (const [id, entry] of this.workers) {
      if (entry.status !== 'ACTIVE') continue;
      if (now - entry.heartbeatAt > this.workerTimeoutMs / 2 && now - entry.refreshedAt >= minAgeMs) ids.push(id);
    }
    return ids;
  }

  /** Free slots over the workers that accept work now. */
  freeSlots(): number {
    let free = 0;
    for (const slots of this.slots()) {
      if (slots.accepting) free += Math.max(0, slots.capacity - slots.running);
    }
    return free;
  }

  /** Counts a workload placed on `workerId`. */
  reserve(workerId: string): void {
    this.index.reserve(workerId);
  }

  /** Undoes {@link reserve} (the write did not happen). */
  release(workerId: string): void {
    this.index.release(workerId);
  }

  private accepting(entry: WorkerEntry, now: number): boolean {
    return entry.status === 'ACTIVE' && now - entry.heartbeatAt < this.workerTimeoutMs;
  }
}
