import { InvalidStateError } from './errors';

/** The lifecycle of a workload (SPEC §2). */
export const WorkloadStatus = {
  Pending: 'PENDING',
  Scheduled: 'SCHEDULED',
  Running: 'RUNNING',
  Pausing: 'PAUSING',
  Paused: 'PAUSED',
  Completed: 'COMPLETED',
  Failed: 'FAILED',
  Cancelled: 'CANCELLED',
} as const;
export type WorkloadStatus = (typeof WorkloadStatus)[keyof typeof WorkloadStatus];

export const ALL_WORKLOAD_STATUSES: readonly WorkloadStatus[] = Object.values(WorkloadStatus);

/** Statuses a workload never leaves. */
export const TERMINAL_STATUSES: readonly WorkloadStatus[] = [
  WorkloadStatus.Completed,
  WorkloadStatus.Failed,
  WorkloadStatus.Cancelled,
];

/** Statuses in which a workload occupies a slot on a worker. */
export const ACTIVE_STATUSES: readonly WorkloadStatus[] = [
  WorkloadStatus.Scheduled,
  WorkloadStatus.Running,
  WorkloadStatus.Pausing,
];

/** Statuses in which a worker executes the attempt (progress and checkpoints are accepted). */
export const EXECUTING_STATUSES: readonly WorkloadStatus[] = [WorkloadStatus.Running, WorkloadStatus.Pausing];

/** Statuses from which a worker may start an attempt it was assigned, or hand it back. */
export const STARTABLE_STATUSES: readonly WorkloadStatus[] = [WorkloadStatus.Scheduled, WorkloadStatus.Running];

/** Statuses in which a workload waits for a slot (counted against the tier's `maxPending`). */
export const WAITING_STATUSES: readonly WorkloadStatus[] = [WorkloadStatus.Pending, WorkloadStatus.Paused];

/** What may follow what. PENDING → PENDING is a requeue (retry or reassignment with attempt + 1). */
const TRANSITIONS: Readonly<Record<WorkloadStatus, readonly WorkloadStatus[]>> = {
  PENDING: ['SCHEDULED', 'PAUSED', 'CANCELLED', 'FAILED'],
  SCHEDULED: ['RUNNING', 'PENDING', 'PAUSED', 'CANCELLED', 'FAILED'],
  RUNNING: ['COMPLETED', 'FAILED', 'CANCELLED', 'PENDING', 'PAUSING'],
  PAUSING: ['PAUSED', 'PENDING', 'CANCELLED', 'COMPLETED', 'FAILED'],
  PAUSED: ['PENDING', 'CANCELLED'],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};

/** The user-facing operations that change a workload's status. */
export type WorkloadCommand = 'cancel' | 'pause' | 'resume';

/** Statuses from which each command is allowed (anything else is 409 `invalid_state`). */
export const COMMAND_SOURCES: Readonly<Record<WorkloadCommand, readonly WorkloadStatus[]>> = {
  cancel: ['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSING', 'PAUSED'],
  pause: ['PENDING', 'SCHEDULED', 'RUNNING'],
  resume: ['PAUSED'],
};

export function isTerminal(status: WorkloadStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isActive(status: WorkloadStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export function canTransition(from: WorkloadStatus, to: WorkloadStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws {@link InvalidStateError} unless `from → to` is allowed. */
export function assertTransition(from: WorkloadStatus, to: WorkloadStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidStateError(`a ${from} workload cannot become ${to}`);
  }
}

/**
 * The status a command leads to from `from`, or an {@link InvalidStateError}.
 * Pausing a workload that is not running parks it at once (PAUSED); a running one goes through PAUSING
 * while its worker checkpoints. The result is checked against the transition table, so the
 * command table cannot drift from it.
 */
export function commandTarget(command: WorkloadCommand, from: WorkloadStatus): WorkloadStatus {
  if (!COMMAND_SOURCES[command].includes(from)) {
    throw new InvalidStateError(`cannot ${command} a ${from} workload`);
  }
  const target = commandTargetOf(command, from);
  assertTransition(from, target);
  return target;
}

function commandTargetOf(command: WorkloadCommand, from: WorkloadStatus): WorkloadStatus {
  switch (command) {
    case 'cancel':
      return WorkloadStatus.Cancelled;
    case 'pause':
      return from === WorkloadStatus.Running ? WorkloadStatus.Pausing : WorkloadStatus.Paused;
    case 'resume':
      return WorkloadStatus.Pending;
  }
}

/**
 * Where a worker's hand-back (pause checkpoint done, drain, release) takes an attempt it holds:
 * PAUSING parks as PAUSED, SCHEDULED or RUNNING goes back to PENDING. Checked against the
 * transition table; anything else is an {@link InvalidStateError}.
 */
export function releaseTarget(from: WorkloadStatus): WorkloadStatus {
  const target = from === WorkloadStatus.Pausing ? WorkloadStatus.Paused : WorkloadStatus.Pending;
  if (!ACTIVE_STATUSES.includes(from)) throw new InvalidStateError(`a ${from} workload has no attempt to hand back`);
  assertTransition(from, target);
  return target;
}

export function isWorkloadStatus(value: unknown): value is WorkloadStatus {
  return typeof value === 'string' && (ALL_WORKLOAD_STATUSES as readonly string[]).includes(value);
}
