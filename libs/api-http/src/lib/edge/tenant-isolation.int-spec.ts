import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@niyanta/testing';
import { WebSocket } from 'ws';
import { startApiTestApp, type ApiTestApp } from '../../testing/api-test-app';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import { StreamGateway } from '../stream/stream.gateway';


const BURST = 5;
// Longer than the test: the window is ended by the test itself, so rows do not depend on timing.
const WINDOW_MS = 600_000;

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string; details: unknown[]; request_id: string } };
}


describe('one client cannot hurt another at the edge', () => {
  let api: ApiTestApp;
  let port: number;
  let alice: { customerId: string; key: string };
  let bob: { customerId: string; key: string };

  beforeAll(async () => {
    api = await startApiTestApp('edge_isolation', {
      authThrottle: { burst: BURST, perSecond: 0.001 },
      authFailureWindowMs: WINDOW_MS,
      streamMaxPerCustomer: 2,
    });
    alice = await api.createCustomer('alice');
    bob = await api.createCustomer('bob');
    await api.app.listen(0, '127.0.0.1');
    port = (api.app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await api?.close();
  });

  /** A GET sent from `source` (any 127.0.0.0/8 address is this host), so each test has its own client address. */
  function getFrom(source: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers, localAddress: source, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  async function authFailureRows(source: string): Promise<Array<{ details: Record<string, unknown> }>> {
    return api.dataSource.query(`SELECT details FROM audit_events WHERE action = 'auth.failed' AND details->>'source' = $1 ORDER BY id`, [source]);
  }

  it('never stores or returns a key sent in the query string', async () => {
    const res = await getFrom('127.0.0.2', `/v1/workloads?limit=1&api_key=${alice.key}&TOKEN=${bob.key}`);
    expect(res.status).toBe(401);
    await eventually('the auth.failed row', async () => (await authFailureRows('127.0.0.2')).length === 1);
    const [row] = await authFailureRows('127.0.0.2');
    expect(row.details['path']).toBe('/v1/workloads?limit=1&api_key=[redacted]&TOKEN=[redacted]');
    const everything = JSON.stringify(await api.dataSource.query(`SELECT * FROM audit_events`));
    expect(everything).not.toContain(alice.key);
    expect(everything).not.toContain(bob.key);
  });

  it('throttles an address that keeps failing with 429 and Retry-After, and no other address or working key', async () => {
    const source = '127.0.0.3';
    // Alice's key is known to work (and cached) before the flood from her address begins.
    expect((await getFrom(source, '/v1/workloads', { Authorization: `Bearer ${alice.key}` })).status).toBe(200);
    for (let i = 0; i < BURST; i++) {
      expect((await getFrom(source, '/v1/workloads', { Authorization: 'Bearer nyk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbb' })).status).toBe(401);
    }
    const throttled = await getFrom(source, '/v1/workloads', { Authorization: 'Bearer nyk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbb' });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error?.code).toBe('rate_limited');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(throttled.body.error?.request_id).toBe(throttled.headers['x-request-id']);
    const admin = await getFrom(source, '/v1/admin/customers', { Authorization: 'Bearer wrong-admin-key-0123' });
    expect(admin.status).toBe(429);

    expect((await getFrom(source, '/v1/workloads', { Authorization: `Bearer ${alice.key}` })).status).toBe(200);
    expect((await getFrom('127.0.0.4', '/v1/workloads', { Authorization: 'Bearer nyk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbb' })).status).toBe(401);
  });

  it('aggregates auth.failed: one row for the first failure of an address, one summary with the count per window', async () => {
    const source = '127.0.0.5';
    const answers: number[] = [];
    for (let i = 0; i < 40; i++) answers.push((await getFrom(source, '/v1/workloads')).status);
    expect(answers.filter((status) => status === 401)).toHaveLength(BURST);
    expect(answers.filter((status) => status === 429)).toHaveLength(40 - BURST);

    api.app.get(ApiKeyAuthService).flushAuthFailureSummaries();
    await eventually('the summary row', async () => (await authFailureRows(source)).some((row) => row.details['aggregated'] === true));
    const rows = await authFailureRows(source);
    expect(rows).toHaveLength(2);
    expect(rows[0].details).toMatchObject({ reason: 'missing', source });
    expect(rows[1].details).toMatchObject({ aggregated: true, count: BURST - 1, throttled: 40 - BURST, reasons: { missing: BURST - 1 }, source });
  });

  describe('stream connections per customer', () => {
    function openStream(key: string, query = ''): Promise<WebSocket> {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream${query}`, { headers: { Authorization: `Bearer ${key}` } });
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_req, res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })),
          );
        });
        ws.once('error', reject);
      });
    }

    it('caps one customer without touching another, and frees the slot on close', async () => {
      const gateway = api.app.get(StreamGateway);
      const first = await openStream(alice.key);
      const second = await openStream(alice.key);
      await expect(openStream(alice.key)).rejects.toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
      const bobs = await openStream(bob.key);
      expect(gateway.connectionsOf(bob.customerId)).toBe(1);

      first.close();
      await eventually('the closed slot to be released', () => gateway.connectionsOf(alice.customerId) === 1);
      const third = await openStream(alice.key);
      for (const ws of [second, third, bobs]) ws.close();
      await eventually('every stream to close', () => gateway.connectionCount() === 0);
    });

    it('refuses a filter PostgreSQL cannot store with 400 before the handshake (not a 1011 close)', async () => {
      await expect(openStream(alice.key, '?workload_type=a%00b')).rejects.toMatchObject({
        status: 400,
        body: { error: { code: 'validation_failed', details: [{ path: 'workload_type' }] } },
      });
    });
  });
});
