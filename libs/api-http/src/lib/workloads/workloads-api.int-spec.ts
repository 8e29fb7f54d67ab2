import { MessageType } from '@niyanta/models';
import { expectError, startApiTestApp, type ApiTestApp } from '../../testing/api-test-app';

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** The workload a recorded message is about, if any. */
function payloadOf(recorded: ApiTestApp['messages'][number]): { workload_id?: string; workload_ids?: string[] } {
  return (recorded.message.payload ?? {}) as { workload_id?: string; workload_ids?: string[] };
}

describe('workloads API', () => {
  let api: ApiTestApp;
  let alice: { customerId: string; key: string };
  let bob: { customerId: string; key: string };

  beforeAll(async () => {
    api = await startApiTestApp('api_workloads', { bodyLimitBytes: 64 * 1024 });
    alice = await api.createCustomer('alice');
    bob = await api.createCustomer('bob');
  });

  afterAll(async () => {
    await api?.close();
  });

  beforeEach(async () => {
    await api.dataSource.query(`TRUNCATE workloads, workload_configs, workers CASCADE`);
    await api.dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, checkpoint_interval_seconds)
       VALUES ('sleep', 100, 3, 30), ('render', 300, 1, NULL)`,
    );
    api.clearMessages();
  });

  const as = (who: { key: string }) => ({ Authorization: `Bearer ${who.key}` });

  async function submit(who: { key: string }, body: Record<string, unknown> = { workload_type: 'sleep' }) {
    const res = await api.http.post('/v1/workloads').set(as(who)).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; attempt: number; updated_at: string };
  }

  async function countWorkloads(): Promise<number> {
    const [row] = await api.dataSource.query(`SELECT count(*)::int AS n FROM workloads`);
    return row.n;
  }

  describe('POST /v1/workloads', () => {
    it('creates a PENDING workload with the type defaults, wakes the leader and publishes an event', async () => {
      const res = await api.http
        .post('/v1/workloads')
        .set(as(alice))
        .send({ workload_type: 'sleep', input: { duration_ms: 10 }, labels: { team: 'a' }, affinity: { required: { gpu: 'a100' } } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        customer_id: alice.customerId,
        workload_type: 'sleep',
        status: 'PENDING',
        priority: 100,
        max_retries: 3,
        attempt: 1,
        failure_count: 0,
        input: { duration_ms: 10 },
        labels: { team: 'a' },
        affinity: { required: { gpu: 'a100' }, preferred: {}, anti: {} },
        worker_id: null,
        last_checkpoint: null,
        pending_reason: 'queued: waiting for its turn to be scheduled',
      });
      expect(res.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      await api.waitForMessages((messages) => messages.length >= 2);
      const wake = api.messages.find((m) => m.subject === `${api.prefix}.leader.wake`);
      expect(wake?.message).toMatchObject({
        type: MessageType.LeaderWake,
        correlation_id: res.headers['x-request-id'],
        payload: { reason: 'submitted', workload_ids: [res.body.id] },
      });
      const event = api.messages.find((m) => m.subject === `${api.prefix}.events.${alice.customerId}`);
      expect(event?.message.payload).toMatchObject({ workload_id: res.body.id, status: 'PENDING', attempt: 1 });
    });

    it('honours explicit priority and max_retries', async () => {
      const body = await submit(alice, { workload_type: 'render', priority: 750, max_retries: 0 });
      expect(body).toMatchObject({ priority: 750, max_retries: 0 });
    });

    it('returns the first workload with 200 on an Idempotency-Key repeat', async () => {
      const first = await api.http.post('/v1/workloads').set(as(alice)).set('Idempotency-Key', 'k-1').send({ workload_type: 'sleep' });
      const again = await api.http.post('/v1/workloads').set(as(alice)).set('Idempotency-Key', 'k-1').send({ workload_type: 'sleep' });
      const viaBody = await api.http.post('/v1/workloads').set(as(alice)).send({ workload_type: 'sleep', idempotency_key: 'k-1' });
      expect([first.status, again.status, viaBody.status]).toEqual([201, 200, 200]);
      expect(again.body.id).toBe(first.body.id);
      expect(viaBody.body.id).toBe(first.body.id);
      expect(again.body.idempotency_key).toBe('k-1');
      // The same key of another customer is another workload.
      const bobs = await api.http.post('/v1/workloads').set(as(bob)).set('Idempotency-Key', 'k-1').send({ workload_type: 'sleep' });
      expect(bobs.status).toBe(201);
      expect(bobs.body.id).not.toBe(first.body.id);
    });

    it('creates exactly one workload for concurrent idempotent repeats', async () => {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          api.http.post('/v1/workloads').set(as(alice)).set('Idempotency-Key', 'race').send({ workload_type: 'sleep' }),
        ),
      );
      expect(responses.filter((res) => res.status === 201)).toHaveLength(1);
      expect(responses.filter((res) => res.status === 200)).toHaveLength(19);
      expect(new Set(responses.map((res) => res.body.id)).size).toBe(1);
      expect(await countWorkloads()).toBe(1);
      const [audit] = await api.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'workload.submitted' AND workload_id = $1`,
        [responses[0]?.body.id],
      );
      expect(audit.n).toBe(1);
    });

    it('rejects an unknown type with 400 unknown_workload_type', async () => {
      const res = await api.http.post('/v1/workloads').set(as(alice)).send({ workload_type: 'nope' });
      expectError(res, 400, 'unknown_workload_type');
      expect(res.body.error.details).toEqual([{ path: 'workload_type', message: 'workload type "nope" is not registered' }]);
    });

    it('rejects malformed JSON, unknown fields and bad nested values with 400 validation_failed', async () => {
      const malformed = await api.http.post('/v1/workloads').set(as(alice)).set('Content-Type', 'application/json').send('{"workload_type": ');
      expectError(malformed, 400, 'validation_failed');
      expect(malformed.body.error.message).toBe('the request body is not valid JSON');

      const unknownField = await api.http.post('/v1/workloads').set(as(alice)).send({ workload_type: 'sleep', colour: 'red' });
      expectError(unknownField, 400, 'validation_failed');
      expect(unknownField.body.error.details).toEqual([{ path: 'colour', message: 'should not exist' }]);

      const nested = await api.http
        .post('/v1/workloads')
        .set(as(alice))
        .send({ workload_type: 'sleep', affinity: { required: { gpu: 7 } }, priority: 5000 });
      expectError(nested, 400, 'validation_failed');
      expect(nested.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['affinity.required', 'priority']);

      const contradictory = await api.http
        .post('/v1/workloads')
        .set(as(alice))
        .send({ workload_type: 'sleep', affinity: { required: { gpu: 'a100' }, anti: { gpu: 'a100' } } });
      expectError(contradictory, 400, 'validation_failed');
      expect(contradictory.body.error.details).toEqual([{ path: 'affinity.anti.gpu', message: 'gpu=a100 is both required and anti' }]);
      const batch = await api.http
        .post('/v1/workloads/batch')
        .set(as(alice))
        .send({ items: [{ workload_type: 'sleep' }, { workload_type: 'sleep', affinity: { required: { a: '1' }, preferred: { a: '2' } } }] });
      expectError(batch, 400, 'validation_failed');
      expect(batch.body.error.details.map((d: { path: string }) => d.path)).toEqual(['items.1.affinity.preferred.a']);
      expect(await countWorkloads()).toBe(0);
    });

    it('answers a body over the limit with 413 payload_too_large', async () => {
      const res = await api.http
        .post('/v1/workloads')
        .set(as(alice))
        .send({ workload_type: 'sleep', input: { blob: 'x'.repeat(65 * 1024) } });
      expectError(res, 413, 'payload_too_large');
      expect(await countWorkloads()).toBe(0);
    });
  });

  describe('POST /v1/workloads/batch', () => {
    it('creates all items in order with one leader wake', async () => {
      const items = Array.from({ length: 50 }, (_, i) => ({ workload_type: i % 2 ? 'sleep' : 'render', labels: { n: String(i) } }));
      const res = await api.http.post('/v1/workloads/batch').set(as(alice)).send({ items });
      expect(res.status).toBe(201);
      expect(res.body.items.map((w: { labels: { n: string } }) => w.labels.n)).toEqual(items.map((_, i) => String(i)));
      expect(await countWorkloads()).toBe(50);
      await api.waitForMessages((messages) => messages.length >= 51);
      const wakes = api.messages.filter((m) => m.subject.endsWith('.leader.wake'));
      expect(wakes).toHaveLength(1);
      expect((wakes[0]?.message.payload as { workload_ids: string[] }).workload_ids).toHaveLength(50);
    });

    it('inserts nothing when one item is invalid or of an unknown type', async () => {
      const invalid = await api.http
        .post('/v1/workloads/batch')
        .set(as(alice))
        .send({ items: [{ workload_type: 'sleep' }, { workload_type: 'sleep', priority: 2000 }] });
      expectError(invalid, 400, 'validation_failed');
      expect(invalid.body.error.details[0].path).toBe('items.1.priority');

      const unknown = await api.http
        .post('/v1/workloads/batch')
        .set(as(alice))
        .send({ items: [{ workload_type: 'sleep' }, { workload_type: 'sleep' }, { workload_type: 'ghost' }] });
      expectError(unknown, 400, 'unknown_workload_type');
      expect(unknown.body.error.details).toEqual([{ path: 'items.2.workload_type', message: 'workload type "ghost" is not registered' }]);

      const duplicateKeys = await api.http
        .post('/v1/workloads/batch')
        .set(as(alice))
        .send({ items: [{ workload_type: 'sleep', idempotency_key: 'a' }, { workload_type: 'sleep', idempotency_key: 'a' }] });
      expectError(duplicateKeys, 400, 'validation_failed');
      expect(await countWorkloads()).toBe(0);
    });

    it('rejects more than 1,000 items', async () => {
      const items = Array.from({ length: 1001 }, () => ({ workload_type: 'sleep' }));
      const res = await api.http.post('/v1/workloads/batch').set(as(alice)).send({ items });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details).toEqual([{ path: 'items', message: 'must contain no more than 1000 elements' }]);
      expect(await countWorkloads()).toBe(0);
    });
  });

  describe('GET /v1/workloads/{id}', () => {
    it('returns the caller\'s workload, 404 for another customer\'s or a missing one, 400 for a bad id', async () => {
      const mine = await submit(alice);
      const res = await api.http.get(`/v1/workloads/${mine.id}`).set(as(alice));
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(mine.id);
      expectError(await api.http.get(`/v1/workloads/${mine.id}`).set(as(bob)), 404, 'not_found');
      expectError(await api.http.get(`/v1/workloads/${MISSING_ID}`).set(as(alice)), 404, 'not_found');
      const bad = await api.http.get('/v1/workloads/not-a-uuid').set(as(alice));
      expectError(bad, 400, 'validation_failed');
      expect(bad.body.error.details).toEqual([{ path: 'id', message: 'must be a UUID' }]);
    });
  });

  describe('GET /v1/workloads', () => {
    it('walks every workload exactly once, newest first, while new ones are submitted', async () => {
      await api.http.post('/v1/workloads/batch').set(as(alice)).send({ items: Array.from({ length: 17 }, () => ({ workload_type: 'sleep' })) });
      for (let i = 0; i < 6; i++) await submit(alice);
      await submit(bob);
      const expected: Array<{ id: string }> = await api.dataSource.query(
        `SELECT id FROM workloads WHERE customer_id = $1 ORDER BY created_at DESC, id DESC`,
        [alice.customerId],
      );

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: { items: Array<{ id: string }>; next_cursor: string | null } } = await api.http
          .get('/v1/workloads')
          .query({ limit: 5, ...(cursor ? { cursor } : {}) })
          .set(as(alice));
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((w: { id: string }) => w.id));
        cursor = res.body.next_cursor;
        pages++;
        // A submission between pages is newer than the cursor: it must not appear later.
        if (pages === 1) await submit(alice);
      } while (cursor);
      expect(seen).toEqual(expected.map((row) => row.id));
      expect(pages).toBe(5);
    });

    it('filters by status, type, labels and creation time', async () => {
      const labelled = await submit(alice, { workload_type: 'render', labels: { env: 'prod', team: 'x' } });
      const running = await submit(alice, { workload_type: 'sleep', labels: { env: 'dev' } });
      await api.dataSource.query(`UPDATE workloads SET status = 'RUNNING' WHERE id = $1`, [running.id]);
      const ids = async (query: Record<string, unknown>) => {
        const res = await api.http.get('/v1/workloads').query(query).set(as(alice));
        expect(res.status).toBe(200);
        return res.body.items.map((w: { id: string }) => w.id);
      };
      expect(await ids({ status: 'RUNNING' })).toEqual([running.id]);
      expect(await ids({ status: 'RUNNING,PENDING' })).toEqual([running.id, labelled.id]);
      expect(await ids({ workload_type: 'render' })).toEqual([labelled.id]);
      expect(await ids({ label: ['env:prod', 'team:x'] })).toEqual([labelled.id]);
      expect(await ids({ label: 'env:staging' })).toEqual([]);
      expect(await ids({ created_after: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
      expect(await ids({ created_before: new Date(Date.now() + 60_000).toISOString() })).toHaveLength(2);
      expect(await ids({ limit: 1 })).toHaveLength(1);
    });

    it('rejects bad paging and filters with 400', async () => {
      expectError(await api.http.get('/v1/workloads').query({ limit: 501 }).set(as(alice)), 400, 'validation_failed');
      expectError(await api.http.get('/v1/workloads').query({ cursor: 'garbage!' }).set(as(alice)), 400, 'validation_failed');
      expectError(await api.http.get('/v1/workloads').query({ status: 'DONE' }).set(as(alice)), 400, 'validation_failed');
      expectError(await api.http.get('/v1/workloads').query({ whatever: 1 }).set(as(alice)), 400, 'validation_failed');
    });
  });

  describe('cancel, pause, resume', () => {
    it('cancels a pending workload (202) with an audit event', async () => {
      const workload = await submit(alice);
      const res = await api.http.post(`/v1/workloads/${workload.id}/cancel`).set(as(alice));
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id: workload.id, status: 'CANCELLED' });
      expect(res.body.completed_at).not.toBeNull();
      const events = await api.http.get(`/v1/workloads/${workload.id}/events`).set(as(alice));
      expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['workload.submitted', 'workload.cancelled']);
      expect(events.body.items[1]).toMatchObject({
        actor_type: 'customer',
        actor_id: alice.customerId,
        before: { status: 'PENDING', attempt: 1, worker_id: null },
        after: { status: 'CANCELLED', attempt: 1, worker_id: null },
        request_id: res.headers['x-request-id'],
      });
    });

    it('answers 409 invalid_state for a completed workload and changes nothing', async () => {
      const workload = await submit(alice);
      await api.dataSource.query(`UPDATE workloads SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [workload.id]);
      const [before] = await api.dataSource.query(`SELECT * FROM workloads WHERE id = $1`, [workload.id]);
      await api.waitForMessages((messages) => messages.some((m) => payloadOf(m).workload_id === workload.id));
      api.clearMessages();
      for (const command of ['cancel', 'pause', 'resume']) {
        expectError(await api.http.post(`/v1/workloads/${workload.id}/${command}`).set(as(alice)), 409, 'invalid_state');
      }
      const [after] = await api.dataSource.query(`SELECT * FROM workloads WHERE id = $1`, [workload.id]);
      expect(after).toEqual(before);
      const [audit] = await api.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE workload_id = $1`, [workload.id]);
      expect(audit.n).toBe(1);
      // A command that succeeds after them publishes its event; once that has arrived, anything the
      // refused commands had published would have arrived before it.
      const marker = await submit(alice);
      expect((await api.http.post(`/v1/workloads/${marker.id}/cancel`).set(as(alice))).status).toBe(202);
      await api.waitForMessages((messages) => messages.some((m) => payloadOf(m).workload_id === marker.id));
      expect(
        api.messages.filter((m) => payloadOf(m).workload_id === workload.id || payloadOf(m).workload_ids?.includes(workload.id)),
      ).toEqual([]);
    });

    it('tells the worker running a cancelled workload to abort', async () => {
      const workload = await submit(alice);
      await api.dataSource.query(`UPDATE workloads SET status = 'RUNNING', worker_id = 'w-1', attempt = 2 WHERE id = $1`, [workload.id]);
      api.clearMessages();
      const res = await api.http.post(`/v1/workloads/${workload.id}/cancel`).set(as(alice));
      expect(res.status).toBe(202);
      await api.waitForMessages((messages) => messages.some((m) => m.subject === `${api.prefix}.worker.w-1.control`));
      const control = api.messages.find((m) => m.subject === `${api.prefix}.worker.w-1.control`);
      expect(control?.message).toMatchObject({ type: MessageType.Control, payload: { action: 'cancel', workload_id: workload.id, attempt: 2 } });
    });

    it('pauses pending at once and running through PAUSING, then resumes with attempt + 1', async () => {
      const pending = await submit(alice);
      const paused = await api.http.post(`/v1/workloads/${pending.id}/pause`).set(as(alice));
      expect(paused.status).toBe(202);
      expect(paused.body.status).toBe('PAUSED');
      expectError(await api.http.post(`/v1/workloads/${pending.id}/pause`).set(as(alice)), 409, 'invalid_state');

      api.clearMessages();
      const resumed = await api.http.post(`/v1/workloads/${pending.id}/resume`).set(as(alice));
      expect(resumed.status).toBe(202);
      expect(resumed.body).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
      await api.waitForMessages((messages) => messages.some((m) => m.subject.endsWith('.leader.wake')));
      expect(api.messages.find((m) => m.subject.endsWith('.leader.wake'))?.message.payload).toEqual({
        reason: 'resumed',
        workload_ids: [pending.id],
      });

      const running = await submit(alice);
      await api.dataSource.query(`UPDATE workloads SET status = 'RUNNING', worker_id = 'w-2' WHERE id = $1`, [running.id]);
      api.clearMessages();
      const pausing = await api.http.post(`/v1/workloads/${running.id}/pause`).set(as(alice));
      expect(pausing.body).toMatchObject({ status: 'PAUSING', worker_id: 'w-2' });
      await api.waitForMessages((messages) => messages.some((m) => m.subject === `${api.prefix}.worker.w-2.control`));
      expectError(await api.http.post(`/v1/workloads/${running.id}/resume`).set(as(alice)), 409, 'invalid_state');
    });

    it('answers 404 for another customer\'s workload on every command and leaves it alone', async () => {
      const theirs = await submit(bob);
      for (const command of ['cancel', 'pause', 'resume']) {
        expectError(await api.http.post(`/v1/workloads/${theirs.id}/${command}`).set(as(alice)), 404, 'not_found');
      }
      expectError(await api.http.post('/v1/workloads/nope/cancel').set(as(alice)), 400, 'validation_failed');
      const [row] = await api.dataSource.query(`SELECT status FROM workloads WHERE id = $1`, [theirs.id]);
      expect(row.status).toBe('PENDING');
    });

    it('batch-cancels with a result per id', async () => {
      const a = await submit(alice);
      const done = await submit(alice);
      const theirs = await submit(bob);
      await api.dataSource.query(`UPDATE workloads SET status = 'FAILED' WHERE id = $1`, [done.id]);
      const res = await api.http
        .post('/v1/workloads/batch/cancel')
        .set(as(alice))
        .send({ ids: [a.id, done.id, theirs.id, MISSING_ID] });
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
        [a.id, 'cancelled'],
        [done.id, 'invalid_state'],
        [theirs.id, 'not_found'],
        [MISSING_ID, 'not_found'],
      ]);
      expect(res.body.results[0].workload.status).toBe('CANCELLED');
      expect(res.body.results[2].workload).toBeUndefined();
      expectError(await api.http.post('/v1/workloads/batch/cancel').set(as(alice)).send({ ids: ['x'] }), 400, 'validation_failed');
    });
  });

  describe('checkpoints and events', () => {
    it('lists checkpoint metadata newest first, and 404s for another customer', async () => {
      const workload = await submit(alice);
      for (const sequence of [1, 2, 3]) {
        await api.dataSource.query(
          `INSERT INTO checkpoints (workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash, data)
           VALUES ($1, 1, $2, 100, 40, 'json+gzip/v1', 'abc', '\\x00')`,
          [workload.id, sequence],
        );
      }
      const res = await api.http.get(`/v1/workloads/${workload.id}/checkpoints`).set(as(alice));
      expect(res.status).toBe(200);
      expect(res.body.items.map((c: { sequence: number }) => c.sequence)).toEqual([3, 2, 1]);
      expect(Object.keys(res.body.items[0]).sort()).toEqual(
        ['attempt', 'codec', 'created_at', 'id', 'sequence', 'size_bytes', 'storage', 'stored_bytes'].sort(),
      );
      expectError(await api.http.get(`/v1/workloads/${workload.id}/checkpoints`).set(as(bob)), 404, 'not_found');
      expectError(await api.http.get(`/v1/workloads/${workload.id}/events`).set(as(bob)), 404, 'not_found');
      expectError(await api.http.get('/v1/workloads/x/events').set(as(alice)), 400, 'validation_failed');
    });
  });

  describe('fleet', () => {
    it('lists workers, gets one, 404s an unknown one, and lists workload types', async () => {
      await api.dataSource.query(
        `INSERT INTO workers (id, capacity, tags, region, workload_types, running_count)
         VALUES ('w-1', 4, '{"gpu": "a100"}', 'eu', '{sleep}', 2)`,
      );
      const list = await api.http.get('/v1/workers').set(as(alice));
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: 'w-1', status: 'ACTIVE', tags: { gpu: 'a100' }, region: 'eu', capacity: 4, running_count: 2, workload_types: ['sleep'] }),
      ]);
      expect((await api.http.get('/v1/workers/w-1').set(as(alice))).body.id).toBe('w-1');
      expectError(await api.http.get('/v1/workers/w-404').set(as(alice)), 404, 'not_found');
      const types = await api.http.get('/v1/workload-types').set(as(alice));
      expect(types.body.items.map((t: { workload_type: string }) => t.workload_type)).toEqual(['render', 'sleep']);
      expect(types.body.items[1]).toMatchObject({ default_priority: 100, max_retries: 3, checkpoint_interval_seconds: 30 });
    });
  });
});
