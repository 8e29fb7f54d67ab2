import { expectError, startApiTestApp, type ApiTestApp } from '../../testing/api-test-app';

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('workloads API: dependencies', () => {
  let api: ApiTestApp;
  let alice: { customerId: string; key: string };
  let bob: { customerId: string; key: string };

  beforeAll(async () => {
    api = await startApiTestApp('api_deps');
    alice = await api.createCustomer('alice');
    bob = await api.createCustomer('bob');
    await api.dataSource.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 0)`);
  });

  afterAll(async () => {
    await api?.close();
  });

  const as = (who: { key: string }) => ({ Authorization: `Bearer ${who.key}` });

  async function count(customerId: string): Promise<number> {
    const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM workloads WHERE customer_id = $1`, [customerId]);
    const [edges] = await api.dataSource.query(`SELECT count(*)::int AS n FROM workload_dependencies`);
    return row.n * 1_000_000 + edges.n;
  }

  async function submit(who: { key: string }, body: Record<string, unknown> = { workload_type: 'sleep' }) {
    const res = await api.http.post('/v1/workloads').set(as(who)).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; pending_reason: string | null; depends_on?: string[] };
  }

  it('submits extract → transform ×3 → load in one batch: dependents wait PENDING saying for how many parents', async () => {
    const res = await api.http
      .post('/v1/workloads/batch')
      .set(as(alice))
      .send({
        items: [
          { ref: 'load', workload_type: 'sleep', depends_on: ['t1', 't2', 't3'] },
          { ref: 't1', workload_type: 'sleep', depends_on: ['extract'] },
          { ref: 't2', workload_type: 'sleep', depends_on: ['extract'] },
          { ref: 't3', workload_type: 'sleep', depends_on: ['extract'] },
          { ref: 'extract', workload_type: 'sleep' },
        ],
      });
    expect(res.status).toBe(201);
    const [load, t1, t2, t3, extract] = res.body.items as Array<{ id: string; status: string; pending_reason: string | null; depends_on?: string[] }>;
    expect(extract).toMatchObject({ status: 'PENDING', pending_reason: 'queued: waiting for its turn to be scheduled' });
    expect(extract?.depends_on).toBeUndefined();
    expect(t1).toMatchObject({ status: 'PENDING', pending_reason: 'waiting_for_dependencies: 1 of 1 parents not completed yet', depends_on: [extract?.id] });
    expect(load).toMatchObject({ pending_reason: 'waiting_for_dependencies: 3 of 3 parents not completed yet', depends_on: [t1?.id, t2?.id, t3?.id] });

    const got = await api.http.get(`/v1/workloads/${load?.id}`).set(as(alice));
    expect(got.status).toBe(200);
    expect([...got.body.depends_on].sort()).toEqual([t1?.id, t2?.id, t3?.id].sort());
    expect((await api.http.get(`/v1/workloads/${extract?.id}`).set(as(alice))).body.depends_on).toBeUndefined();

    // Dependents of extract, paged two at a time.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ id: string; depends_on: string[] }>; next_cursor: string | null } } = await api.http
        .get(`/v1/workloads/${extract?.id}/dependents?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as(alice));
      expect(page.status).toBe(200);
      for (const child of page.body.items) {
        expect(child.depends_on).toEqual([extract?.id]);
        seen.push(child.id);
      }
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(seen.sort()).toEqual([t1?.id, t2?.id, t3?.id].sort());
    const none = await api.http.get(`/v1/workloads/${load?.id}/dependents`).set(as(alice));
    expect(none.body).toEqual({ items: [], next_cursor: null });
    expectError(await api.http.get(`/v1/workloads/${load?.id}/dependents`).set(as(bob)), 404, 'not_found');
  });

  it('depends on earlier workloads by id; a parent already completed does not count', async () => {
    const done = await submit(alice);
    const running = await submit(alice);
    await api.dataSource.query(`UPDATE workloads SET status = 'COMPLETED', output = '{"rows": 3}' WHERE id = $1`, [done.id]);
    const child = await submit(alice, { workload_type: 'sleep', depends_on: [done.id, running.id] });
    expect(child).toMatchObject({ status: 'PENDING', pending_reason: 'waiting_for_dependencies: 1 of 2 parents not completed yet', depends_on: [done.id, running.id] });
    const [flags] = await api.dataSource.query(
      `SELECT bool_and(has_dependents) AS marked FROM workloads WHERE id = ANY($1::uuid[])`,
      [[done.id, running.id]],
    );
    expect(flags.marked).toBe(true);

    const ready = await submit(alice, { workload_type: 'sleep', depends_on: [done.id] });
    // All parents completed already: it is schedulable at once, and still has parents for ctx.parents.
    expect(ready.pending_reason).toBe('queued: waiting for its turn to be scheduled');
    const [row] = await api.dataSource.query(`SELECT waiting_parents FROM workloads WHERE id = $1`, [ready.id]);
    expect(row.waiting_parents).toBe(0);
  });

  it('a workload without depends_on writes nothing for dependencies', async () => {
    const before = await count(alice.customerId);
    const plain = await submit(alice);
    const [row] = await api.dataSource.query(`SELECT waiting_parents, has_dependents FROM workloads WHERE id = $1`, [plain.id]);
    expect(row).toEqual({ waiting_parents: null, has_dependents: null });
    expect(await count(alice.customerId)).toBe(before + 1_000_000);
  });

  describe('refuses with 400 and creates nothing', () => {
    let earlier: string;
    let failed: string;
    let bobs: string;

    beforeAll(async () => {
      earlier = (await submit(alice)).id;
      failed = (await submit(alice)).id;
      await api.dataSource.query(`UPDATE workloads SET status = 'FAILED' WHERE id = $1`, [failed]);
      bobs = (await submit(bob)).id;
    });

    it.each([
      ['a cycle', [{ ref: 'a', workload_type: 'sleep', depends_on: ['c'] }, { ref: 'b', workload_type: 'sleep', depends_on: ['a'] }, { ref: 'c', workload_type: 'sleep', depends_on: ['b'] }], 'items.0.depends_on'],
      ['a self-reference', [{ ref: 'a', workload_type: 'sleep', depends_on: ['a'] }], 'items.0.depends_on.0'],
      ['an unknown ref', [{ ref: 'a', workload_type: 'sleep' }, { workload_type: 'sleep', depends_on: ['nope'] }], 'items.1.depends_on.0'],
      ['a repeated ref', [{ ref: 'a', workload_type: 'sleep' }, { ref: 'a', workload_type: 'sleep' }], 'items.1.ref'],
      ['an unknown id', [{ ref: 'a', workload_type: 'sleep' }, { workload_type: 'sleep', depends_on: ['a', MISSING_ID] }], 'items.1.depends_on'],
    ])('%s', async (_case, items, path) => {
      const before = await count(alice.customerId);
      const res = await api.http.post('/v1/workloads/batch').set(as(alice)).send({ items });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      expect(await count(alice.customerId)).toBe(before);
    });

    it("another customer's id, exactly like an unknown one, and leaves that workload unmarked", async () => {
      const before = await count(alice.customerId);
      const res = await api.http.post('/v1/workloads').set(as(alice)).send({ workload_type: 'sleep', depends_on: [bobs] });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details).toEqual([{ path: 'depends_on', message: `workload ${bobs} does not exist` }]);
      expect(await count(alice.customerId)).toBe(before);
      const [row] = await api.dataSource.query(`SELECT has_dependents FROM workloads WHERE id = $1`, [bobs]);
      expect(row.has_dependents).toBeNull();
    });

    it('a failed parent, and the earlier parent of the same batch is left unmarked', async () => {
      const before = await count(alice.customerId);
      const res = await api.http
        .post('/v1/workloads/batch')
        .set(as(alice))
        .send({ items: [{ workload_type: 'sleep', depends_on: [earlier] }, { workload_type: 'sleep', depends_on: [failed] }] });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details).toEqual([{ path: 'items.1.depends_on', message: `workload ${failed} is FAILED and will never complete` }]);
      expect(await count(alice.customerId)).toBe(before);
      const [row] = await api.dataSource.query(`SELECT has_dependents FROM workloads WHERE id = $1`, [earlier]);
      expect(row.has_dependents).toBeNull();
    });

    it('a depends_on entry that is not a ref or an id on a single submission', async () => {
      const before = await count(alice.customerId);
      const res = await api.http.post('/v1/workloads').set(as(alice)).send({ workload_type: 'sleep', depends_on: ['extract'] });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details[0].path).toBe('depends_on.0');
      expect(await count(alice.customerId)).toBe(before);
    });
  });

  it('cancelling a parent wakes the leader naming it; cancelling a workload without dependents does not', async () => {
    const parent = await submit(alice);
    await submit(alice, { workload_type: 'sleep', depends_on: [parent.id] });
    const loner = await submit(alice);
    api.clearMessages();
    expect((await api.http.post(`/v1/workloads/${loner.id}/cancel`).set(as(alice))).status).toBe(202);
    expect((await api.http.post(`/v1/workloads/${parent.id}/cancel`).set(as(alice))).status).toBe(202);
    await api.waitForMessages((messages) => messages.some((m) => (m.message.payload as { parents_done?: string[] }).parents_done !== undefined));
    const wakes = api.messages.filter((m) => (m.message.payload as { parents_done?: string[] }).parents_done !== undefined);
    expect(wakes.map((m) => m.message.payload)).toEqual([{ reason: 'parents_ended', parents_done: [parent.id] }]);
  });
});
