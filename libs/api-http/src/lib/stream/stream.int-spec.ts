import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Broker, BrokerModule, durableStreamName } from '@niyanta/broker';
import { createEnvelope, MessageType, Subjects, type WorkloadEventPayload } from '@niyanta/models';
import { ObservabilityModule } from '@niyanta/platform';
import { StateModule } from '@niyanta/state';
import { createTestSchema, eventually, testNatsUrl, uniqueBrokerPrefix, type TestSchema } from '@niyanta/testing';
import { register } from 'prom-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { WebSocket } from 'ws';
import { ApiHttpModule } from '../api-http.module';
import type { ApiHttpOptions } from '../api-http.options';
import { configureHttpApp } from '../http-app.config';
import { STREAM_METRIC } from './stream-metrics';
import type { StreamSnapshotMessageDto, StreamUpdateMessageDto } from './stream-message.dto';
import { StreamCloseCode } from './stream.options';

jest.setTimeout(30_000);

const ADMIN_KEY = 'stream-test-operator-key-0123456789';
type StreamMessage = StreamSnapshotMessageDto | StreamUpdateMessageDto;

/** A WebSocket client that records what it receives. */
interface TestClient {
  ws: WebSocket;
  messages: StreamMessage[];
  updates(): StreamUpdateMessageDto['workload'][];
  snapshot(): Promise<StreamSnapshotMessageDto>;
  waitFor(what: string, predicate: (messages: StreamMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

/** An upgrade the server refused: the HTTP status, headers and the JSON body. */
interface Refusal {
  status: number;
  requestId: string | undefined;
  retryAfter: string | undefined;
  body: { error: { code: string; message: string; details: Array<{ path: string }>; request_id: string } };
}

describe('GET /v1/stream (two API replicas on PostgreSQL and NATS)', () => {
  let schema: TestSchema;
  let prefix: string;
  let replicaA: INestApplication;
  let replicaB: INestApplication;
  let urlA: string;
  let urlB: string;
  let customer1: { id: string; key: string; keyId: string };
  let customer2: { id: string; key: string; keyId: string };
  const clients: WebSocket[] = [];

  async function startReplica(name: string, options: Partial<ApiHttpOptions>): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ObservabilityModule.forRoot({ serviceName: name, logLevel: 'silent' }),
        StateModule.forRoot({ url: schema.url, schema: schema.schema, poolSize: 4, runMigrations: true, applicationName: name }),
        BrokerModule.forRoot({ kind: 'nats', servers: testNatsUrl(), name, prefix }),
        ApiHttpModule.forRoot({ adminApiKey: ADMIN_KEY, bodyLimitBytes: 64 * 1024, ...options }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    configureHttpApp(app, { bodyLimitBytes: 64 * 1024, swagger: false });
    await app.listen(0, '127.0.0.1');
    return app;
  }

  const http = (app: INestApplication) => request(app.getHttpServer());

  async function createCustomer(name: string): Promise<{ id: string; key: string; keyId: string }> {
    const customer = await http(replicaB).post('/v1/admin/customers').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name, tier: 'standard' });
    const key = await http(replicaB)
      .post(`/v1/admin/customers/${customer.body.id}/api-keys`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ name: 'stream' });
    return { id: customer.body.id, key: key.body.key, keyId: key.body.id };
  }

  async function submit(key: string, workloadType = 'sleep'): Promise<{ id: string; status: string }> {
    const res = await http(replicaB).post('/v1/workloads').set('Authorization', `Bearer ${key}`).send({ workload_type: workloadType, input: {} });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function cancel(key: string, id: string): Promise<void> {
    const res = await http(replicaB).post(`/v1/workloads/${id}/cancel`).set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(202);
  }

  /** Opens a stream; resolves once the snapshot arrived (so the client is live). */
  async function open(query = '', options: { key?: string; protocols?: string[]; autoPong?: boolean; url?: string } = {}): Promise<TestClient> {
    const headers: Record<string, string> = options.key === undefined ? {} : { authorization: `Bearer ${options.key}` };
    const ws = new WebSocket(`${options.url ?? urlA}/v1/stream${query}`, options.protocols ?? [], { headers, autoPong: options.autoPong ?? true });
    clients.push(ws);
    const messages: StreamMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as StreamMessage));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    });
    const client: TestClient = {
      ws,
      messages,
      updates: () => messages.filter((m): m is StreamUpdateMessageDto => m.type === 'update').map((m) => m.workload),
      snapshot: async () => {
        await eventually('the snapshot', () => messages.length > 0);
        const first = messages[0] as StreamMessage;
        if (first.type !== 'snapshot') throw new Error(`first message was ${first.type}`);
        return first;
      },
      waitFor: async (what, predicate, timeoutMs) => {
        await eventually(what, () => predicate(messages), timeoutMs);
      },
      closed,
    };
    await client.snapshot();
    return client;
  }

  /** Attempts an upgrade that must be refused, and returns the HTTP answer. */
  function refused(query: string, headers: Record<string, string> = {}): Promise<Refusal> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${urlA}/v1/stream${query}`, { headers });
      ws.once('open', () => reject(new Error('the upgrade was accepted')));
      ws.once('error', () => undefined);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            requestId: res.headers['x-request-id'] as string | undefined,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: JSON.parse(body),
          }),
        );
      });
    });
  }

  /** Publishes an event on a customer's subject as a worker would. */
  async function publishEvent(customerId: string, payload: Partial<WorkloadEventPayload> & { workload_id: string }): Promise<void> {
    const event: WorkloadEventPayload = {
      customer_id: customerId,
      workload_type: 'sleep',
      status: 'RUNNING',
      attempt: 1,
      progress: 0,
      worker_id: 'worker-test',
      occurred_at: new Date().toISOString(),
      ...payload,
    };
    await replicaB.get(Broker).publish(new Subjects(prefix).customerEvents(customerId), createEnvelope(MessageType.WorkloadEvent, event));
  }

  async function dropCount(reason: string): Promise<number> {
    const metric = await register.getSingleMetric(STREAM_METRIC.drops)?.get();
    return metric?.values.find((value) => value.labels['reason'] === reason)?.value ?? 0;
  }

  beforeAll(async () => {
    schema = await createTestSchema('api_stream');
    prefix = uniqueBrokerPrefix('api_stream');
    // B keeps the default ping interval: a client that stops reading also stops answering pings,
    // and the slow-consumer test must see the buffer limit act first.
    replicaB = await startReplica('stream-b', { stream: { maxBufferedBytes: 256 * 1024 } });
    replicaA = await startReplica('stream-a', {
      authCacheTtlMs: 50,
      stream: { snapshotLimit: 5, pingIntervalMs: 150, reauthIntervalMs: 150, closeTimeoutMs: 2000 },
    });
    urlA = `ws://127.0.0.1:${(replicaA.getHttpServer().address() as AddressInfo).port}`;
    urlB = `ws://127.0.0.1:${(replicaB.getHttpServer().address() as AddressInfo).port}`;
    await replicaB.get(DataSource).query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, checkpoint_interval_seconds) VALUES ('sleep', 100, 3, 30), ('other', 100, 3, 30)`,
    );
    customer1 = await createCustomer('stream-one');
    customer2 = await createCustomer('stream-two');
  });

  afterEach(() => {
    for (const ws of clients.splice(0)) ws.terminate();
  });

  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await schema?.drop();
    const nc = await connect({ servers: testNatsUrl() });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(durableStreamName(prefix)).catch(() => false);
    await nc.close();
  });

  it('refuses an upgrade without a valid key with 401 in the error shape, before the handshake', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer nyk_abcdefgh_notARealKeyButWellFormed00' }, { authorization: 'Basic abc' }]) {
      const answer = await refused('', headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
      expect(answer.body.error.request_id).toBe(answer.requestId);
    }
    // A key in the query string is not a way in (URLs are logged); it is an unknown parameter.
    const inQuery = await refused(`?api_key=${customer1.key}`, { authorization: `Bearer ${customer1.key}` });
    expect(inQuery.status).toBe(400);
    expect(inQuery.body.error.details.map((d) => d.path)).toEqual(['api_key']);
    expect((await refused(`?api_key=${customer1.key}`)).status).toBe(401);
  });

  it('counts a connection attempt against the rate limit: 429 with Retry-After once the bucket is empty', async () => {
    const tier = await http(replicaB)
      .put('/v1/admin/tiers/stream-trickle')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ requests_per_second: 0.2, burst: 1, max_running: 10, scheduling_weight: 0, max_priority: 1000 });
    expect(tier.status).toBeLessThan(300);
    const created = await http(replicaB).post('/v1/admin/customers').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name: 'stream-trickle', tier: 'stream-trickle' });
    const key = await http(replicaB).post(`/v1/admin/customers/${created.body.id}/api-keys`).set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name: 'stream' });
    await open('', { key: key.body.key });
    const answer = await refused('', { authorization: `Bearer ${key.body.key}` });
    expect(answer.status).toBe(429);
    expect(answer.body.error.code).toBe('rate_limited');
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('refuses a bad filter with 400 validation_failed naming the parameter', async () => {
    const answer = await refused('?status=DONE&ids=x', { authorization: `Bearer ${customer1.key}` });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.details.map((d) => d.path).sort()).toEqual(['ids', 'status']);
  });

  it('accepts the key as a bearer subprotocol (browsers) and selects only the product protocol', async () => {
    const client = await open('', { protocols: ['niyanta.v1', `bearer.${customer1.key}`] });
    expect(client.ws.protocol).toBe('niyanta.v1');
  });

  it('answers a plain GET (no upgrade) with 400', async () => {
    const res = await http(replicaA).get('/v1/stream').set('Authorization', `Bearer ${customer1.key}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'headers.upgrade', message: 'must be websocket' }]);
  });

  it('opens with a capped snapshot, then delivers changes made through the other replica', async () => {
    const customer = await createCustomer('stream-snapshot');
    const before = [];
    for (let i = 0; i < 6; i++) before.push(await submit(customer.key));
    await cancel(customer.key, (before[0] as { id: string }).id);

    const client = await open('', { key: customer.key });
    const snapshot = await client.snapshot();
    // Unfinished only, newest first, capped at the configured 5 of the 5 unfinished + truncated.
    expect(snapshot.workloads.map((w) => w.id)).toEqual(before.slice(1).reverse().map((w) => w.id));
    expect(snapshot.truncated).toBe(false);
    expect(snapshot.limit).toBe(5);
    expect(snapshot.workloads[0]).toMatchObject({ status: 'PENDING', attempt: 1, worker_id: null, output: null, error: null });

    const fresh = await submit(customer.key);
    await cancel(customer.key, fresh.id);
    await client.waitFor('the new workload to be cancelled', () => client.updates().some((u) => u.id === fresh.id && u.status === 'CANCELLED'));
    expect(client.updates().filter((u) => u.id === fresh.id).map((u) => u.status)).toEqual(['PENDING', 'CANCELLED']);

    await submit(customer.key);
    const again = await open('', { key: customer.key });
    expect((await again.snapshot()).truncated).toBe(true);
  });

  it('honours the filter on the snapshot and on updates', async () => {
    const customer = await createCustomer('stream-filter');
    const watched = await submit(customer.key);
    const unwatched = await submit(customer.key);
    const byId = await open(`?ids=${watched.id}`, { key: customer.key });
    const cancelledSleeps = await open('?status=CANCELLED&workload_type=sleep', { key: customer.key });
    expect((await byId.snapshot()).workloads.map((w) => w.id)).toEqual([watched.id]);
    expect((await cancelledSleeps.snapshot()).workloads).toEqual([]);

    const other = await submit(customer.key, 'other');
    await cancel(customer.key, other.id);
    await cancel(customer.key, unwatched.id);
    await cancel(customer.key, watched.id);
    await cancelledSleeps.waitFor('two cancelled sleeps', () => cancelledSleeps.updates().length >= 2);
    await byId.waitFor('the watched workload', () => byId.updates().length >= 1);
    // One more event, after all of the above: once the filtered stream has it, anything stray
    // would have been through both filters.
    await publishEvent(customer.id, { workload_id: unwatched.id, status: 'CANCELLED', progress: 0.5 });
    await cancelledSleeps.waitFor('the last event', () => cancelledSleeps.updates().some((u) => u.id === unwatched.id && u.progress === 0.5));
    expect(cancelledSleeps.updates().map((u) => [u.id, u.status])).toEqual([
      [unwatched.id, 'CANCELLED'],
      [watched.id, 'CANCELLED'],
      [unwatched.id, 'CANCELLED'],
    ]);
    expect(byId.updates().map((u) => [u.id, u.status])).toEqual([[watched.id, 'CANCELLED']]);
  });

  it('never delivers another customer’s events, even one published on the wrong subject', async () => {
    const spectator = await open('', { key: customer2.key });
    const own = await open('', { key: customer1.key });
    const submitted = await submit(customer1.key);
    await own.waitFor('customer 1 sees its workload', () => own.updates().some((u) => u.id === submitted.id));
    // A publisher bug: customer 1's event on customer 2's subject.
    const forged: WorkloadEventPayload = {
      workload_id: submitted.id,
      customer_id: customer1.id,
      workload_type: 'sleep',
      status: 'RUNNING',
      attempt: 1,
      progress: 0.5,
      worker_id: 'w',
      occurred_at: new Date().toISOString(),
    };
    const mine = await submit(customer2.key);
    await spectator.waitFor('customer 2 sees its own workload', () => spectator.updates().some((u) => u.id === mine.id));
    await replicaB.get(Broker).publish(new Subjects(prefix).customerEvents(customer2.id), createEnvelope(MessageType.WorkloadEvent, forged));
    // Customer 2's next event, on the same connection after the forged one: once it is delivered,
    // the forged one has been dealt with.
    await publishEvent(customer2.id, { workload_id: mine.id, status: 'RUNNING', progress: 0.5 });
    await spectator.waitFor('customer 2 sees its workload running', () => spectator.updates().some((u) => u.id === mine.id && u.status === 'RUNNING'));
    expect(spectator.updates().map((u) => u.id)).toEqual([mine.id, mine.id]);
  });

  it('drops superseded events that arrive late, so a workload never goes backwards', async () => {
    const customer = await createCustomer('stream-order');
    const client = await open('', { key: customer.key });
    const workload = await submit(customer.key);
    await client.waitFor('PENDING', () => client.updates().length === 1);
    await publishEvent(customer.id, { workload_id: workload.id, status: 'RUNNING', progress: 0.5 });
    await publishEvent(customer.id, { workload_id: workload.id, status: 'SCHEDULED' });
    await publishEvent(customer.id, { workload_id: workload.id, status: 'RUNNING', progress: 0.25 });
    await publishEvent(customer.id, { workload_id: workload.id, status: 'COMPLETED', progress: 1, output: { ok: true } });
    await client.waitFor('COMPLETED', () => client.updates().some((u) => u.status === 'COMPLETED'));
    expect(client.updates().map((u) => [u.status, u.progress])).toEqual([
      ['PENDING', 0],
      ['RUNNING', 0.5],
      ['COMPLETED', 1],
    ]);
    expect(client.updates()[2]?.output).toEqual({ ok: true });
  });

  it('closes a client that does not read with 4008 instead of buffering without bound', async () => {
    const customer = await createCustomer('stream-slow');
    const client = await open('', { key: customer.key, url: urlB });
    const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const dropsBefore = await dropCount('slow_consumer');
    const output = { blob: 'x'.repeat(32 * 1024) };
    // Publish until the server gives up on the client: the socket buffers of both ends swallow
    // several MiB first, and how fast depends on the machine's load.
    const deadline = Date.now() + 20_000;
    let drops = dropsBefore;
    for (let i = 0; drops === dropsBefore; ) {
      if (Date.now() > deadline) throw new Error(`no slow-consumer drop after ${i} events of 32 KiB`);
      for (const end = i + 20; i < end; i++) {
        await publishEvent(customer.id, { workload_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, output });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      drops = await dropCount('slow_consumer');
    }
    expect(drops).toBe(dropsBefore + 1);
    socket.resume();
    const closed = await client.closed;
    expect(closed).toEqual({ code: StreamCloseCode.SlowConsumer, reason: 'slow consumer' });
  });

  it('cuts off a peer that stops answering pings', async () => {
    const before = await dropCount('dead_peer');
    const client = await open('', { key: customer1.key, autoPong: false });
    const closed = await client.closed;
    expect(closed.code).toBe(1006);
    expect(await dropCount('dead_peer')).toBe(before + 1);
  });

  it('closes with 4001 once the key is revoked', async () => {
    const customer = await createCustomer('stream-revoked');
    const client = await open('', { key: customer.key });
    const revoked = await http(replicaB).delete(`/v1/admin/api-keys/${customer.keyId}`).set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(revoked.status).toBe(204);
    expect(await client.closed).toEqual({ code: StreamCloseCode.Unauthorized, reason: 'api key no longer valid' });
  });

  it('closes every connection with 1001 when the replica shuts down', async () => {
    const client = await open('', { key: customer1.key });
    const gauge = async () => (await register.getSingleMetric(STREAM_METRIC.connections)?.get())?.values[0]?.value ?? 0;
    expect(await gauge()).toBeGreaterThanOrEqual(1);
    await replicaA.close();
    expect(await client.closed).toEqual({ code: StreamCloseCode.GoingAway, reason: 'server shutting down' });
    expect(await gauge()).toBe(0);
  });
});
