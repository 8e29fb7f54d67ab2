import { InProcessBroker } from '@niyanta/broker';
import { MessageType, Subjects, type Workload } from '@niyanta/models';
import { WorkloadNotifier } from './workload-notifier.service';

function workload(id: string): Workload {
  const now = new Date();
  return {
    id,
    customerId: '1c8e7a0f-3d2b-4e4f-8a11-23456789abcd',
    workloadType: 'sleep',
    status: 'PENDING',
    priority: 1,
    input: {},
    output: null,
    error: null,
    progress: 0,
    progressMessage: null,
    affinity: { required: {}, preferred: {}, anti: {} },
    region: null,
    maxRetries: 0,
    attempt: 1,
    failureCount: 0,
    workerId: null,
    idempotencyKey: null,
    scheduleId: null,
    labels: {},
    pendingReason: null,
    lastCheckpoint: null,
    timeoutSeconds: null,
    notBefore: null,
    createdAt: now,
    scheduledAt: null,
    startedAt: null,
    completedAt: null,
    updatedAt: now,
  };
}

describe(WorkloadNotifier.name, () => {
  it('wakes the leader once for every workload submitted in one turn of the event loop, and again in the next', async () => {
    const broker = new InProcessBroker({ prefix: 'notifier' });
    const subjects = new Subjects('notifier');
    const wakes: string[][] = [];
    let resolveSecond!: () => void;
    const second = new Promise<void>((resolve) => (resolveSecond = resolve));
    await broker.subscribe<{ workload_ids: string[] }>(subjects.leaderWake(), (message) => {
      if (message.type !== MessageType.LeaderWake) return;
      wakes.push(message.payload.workload_ids);
      if (wakes.length === 2) resolveSecond();
    });
    const notifier = new WorkloadNotifier(broker, subjects);
    notifier.submitted([workload('a')]);
    notifier.submitted([workload('b'), workload('c')]);
    setImmediate(() => setImmediate(() => notifier.submitted([workload('d')])));
    await second;
    expect(wakes).toEqual([['a', 'b', 'c'], ['d']]);
    await broker.close();
  });
});
