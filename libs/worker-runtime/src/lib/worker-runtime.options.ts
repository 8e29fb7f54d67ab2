import {
  DEFAULT_CHECKPOINT_COMPRESSION,
  type CheckpointCompression,
  type CheckpointObjectStore,
  type CheckpointStorageConfig,
} from '@niyanta/checkpoint';
import { nonNegativeInteger, nonNegativeNumber, parseOptions, positiveInteger, positiveNumber } from '@niyanta/config';
import { DEFAULT_RETRY_BACKOFF } from '@niyanta/scheduling';
import type { WorkloadTypeRegistration } from '@niyanta/state';
import { z } from 'zod';
import { inputJsonSchema, WorkloadRegistry, type WorkloadDefinition } from '@niyanta/workload-sdk';

/** Options of `WorkerRuntimeModule.forRoot`. The app parses them from its environment. */
export interface WorkerRuntimeOptions {
  /** Unique id of this worker (`WORKER_ID`). */
  workerId: string;
  /** Tags the scheduler matches affinity rules against (`WORKER_TAGS`). */
  tags: Record<string, string>;
  /** Region of this worker (`WORKER_REGION`); null: none. */
  region: string | null;
  /** Workloads run at the same time (`WORKER_CAPACITY`). A positive integer. */
  capacity: number;
  /** Restricts the types this worker registers to these names (`WORKER_TYPES`). @default every definition */
  types?: string[];
  /** Interval of the heartbeat that keeps this worker alive in the fleet (`HEARTBEAT_INTERVAL`). */
  heartbeatIntervalMs: number;
  /** How long a drain waits for running workloads to be handed back (`DRAIN_TIMEOUT`). */
  drainTimeoutMs: number;
  /** The workload types this worker can run (samples plus the app's `WORKLOAD_MODULES`). */
  definitions: WorkloadDefinition[];
  /**
   * Timeout of an attempt whose type (and workload) has none (`WORKLOAD_TIMEOUT_DEFAULT`): past it
   * the attempt is aborted as a retryable `timeout`, so no attempt holds a slot forever. @default 86400
   */
  defaultTimeoutSeconds?: number;
  /** Backoff after the first failed attempt (exponential, jittered). @default 1000 */
  retryBaseDelayMs?: number;
  /** Largest backoff between attempts. @default 60000 */
  retryMaxDelayMs?: number;
  /** Least time between two progress writes of one workload; the last report is always written. @default 250 */
  progressThrottleMs?: number;
  /** Compression of checkpoint state (brotli won the measurement in docs/checkpoints.md). @default 'brotli' */
  checkpointCompression?: CheckpointCompression;
  /** Where checkpoints larger than `checkpointInlineMaxBytes` go (`CHECKPOINT_STORE`). @default { kind: 'inline' } */
  checkpointStorage?: CheckpointStorageConfig;
  /** An object store to use instead of the one `checkpointStorage` names (custom backends, tests). */
  checkpointObjectStore?: CheckpointObjectStore;
  /** Largest stored (compressed) checkpoint kept inline in PostgreSQL (`CHECKPOINT_INLINE_MAX`). @default 262144 */
  checkpointInlineMaxBytes?: number;
  /** Newest checkpoints kept per workload; older ones and their objects are deleted (`CHECKPOINT_RETAIN`). @default 3 */
  checkpointRetain?: number;
  /** Tries to store one checkpoint before it counts as failed (backoff doubles from 200 ms). @default 3 */
  checkpointStoreTries?: number;
  /** How often one worker of the fleet sweeps orphaned checkpoint objects; 0 disables (`CHECKPOINT_SWEEP_INTERVAL`). @default 600000 */
  checkpointSweepIntervalMs?: number;
  /** Objects younger than this are never swept, and a slower object write is not recorded (`CHECKPOINT_ORPHAN_GRACE`). @default 3600000 */
  checkpointOrphanGraceMs?: number;
}

/** Default of {@link WorkerRuntimeOptions.defaultTimeoutSeconds}: one day. */
export const DEFAULT_TIMEOUT_SECONDS = 86_400;

/** {@link WorkerRuntimeOptions} with defaults applied and the types resolved. */
export interface ResolvedWorkerRuntimeOptions
  extends Required<Omit<WorkerRuntimeOptions, 'types' | 'definitions' | 'checkpointObjectStore'>> {
  /** The definitions this worker registers and runs, by type. */
  registry: WorkloadRegistry;
}

/**
 * Config row a worker proposes for a type whose definition leaves a field out (lifecycle
 * contract): priority 100, 3 retries, no timeout, a checkpoint every 30 s, no progress step.
 */
export const REGISTRATION_DEFAULTS: Readonly<Omit<WorkloadTypeRegistration, 'workloadType'>> = Object.freeze({
  defaultPriority: 100,
  maxRetries: 3,
  timeoutSeconds: null,
  checkpointIntervalSeconds: 30,
  checkpointProgressStep: null,
});

/** Defaults of the checkpoint options (see {@link WorkerRuntimeOptions}). */
export const CHECKPOINT_DEFAULTS = Object.freeze({
  inlineMaxBytes: 256 * 1024,
  retain: 3,
  storeTries: 3,
  sweepIntervalMs: 10 * 60_000,
  orphanGraceMs: 60 * 60_000,
});

/** Dependency-injection token of {@link ResolvedWorkerRuntimeOptions}. */
export const WORKER_RUNTIME_OPTIONS = Symbol('WORKER_RUNTIME_OPTIONS');

/** The numeric options; the rest is checked by the registry below. */
const NUMBERS_SCHEMA = z.object({
  workerId: z.string().refine((id) => id.trim() !== '', { error: 'must not be empty' }),
  capacity: positiveInteger(),
  heartbeatIntervalMs: positiveInteger(),
  drainTimeoutMs: nonNegativeNumber(),
  checkpointInlineMaxBytes: positiveInteger().optional(),
  checkpointRetain: positiveInteger().optional(),
  checkpointStoreTries: positiveInteger().optional(),
  checkpointOrphanGraceMs: positiveInteger().optional(),
  defaultTimeoutSeconds: positiveNumber().optional(),
  checkpointSweepIntervalMs: nonNegativeInteger().optional(),
});

/**
 * Validates `options` and fills in defaults. Throws when the capacity or an interval is not
 * positive, a definition is invalid or duplicated, or `types` names a type no definition provides.
 */
export function resolveWorkerRuntimeOptions(options: WorkerRuntimeOptions): ResolvedWorkerRuntimeOptions {
  parseOptions(NUMBERS_SCHEMA, options, 'WorkerRuntimeOptions');
  const all = new WorkloadRegistry();
  for (const definition of options.definitions) all.register(definition);
  const registry = new WorkloadRegistry();
  const wanted = options.types ?? all.types();
  for (const type of wanted) {
    const definition = all.get(type);
    if (definition === undefined) {
      throw new Error(
        `worker runtime: type "${type}" is not provided by any workload definition (have: ${all.types().join(', ')})`,
      );
    }
    registry.register(definition);
  }
  return {
    workerId: options.workerId,
    tags: { ...options.tags },
    region: options.region,
    capacity: options.capacity,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    drainTimeoutMs: options.drainTimeoutMs,
    defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    retryBaseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BACKOFF.baseMs,
    retryMaxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_BACKOFF.maxMs,
    progressThrottleMs: options.progressThrottleMs ?? 250,
    checkpointCompression: options.checkpointCompression ?? DEFAULT_CHECKPOINT_COMPRESSION,
    checkpointStorage: options.checkpointStorage ?? { kind: 'inline' },
    checkpointInlineMaxBytes: options.checkpointInlineMaxBytes ?? CHECKPOINT_DEFAULTS.inlineMaxBytes,
    checkpointRetain: options.checkpointRetain ?? CHECKPOINT_DEFAULTS.retain,
    checkpointStoreTries: options.checkpointStoreTries ?? CHECKPOINT_DEFAULTS.storeTries,
    checkpointSweepIntervalMs: options.checkpointSweepIntervalMs ?? CHECKPOINT_DEFAULTS.sweepIntervalMs,
    checkpointOrphanGraceMs: options.checkpointOrphanGraceMs ?? CHECKPOINT_DEFAULTS.orphanGraceMs,
    registry,
  };
}

/** The `workload_configs` row this worker proposes for `definition`. */
export function typeRegistration(definition: WorkloadDefinition): WorkloadTypeRegistration {
  const defaults = definition.defaults ?? {};
  return {
    workloadType: definition.type,
    defaultPriority: defaults.priority ?? REGISTRATION_DEFAULTS.defaultPriority,
    maxRetries: defaults.maxRetries ?? REGISTRATION_DEFAULTS.maxRetries,
    timeoutSeconds: defaults.timeoutSeconds ?? REGISTRATION_DEFAULTS.timeoutSeconds,
    checkpointIntervalSeconds:
      defaults.checkpointIntervalSeconds === undefined
        ? REGISTRATION_DEFAULTS.checkpointIntervalSeconds
        : defaults.checkpointIntervalSeconds,
    checkpointProgressStep: defaults.checkpointProgressStep ?? REGISTRATION_DEFAULTS.checkpointProgressStep,
    inputSchema: inputJsonSchema(definition),
  };
}
