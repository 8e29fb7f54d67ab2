import type { LeaderFence } from '@niyanta/state';

/** One term in office: the fence every write uses, and how a duty reports that the lease is gone. */
export interface LeaderTerm {
  /** Leader id and generation; pass it to every fenced repository write. */
  readonly fence: LeaderFence;
  /** Aborted when the term ends (step-down or shutdown). */
  readonly signal: AbortSignal;
  /**
   * A fenced write found the lease lost (`LeaseLostError`): the leader steps down at once instead
   * of waiting for its next renewal.
   */
  leaseLost(cause: unknown): void;
}

/**
 * Work only the leader does (scheduling, health monitoring, reclaiming assignments). The election
 * starts every duty when it takes office and stops them all when it steps down or shuts down.
 */
export abstract class LeaderDuty {
  /** Short name for logs. */
  abstract readonly name: string;
  /** Begins the duty for `term`; may return before its first round completes. */
  abstract start(term: LeaderTerm): Promise<void>;
  /** Ends the duty; resolves when no write of it is in flight any more. */
  abstract stop(): Promise<void>;
}

/** Nest token of the list of {@link LeaderDuty} the election drives. */
export const LEADER_DUTIES = Symbol('LEADER_DUTIES');
