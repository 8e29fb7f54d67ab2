import { NiyantaBatchError, NiyantaApiError, NiyantaTimeoutError } from './errors';
import { createNiyantaClient, MAX_BATCH_SIZE } from './niyanta-client';

type Handler = (request: Request, body: unknown) => { status: number; body?: unknown; headers?: Record<string, string> };

/** A fake API: records requests and answers with `handler`. */
function fakeApi(handler: Handler) {
  const requests: Array<{ method: string; path: string; headers: Headers; body: unknown }> = [];
  const fetch = async (request: Request): Promise<Response> => {
    const text = await request.text();
    const body = text ? JSON.parse(text) : undefined;
    const url = new URL(request.url);
    requests.push({ method: request.method, path: `${url.pathname}${url.search}`, headers: request.headers, body });
    const answer = handler(request, body);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', 'x-request-id': `req-${requests.length}`, ...answer.headers },
    });
  };
  return { client: createNiyantaClient({ baseUrl: 'http://api.test/', apiKey: 'nyk_abcdefgh_secretsecretsecret', fetch, retry: { baseDelayMs: 1 } }), requests };
}

function workload(id: string, status = 'PENDING') {
  return { id, status, workload_type: 'sleep' };
}

describe('NiyantaClient', () => {
  it('sends the key and the idempotency key, and returns the workload', async () => {
    const api = fakeApi(() => ({ status: 201, body: workload('w1') }));
    await expect(api.client.submit({ workload_type: 'sleep', input: { duration_ms: 5 } }, { idempotencyKey: 'once' })).resolves.toMatchObject({ id: 'w1' });
    const [sent] = api.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/workloads', body: { workload_type: 'sleep', input: { duration_ms: 5 } } });
    expect(sent?.headers.get('authorization')).toBe('Bearer nyk_abcdefgh_secretsecretsecret');
    expect(sent?.headers.get('idempotency-key')).toBe('once');
  });

  it('throws the API error with its code, status and request id', async () => {
    const api = fakeApi(() => ({ status: 409, body: { error: { code: 'invalid_state', message: 'cannot cancel a COMPLETED workload', details: [], request_id: 'abc' } } }));
    const failure = await api.client.cancel('w1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NiyantaApiError);
    expect(failure).toMatchObject({ status: 409, code: 'invalid_state', requestId: 'abc' });
  });

  it('retries a rate-limited call and then succeeds', async () => {
    let calls = 0;
    const api = fakeApi(() => (++calls === 1 ? { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'rate_limited', message: 'x', details: [], request_id: 'r' } } } : { status: 200, body: { items: [] } }));
    await expect(api.client.workers()).resolves.toEqual([]);
    expect(calls).toBe(2);
  });

  it('submits a batch in chunks of 1000, in order', async () => {
    const api = fakeApi((_request, body) => ({ status: 201, body: { items: (body as { items: Array<{ labels: { n: string } }> }).items.map((item) => workload(item.labels.n)) } }));
    const items = Array.from({ length: 2500 }, (_, i) => ({ workload_type: 'sleep', labels: { n: String(i) } }));
    const created = await api.client.submitBatch(items);
    expect(api.requests.map((r) => (r.body as { items: unknown[] }).items.length)).toEqual([MAX_BATCH_SIZE, MAX_BATCH_SIZE, 500]);
    expect(created.map((w) => w.id)).toEqual(items.map((item) => item.labels.n));
    await expect(api.client.submitBatch(items, { chunkSize: 1001 })).rejects.toThrow(RangeError);
  });

  it('reports which chunk of a batch failed and what the earlier ones created', async () => {
    let calls = 0;
    const api = fakeApi((_request, body) =>
      ++calls === 2
        ? { status: 400, body: { error: { code: 'validation_failed', message: 'bad item', details: [{ path: 'items.3.workload_type', message: 'x' }], request_id: 'r' } } }
        : { status: 201, body: { items: (body as { items: unknown[] }).items.map((_, i) => workload(`w${calls}-${i}`)) } },
    );
    const failure = await api.client.submitBatch(Array.from({ length: 5 }, () => ({ workload_type: 'sleep' })), { chunkSize: 2 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NiyantaBatchError);
    expect((failure as NiyantaBatchError).failedChunk).toBe(1);
    expect((failure as NiyantaBatchError).submitted).toHaveLength(2);
    expect((failure as NiyantaBatchError).cause).toMatchObject({ code: 'validation_failed' });
  });

  it('submits a small graph in one request as given, and returns the workloads by ref', async () => {
    let n = 0;
    const api = fakeApi((_request, body) => ({ status: 201, body: { items: (body as { items: unknown[] }).items.map(() => workload(`w${n++}`)) } }));
    const graph = await api.client.submitGraph([
      { ref: 'load', workload_type: 'sleep', depends_on: ['t1'] },
      { ref: 't1', workload_type: 'sleep', depends_on: ['extract'] },
      { ref: 'extract', workload_type: 'sleep' },
    ]);
    expect(api.requests).toHaveLength(1);
    expect((api.requests[0]?.body as { items: Array<{ ref: string }> }).items.map((item) => item.ref)).toEqual(['load', 't1', 'extract']);
    expect(graph.items.map((w) => w.id)).toEqual(['w0', 'w1', 'w2']);
    expect(graph.byRef['extract']?.id).toBe('w2');
  });

  it('sends a graph larger than a request parents first, naming parents of earlier requests by their ids', async () => {
    let n = 0;
    const api = fakeApi((_request, body) => ({ status: 201, body: { items: (body as { items: unknown[] }).items.map(() => workload(`id-${n++}`)) } }));
    // A diamond, given children first: a → (b, c) → d.
    const graph = await api.client.submitGraph(
      [
        { ref: 'd', workload_type: 'sleep', depends_on: ['b', 'c'] },
        { ref: 'c', workload_type: 'sleep', depends_on: ['a'] },
        { ref: 'b', workload_type: 'sleep', depends_on: ['a'] },
        { ref: 'a', workload_type: 'sleep' },
      ],
      { chunkSize: 2 },
    );
    const sent = api.requests.map((r) => (r.body as { items: Array<{ ref: string; depends_on?: string[] }> }).items);
    expect(sent.map((items) => items.map((item) => item.ref))).toEqual([['a', 'c'], ['b', 'd']]);
    // A parent in the same request stays a ref; one created by an earlier request is named by its id.
    expect(sent[0]?.[1]?.depends_on).toEqual(['a']);
    expect(sent[1]?.[0]?.depends_on).toEqual(['id-0']);
    expect(sent[1]?.[1]?.depends_on).toEqual(['b', 'id-1']);
    expect(graph.byRef['d']?.id).toBe('id-3');
    await expect(api.client.submitGraph([{ ref: 'x', workload_type: 'sleep', depends_on: ['y'] }, { ref: 'y', workload_type: 'sleep', depends_on: ['x'] }], { chunkSize: 1 })).rejects.toThrow('cycle');
  });

  it('waits for a terminal status by polling, and gives up after the timeout', async () => {
    const statuses = ['PENDING', 'RUNNING', 'RUNNING', 'COMPLETED'];
    let polls = 0;
    const api = fakeApi(() => ({ status: 200, body: workload('w1', statuses[Math.min(polls++, statuses.length - 1)]) }));
    await expect(api.client.waitForCompletion('w1', { pollMs: 5 })).resolves.toMatchObject({ status: 'COMPLETED' });
    expect(polls).toBe(4);

    const stuck = fakeApi(() => ({ status: 200, body: workload('w2', 'RUNNING') }));
    const failure = await stuck.client.waitForCompletion('w2', { pollMs: 10, timeoutMs: 50 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NiyantaTimeoutError);
    expect((failure as NiyantaTimeoutError).lastSeen).toMatchObject({ status: 'RUNNING' });
  });

  it('pages through every workload', async () => {
    const pages: Record<string, { items: unknown[]; next_cursor: string | null }> = {
      '': { items: [workload('a'), workload('b')], next_cursor: 'c1' },
      c1: { items: [workload('c')], next_cursor: null },
    };
    const api = fakeApi((request) => ({ status: 200, body: pages[new URL(request.url).searchParams.get('cursor') ?? ''] }));
    const ids: string[] = [];
    for await (const item of api.client.listAll({ status: ['PENDING', 'RUNNING'], limit: 2 })) ids.push(item.id);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(api.requests.map((r) => r.path)).toEqual(['/v1/workloads?status=PENDING&status=RUNNING&limit=2', '/v1/workloads?status=PENDING&status=RUNNING&limit=2&cursor=c1']);
  });
});
