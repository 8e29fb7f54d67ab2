import type { WorkerStatus } from '@niyanta/models';
import type { WorkerSlots } from '@niyanta/scheduling';
import type { WorkerSnapshot } from '@niyanta/state';

interface WorkerEntry {
  slots: WorkerSlots;
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
 */
export class ClusterView {
  private readonly workers = new Map<string, WorkerEntry>();

  constructor(
    private readonly workerTimeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Workers known (ACTIVE or DRAINING). */
  get size(): number {
    return this.workers.size;
  }

  has(workerId: string): boolean {
    return this.workers.has(workerId);
  }

  /** Occupied slots of a worker as the view counts them, or undefined when unknown. */
  running(workerId: string): number | undefined {
    return this.workers.get(workerId)?.slots.running;
  }

  /** Replaces the whole fleet (taking office, periodic sweep). */
  replaceAll(snapshots: readonly WorkerSnapshot[]): void {
    this.workers.clear();
    for (const snapshot of snapshots) this.apply(snapshot);
  }

  /** Refreshes one worker; a worker that is no longer ACTIVE or DRAINING leaves the view. */
  apply(snapshot: WorkerSnapshot): void {
    if (snapshot.status !== 'ACTIVE' && snapshot.status !== 'DRAINING') {
      this.workers.delete(snapshot.id);
      return;
    }
    const now = this.clock();
    this.workers.set(snapshot.id, {
      status: snapshot.status,
      heartbeatAt: now - snapshot.heartbeatAgeMs,
      refreshedAt: now,
      slots: {
        id: snapshot.id,
        tags: snapshot.tags,
        region: snapshot.region,
        capacity: snapshot.capacity,
        running: snapshot.activeCount,
        workloadTypes: snapshot.workloadTypes,
        accepting: false,
      },
    });
  }

  /** Forgets a worker (it no longer exists). */
  remove(workerId: string): void {
    this.workers.delete(workerId);
  }

  /**
   * The workers for placement, with `accepting` evaluated now. The objects are the view's own, so
   * {@link reserve} is visible to later placements in the same pass.
   */
  slots(): WorkerSlots[] {
    const now = this.clock();
    const result: WorkerSlots[] = [];
    for (const entry of this.workers.values()) {
      entry.slots.accepting = entry.status === 'ACTIVE' && now - entry.heartbeatAt < this.workerTimeoutMs;
      result.push(entry.slots);
    }
    return result;
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
    const entry = this.workers.get(workerId);
    if (entry) entry.slots.running++;
  }

  /** Undoes {@link reserve} (the write did not happen). */
  release(workerId: string): void {
    const entry = this.workers.get(workerId);
    if (entry && entry.slots.running > 0) entry.slots.running--;
  }
}
