import { Registry } from 'prom-client';
import { MessageType, Subjects, createEnvelope } from '@niyanta/models';
import { BROKER_METRIC, BrokerMetricsExporter } from './broker-metrics';
import { InProcessBroker } from './in-process/in-process-broker.adapter';
import { subjectClass } from './subject-class';

describe('subjectClass', () => {
  const subjects = new Subjects('p.q');
  it.each([
    [subjects.workerAssign('w-1'), 'assignment'],
    [subjects.workerControl('w-1'), 'control'],
    [subjects.workerHeartbeat(), 'heartbeat'],
    [subjects.leaderWake(), 'leader_wake'],
    [subjects.customerEvents('c-1'), 'events'],
    [subjects.allEvents(), 'events'],
    ['p.q.something', 'other'],
  ])('%s is %s', (subject, expected) => {
    expect(subjectClass(subject)).toBe(expected);
  });
});

describe('BrokerMetricsExporter', () => {
  it('exports published, consumed and handler errors by subject class, summed over brokers, read at scrape time', async () => {
    const registry = new Registry();
    const exporter = BrokerMetricsExporter.of(registry);
    const subjects = new Subjects('m');
    const broker = new InProcessBroker({ prefix: 'm', logger: { log: () => undefined, warn: () => undefined, error: () => undefined } });
    const stop = exporter.add(broker);
    let handled = 0;
    await broker.subscribe(subjects.leaderWake(), () => {
      handled++;
      if (handled === 2) throw new Error('boom');
    });
    const wake = () => createEnvelope(MessageType.LeaderWake, { reason: 'submitted' as const });
    await broker.publish(subjects.leaderWake(), wake());
    await broker.publish(subjects.leaderWake(), wake());
    await broker.publish(subjects.workerHeartbeat(), wake());
    const text = async () => registry.metrics();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const scraped = await text();
    expect(scraped).toContain(`${BROKER_METRIC.published}{subject_class="leader_wake",delivery="fire_and_forget"} 2`);
    expect(scraped).toContain(`${BROKER_METRIC.published}{subject_class="heartbeat",delivery="fire_and_forget"} 1`);
    expect(scraped).toContain(`${BROKER_METRIC.consumed}{subject_class="leader_wake",delivery="fire_and_forget"} 2`);
    expect(scraped).toContain(`${BROKER_METRIC.handlerErrors}{subject_class="leader_wake"} 1`);
    stop();
    expect(await text()).not.toContain(`${BROKER_METRIC.published}{`);
    await broker.close();
  });
});
