import { InProcessBroker } from '@niyanta/broker';
import { createEnvelope, MessageType, Subjects, type WorkloadEventPayload } from '@niyanta/models';
import { eventually } from '@niyanta/testing';
import { CustomerEventHub, parseWorkloadEvent } from './customer-event-hub.service';
import { updateFromEvent } from './stream-message.mapper';

const CUSTOMER = '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77';
const OTHER = '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f';

function payload(overrides: Partial<WorkloadEventPayload> = {}): WorkloadEventPayload {
  return {
    workload_id: 'w1',
    customer_id: CUSTOMER,
    workload_type: 'sleep',
    status: 'RUNNING',
    attempt: 1,
    progress: 0.5,
    worker_id: 'worker-1',
    occurred_at: '2026-01-31T12:00:00.000Z',
    ...overrides,
  };
}

describe(parseWorkloadEvent.name, () => {
  it('accepts a well-formed event of the customer', () => {
    expect(parseWorkloadEvent(createEnvelope(MessageType.WorkloadEvent, payload()), CUSTOMER)).toEqual({ ...payload(), output: null, error: null });
  });

  it('keeps a schedule fire’s schedule and tick, and the stream update carries them', () => {
    const fire = payload({ status: 'PENDING', worker_id: null, schedule_id: OTHER, schedule_tick: '2026-01-31T12:00:00.000Z' });
    const parsed = parseWorkloadEvent(createEnvelope(MessageType.WorkloadEvent, fire), CUSTOMER);
    expect(parsed).toMatchObject({ schedule_id: OTHER, schedule_tick: '2026-01-31T12:00:00.000Z' });
    expect(updateFromEvent(parsed as WorkloadEventPayload).schedule).toEqual({ id: OTHER, tick: '2026-01-31T12:00:00.000Z' });
    expect(updateFromEvent(payload())).not.toHaveProperty('schedule');
  });

  it('rejects another customer’s event, other message types and malformed payloads', () => {
    expect(parseWorkloadEvent(createEnvelope(MessageType.WorkloadEvent, payload({ customer_id: OTHER })), CUSTOMER)).toBeNull();
    expect(parseWorkloadEvent(createEnvelope(MessageType.LeaderWake, payload()), CUSTOMER)).toBeNull();
    expect(parseWorkloadEvent(createEnvelope(MessageType.WorkloadEvent, payload(), { version: 2 }), CUSTOMER)).toBeNull();
    expect(parseWorkloadEvent(createEnvelope(MessageType.WorkloadEvent, { ...payload(), status: 'DONE' }), CUSTOMER)).toBeNull();
    expect(parseWorkloadEvent(createEnvelope(MessageType.WorkloadEvent, { ...payload(), attempt: '1' }), CUSTOMER)).toBeNull();
  });
});

describe(CustomerEventHub.name, () => {
  let broker: InProcessBroker;
  let hub: CustomerEventHub;
  const subjects = new Subjects('hub');

  beforeEach(() => {
    broker = new InProcessBroker({ prefix: 'hub' });
    hub = new CustomerEventHub(broker, subjects);
  });

  afterEach(() => broker.close());

  it('shares one subscription per customer and drops it with the last listener', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const detachFirst = await hub.attach(CUSTOMER, (e) => first.push(e.workload_id));
    const detachSecond = await hub.attach(CUSTOMER, (e) => second.push(e.workload_id));
    expect(hub.customerCount()).toBe(1);

    await broker.publish(subjects.customerEvents(CUSTOMER), createEnvelope(MessageType.WorkloadEvent, payload({ workload_id: 'a' })));
    await eventually('both listeners to get the first event', () => first.length === 1 && second.length === 1);
    await detachFirst();
    await broker.publish(subjects.customerEvents(CUSTOMER), createEnvelope(MessageType.WorkloadEvent, payload({ workload_id: 'b' })));
    await eventually('the second listener to get the next event', () => second.length === 2);
    expect(first).toEqual(['a']);
    expect(second).toEqual(['a', 'b']);

    await detachSecond();
    await detachSecond();
    expect(hub.customerCount()).toBe(0);
    await broker.publish(subjects.customerEvents(CUSTOMER), createEnvelope(MessageType.WorkloadEvent, payload({ workload_id: 'c' })));
    // A listener attached afterwards gets the next event; had the detached ones still been
    // subscribed, 'c' would have reached them before it.
    const third: string[] = [];
    const detachThird = await hub.attach(CUSTOMER, (e) => third.push(e.workload_id));
    await broker.publish(subjects.customerEvents(CUSTOMER), createEnvelope(MessageType.WorkloadEvent, payload({ workload_id: 'd' })));
    await eventually('the new listener to get an event', () => third.length === 1);
    expect(third).toEqual(['d']);
    expect(first).toEqual(['a']);
    expect(second).toEqual(['a', 'b']);
    await detachThird();
  });
});
