import { expectError, startApiTestApp, type ApiTestApp } from '../../testing/api-test-app';


const BUDGET = 250_000;
const INPUT_BYTES = 100_000;

describe('GET /v1/workloads: large fields on request only, and a byte budget per page', () => {
  let api: ApiTestApp;
  let alice: { key: string };
  const ids: string[] = [];
  const auth = () => ({ Authorization: `Bearer ${alice.key}` });

  beforeAll(async () => {
    api = await startApiTestApp('api_list_budget', { bodyLimitBytes: 2 * 1024 * 1024, listMaxBytes: BUDGET });
    await api.dataSource.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 3)`);
    alice = await api.createCustomer('alice');
    for (let i = 0; i < 5; i++) {
      const res = await api.http.post('/v1/workloads').set(auth()).send({ workload_type: 'sleep', input: { n: i, blob: 'x'.repeat(INPUT_BYTES) } });
      expect(res.status).toBe(201);
      ids.unshift(res.body.id);
    }
    await api.dataSource.query(`UPDATE workloads SET output = jsonb_build_object('result', repeat('y', 1000))`);
  });

  afterAll(async () => {
    await api?.close();
  });

  /** Every page of the listing with `query`, following `next_cursor` to the end. */
  async function walk(query: string): Promise<Array<{ items: Array<Record<string, unknown>>; bytes: number }>> {
    const pages: Array<{ items: Array<Record<string, unknown>>; bytes: number }> = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Array<Record<string, unknown>>; next_cursor: string | null } } = await api.http.get(`/v1/workloads?${query}${cursor ? `&cursor=${cursor}` : ''}`).set(auth());
      expect(res.status).toBe(200);
      pages.push({ items: res.body.items, bytes: JSON.stringify(res.body.items).length });
      cursor = res.body.next_cursor;
    } while (cursor !== null);
    return pages;
  }

  it('leaves input and output out of list items by default, and keeps them in GET /v1/workloads/{id}', async () => {
    const [page] = await walk('limit=50');
    expect(page.items.map((item) => item['id'])).toEqual(ids);
    for (const item of page.items) {
      expect(item).not.toHaveProperty('input');
      expect(item).not.toHaveProperty('output');
      expect(item).toMatchObject({ workload_type: 'sleep', status: 'PENDING' });
    }
    const one = await api.http.get(`/v1/workloads/${ids[0]}`).set(auth());
    expect(one.body.input.blob).toHaveLength(INPUT_BYTES);
    expect(one.body.output).toEqual({ result: 'y'.repeat(1000) });
  });

  it('includes what include names', async () => {
    const [page] = await walk('limit=1&include=output');
    expect(page.items[0]).toHaveProperty('output', { result: 'y'.repeat(1000) });
    expect(page.items[0]).not.toHaveProperty('input');
  });

  it('stops a page at the byte budget with a next_cursor, and paging still returns every workload once', async () => {
    const pages = await walk('limit=50&include=input,output');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page.items.length).toBeGreaterThanOrEqual(1);
      if (page.items.length > 1) expect(page.bytes).toBeLessThanOrEqual(BUDGET);
    }
    const listed = pages.flatMap((page) => page.items);
    expect(listed.map((item) => item['id'])).toEqual(ids);
    expect(listed.every((item) => (item['input'] as { blob: string }).blob.length === INPUT_BYTES)).toBe(true);
  });

  it('refuses an unknown include with 400 naming it', async () => {
    const res = await api.http.get('/v1/workloads?include=secrets').set(auth());
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.details[0].path).toBe('include');
  });
});
