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
  Control: 'workload.control',
  Heartbeat: 'worker.heartbeat',
  WorkloadEvent: 'workload.event',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Why the leader is being woken. */
export interface LeaderWakePayload {
  reason: 'submitted' | 'slot_freed' | 'worker_joined' | 'resumed' | 'requeued';
  workload_ids?: string[];
  worker_id?: string;
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
}

/** A command for a running workload attempt. */
export interface ControlPayload {
  action: 'cancel' | 'pause';
  workload_id: string;
  attempt: number;
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
}
