import { flakyWorkload, sleepWorkload, type WorkloadDefinition } from '@niyanta/workload-sdk';
import {
  REGISTRATION_DEFAULTS,
  resolveWorkerRuntimeOptions,
  typeRegistration,
  type WorkerRuntimeOptions,
} from './worker-runtime.options';

function options(overrides: Partial<WorkerRuntimeOptions> = {}): WorkerRuntimeOptions {
  return {
    workerId: 'w1',
    tags: { zone: 'a' },
    region: null,
    capacity: 4,
    heartbeatIntervalMs: 5_000,
    drainTimeoutMs: 30_000,
    definitions: [sleepWorkload as WorkloadDefinition, flakyWorkload as WorkloadDefinition],
    ...overrides,
  };
}

describe(resolveWorkerRuntimeOptions.name, () => {
  it('fills defaults and registers every definition when no types are given', () => {
    const resolved = resolveWorkerRuntimeOptions(options());
    expect(resolved.registry.types()).toEqual(['flaky', 'sleep']);
    expect(resolved).toMatchObject({
      retryBaseDelayMs: 1_000,
      retryMaxDelayMs: 60_000,
      progressThrottleMs: 250,
      checkpointCompression: 'brotli',
      checkpointStorage: { kind: 'inline' },
      checkpointInlineMaxBytes: 262_144,
      checkpointRetain: 3,
      checkpointStoreTries: 3,
      checkpointSweepIntervalMs: 600_000,
      checkpointOrphanGraceMs: 3_600_000,
    });
  });

  it('restricts the types to WORKER_TYPES', () => {
    expect(resolveWorkerRuntimeOptions(options({ types: ['sleep'] })).registry.types()).toEqual(['sleep']);
  });

  it.each<[string, Partial<WorkerRuntimeOptions>, RegExp]>([
    ['a type no definition provides', { types: ['sleep', 'gpu'] }, /type "gpu" is not provided/],
    ['a zero capacity', { capacity: 0 }, /capacity must be a positive integer/],
    ['a fractional capacity', { capacity: 1.5 }, /capacity must be a positive integer/],
    ['a zero heartbeat interval', { heartbeatIntervalMs: 0 }, /heartbeatIntervalMs/],
    ['a negative drain timeout', { drainTimeoutMs: -1 }, /drainTimeoutMs/],
    ['an empty worker id', { workerId: ' ' }, /workerId/],
    ['keeping no checkpoint', { checkpointRetain: 0 }, /checkpointRetain/],
    ['a zero inline threshold', { checkpointInlineMaxBytes: 0 }, /checkpointInlineMaxBytes/],
    ['a negative sweep interval', { checkpointSweepIntervalMs: -1 }, /checkpointSweepIntervalMs/],
    ['no store tries', { checkpointStoreTries: 0 }, /checkpointStoreTries/],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => resolveWorkerRuntimeOptions(options(overrides))).toThrow(message);
  });

  it('rejects two different definitions of one type', () => {
    const twin: WorkloadDefinition = { type: 'sleep', create: () => sleepWorkload.create() as never };
    expect(() =>
      resolveWorkerRuntimeOptions(options({ definitions: [sleepWorkload as WorkloadDefinition, twin] })),
    ).toThrow(/already registered/);
  });
});

describe(typeRegistration.name, () => {
  it('uses the contract defaults for what a definition leaves out', () => {
    const bare: WorkloadDefinition = { type: 'bare', create: () => sleepWorkload.create() as never };
    expect(typeRegistration(bare)).toEqual({
      workloadType: 'bare',
      defaultPriority: 100,
      maxRetries: 3,
      timeoutSeconds: null,
      checkpointIntervalSeconds: 30,
      checkpointProgressStep: null,
      inputSchema: null,
    });
  });

  it.each<[keyof NonNullable<WorkloadDefinition['defaults']>, keyof typeof REGISTRATION_DEFAULTS]>([
    ['priority', 'defaultPriority'],
    ['maxRetries', 'maxRetries'],
    ['timeoutSeconds', 'timeoutSeconds'],
    ['checkpointIntervalSeconds', 'checkpointIntervalSeconds'],
    ['checkpointProgressStep', 'checkpointProgressStep'],
  ])('fills only %s when a definition leaves out just that one', (left, filled) => {
    const full = { priority: 700, maxRetries: 0, timeoutSeconds: 60, checkpointIntervalSeconds: 5, checkpointProgressStep: 0.1 };
    const create = () => sleepWorkload.create() as never;
    const { [left]: _omitted, ...partial } = full;
    const registered = typeRegistration({ type: 'partial', defaults: partial, create });
    expect(registered).toEqual({ ...typeRegistration({ type: 'partial', defaults: full, create }), [filled]: REGISTRATION_DEFAULTS[filled] });
    expect(registered[filled]).not.toEqual(typeRegistration({ type: 'partial', defaults: full, create })[filled]);
  });

  it("keeps the definition's own values, including an explicit null interval", () => {
    const custom: WorkloadDefinition = {
      type: 'custom',
      defaults: {
        priority: 700,
        maxRetries: 0,
        timeoutSeconds: 60,
        checkpointIntervalSeconds: null,
        checkpointProgressStep: 0.1,
      },
      create: () => sleepWorkload.create() as never,
    };
    expect(typeRegistration(custom)).toEqual({
      workloadType: 'custom',
      inputSchema: null,
      defaultPriority: 700,
      maxRetries: 0,
      timeoutSeconds: 60,
      checkpointIntervalSeconds: null,
      checkpointProgressStep: 0.1,
    });
  });
});
