import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { durableStreamName, NatsBroker } from '@niyanta/broker';
import { createEnvelope, MessageType, type HeartbeatPayload, type LeaderWakePayload } from '@niyanta/models';
import { testNatsUrl, uniqueBrokerPrefix } from '@niyanta/testing';
import { createLeaderHarness, eventually, type LeaderHarness } from '../testing/leader-harness';
import { LeaderElectionService } from './leader-election.service';

jest.setTimeout(30_000);

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function deleteStream(prefix: string): Promise<void> {
  const nc = await connect({ servers: testNatsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(durableStreamName(prefix)).catch(() => false);
  } finally {
    await nc.close();
  }
}

describe('LeaderModule over NATS', () => {
  let h: LeaderHarness;
  let broker: NatsBroker;
  let prefix: string;

  beforeAll(async () => {
    prefix = uniqueBrokerPrefix('leader');
    broker = await NatsBroker.connect({ servers: testNatsUrl(), name: `leader-test-${prefix}`, prefix, logger: silent });
    h = await createLeaderHarness('leader_nats', { broker, prefix });
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
    if (prefix) await deleteStream(prefix);
  });

  it('places woken work over NATS, delivers assignments durably and follows heartbeats', async () => {
    await h.insertWorker({ id: 'n1', capacity: 1 });
    const log = await h.collectAssignments('n1');
    const leader = await h.startLeader();
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);

    const first = await h.insertWorkload();
    const second = await h.insertWorkload();
    await broker.publish(
      h.subjects.leaderWake(),
      createEnvelope<LeaderWakePayload>(MessageType.LeaderWake, { reason: 'submitted', workload_ids: [first, second] }),
    );
    await eventually('the first assignment over JetStream', () => log.received.length === 1);
    expect(log.received[0]?.payload).toMatchObject({ workload_id: first, attempt: 1, generation: 1 });
    expect((await h.workload(second)).status).toBe('PENDING');

    // The worker finishes and reports it only through its heartbeat (the slot_freed wake was lost).
    await h.dataSource.query(`UPDATE workloads SET status = 'COMPLETED' WHERE id = $1`, [first]);
    await broker.publish(
      h.subjects.workerHeartbeat(),
      createEnvelope<HeartbeatPayload>(MessageType.Heartbeat, { worker_id: 'n1', running: [], capacity: 1, draining: false }),
    );
    await eventually('the second assignment after the heartbeat', () => log.received.length === 2);
    expect(log.received[1]?.payload.workload_id).toBe(second);
    expect(log.received.every((r) => r.delivery.deliveryCount === 1)).toBe(true);
  });
});
