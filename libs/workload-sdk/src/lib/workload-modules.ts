import { DomainError, ErrorCode } from '@niyanta/models';
import { WorkloadDefinition } from './workload-handler';
import { WorkloadRegistry, isWorkloadDefinition } from './workload-registry';

/**
 * Every {@link WorkloadDefinition} a module object exports: its `default` export (one definition
 * or an array), its `workloads` array, and any other named export that is a definition.
 * Each definition object is returned once even when exported under several names.
 */
export function workloadDefinitionsOf(moduleObject: unknown): WorkloadDefinition[] {
  const found: WorkloadDefinition[] = [];
  const add = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(add);
    } else if (isWorkloadDefinition(value) && !found.includes(value)) {
      found.push(value);
    }
  };
  if (isWorkloadDefinition(moduleObject)) {
    add(moduleObject);
    return found;
  }
  if (typeof moduleObject !== 'object' || moduleObject === null) return found;
  const exports = moduleObject as Record<string, unknown>;
  add(exports['default']);
  add(exports['workloads']);
  for (const [name, value] of Object.entries(exports)) {
    if (name !== 'default' && name !== 'workloads') add(value);
  }
  return found;
}

/**
 * Registers every definition an already-loaded module exports and returns their types.
 * Throws a `validation_failed` error naming `source` when the module exports none.
 */
export function registerWorkloadModule(moduleObject: unknown, registry: WorkloadRegistry, source = 'module'): string[] {
  const definitions = workloadDefinitionsOf(moduleObject);
  if (definitions.length === 0) {
    throw new DomainError(
      ErrorCode.ValidationFailed,
      `${source} exports no workload definition (export default, or workloads: WorkloadDefinition[])`,
    );
  }
  for (const definition of definitions) registry.register(definition);
  return definitions.map((definition) => definition.type);
}

/**
 * Loads workload modules with the caller's loader (the app passes `require`, keeping this library
 * free of module loading) and registers their definitions. Returns the registered types in order.
 * A module that fails to load is reported with its specifier.
 */
export function loadWorkloadModules(
  specifiers: readonly string[],
  registry: WorkloadRegistry,
  load: (specifier: string) => unknown,
): string[] {
  const types: string[] = [];
  for (const specifier of specifiers) {
    let moduleObject: unknown;
    try {
      moduleObject = load(specifier);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DomainError(ErrorCode.ValidationFailed, `cannot load workload module ${specifier}: ${reason}`);
    }
    types.push(...registerWorkloadModule(moduleObject, registry, specifier));
  }
  return types;
}
