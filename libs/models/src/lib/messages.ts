import { JsonObject, JsonValue } from './workload';
import { WorkloadStatus } from './workload-status';

/**
 * Broker subjects. Every process is given a prefix (`niyanta` by default; tests use their own)
 * so that suites and deployments sharing one NATS server never see each other's messages.
 */
export class Subjects {
  constructor(readonly prefix: string) {}

  /** Wakes the leader's scheduler: something became schedulable or a slot was freed. */
  leaderWake(): string {
    return `${this.prefix}.leader.wake`;
  }
  /** Assignments for one worker (durable: they must survive a broker restart). */
  workerAssign(workerId: string): string {
    return `${this.prefix}.worker.${workerId}.assign`;
  }
  /** Cancel / pause commands for one worker. */
  workerControl(workerId: string): string {
    return `${this.prefix}.worker.${workerId}.control`;
  }
  /** Heartbeats of all workers, consumed by the leader. */
  workerHeartbeat(): string {
    return `${this.prefix}.worker.heartbeat`;
  }
  /** State changes of one customer's workloads (fanned out to WebSocket clients). */
  customerEvents(customerId: string): string {
    return `${this.prefix}.events.${customerId}`;
  }
  /** All customers' workload events. */
  allEvents(): string {
    return `${this.prefix}.events.*`;
  }
}

/** Message type names carried in {@link MessageEnvelope.type}. */
export const MessageType = {
  LeaderWake: 'leader.wake',
  Assignment: 'workload.assignment',
  AssignmentBatch: 'workload.assignment_batch',
  Control: 'workload.control',
  WorkerDrain: 'worker.drain',
  Heartbeat: 'worker.heartbeat',
  WorkloadEvent: 'workload.event',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Why the leader is being woken. */
export interface LeaderWakePayload {
  reason: 'submitted' | 'slot_freed' | 'worker_joined' | 'resumed' | 'requeued' | 'parents_ended';
  workload_ids?: string[];
  worker_id?: string;
  /**
   * Workloads with dependents that just ended (COMPLETED, FAILED or CANCELLED): the leader releases
   * or cancels their dependents (SPEC §8). Sent only for workloads that have dependents.
   */
  parents_done?: string[];
}

/** The leader hands one workload attempt to one worker. */
export interface AssignmentPayload {
  workload_id: string;
  customer_id: string;
  workload_type: string;
  attempt: number;
  input: JsonObject;
  /** Leader generation that made the assignment (for diagnostics; the database fences). */
  generation: number;
  /** The customer's tier when it was placed, for the worker's latency metrics (absent from older leaders). */
  tier?: string;
  /** W3C `traceparent` of the leader's assignment span; present only when the workload is traced. */
  trace?: string;
}

/**
 * Several assignments to one worker in one durable message: the leader sends one per worker per
 * scheduling pass (in chunks), so the broker carries one message for many workloads. The worker
 * acknowledges it once every attempt in it has started or been handed back; a redelivered batch
 * starts only what has not started yet (attempts are fenced).
 */
export interface AssignmentBatchPayload {
  assignments: AssignmentPayload[];
}

/**
 * A command for a running workload attempt. `cancel` ends every attempt of the workload (the API
 * wrote CANCELLED); `pause` checkpoints and stops the named attempt; `abort` stops the named
 * attempt without writing anything — the leader's reconciliation sends it when the database no
 * longer gives that attempt to this worker.
 */
export interface ControlPayload {
  action: 'cancel' | 'pause' | 'abort';
  workload_id: string;
  attempt: number;
}

/**
 * Asks one worker to drain without exiting (admin drain), on its control subject: it stops taking
 * work, checkpoints and hands back what it runs, and stays up.
 */
export interface WorkerDrainPayload {
  worker_id: string;
  /** Who asked (e.g. `admin`), for the worker's log. */
  requested_by: string;
}

/** A worker's periodic report. */
export interface HeartbeatPayload {
  worker_id: string;
  running: Array<{ workload_id: string; attempt: number }>;
  capacity: number;
  draining: boolean;
}

/** A workload changed state (published on the customer's events subject). */
export interface WorkloadEventPayload {
  workload_id: string;
  customer_id: string;
  workload_type: string;
  status: WorkloadStatus;
  attempt: number;
  progress: number;
  worker_id: string | null;
  output?: JsonValue | null;
  error?: { code: string; message: string } | null;
  occurred_at: string;
  /** Set on the event of a workload a schedule's tick just created: the schedule. */
  schedule_id?: string | null;
  /** With `schedule_id`: the tick (RFC 3339), or null for a manual trigger. */
  schedule_tick?: string | null;
}
