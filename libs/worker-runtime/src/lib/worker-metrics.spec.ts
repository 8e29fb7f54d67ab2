import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { retryReason, WorkerMetrics, WORKER_METRIC_NAMES } from './worker-metrics';

function metrics(registry: Registry): WorkerMetrics {
  const registers = [registry];
  const counter = (name: string, labelNames: string[]) => new Counter({ name, help: name, labelNames, registers });
  const histogram = (name: string, labelNames: string[]) => new Histogram({ name, help: name, labelNames, registers, buckets: [1, 10] });
  const n = WORKER_METRIC_NAMES;
  return new WorkerMetrics(
    new Gauge({ name: n.running, help: n.running, registers }),
    new Gauge({ name: n.capacity, help: n.capacity, registers }),
    new Gauge({ name: n.waitingForSlot, help: n.waitingForSlot, registers }),
    counter(n.executions, ['workload_type', 'outcome']),
    histogram(n.checkpointDuration, ['workload_type', 'storage']),
    histogram(n.checkpointSize, ['workload_type', 'storage']),
    histogram(n.checkpointStateSize, ['workload_type']),
    counter(n.checkpoints, ['workload_type', 'trigger', 'storage']),
    counter(n.checkpointFailures, ['workload_type', 'trigger']),
    counter(n.checkpointRetries, ['workload_type']),
    counter(n.checkpointRestores, ['workload_type', 'result']),
    counter(n.checkpointObjectsDeleted, ['reason']),
    histogram(n.executionDuration, ['workload_type', 'outcome']),
    histogram(n.submitToRunning, ['tier', 'workload_type']),
    histogram(n.submitToCompleted, ['tier', 'workload_type']),
    counter(n.retries, ['workload_type', 'reason']),
  );
}

describe('WorkerMetrics latency and retries', () => {
  const created = new Date('2026-01-01T00:00:00Z');
  const at = (seconds: number) => new Date(created.getTime() + seconds * 1000);

  it('observes submit → running from the workload timestamps, by tier and type', async () => {
    const registry = new Registry();
    metrics(registry).attemptStarted('gold', 'echo', created, at(2));
    const text = await registry.metrics();
    expect(text).toContain(`${WORKER_METRIC_NAMES.submitToRunning}_sum{tier="gold",workload_type="echo"} 2`);
  });

  it('observes the duration of every attempt, submit → completed only for completions, retries by reason', async () => {
    const registry = new Registry();
    const m = metrics(registry);
    m.attemptEnded('gold', 'echo', 'completed', 3, { createdAt: created, completedAt: at(7), error: null });
    m.attemptEnded('gold', 'echo', 'retry_scheduled', 1, { createdAt: created, completedAt: null, error: { code: 'timeout' } });
    m.attemptEnded('gold', 'echo', 'retry_scheduled', 1, { createdAt: created, completedAt: null, error: { code: 'my_own_code' } });
    m.attemptEnded('gold', 'echo', 'stale', 1, null);
    const text = await registry.metrics();
    expect(text).toContain(`${WORKER_METRIC_NAMES.executionDuration}_sum{workload_type="echo",outcome="completed"} 3`);
    expect(text).toContain(`${WORKER_METRIC_NAMES.executionDuration}_count{workload_type="echo",outcome="retry_scheduled"} 2`);
    expect(text).toContain(`${WORKER_METRIC_NAMES.executionDuration}_count{workload_type="echo",outcome="stale"} 1`);
    expect(text).toContain(`${WORKER_METRIC_NAMES.submitToCompleted}_sum{tier="gold",workload_type="echo"} 7`);
    expect(text).toContain(`${WORKER_METRIC_NAMES.submitToCompleted}_count{tier="gold",workload_type="echo"} 1`);
    expect(text).toContain(`${WORKER_METRIC_NAMES.retries}{workload_type="echo",reason="timeout"} 1`);
    expect(text).toContain(`${WORKER_METRIC_NAMES.retries}{workload_type="echo",reason="handler_error"} 1`);
  });

  it('reports the assignments held back by a full worker as a gauge', async () => {
    const registry = new Registry();
    const m = metrics(registry);
    m.setWaitingForSlot(3);
    expect(await registry.metrics()).toMatch(new RegExp(`^${WORKER_METRIC_NAMES.waitingForSlot} 3$`, 'm'));
    m.setWaitingForSlot(0);
    expect(await registry.metrics()).toMatch(new RegExp(`^${WORKER_METRIC_NAMES.waitingForSlot} 0$`, 'm'));
  });

  it('bounds the retry reason to the product’s own codes', () => {
    expect(retryReason('checkpoint_unavailable')).toBe('checkpoint_unavailable');
    expect(retryReason('anything-a-handler-says')).toBe('handler_error');
    expect(retryReason(undefined)).toBe('handler_error');
  });
});
