import { retryingFetch } from './retrying-fetch';

function scripted(statuses: Array<[number, Record<string, string>?]>) {
  const bodies: string[] = [];
  const at: number[] = [];
  const fetchImpl = async (request: Request): Promise<Response> => {
    bodies.push(await request.text());
    at.push(Date.now());
    const [status, headers] = statuses[Math.min(bodies.length - 1, statuses.length - 1)] as [number, Record<string, string>?];
    return new Response(JSON.stringify({ status }), { status, headers });
  };
  return { fetchImpl, bodies, at };
}

const post = () => new Request('http://api.test/v1/workloads', { method: 'POST', body: '{"workload_type":"sleep"}' });

describe(retryingFetch.name, () => {
  it('retries 429 and 503 with the same body until an answer that is not retryable', async () => {
    const { fetchImpl, bodies } = scripted([[429, { 'retry-after': '0' }], [503], [201]]);
    const response = await retryingFetch(fetchImpl, { baseDelayMs: 1 })(post());
    expect(response.status).toBe(201);
    expect(bodies).toEqual(Array(3).fill('{"workload_type":"sleep"}'));
  });

  it('waits as long as Retry-After says', async () => {
    const { fetchImpl, at } = scripted([[429, { 'retry-after': '1' }], [200]]);
    const response = await retryingFetch(fetchImpl)(post());
    expect(response.status).toBe(200);
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(990);
  });

  it('returns the answer when the server asks for a longer wait than maxDelayMs, or retries run out', async () => {
    const tooLong = scripted([[503, { 'retry-after': '60' }], [200]]);
    expect((await retryingFetch(tooLong.fetchImpl, { maxDelayMs: 1000 })(post())).status).toBe(503);
    expect(tooLong.bodies).toHaveLength(1);

    const always = scripted([[429, { 'retry-after': '0' }]]);
    expect((await retryingFetch(always.fetchImpl, { maxRetries: 2 })(post())).status).toBe(429);
    expect(always.bodies).toHaveLength(3);
  });

  it('does not retry other errors', async () => {
    for (const status of [400, 409, 500, 502]) {
      const { fetchImpl, bodies } = scripted([[status], [200]]);
      expect((await retryingFetch(fetchImpl, { baseDelayMs: 1 })(post())).status).toBe(status);
      expect(bodies).toHaveLength(1);
    }
  });

  it('stops waiting when the request is aborted', async () => {
    const { fetchImpl } = scripted([[429, { 'retry-after': '30' }], [200]]);
    const controller = new AbortController();
    const request = new Request('http://api.test/v1/workers', { signal: controller.signal });
    const pending = retryingFetch(fetchImpl)(request);
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(pending).rejects.toThrow('stop');
  });
});
