import { ACTIVE_STATUSES, EXECUTING_STATUSES, type WorkloadStatus } from '@niyanta/models';
import type { OrphanedAttempt, PlacedWorkload } from '@niyanta/scheduling';

/** What one heartbeat says a worker runs. */
export interface HeartbeatReport {
  workerId: string;
  running: ReadonlyArray<{ workload_id: string; attempt: number }>;
}

/** An attempt a worker runs that the database gives to nobody (or to another worker or attempt). */
export interface StrayAttempt {
  workerId: string;
  workloadId: string;
  attempt: number;
}

/** What one round of reconciliation decided. */
export interface ReconciliationDecision {
  /** Attempts to stop on their worker (an `abort` control: no write). */
  aborts: StrayAttempt[];
  /** Attempts to take back from their worker (fenced requeue). */
  orphans: OrphanedAttempt[];
}

interface Suspect {
  workerId: string;
  /** Round in which the row was first seen held by the worker without being listed. */
  firstSeenRound: number;
  /** Latest round that looked at it (suspicions nobody looks at any more are dropped). */
  lastSeenRound: number;
  /** Heartbeats after that round that still left it out. */
  misses: number;
}

/** Rounds after which a suspicion about a worker that stopped reporting is dropped (the health monitor owns it). */
const FORGET_AFTER_ROUNDS = 1_000;

const HELD: ReadonlySet<WorkloadStatus> = new Set(ACTIVE_STATUSES);
/** SCHEDULED rows are not counted: the worker lists attempts only once started, and the watchdog owns them. */
const STARTED: ReadonlySet<WorkloadStatus> = new Set(EXECUTING_STATUSES);

function attemptKey(id: string, attempt: number): string {
  return `${id}#${attempt}`;
}

/**
 * Compares what heartbeats say workers run with what the database says (SPEC §6: "heartbeats carry
 * what it runs, so the leader can reconcile both ways"), across rounds:
 *
 * - a listed attempt that the database does not hold on that worker with that attempt (another
 *   worker, another attempt, or no longer active) is stray: the worker must stop it. Its writes
 *   would be refused anyway; stopping it frees the slot and ends wasted work at once;
 * - a RUNNING/PAUSING attempt the database holds on a live worker that the worker's heartbeats
 *   leave out `threshold` times is orphaned (its outcome write was lost, say during a database
 *   outage): it must be taken back. Only heartbeats received in a later round than the one that
 *   first saw the row count, so an attempt that started just after its worker composed a
 *   heartbeat is never taken for an orphan.
 */
export class HeartbeatReconciliation {
  private readonly suspects = new Map<string, Suspect>();
  private round = 0;

  /** @param threshold heartbeats that must leave an attempt out before it is taken back */
  constructor(private readonly threshold: number) {}

  /** Attempts currently under suspicion (for tests and diagnostics). */
  get suspectCount(): number {
    return this.suspects.size;
  }

  /**
   * One round: `reports` in arrival order, `placements` read from the database after they arrived
   * (every active workload of the reporting workers, and every listed workload).
   */
  reconcile(reports: readonly HeartbeatReport[], placements: readonly PlacedWorkload[]): ReconciliationDecision {
    this.round++;
    const byId = new Map(placements.map((row) => [row.id, row]));
    const heldBy = new Map<string, PlacedWorkload[]>();
    for (const row of placements) {
      if (row.workerId === null || !STARTED.has(row.status)) continue;
      const rows = heldBy.get(row.workerId) ?? [];
      rows.push(row);
      heldBy.set(row.workerId, rows);
    }

    const aborts = new Map<string, StrayAttempt>();
    const orphans = new Map<string, OrphanedAttempt>();
    const reported = new Set<string>();
    for (const report of reports) {
      reported.add(report.workerId);
      const listed = new Set<string>();
      for (const { workload_id: id, attempt } of report.running) {
        listed.add(attemptKey(id, attempt));
        const row = byId.get(id);
        const consistent = row !== undefined && row.workerId === report.workerId && row.attempt === attempt && HELD.has(row.status);
        if (!consistent) aborts.set(`${report.workerId}/${attemptKey(id, attempt)}`, { workerId: report.workerId, workloadId: id, attempt });
      }
      for (const row of heldBy.get(report.workerId) ?? []) {
        const key = attemptKey(row.id, row.attempt);
        if (listed.has(key)) {
          this.suspects.delete(key);
          continue;
        }
        const suspect = this.suspects.get(key);
        if (suspect === undefined || suspect.workerId !== report.workerId) {
          this.suspects.set(key, { workerId: report.workerId, firstSeenRound: this.round, lastSeenRound: this.round, misses: 0 });
          continue;
        }
        suspect.lastSeenRound = this.round;
        if (suspect.firstSeenRound === this.round) continue;
        suspect.misses++;
        if (suspect.misses >= this.threshold) orphans.set(key, { id: row.id, attempt: row.attempt, workerId: report.workerId });
      }
    }
    this.forgetSettled(reported, heldBy);
    for (const key of orphans.keys()) this.suspects.delete(key);
    return { aborts: [...aborts.values()], orphans: [...orphans.values()] };
  }

  /** Forgets everything (a new term starts from scratch). */
  clear(): void {
    this.suspects.clear();
    this.round = 0;
  }

  /**
   * Drops suspicions the database settled (the reporting worker no longer holds that attempt) and
   * those about workers that stopped reporting long ago.
   */
  private forgetSettled(reported: ReadonlySet<string>, heldBy: ReadonlyMap<string, PlacedWorkload[]>): void {
    const held = new Set<string>();
    for (const workerId of reported) {
      for (const row of heldBy.get(workerId) ?? []) held.add(`${workerId}/${attemptKey(row.id, row.attempt)}`);
    }
    for (const [key, suspect] of this.suspects) {
      const settled = reported.has(suspect.workerId) && !held.has(`${suspect.workerId}/${key}`);
      if (settled || this.round - suspect.lastSeenRound > FORGET_AFTER_ROUNDS) this.suspects.delete(key);
    }
  }
}
