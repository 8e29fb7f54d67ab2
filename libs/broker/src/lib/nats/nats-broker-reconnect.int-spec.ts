import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createEnvelope, type MessageEnvelope } from '@niyanta/models';
import { eventually, startNatsServer, uniqueBrokerPrefix, type NatsServerHandle } from '@niyanta/testing';
import type { BrokerLogger } from '../broker-runtime';
import { BrokerUnavailableError } from '../errors';
import type { BrokerStatus } from '../broker.port';
import { NatsBroker } from './nats-broker.adapter';

const silent: BrokerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

jest.setTimeout(60_000);

/** Waits for `condition` and returns how long it took, in ms (logged as the recovery times). */
async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  await eventually(what, condition, timeoutMs, 10);
  return Date.now() - started;
}

describe(`${NatsBroker.name} across a NATS crash and restart`, () => {
  let server: NatsServerHandle;
  let broker: NatsBroker;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await broker?.close();
    await server?.stop();
  });

  it('reports the outage, reconnects, keeps stored messages and resumes subscriptions and consumers', async () => {
    const prefix = uniqueBrokerPrefix('reconnect');
    broker = await NatsBroker.connect({
      servers: server.url,
      name: 'reconnect-test',
      prefix,
      reconnectTimeWaitMs: 100,
      reconnectJitterMs: 50,
      durablePublishTimeoutMs: 500,
      logger: silent,
    });
    const statuses: BrokerStatus[] = [];
    broker.onStatusChange((status) => statuses.push(status));

    const events: string[] = [];
    await broker.subscribe(`${prefix}.events.*`, (message) => {
      events.push(message.id);
    });
    const running: Array<MessageEnvelope<unknown>> = [];
    await broker.consumeDurable(`${prefix}.worker.running.assign`, 'worker-running', async (message) => {
      running.push(message);
    });
    const beforeCrash = createEnvelope('workload.assignment', { stored: 'before the crash' });
    await broker.publishDurable(`${prefix}.worker.late.assign`, beforeCrash);

    await server.kill('SIGKILL');

    await waitFor(() => !broker.isConnected(), 5000, 'disconnect noticed');
    expect(statuses).toContain('disconnected');
    await expect(broker.publishDurable(`${prefix}.worker.late.assign`, createEnvelope('a', {}))).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    await expect(broker.ping()).rejects.toBeInstanceOf(BrokerUnavailableError);
    // Fire-and-forget during an outage resolves (the client buffers it) but may be lost.
    await expect(broker.publish(`${prefix}.events.c1`, createEnvelope('workload.event', {}))).resolves.toBeUndefined();

    await server.restart();

    const reconnectMs = await waitFor(() => broker.isConnected(), 10_000, 'reconnect');
    expect(statuses.at(-1)).toBe('connected');
    expect(broker.stats().reconnects).toBe(1);
    await broker.ping();

    const late: Array<MessageEnvelope<unknown>> = [];
    await broker.consumeDurable(`${prefix}.worker.late.assign`, 'worker-late', async (message) => {
      late.push(message);
    });
    await waitFor(() => late.length === 1, 10_000, 'stored message delivered');
    expect(late[0]).toEqual(beforeCrash);

    const afterRestart = createEnvelope('workload.assignment', { sent: 'after the restart' });
    await broker.publishDurable(`${prefix}.worker.running.assign`, afterRestart);
    const resumeMs = await waitFor(() => running.length === 1, 30_000, 'consumer from before the crash resumed');
    expect(running[0].id).toBe(afterRestart.id);

    const event = createEnvelope('workload.event', {});
    await broker.publish(`${prefix}.events.c1`, event);
    await waitFor(() => events.includes(event.id), 5000, 'core subscription resumed');

    // Visible in the test output, to watch the recovery time.
    process.stdout.write(`reconnected ${reconnectMs} ms after restart; running consumer resumed in ${resumeMs} ms\n`);
  });

  it('recreates the stream and its consumers when NATS comes back without its data', async () => {
    await broker?.close();
    const prefix = uniqueBrokerPrefix('dataloss');
    broker = await NatsBroker.connect({
      servers: server.url,
      name: 'data-loss-test',
      prefix,
      reconnectTimeWaitMs: 100,
      reconnectJitterMs: 50,
      logger: silent,
    });
    const got: string[] = [];
    await broker.consumeDurable(`${prefix}.worker.w1.assign`, 'worker-w1', async (message) => {
      got.push(message.id);
    });

    await server.kill('SIGKILL');
    await waitFor(() => !broker.isConnected(), 5000, 'disconnect noticed');
    await rm(join(server.storeDir, 'jetstream'), { recursive: true, force: true });
    await server.restart();
    await waitFor(() => broker.isConnected(), 10_000, 'reconnect');

    const message = createEnvelope('workload.assignment', {});
    await broker.publishDurable(`${prefix}.worker.w1.assign`, message);
    const recoveredMs = await waitFor(() => got.length === 1, 30_000, 'consumer recreated and delivering');

    expect(got).toEqual([message.id]);
    process.stdout.write(`consumer recreated and delivering ${recoveredMs} ms after the first durable publish\n`);
  });

  it('closes within its close timeout while NATS is down', async () => {
    await broker?.close();
    if (!server.isRunning()) await server.restart();
    const prefix = uniqueBrokerPrefix('downclose');
    broker = await NatsBroker.connect({
      servers: server.url,
      name: 'close-while-down',
      prefix,
      reconnectTimeWaitMs: 100,
      closeTimeoutMs: 500,
      logger: silent,
    });
    await broker.subscribe(`${prefix}.events.*`, () => undefined);
    await broker.consumeDurable(`${prefix}.worker.w1.assign`, 'worker-w1', async () => undefined);
    await server.kill('SIGKILL');
    await waitFor(() => !broker.isConnected(), 5000, 'disconnect noticed');
    const started = Date.now();

    await broker.close();

    expect(Date.now() - started).toBeLessThan(3000);
    await server.restart();
  });
});
