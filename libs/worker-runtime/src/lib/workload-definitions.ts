import { resolve } from 'node:path';
import { loadWorkloadModules, SAMPLE_WORKLOADS, WorkloadDefinition, WorkloadRegistry } from '@niyanta/workload-sdk';

/**
 * The workload types this process can run: the samples plus every definition exported by the
 * `WORKLOAD_MODULES` (paths starting with `.` or `/` are resolved against the working directory,
 * anything else as a package name).
 */
export function workloadDefinitions(modules: readonly string[]): WorkloadDefinition[] {
  const registry = new WorkloadRegistry();
  for (const sample of SAMPLE_WORKLOADS) registry.register(sample);
  loadWorkloadModules(modules, registry, (specifier) =>
    // User modules are named at run time, so this is a dynamic require (swc-node also loads .ts).
    require(/^[./]/.test(specifier) ? resolve(specifier) : specifier),
  );
  return registry.definitionsList();
}
