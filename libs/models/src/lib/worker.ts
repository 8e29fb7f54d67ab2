/** The lifecycle of a worker process as the fleet sees it. */
export const WorkerStatus = {
  Active: 'ACTIVE',
  Draining: 'DRAINING',
  Dead: 'DEAD',
  Stopped: 'STOPPED',
} as const;
export type WorkerStatus = (typeof WorkerStatus)[keyof typeof WorkerStatus];

/** A worker as registered (SPEC §6). */
export interface WorkerInfo {
  id: string;
  status: WorkerStatus;
  tags: Record<string, string>;
  region: string | null;
  capacity: number;
  workloadTypes: string[];
  runningCount: number;
  lastHeartbeatAt: Date;
  registeredAt: Date;
}

/** Lifecycle of the worker process itself (an explicit state machine, not booleans). */
export type WorkerLifecycleState = 'STARTING' | 'RUNNING' | 'DRAINING' | 'STOPPED';
