import { WorkloadDefinition } from '../workload-handler';
import { flakyWorkload } from './flaky.workload';
import { sleepWorkload } from './sleep.workload';

/** The sample types a worker ships with (`sleep`, `flaky`). */
export const SAMPLE_WORKLOADS: readonly WorkloadDefinition[] = Object.freeze([
  sleepWorkload as WorkloadDefinition,
  flakyWorkload as WorkloadDefinition,
]);
