import type { WorkerSettings } from '@niyanta/config';
import type { WorkloadDefinition } from '@niyanta/workload-sdk';
import type { WorkerRuntimeOptions } from './worker-runtime.options';

/**
 * The worker feature's options from validated settings — one mapping for every process that runs
 * a worker (worker and standalone). `definitions` are the workload types the app loaded.
 */
export function workerRuntimeOptionsFromSettings(
  settings: WorkerSettings,
  definitions: WorkloadDefinition[],
): WorkerRuntimeOptions {
  return {
    workerId: settings.workerId,
    tags: { ...settings.workerTags },
    region: settings.workerRegion ?? null,
    capacity: settings.workerCapacity,
    types: settings.workerTypes ? [...settings.workerTypes] : undefined,
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    drainTimeoutMs: settings.drainTimeoutMs,
    defaultTimeoutSeconds: settings.defaultWorkloadTimeoutMs / 1000,
    retryBaseDelayMs: settings.retryBaseDelayMs,
    retryMaxDelayMs: settings.retryMaxDelayMs,
    checkpointStorage: settings.checkpointStorage,
    checkpointInlineMaxBytes: settings.checkpointInlineMaxBytes,
    checkpointRetain: settings.checkpointRetain,
    checkpointSweepIntervalMs: settings.checkpointSweepIntervalMs,
    checkpointOrphanGraceMs: settings.checkpointOrphanGraceMs,
    definitions,
  };
}
