import type { WorkerLifecycleState } from '@niyanta/models';

/**
 * Transitions of the worker process. STARTING may go straight to DRAINING (shutdown before the
 * first registration succeeded) or STOPPED; there is no way back from DRAINING or STOPPED.
 */
const NEXT: Readonly<Record<WorkerLifecycleState, readonly WorkerLifecycleState[]>> = {
  STARTING: ['RUNNING', 'DRAINING', 'STOPPED'],
  RUNNING: ['DRAINING'],
  DRAINING: ['STOPPED'],
  STOPPED: [],
};

/** Thrown on a transition {@link WorkerLifecycle} does not allow (a programming error). */
export class InvalidLifecycleTransitionError extends Error {
  constructor(
    readonly from: WorkerLifecycleState,
    readonly to: WorkerLifecycleState,
  ) {
    super(`worker lifecycle cannot go from ${from} to ${to}`);
    this.name = 'InvalidLifecycleTransitionError';
  }
}

/** The lifecycle of the worker process: `STARTING → RUNNING → DRAINING → STOPPED`. */
export class WorkerLifecycle {
  private current: WorkerLifecycleState = 'STARTING';
  private readonly listeners = new Set<(state: WorkerLifecycleState, previous: WorkerLifecycleState) => void>();

  get state(): WorkerLifecycleState {
    return this.current;
  }

  /** True while assignments may be accepted. */
  get accepting(): boolean {
    return this.current === 'RUNNING';
  }

  canMoveTo(to: WorkerLifecycleState): boolean {
    return NEXT[this.current].includes(to);
  }

  /** Moves to `to` or throws {@link InvalidLifecycleTransitionError}. */
  moveTo(to: WorkerLifecycleState): void {
    if (!this.canMoveTo(to)) throw new InvalidLifecycleTransitionError(this.current, to);
    const previous = this.current;
    this.current = to;
    for (const listener of this.listeners) listener(to, previous);
  }

  /** Calls `listener` after every transition; returns a function that removes it. */
  onChange(listener: (state: WorkerLifecycleState, previous: WorkerLifecycleState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
