import type { JsonObject } from './workload';

/** Configuration of one registered workload type (`workload_configs`, SPEC §2). */
export interface WorkloadTypeConfig {
  workloadType: string;
  /** Priority of a submission that gives none (0–1000). */
  defaultPriority: number;
  /** Retries of a submission that gives none. */
  maxRetries: number;
  /** Wall-clock limit of one attempt; null: none. */
  timeoutSeconds: number | null;
  /** Time-based checkpoint policy; null: none. */
  checkpointIntervalSeconds: number | null;
  /** Progress-based checkpoint policy (fraction 0–1); null: none. */
  checkpointProgressStep: number | null;
  /**
   * Most workloads of this type occupying worker slots (SCHEDULED, RUNNING, PAUSING) at once across
   * the fleet; null or absent: no cap. The scheduler holds the rest PENDING with a reason.
   */
  maxConcurrent?: number | null;
  /**
   * JSON Schema (draft-07) of the input, as the type's newest registering worker declared it
   * (`defineWorkload({ input })`); null or absent: any JSON object. Submissions are checked against it.
   */
  inputSchema?: JsonObject | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Metadata of one stored checkpoint (never its bytes). */
export interface CheckpointInfo {
  id: string;
  workloadId: string;
  attempt: number;
  sequence: number;
  /** Encoded size before compression. */
  sizeBytes: number;
  /** Size actually stored. */
  storedBytes: number;
  codec: string;
  storage: string;
  createdAt: Date;
}
