import { ConfigError } from './errors';
import { loadWorkerConfig } from './worker.config';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', NATS_URL: 'nats://127.0.0.1:4222' };

describe(loadWorkerConfig.name, () => {
  it('applies the documented defaults', () => {
    const config = loadWorkerConfig(required);
    expect(config).toMatchObject({
      port: 8082,
      runMigrations: false,
      workerTags: {},
      workerRegion: undefined,
      workerCapacity: 4,
      workerTypes: undefined,
      workloadModules: [],
      heartbeatIntervalMs: 5_000,
      drainTimeoutMs: 30_000,
      retryBaseDelayMs: 1_000,
      retryMaxDelayMs: 300_000,
    });
    // The generated id must be usable as a broker subject token.
    expect(config.workerId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('reads the fleet variables', () => {
    const config = loadWorkerConfig({
      ...required,
      WORKER_ID: 'gpu-worker-7',
      WORKER_TAGS: 'gpu=a100,zone=us-east-1a',
      WORKER_REGION: 'us-east-1',
      WORKER_CAPACITY: '16',
      WORKER_TYPES: 'sleep, render',
      WORKLOAD_MODULES: './dist/workloads.js,@acme/niyanta-workloads',
      HEARTBEAT_INTERVAL: '2s',
      DRAIN_TIMEOUT: '20s',
    });
    expect(config).toMatchObject({
      workerId: 'gpu-worker-7',
      workerTags: { gpu: 'a100', zone: 'us-east-1a' },
      workerRegion: 'us-east-1',
      workerCapacity: 16,
      workerTypes: ['sleep', 'render'],
      workloadModules: ['./dist/workloads.js', '@acme/niyanta-workloads'],
      heartbeatIntervalMs: 2_000,
      drainTimeoutMs: 20_000,
    });
    expect(Object.isFrozen(config.workerTags)).toBe(true);
  });

  it('names WORKER_CAPACITY with the expectation and the raw value', () => {
    expect(() => loadWorkerConfig({ ...required, WORKER_CAPACITY: 'abc' })).toThrow(
      'WORKER_CAPACITY: expected a positive integer, got "abc"',
    );
  });

  it.each([
    ['WORKER_CAPACITY', '0'],
    ['WORKER_CAPACITY', '-3'],
    ['WORKER_ID', 'worker.one'],
    ['WORKER_ID', 'worker*'],
    ['WORKER_TAGS', 'gpu'],
    ['WORKER_TAGS', 'gpu=a,gpu=b'],
    ['WORKER_REGION', 'us east'],
    ['WORKER_TYPES', 'sleep,,render'],
    ['HEARTBEAT_INTERVAL', '0s'],
    ['DRAIN_TIMEOUT', '1 minute'],
  ])('rejects %s=%j naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadWorkerConfig({ ...required, [variable]: value });
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.variable)).toEqual([variable]);
    expect((error as ConfigError).message).toContain(`${variable}: expected`);
  });

  it('reports every bad variable in one error', () => {
    expect(() =>
      loadWorkerConfig({ DATABASE_URL: required.DATABASE_URL, WORKER_CAPACITY: 'many', WORKER_TAGS: 'x' }),
    ).toThrow(/NATS_URL: required[\s\S]*WORKER_TAGS: expected[\s\S]*WORKER_CAPACITY: expected/);
  });

  it('reads the retry backoff a failed attempt waits', () => {
    expect(loadWorkerConfig({ ...required, RETRY_BASE_DELAY: '200ms', RETRY_MAX_DELAY: '1s' })).toMatchObject({
      retryBaseDelayMs: 200,
      retryMaxDelayMs: 1_000,
    });
    expect(() => loadWorkerConfig({ ...required, RETRY_BASE_DELAY: '2s', RETRY_MAX_DELAY: '1s' })).toThrow(
      'RETRY_BASE_DELAY: must not exceed RETRY_MAX_DELAY (1000ms), got 2000ms',
    );
  });

  it('keeps the drain within the shutdown budget', () => {
    expect(() => loadWorkerConfig({ ...required, DRAIN_TIMEOUT: '40s' })).toThrow(
      'DRAIN_TIMEOUT: must not exceed SHUTDOWN_TIMEOUT (30000ms), got 40000ms',
    );
    expect(loadWorkerConfig({ ...required, DRAIN_TIMEOUT: '40s', SHUTDOWN_TIMEOUT: '1m' }).drainTimeoutMs).toBe(40_000);
  });
});
