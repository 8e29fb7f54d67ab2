import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Broker, InProcessBroker, type DurableDelivery } from '@niyanta/broker';
import { Subjects, type AssignmentBatchPayload, type AssignmentPayload, type MessageEnvelope } from '@niyanta/models';
import { ReadinessService } from '@niyanta/observability';
import { createDataSource, runMigrations } from '@niyanta/state';
import { createTestSchema, uniqueBrokerPrefix, type TestSchema } from '@niyanta/testing';
import { DataSource } from 'typeorm';
import { LeaderModule } from '../lib/leader.module';
import type { LeaderOptions } from '../lib/leader-options';

/** Leader options with test-sized timings. */
export function testLeaderOptions(overrides: Partial<LeaderOptions> = {}): LeaderOptions {
  return {
    leaderId: `leader-${Math.random().toString(36).slice(2, 8)}`,
    workerTimeoutMs: 15_000,
    leaseTtlMs: 1_000,
    leaseRenewIntervalMs: 200,
    sweepIntervalMs: 60_000,
    assignmentAckTimeoutMs: 60_000,
    retryBaseDelayMs: 50,
    retryMaxDelayMs: 500,
    ...overrides,
  };
}

/** The infrastructure the leader module expects from the app: data source, broker, subjects, readiness. */
@Global()
@Module({})
class TestInfrastructureModule {
  static with(dataSource: DataSource, broker: Broker, subjects: Subjects, readiness: ReadinessService): DynamicModule {
    return {
      module: TestInfrastructureModule,
      global: true,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: Broker, useValue: broker },
        { provide: Subjects, useValue: subjects },
        { provide: ReadinessService, useValue: readiness },
      ],
      exports: [DataSource, Broker, Subjects, ReadinessService],
    };
  }
}

/** Options of {@link insertWorker}. */
export interface TestWorker {
  id: string;
  status?: string;
  capacity?: number;
  types?: string[];
  tags?: Record<string, string>;
  region?: string | null;
  heartbeatAgeMs?: number;
}

/** Options of {@link insertWorkload}. */
export interface TestWorkload {
  customerId?: string;
  type?: string;
  status?: string;
  priority?: number;
  attempt?: number;
  workerId?: string | null;
  affinity?: { required?: Record<string, string>; preferred?: Record<string, string>; anti?: Record<string, string> };
  notBeforeInMs?: number;
  scheduledAgoMs?: number;
}

/** A fresh schema (migrated), a broker with its own prefix, and helpers to shape the fleet and queue. */
export interface LeaderHarness {
  schema: TestSchema;
  dataSource: DataSource;
  broker: Broker;
  subjects: Subjects;
  prefix: string;
  readiness: ReadinessService;
  customerId: string;
  createCustomer(tier: string): Promise<string>;
  insertWorker(worker: TestWorker): Promise<void>;
  insertWorkload(workload?: TestWorkload): Promise<string>;
  workload(id: string): Promise<{ status: string; attempt: number; worker_id: string | null; pending_reason: string | null }>;
  auditActions(workloadId?: string): Promise<string[]>;
  /** Collects assignments delivered to `workerId` (acknowledging them), like a worker that never starts them. */
  collectAssignments(workerId: string): Promise<AssignmentLog>;
  startLeader(overrides?: Partial<LeaderOptions>): Promise<TestingModule>;
  close(): Promise<void>;
}

/** Assignments received by one worker subject. */
export interface AssignmentLog {
  received: Array<{ payload: AssignmentPayload; envelopeId: string; delivery: DurableDelivery }>;
  stop(): Promise<void>;
}

/** Waits until `check` resolves truthy: the shared helper of `@niyanta/testing`. */
export { eventually } from '@niyanta/testing';

/**
 * Builds a {@link LeaderHarness}. The broker defaults to an in-process one; pass `broker` (and its
 * prefix) to run against NATS.
 */
export async function createLeaderHarness(
  label: string,
  options: { broker?: Broker; prefix?: string } = {},
): Promise<LeaderHarness> {
  const schema = await createTestSchema(label);
  const dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 12 });
  await runMigrations(dataSource);
  const prefix = options.prefix ?? uniqueBrokerPrefix(label);
  const broker = options.broker ?? new InProcessBroker({ prefix, redeliveryDelayMs: 50 });
  const subjects = new Subjects(prefix);
  const readiness = new ReadinessService();
  const modules: TestingModule[] = [];
  const logs: AssignmentLog[] = [];

  const createCustomer = async (tier: string): Promise<string> => {
    const [row] = await dataSource.query(`INSERT INTO customers (name, tier) VALUES ($1, $1) RETURNING id`, [tier]);
    return row.id;
  };
  const customerId = await createCustomer('enterprise');

  return {
    schema,
    dataSource,
    broker,
    subjects,
    prefix,
    readiness,
    customerId,
    createCustomer,
    async insertWorker(worker) {
      await dataSource.query(
        `INSERT INTO workers (id, status, capacity, workload_types, tags, region, last_heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() - make_interval(secs => $7::float8 / 1000))`,
        [
          worker.id,
          worker.status ?? 'ACTIVE',
          worker.capacity ?? 4,
          worker.types ?? ['sleep'],
          JSON.stringify(worker.tags ?? {}),
          worker.region ?? null,
          worker.heartbeatAgeMs ?? 0,
        ],
      );
    },
    async insertWorkload(workload = {}) {
      const affinity = { required: {}, preferred: {}, anti: {}, ...workload.affinity };
      const [row] = await dataSource.query(
        `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, attempt, worker_id, input,
                                affinity, not_before, scheduled_at)
         VALUES ($1, $2, $3, $4, 3, $5, $6, '{"duration_ms": 5}', $7,
                 CASE WHEN $8::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $8::float8 / 1000) END,
                 CASE WHEN $9::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => $9::float8 / 1000) END)
         RETURNING id`,
        [
          workload.customerId ?? customerId,
          workload.type ?? 'sleep',
          workload.status ?? 'PENDING',
          workload.priority ?? 100,
          workload.attempt ?? 1,
          workload.workerId ?? null,
          JSON.stringify(affinity),
          workload.notBeforeInMs ?? null,
          workload.scheduledAgoMs ?? null,
        ],
      );
      return row.id;
    },
    async workload(id) {
      const [row] = await dataSource.query(
        `SELECT status, attempt, worker_id, pending_reason FROM workloads WHERE id = $1`,
        [id],
      );
      return row;
    },
    async auditActions(workloadId) {
      const rows: Array<{ action: string }> = workloadId
        ? await dataSource.query(`SELECT action FROM audit_events WHERE workload_id = $1 ORDER BY id`, [workloadId])
        : await dataSource.query(`SELECT action FROM audit_events ORDER BY id`);
      return rows.map((row) => row.action);
    },
    async collectAssignments(workerId) {
      const received: AssignmentLog['received'] = [];
      const subscription = await broker.consumeDurable<AssignmentPayload | AssignmentBatchPayload>(
        subjects.workerAssign(workerId),
        `worker-${workerId}`,
        async (message: MessageEnvelope<AssignmentPayload | AssignmentBatchPayload>, delivery) => {
          // A batch is logged as its assignments, each with the batch's envelope and delivery.
          const payloads = 'assignments' in message.payload ? message.payload.assignments : [message.payload];
          for (const payload of payloads) received.push({ payload, envelopeId: message.id, delivery });
        },
      );
      const log: AssignmentLog = { received, stop: () => subscription.unsubscribe() };
      logs.push(log);
      return log;
    },
    async startLeader(overrides = {}) {
      const moduleRef = await Test.createTestingModule({
        imports: [
          TestInfrastructureModule.with(dataSource, broker, subjects, readiness),
          LeaderModule.forRoot(testLeaderOptions(overrides)),
        ],
      }).compile();
      await moduleRef.init();
      modules.push(moduleRef);
      return moduleRef;
    },
    async close() {
      for (const moduleRef of modules.splice(0).reverse()) await moduleRef.close();
      for (const log of logs.splice(0)) await log.stop();
      if (!options.broker) await broker.close();
      await dataSource.destroy();
      await schema.drop();
    },
  };
}
