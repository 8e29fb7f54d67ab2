import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { expectError, startApiTestApp, TEST_ADMIN_KEY, type ApiTestApp } from '../../testing/api-test-app';


const BODY_TIMEOUT_MS = 500;

/** Sends raw bytes on a fresh connection and resolves with everything the server sent until it closed. */
function rawExchange(port: number, send: (socket: Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('connect', () => send(socket));
  });
}

/** Status, headers (lower-case) and JSON body of a raw HTTP/1.1 response. */
function parseRaw(raw: string): { status: number; headers: Record<string, string>; body: { error?: Record<string, unknown> } } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // Error answers carry a Content-Length; a chunked success body is not needed by these tests.
  const text = rest.join('\r\n\r\n');
  return { status: Number(statusLine.split(' ')[1]), headers, body: headers['content-length'] ? JSON.parse(text) : {} };
}

function expectRawError(raw: string, status: number, code: string): void {
  const res = parseRaw(raw);
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body.error ?? {}).sort()).toEqual(['code', 'details', 'message', 'request_id']);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(res.body.error?.request_id).toBe(res.headers['x-request-id']);
}

describe('the API edge refuses what it cannot store or should not read', () => {
  let api: ApiTestApp;
  let alice: { customerId: string; key: string };
  let port: number;
  const auth = () => ({ Authorization: `Bearer ${alice.key}` });

  beforeAll(async () => {
    api = await startApiTestApp('edge_hardening', { bodyLimitBytes: 2 * 1024 * 1024, server: { bodyTimeoutMs: BODY_TIMEOUT_MS } });
    await api.dataSource.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 3)`);
    alice = await api.createCustomer('alice');
    await api.app.listen(0, '127.0.0.1');
    port = (api.app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await api?.close();
  });

  async function workloadCount(): Promise<number> {
    const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM workloads`);
    return row.n;
  }

  /** Posts a JSON text as is (so keys such as `__proto__` and escapes reach the parser unchanged). */
  function postRaw(path: string, json: string) {
    return api.http.post(path).set(auth()).set('Content-Type', 'application/json').send(json);
  }

  describe('text PostgreSQL cannot store is 400 validation_failed naming the field', () => {
    it.each([
      ['a NUL in input', '{"workload_type":"sleep","input":{"note":"a\\u0000b"}}', 'input.note'],
      ['a lone surrogate in input', '{"workload_type":"sleep","input":{"list":["ok","\\ud800"]}}', 'input.list.1'],
      ['a NUL in an input key', '{"workload_type":"sleep","input":{"a\\u0000":1}}', 'input.a\\u0000'],
      ['a lone surrogate in a label', '{"workload_type":"sleep","labels":{"team":"\\udc00x"}}', 'labels.team'],
      ['a NUL in idempotency_key', '{"workload_type":"sleep","idempotency_key":"k\\u0000"}', 'idempotency_key'],
      ['a NUL in the type', '{"workload_type":"sl\\u0000eep"}', 'workload_type'],
    ])('%s', async (_case, json, path) => {
      const before = await workloadCount();
      const res = await postRaw('/v1/workloads', json);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details).toEqual([{ path, message: expect.any(String) }]);
      expect(await workloadCount()).toBe(before);
    });

    it('in one item of a batch, naming the item', async () => {
      const res = await postRaw('/v1/workloads/batch', '{"items":[{"workload_type":"sleep"},{"workload_type":"sleep","input":{"x":"\\u0000"}}]}');
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details[0].path).toBe('items.1.input.x');
    });

    it.each([
      ['a list filter', '/v1/workloads?workload_type=a%00b', 'workload_type'],
      ['a label filter', '/v1/workloads?label=team%3A%00', 'label'],
      ['a path id', '/v1/workloads/%00', 'path'],
      ['a worker id', '/v1/workers/w%00rker', 'path'],
      ['a malformed percent-encoding in the path', '/v1/workers/%ED%A0%80', 'path'],
    ])('in %s', async (_case, url, path) => {
      const res = await api.http.get(url).set(auth());
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details[0].path).toBe(path);
    });

    it('in the Idempotency-Key header (Node refuses a raw NUL before any route: 400 in the error shape)', async () => {
      const raw = await rawExchange(port, (socket) =>
        socket.end(`POST /v1/workloads HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0000b\r\nContent-Length: 2\r\n\r\n{}`),
      );
      expectRawError(raw, 400, 'validation_failed');
    });

    it('in admin routes: audit filters and customer names', async () => {
      const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
      const audit = await api.http.get('/v1/admin/audit-events?action=a%00').set(admin);
      expectError(audit, 400, 'validation_failed');
      expect(audit.body.error.details[0].path).toBe('action');
      const created = await api.http.post('/v1/admin/customers').set(admin).set('Content-Type', 'application/json').send('{"name":"\\ud800","tier":"free"}');
      expectError(created, 400, 'validation_failed');
      expect(created.body.error.details[0].path).toBe('name');
    });

    it('in cursors holding impossible dates', async () => {
      const id = '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f';
      for (const t of ['2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z']) {
        const cursor = Buffer.from(JSON.stringify({ t, i: id })).toString('base64url');
        const res = await api.http.get(`/v1/workloads?cursor=${cursor}`).set(auth());
        expectError(res, 400, 'validation_failed');
        expect(res.body.error.details[0].path).toBe('cursor');
      }
    });
  });

  describe('prototype keys and non-JSON bodies', () => {
    it.each([
      ['__proto__ at the top', '{"workload_type":"sleep","__proto__":{"x":1}}', '__proto__'],
      ['constructor in input', '{"workload_type":"sleep","input":{"a":{"constructor":{"prototype":1}}}}', 'input.a.constructor'],
      ['prototype in labels', '{"workload_type":"sleep","labels":{"prototype":"x"}}', 'labels.prototype'],
    ])('%s is 400 instead of being dropped', async (_case, json, path) => {
      const before = await workloadCount();
      const res = await postRaw('/v1/workloads', json);
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details[0].path).toBe(path);
      expect(await workloadCount()).toBe(before);
    });

    it.each([
      ['form-encoded', 'application/x-www-form-urlencoded', 'workload_type=sleep'],
      ['text', 'text/plain', '{"workload_type":"sleep"}'],
    ])('a %s body is 415 unsupported_media_type', async (_case, type, body) => {
      const before = await workloadCount();
      const res = await api.http.post('/v1/workloads').set(auth()).set('Content-Type', type).send(body);
      expectError(res, 415, 'unsupported_media_type');
      expect(await workloadCount()).toBe(before);
    });

    it('a gzip body that is not gzip is 400; an unknown encoding 415; real gzip is accepted', async () => {
      const bogus = await api.http
        .post('/v1/workloads')
        .set(auth())
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('{"workload_type":"sleep"}');
      expectError(bogus, 400, 'validation_failed');
      const unknown = await api.http
        .post('/v1/workloads')
        .set(auth())
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'compress')
        .send('{"workload_type":"sleep"}');
      expectError(unknown, 415, 'unsupported_media_type');
      // Raw bytes: the HTTP client would serialise a Buffer as JSON under a JSON content type.
      const gzipped = gzipSync('{"workload_type":"sleep"}');
      const raw = await rawExchange(port, (socket) => {
        socket.write(
          `POST /v1/workloads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.key}\r\nContent-Type: application/json\r\n` +
            `Content-Encoding: gzip\r\nContent-Length: ${gzipped.length}\r\nConnection: close\r\n\r\n`,
        );
        socket.write(gzipped);
      });
      expect(parseRaw(raw).status).toBe(201);
    });
  });

  describe('bounded cost of input', () => {
    it('an 80,000-key input is accepted and stored intact (no class-transformer copy)', async () => {
      const input: Record<string, number> = {};
      for (let i = 0; i < 80_000; i++) input[`k${i}`] = i;
      const res = await api.http.post('/v1/workloads').set(auth()).send({ workload_type: 'sleep', input });
      expect(res.status).toBe(201);
      const [row] = await api.dataSource.query(`SELECT (SELECT count(*) FROM jsonb_object_keys(input))::int AS n FROM workloads WHERE id = $1`, [res.body.id]);
      expect(row.n).toBe(80_000);
    });

    it.each([
      ['more than 100,000 keys', () => Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`${i}`, 0])), 'input'],
      ['more than 32 levels', () => JSON.parse(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`), 'input'],
      ['a string over 262,144 characters', () => ({ text: 'x'.repeat(262_145) }), 'input'],
    ])('an input with %s is 400 naming input', async (_case, make, path) => {
      const res = await api.http.post('/v1/workloads').set(auth()).send({ workload_type: 'sleep', input: make() });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
    });

    it('an object with more than 256 keys outside input is 400 before it is copied', async () => {
      const junk = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 0]));
      const res = await api.http.post('/v1/workloads').set(auth()).send({ workload_type: 'sleep', affinity: { required: junk } });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details[0].path).toBe('affinity.required');
    });
  });

  describe('the server answers its own refusals in the error shape', () => {
    it('431 for oversized headers, with X-Request-Id', async () => {
      const raw = await rawExchange(port, (socket) => socket.end(`GET /v1/workloads HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
      expectRawError(raw, 431, 'headers_too_large');
    });

    it('431 for an over-long URL', async () => {
      const raw = await rawExchange(port, (socket) => socket.end(`GET /v1/workloads?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
      expectRawError(raw, 431, 'headers_too_large');
    });

    it('400 for malformed HTTP', async () => {
      const raw = await rawExchange(port, (socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      expectRawError(raw, 400, 'validation_failed');
    });

    it('413 for a body over the limit', async () => {
      const res = await api.http.post('/v1/workloads').set(auth()).send({ workload_type: 'sleep', input: { text: 'x'.repeat(3 * 1024 * 1024) } });
      expectError(res, 413, 'payload_too_large');
    });

    it('408 and a closed connection for an unauthenticated body dripping slower than the body timeout', async () => {
      const raw = await rawExchange(port, (socket) => {
        socket.write('POST /v1/workloads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
        // Never sends the rest: the server must answer and close on its own.
      });
      expectRawError(raw, 408, 'request_timeout');
      expect(parseRaw(raw).headers['connection']).toBe('close');
    });
  });
});
