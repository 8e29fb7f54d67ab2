import { DEFAULT_TIERS, type TierDefinition } from '@niyanta/models';
import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { ApiKeyRepository } from './api-key.repository';
import { appendAudit, type AuditActor } from './audit.repository';
import { AuditQueryRepository } from './audit-query.repository';
import { CustomerRepository } from './customer.repository';
import { RateLimitRepository } from './rate-limit.repository';
import { TierRepository } from './tier.repository';
import { WorkloadConfigRepository } from './workload-config.repository';

const FREE = DEFAULT_TIERS['free'] as TierDefinition;
const ADMIN: AuditActor = { actorType: 'admin', actorId: 'operator', requestId: 'req-admin' };

describe('tenancy repositories', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  /** A second pool: another API replica sharing the database. */
  let otherReplica: DataSource;
  let tiers: TierRepository;
  let limits: RateLimitRepository;
  let customers: CustomerRepository;
  let audit: AuditQueryRepository;

  beforeAll(async () => {
    schema = await createTestSchema('tenancy_repos');
    dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 8 });
    otherReplica = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 8 });
    await runMigrations(dataSource);
    tiers = new TierRepository(dataSource);
    limits = new RateLimitRepository(dataSource);
    customers = new CustomerRepository(dataSource);
    audit = new AuditQueryRepository(dataSource);
  });

  afterAll(async () => {
    await otherReplica?.destroy();
    await dataSource?.destroy();
    await schema?.drop();
  });

  describe(TierRepository.name, () => {
    it('is seeded with the default tiers', async () => {
      expect(await tiers.loadMap()).toEqual(DEFAULT_TIERS);
    });

    it('creates and replaces tiers with an audited before and after', async () => {
      const created = await tiers.upsert({ name: 'gold', requestsPerSecond: 2.5, burst: 5, maxRunning: 3, schedulingWeight: 70, maxPriority: 900, maxPending: 500, maxFleetShare: 0.5, maxSchedules: 7 }, ADMIN);
      expect(created).toMatchObject({ created: true, tier: { name: 'gold', requestsPerSecond: 2.5, burst: 5, maxSchedules: 7 } });
      const replaced = await tiers.upsert({ ...FREE, name: 'gold' }, ADMIN);
      expect(replaced.created).toBe(false);
      expect(await tiers.find('gold')).toMatchObject({ ...DEFAULT_TIERS['free'], name: 'gold' });
      const events: Array<{ before: unknown; after: { burst: number } }> = await dataSource.query(
        `SELECT before, after FROM audit_events WHERE action = 'tier.updated' ORDER BY id`,
      );
      expect(events.map((e) => [e.before === null, e.after.burst])).toEqual([
        [true, 5],
        [false, FREE.burst],
      ]);
    });
  });

  describe(RateLimitRepository.name, () => {
    beforeAll(async () => {
      // 20 tokens per second, bucket of 5.
      await tiers.upsert({ name: 'limited', requestsPerSecond: 20, burst: 5, maxRunning: 1, schedulingWeight: 0, maxPriority: 1000, maxPending: 1000, maxFleetShare: 1, maxSchedules: 10 }, ADMIN);
    });

    it('keeps its buckets in an UNLOGGED table', async () => {
      const [row] = await dataSource.query(
        `SELECT relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = 'rate_limit_buckets'`,
        [schema.schema],
      );
      expect(row.relpersistence).toBe('u');
    });

    it('admits a burst, refuses the next with a retry delay, then refills at the rate', async () => {
      const decisions = [];
      for (let i = 0; i < 6; i++) decisions.push(await limits.take('burst-key', 'limited', 'free'));
      expect(decisions.map((d) => d?.allowed)).toEqual([true, true, true, true, true, false]);
      expect(decisions.slice(0, 5).map((d) => d?.remaining)).toEqual([4, 3, 2, 1, 0]);
      const refused = decisions[5];
      if (!refused) throw new Error('no decision');
      expect(refused).toMatchObject({ limit: 5, remaining: 0, tier: 'limited' });
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(50);
      expect(refused.resetMs).toBeGreaterThan(200);
      await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 5));
      expect((await limits.take('burst-key', 'limited', 'free'))?.allowed).toBe(true);
    });

    it('decides several requests in one statement: the first get tokens while any are left', async () => {
      const decisions = await limits.takeMany('many-key', 8, 'limited', 'free');
      expect(decisions?.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
      expect(decisions?.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0, 0]);
      expect(decisions?.[7]?.retryAfterMs).toBeGreaterThan(0);
      expect((await limits.take('many-key', 'limited', 'free'))?.allowed).toBe(false);
    });

    it('applies the fallback tier to an undefined tier, and nothing when neither exists', async () => {
      expect(await limits.take('fallback-key', 'no-such-tier', 'limited')).toMatchObject({ allowed: true, tier: 'limited', limit: 5 });
      expect(await limits.take('nothing-key', 'no-such-tier', 'also-none')).toBeNull();
    });

    it('never admits more than burst + rate × elapsed across two replicas hammering one key', async () => {
      const other = new RateLimitRepository(otherReplica);
      const started = Date.now();
      const attempts = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? limits : other).take('shared-key', 'limited', 'free'));
      const results = await Promise.all(attempts);
      const elapsedS = (Date.now() - started) / 1000;
      const admitted = results.filter((r) => r?.allowed).length;
      expect(admitted).toBeGreaterThanOrEqual(5);
      expect(admitted).toBeLessThanOrEqual(5 + Math.ceil(20 * elapsedS));
    });
  });

  describe(CustomerRepository.name, () => {
    it('pages customers oldest first and changes tier and status with audit events', async () => {
      await dataSource.query(`TRUNCATE customers CASCADE`);
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await customers.create({ name: `c${i}`, tier: 'free' }, ADMIN));
      const first = await customers.listPage({ limit: 2 });
      const second = await customers.listPage({ limit: 2, afterId: first.next ?? undefined });
      const third = await customers.listPage({ limit: 2, afterId: second.next ?? undefined });
      expect([...first.items, ...second.items, ...third.items].map((c) => c.id)).toEqual(created.map((c) => c.id));
      expect(third.next).toBeNull();

      const target = created[0]?.id ?? '';
      const changed = await customers.update(target, { tier: 'premium', status: 'suspended' }, ADMIN);
      expect(changed?.after).toMatchObject({ tier: 'premium', status: 'suspended' });
      expect((await customers.update(target, { status: 'suspended' }, ADMIN))?.after.status).toBe('suspended');
      await customers.update(target, { status: 'active' }, ADMIN);
      expect(await customers.update('00000000-0000-4000-8000-000000000000', { status: 'active' }, ADMIN)).toBeNull();
      const actions: Array<{ action: string }> = await dataSource.query(
        `SELECT action FROM audit_events WHERE customer_id = $1 AND action <> 'customer.created' ORDER BY id`,
        [target],
      );
      expect(actions.map((a) => a.action)).toEqual(['customer.tier_changed', 'customer.suspended', 'customer.unsuspended']);
    });

    it('lists a customer\'s keys without secrets', async () => {
      const keys = new ApiKeyRepository(dataSource);
      const customer = await customers.create({ name: 'keys', tier: 'free' }, ADMIN);
      await keys.issue({ customerId: customer.id, prefix: 'aaaa1111', keyHash: 'ab'.repeat(32), name: 'one', expiresAt: null }, ADMIN);
      await keys.issue({ customerId: customer.id, prefix: 'bbbb2222', keyHash: 'cd'.repeat(32), name: 'two', expiresAt: null }, ADMIN);
      expect((await keys.listForCustomer(customer.id)).map((k) => k.prefix).sort()).toEqual(['aaaa1111', 'bbbb2222']);
    });
  });

  describe(WorkloadConfigRepository.name, () => {
    it('updates only the given fields, audited, and ignores unknown types', async () => {
      const configs = new WorkloadConfigRepository(dataSource);
      await dataSource.query(
        `INSERT INTO workload_configs (workload_type, default_priority, max_retries, checkpoint_interval_seconds) VALUES ('sleep', 100, 3, 30)`,
      );
      const updated = await configs.update('sleep', { maxRetries: 7, timeoutSeconds: null, checkpointProgressStep: 0.25 }, ADMIN);
      expect(updated).toMatchObject({ defaultPriority: 100, maxRetries: 7, timeoutSeconds: null, checkpointIntervalSeconds: 30, checkpointProgressStep: 0.25 });
      expect(await configs.update('nope', { maxRetries: 1 }, ADMIN)).toBeNull();
      const [event] = await dataSource.query(`SELECT before, after FROM audit_events WHERE action = 'workload_config.updated'`);
      expect(event).toMatchObject({ before: { max_retries: 3 }, after: { max_retries: 7, checkpoint_progress_step: 0.25 } });
    });
  });

  describe(AuditQueryRepository.name, () => {
    const customerA = '11111111-1111-4111-8111-111111111111';

    beforeEach(async () => {
      await dataSource.query(`TRUNCATE audit_events`);
      await appendAudit(dataSource.manager, [
        { action: 'workload.submitted', actorType: 'customer', actorId: customerA, customerId: customerA },
        { action: 'auth.failed', actorType: 'customer', actorId: null, details: { reason: 'missing' } },
        { action: 'workload.scheduled', actorType: 'coordinator', actorId: 'leader-1', customerId: customerA },
        { action: 'customer.created', actorType: 'admin', actorId: 'operator', customerId: customerA },
        { action: 'workload.started', actorType: 'worker', actorId: 'worker-1', customerId: customerA },
      ]);
    });

    it('filters by customer, actor, action and time and pages newest first', async () => {
      expect((await audit.search({ limit: 10, actorType: 'worker' })).items.map((e) => e.actorId)).toEqual(['worker-1']);
      expect((await audit.search({ limit: 10, action: 'auth.failed' })).items).toHaveLength(1);
      expect((await audit.search({ limit: 10, customerId: customerA, actorType: 'coordinator', actorId: 'leader-1' })).items).toHaveLength(1);
      expect((await audit.search({ limit: 10, from: new Date(Date.now() + 60_000) })).items).toHaveLength(0);
      expect((await audit.search({ limit: 10, to: new Date(Date.now() + 60_000) })).items).toHaveLength(5);

      const seen: string[] = [];
      let beforeId: string | undefined;
      for (;;) {
        const page = await audit.search({ limit: 2, beforeId });
        seen.push(...page.items.map((e) => e.action));
        if (!page.next) break;
        beforeId = page.next;
      }
      expect(seen).toEqual(['workload.started', 'customer.created', 'workload.scheduled', 'auth.failed', 'workload.submitted']);
    });

    it('treats SQL in filter values as plain values', async () => {
      for (const value of [`' OR '1'='1`, `x'; DROP TABLE audit_events; --`, `\\'; SELECT pg_sleep(1); --`]) {
        expect((await audit.search({ limit: 10, action: value, actorId: value, actorType: value })).items).toEqual([]);
      }
      const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);
      expect(row.n).toBe(5);
    });

    it('deletes events older than the cutoff in batches', async () => {
      await dataSource.query(`UPDATE audit_events SET occurred_at = now() - interval '40 days' WHERE action <> 'workload.started'`);
      const cutoff = new Date(Date.now() - 30 * 86_400_000);
      expect(await audit.deleteOlderThan(cutoff, 3)).toBe(3);
      expect(await audit.deleteOlderThan(cutoff, 3)).toBe(1);
      expect(await audit.deleteOlderThan(cutoff, 3)).toBe(0);
      expect((await audit.search({ limit: 10 })).items.map((e) => e.action)).toEqual(['workload.started']);
    });
  });
});
