import { EventEmitter } from 'node:events';
import type { WorkloadEventPayload } from '@niyanta/models';
import type { WorkloadStateQuery, WorkloadStateSnapshot, WorkloadStateSummary, WorkloadStreamRepository } from '@niyanta/state';
import { WebSocket } from 'ws';
import type { CustomerEventHub, WorkloadEventListener } from './customer-event-hub.service';
import type { StreamMetrics } from './stream-metrics';
import { StreamSession } from './stream-session';
import { DEFAULT_STREAM_OPTIONS, StreamCloseCode } from './stream.options';

const CUSTOMER = '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77';

/** The parts of a ws socket a session uses, recording what is sent. */
class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent: Array<{ type: string; workloads?: Array<{ id: string; status: string }>; workload?: { id: string; status: string; progress: number } }> = [];
  closedWith: { code: number; reason: string } | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = WebSocket.CLOSING;
  }
  terminate(): void {
    this.readyState = WebSocket.CLOSED;
    this.emit('close', 1006, Buffer.alloc(0));
  }
}

function event(id: string, status: WorkloadEventPayload['status'], attempt = 1, progress = 0): WorkloadEventPayload {
  return { workload_id: id, customer_id: CUSTOMER, workload_type: 'sleep', status, attempt, progress, worker_id: null, occurred_at: new Date().toISOString() };
}

function summary(id: string, status: WorkloadStateSummary['status'], attempt = 1, progress = 0): WorkloadStateSummary {
  return { id, workloadType: 'sleep', status, attempt, progress, workerId: null, output: null, error: null, updatedAt: new Date() };
}

function setup(options: Partial<typeof DEFAULT_STREAM_OPTIONS> = {}) {
  const calls: string[] = [];
  let listener: WorkloadEventListener = () => undefined;
  let detached = 0;
  let resolveSnapshot: (snapshot: WorkloadStateSnapshot) => void = () => undefined;
  const hub = {
    attach: async (_customerId: string, l: WorkloadEventListener) => {
      calls.push('attach');
      listener = l;
      return async () => {
        detached++;
      };
    },
  } as unknown as CustomerEventHub;
  const snapshots = {
    snapshot: (query: WorkloadStateQuery) => {
      calls.push(`snapshot:${query.statuses?.join(',') ?? 'all'}`);
      return new Promise<WorkloadStateSnapshot>((resolve) => (resolveSnapshot = resolve));
    },
  } as unknown as WorkloadStreamRepository;
  const drops: string[] = [];
  const metrics = { sent: () => undefined, dropped: (reason: string) => drops.push(reason) } as unknown as StreamMetrics;
  const socket = new FakeSocket();
  const session = new StreamSession(
    socket as unknown as WebSocket,
    { kind: 'customer', customerId: CUSTOMER, keyId: 'k', tier: 'standard' },
    {},
    'Bearer x',
    { hub, snapshots, metrics, options: { ...DEFAULT_STREAM_OPTIONS, ...options }, warn: () => undefined },
  );
  return {
    session,
    socket,
    calls,
    drops,
    emit: (e: WorkloadEventPayload) => listener(e),
    resolveSnapshot: (s: WorkloadStateSnapshot) => resolveSnapshot(s),
    detached: () => detached,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(StreamSession.name, () => {
  it('subscribes before reading the snapshot and sends held events newer than it, in order, without duplicates', async () => {
    const t = setup();
    const started = t.session.start();
    await tick();
    expect(t.calls).toEqual(['attach', 'snapshot:PENDING,SCHEDULED,RUNNING,PAUSING,PAUSED']);
    // Arrive while the snapshot is read: one already reflected in it, one newer, one for a new workload.
    t.emit(event('a', 'SCHEDULED'));
    t.emit(event('a', 'RUNNING', 1, 0.5));
    t.emit(event('b', 'PENDING'));
    t.resolveSnapshot({ items: [summary('a', 'RUNNING', 1, 0.2)], truncated: false });
    await started;
    t.emit(event('a', 'RUNNING', 1, 0.4)); // late and superseded
    t.emit(event('a', 'COMPLETED', 1, 1));
    t.emit(event('a', 'COMPLETED', 1, 1)); // duplicate
    expect(t.socket.sent.map((m) => (m.type === 'snapshot' ? `snapshot:${m.workloads?.map((w) => w.id)}` : `${m.workload?.id}:${m.workload?.status}:${m.workload?.progress}`))).toEqual([
      'snapshot:a',
      'a:RUNNING:0.5',
      'b:PENDING:0',
      'a:COMPLETED:1',
    ]);
  });

  it('treats a new attempt as newer than any state of the previous one', async () => {
    const t = setup();
    const started = t.session.start();
    await tick();
    t.resolveSnapshot({ items: [summary('a', 'RUNNING', 1, 0.9)], truncated: false });
    await started;
    t.emit(event('a', 'PENDING', 2));
    t.emit(event('a', 'RUNNING', 1, 0.95));
    expect(t.socket.sent.slice(1).map((m) => `${m.workload?.status}:${m.workload?.progress}`)).toEqual(['PENDING:0']);
  });

  it('closes with 1013 when too many events arrive during the snapshot', async () => {
    const t = setup({ maxPendingEvents: 2 });
    const started = t.session.start();
    await tick();
    for (const id of ['a', 'b', 'c']) t.emit(event(id, 'PENDING'));
    t.resolveSnapshot({ items: [], truncated: false });
    await started;
    expect(t.socket.closedWith?.code).toBe(StreamCloseCode.TryAgainLater);
    expect(t.drops).toEqual(['buffer_overflow']);
    expect(t.socket.sent).toEqual([]);
  });

  it('closes with 4008 instead of sending more once the unsent bytes pass the limit, and terminates a peer that never completes the close', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const t = setup({ maxBufferedBytes: 1000, closeTimeoutMs: 5000 });
      const started = t.session.start();
      await tick();
      t.resolveSnapshot({ items: [], truncated: false });
      await started;
      t.emit(event('a', 'PENDING'));
      t.socket.bufferedAmount = 1001;
      t.emit(event('b', 'PENDING'));
      expect(t.socket.sent.map((m) => m.type)).toEqual(['snapshot', 'update']);
      expect(t.socket.closedWith).toEqual({ code: StreamCloseCode.SlowConsumer, reason: 'slow consumer' });
      expect(t.drops).toEqual(['slow_consumer']);
      jest.advanceTimersByTime(5000);
      expect(t.socket.readyState).toBe(WebSocket.CLOSED);
      await tick();
      expect(t.detached()).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('closes with 1011 when the snapshot cannot be read, and lets go of the subscription', async () => {
    const failing = setup();
    (failing.session as unknown as { deps: { snapshots: unknown } }).deps.snapshots = {
      snapshot: () => Promise.reject(new Error('connect ECONNREFUSED')),
    };
    await failing.session.start();
    expect(failing.socket.closedWith?.code).toBe(StreamCloseCode.InternalError);
    expect(failing.drops).toEqual(['snapshot_failed']);
    failing.socket.terminate();
    await tick();
    expect(failing.detached()).toBe(1);
  });

  it('stops the snapshot at its byte budget and says it is truncated; events of the workloads left out still arrive', async () => {
    const t = setup({ snapshotMaxBytes: 3_000 });
    const started = t.session.start();
    await tick();
    const big = (id: string) => ({ ...summary(id, 'COMPLETED', 1, 1), output: { text: 'x'.repeat(1_000) } });
    t.resolveSnapshot({ items: [big('a'), big('b'), big('c'), big('d')], truncated: false });
    await started;
    const [snapshot] = t.socket.sent as unknown as Array<{ workloads: Array<{ id: string }>; truncated: boolean }>;
    expect(snapshot.workloads.map((w) => w.id)).toEqual(['a', 'b']);
    expect(snapshot.truncated).toBe(true);
    t.emit(event('d', 'COMPLETED', 1, 1));
    expect(t.socket.sent.at(-1)?.workload?.id).toBe('d');
  });

  it('closes with 1008, not 1011, when PostgreSQL refuses the filter itself (a data exception)', async () => {
    const refused = setup();
    (refused.session as unknown as { deps: { snapshots: unknown } }).deps.snapshots = {
      snapshot: () => Promise.reject(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' })),
    };
    await refused.session.start();
    expect(refused.socket.closedWith?.code).toBe(StreamCloseCode.PolicyViolation);
    expect(refused.drops).toEqual(['snapshot_failed']);
  });
});
