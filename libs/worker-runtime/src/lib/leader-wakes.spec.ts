import { InProcessBroker } from '@niyanta/broker';
import { Subjects, type LeaderWakePayload, type MessageEnvelope } from '@niyanta/models';
import { LeaderWakes } from './leader-wakes';

describe(LeaderWakes.name, () => {
  let broker: InProcessBroker;
  let subjects: Subjects;
  let wakes: Array<MessageEnvelope<LeaderWakePayload>>;
  let arrived: Promise<void>;

  beforeEach(async () => {
    broker = new InProcessBroker({ prefix: 'wakes' });
    subjects = new Subjects('wakes');
    wakes = [];
    let signal: () => void = () => undefined;
    arrived = new Promise((resolve) => (signal = resolve));
    await broker.subscribe<LeaderWakePayload>(subjects.leaderWake(), (message) => {
      wakes.push(message);
      signal();
    });
  });

  afterEach(async () => {
    await broker.close();
  });

  it('announces the slots freed in one turn with one message naming every requeued workload', async () => {
    const leaderWakes = new LeaderWakes(broker, subjects, 'w1');
    leaderWakes.slotFreed('a', 'corr-1');
    leaderWakes.slotFreed(null, 'corr-2');
    leaderWakes.slotFreed('b', 'corr-3');
    expect(wakes).toEqual([]);
    await arrived;
    // A second message would come from the same setImmediate; one more turn shows there is none.
    await new Promise((resolve) => setImmediate(resolve));
    expect(wakes.map((m) => m.payload)).toEqual([{ reason: 'slot_freed', worker_id: 'w1', workload_ids: ['a', 'b'] }]);
    expect(wakes[0]?.correlation_id).toBe('corr-1');
  });

  it('leaves workload_ids out when no freed attempt was requeued', async () => {
    const leaderWakes = new LeaderWakes(broker, subjects, 'w1');
    leaderWakes.slotFreed(null, 'corr');
    await arrived;
    expect(wakes.map((m) => m.payload)).toEqual([{ reason: 'slot_freed', worker_id: 'w1' }]);
  });

  it('publishes a direct wake at once, without fields it was not given', async () => {
    const leaderWakes = new LeaderWakes(broker, subjects, 'w1');
    leaderWakes.wake({ reason: 'requeued', worker_id: 'w1', workload_ids: ['a'] }, 'corr');
    await arrived;
    expect(wakes.map((m) => m.payload)).toEqual([{ reason: 'requeued', worker_id: 'w1', workload_ids: ['a'] }]);
  });
});
