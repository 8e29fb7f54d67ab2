import { DomainError, ErrorCode } from '@niyanta/models';
import { WorkloadDefinition } from './workload-handler';
import { WorkloadRegistry, isWorkloadDefinition } from './workload-registry';
import { loadWorkloadModules, registerWorkloadModule, workloadDefinitionsOf } from './workload-modules';
import { flakyWorkload } from './samples/flaky.workload';
import { sleepWorkload } from './samples/sleep.workload';
import { resolveWorkloadDefaults } from './workload-handler';

const noop = (type: string, defaults?: WorkloadDefinition['defaults']): WorkloadDefinition => ({
  type,
  defaults,
  create: () => ({ init: () => undefined, execute: async () => null, checkpoint: () => null, close: () => undefined }),
});

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : undefined;
  }
  return undefined;
}

describe(WorkloadRegistry.name, () => {
  it('registers, lists sorted, and looks up types', () => {
    const registry = new WorkloadRegistry().register(sleepWorkload as WorkloadDefinition).register(flakyWorkload as WorkloadDefinition);
    expect(registry.types()).toEqual(['flaky', 'sleep']);
    expect(registry.has('sleep')).toBe(true);
    expect(registry.get('sleep')).toBe(sleepWorkload);
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.size).toBe(2);
    expect(registry.definitionsList().map((d) => d.type)).toEqual(['flaky', 'sleep']);
    expect(codeOf(() => registry.getOrThrow('nope'))).toBe(ErrorCode.UnknownWorkloadType);
  });

  it('ignores re-registering the same definition but refuses a second one under the same type', () => {
    const registry = new WorkloadRegistry();
    const first = noop('etl');
    registry.register(first).register(first);
    expect(registry.size).toBe(1);
    expect(codeOf(() => registry.register(noop('etl')))).toBe(ErrorCode.Conflict);
  });

  it('rejects bad type names, bad defaults and non-definitions', () => {
    const registry = new WorkloadRegistry();
    expect(codeOf(() => registry.register(noop('has space')))).toBe(ErrorCode.ValidationFailed);
    expect(codeOf(() => registry.register(noop('')))).toBe(ErrorCode.ValidationFailed);
    // The rule submissions are checked by too (SubmitWorkloadDto): a name may not start with '-'.
    expect(codeOf(() => registry.register(noop('-x')))).toBe(ErrorCode.ValidationFailed);
    expect(codeOf(() => registry.register(noop('ok', { priority: 1001 })))).toBe(ErrorCode.ValidationFailed);
    expect(codeOf(() => registry.register(noop('ok', { checkpointProgressStep: 0 })))).toBe(ErrorCode.ValidationFailed);
    expect(codeOf(() => registry.register({ type: 'x' } as unknown as WorkloadDefinition))).toBe(ErrorCode.ValidationFailed);
    registry.register(noop('gpu-train.v2', { timeoutSeconds: null, maxRetries: 0 }));
    expect(registry.types()).toEqual(['gpu-train.v2']);
  });

  it('fills defaults from the built-in ones', () => {
    expect(resolveWorkloadDefaults(noop('a', { priority: 900, timeoutSeconds: undefined }))).toEqual({
      priority: 900,
      maxRetries: 3,
      timeoutSeconds: null,
      checkpointIntervalSeconds: null,
      checkpointProgressStep: null,
    });
  });
});

describe('workload modules', () => {
  it('finds definitions in default, workloads and named exports, once each', () => {
    const a = noop('a');
    const b = noop('b');
    const c = noop('c');
    expect(workloadDefinitionsOf({ default: a, workloads: [a, b], c, helper: () => 1, value: 3 })).toEqual([a, b, c]);
    expect(workloadDefinitionsOf({ default: [b] })).toEqual([b]);
    expect(workloadDefinitionsOf(a)).toEqual([a]);
    expect(workloadDefinitionsOf(null)).toEqual([]);
    expect(isWorkloadDefinition({ type: 'x', create: 'no' })).toBe(false);
  });

  it('loads modules through the given loader and registers their types', () => {
    const registry = new WorkloadRegistry();
    const modules: Record<string, unknown> = { './etl': { default: noop('etl') }, './ml': { workloads: [noop('train'), noop('infer')] } };
    const loaded: string[] = [];
    const types = loadWorkloadModules(['./etl', './ml'], registry, (specifier) => {
      loaded.push(specifier);
      return modules[specifier];
    });
    expect(loaded).toEqual(['./etl', './ml']);
    expect(types).toEqual(['etl', 'train', 'infer']);
    expect(registry.types()).toEqual(['etl', 'infer', 'train']);
  });

  it('names the module that fails to load or exports nothing', () => {
    const registry = new WorkloadRegistry();
    expect(() =>
      loadWorkloadModules(['./missing'], registry, () => {
        throw new Error('Cannot find module');
      }),
    ).toThrow('cannot load workload module ./missing: Cannot find module');
    expect(() => registerWorkloadModule({ helper: 1 }, registry, './empty')).toThrow(/\.\/empty exports no workload definition/);
    expect(registry.size).toBe(0);
  });
});
