export type {
  AnyWorkloadDefinition,
  LogFields,
  WorkloadContext,
  WorkloadDefaults,
  WorkloadDefinition,
  WorkloadHandler,
  WorkloadLogger,
} from './lib/workload-handler';
export { DEFAULT_WORKLOAD_DEFAULTS, defineWorkload, resolveWorkloadDefaults } from './lib/workload-handler';
export type { WorkloadErrorOptions, WorkloadFailure, WorkloadFailureKind } from './lib/errors';
export {
  NonRetryableWorkloadError,
  RetryableWorkloadError,
  UNHANDLED_ERROR_CODE,
  WorkloadCancelledError,
  classifyWorkloadError,
} from './lib/errors';
export { WorkloadRegistry, isWorkloadDefinition } from './lib/workload-registry';
// The naming rule is the domain's; re-exported for workload authors.
export { WORKLOAD_TYPE_PATTERN } from '@niyanta/models';
export { loadWorkloadModules, registerWorkloadModule, workloadDefinitionsOf } from './lib/workload-modules';
export { inputJsonSchema } from './lib/input-schema';
export type { InputOf } from './lib/input-schema';
export { abortableDelay, throwIfAborted } from './lib/abortable-delay';
export type { SleepState } from './lib/samples/sleep.workload';
export { sleepWorkload } from './lib/samples/sleep.workload';
export { flakyWorkload } from './lib/samples/flaky.workload';
export { SAMPLE_WORKLOADS } from './lib/samples/sample-workloads';
export type { FakeWorkloadContextOptions, RecordedLogLine } from './testing/fake-workload-context';
export { FakeWorkloadContext } from './testing/fake-workload-context';
