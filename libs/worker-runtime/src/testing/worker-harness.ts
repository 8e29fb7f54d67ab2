import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Broker, BrokerModule, durableStreamName } from '@niyanta/broker';
import {
  createEnvelope,
  MessageType,
  Subjects,
  type AssignmentBatchPayload,
  type AssignmentPayload,
  type ControlPayload,
  type MessageEnvelope,
} from '@niyanta/models';
import { ReadinessService } from '@niyanta/observability';
import { StateModule } from '@niyanta/state';
import { createTestSchema, testNatsUrl, uniqueBrokerPrefix, type TestSchema } from '@niyanta/testing';
import { SAMPLE_WORKLOADS, type WorkloadDefinition } from '@niyanta/workload-sdk';
import { DataSource } from 'typeorm';
import { WorkerRuntimeModule } from '../lib/worker-runtime.module';
import type { WorkerRuntimeOptions } from '../lib/worker-runtime.options';
import { WorkerRuntimeService } from '../lib/worker-runtime.service';

/** Options of {@link createWorkerHarness}. */
export interface WorkerHarnessOptions extends Partial<Omit<WorkerRuntimeOptions, 'definitions'>> {
  broker?: 'memory' | 'nats';
  definitions?: WorkloadDefinition[];
  /** Suite label used in the schema and broker prefix names. */
  label: string;
  /** Database connections. @default 5 */
  poolSize?: number;
}

/** Stands in for ObservabilityModule's readiness (the only part of it the worker uses). */
@Global()
@Module({})
class TestReadinessModule {
  static create(): DynamicModule {
    return {
      module: TestReadinessModule,
      providers: [{ provide: ReadinessService, useValue: new ReadinessService() }],
      exports: [ReadinessService],
    };
  }
}

/** Columns of `workloads` the tests look at. */
export interface WorkloadRowView {
  id: string;
  status: string;
  attempt: number;
  failure_count: number;
  worker_id: string | null;
  progress: number;
  output: unknown;
  error: { code: string; message: string } | null;
  not_before: Date | null;
  last_checkpoint_sequence: number | null;
}

/**
 * A worker (WorkerRuntimeModule on StateModule + BrokerModule) in a private schema and broker
 * prefix, with helpers that play the leader's and the API's part directly in the database.
 */
export class WorkerHarness {
  readonly events: MessageEnvelope<unknown>[] = [];
  readonly wakes: MessageEnvelope<unknown>[] = [];
  customerId = '';

  private constructor(
    readonly module: TestingModule,
    readonly schema: TestSchema,
    readonly prefix: string,
    readonly workerId: string,
    private readonly brokerKind: 'memory' | 'nats',
  ) {}

  static async create(options: WorkerHarnessOptions): Promise<WorkerHarness> {
    const schema = await createTestSchema(options.label);
    const prefix = uniqueBrokerPrefix(options.label);
    const workerId = options.workerId ?? `w-${options.label}`;
    const brokerKind = options.broker ?? 'memory';
    const module = await Test.createTestingModule({
      imports: [
        TestReadinessModule.create(),
        StateModule.forRoot({
          url: schema.url,
          schema: schema.schema,
          runMigrations: true,
          poolSize: options.poolSize ?? 5,
        }),
        BrokerModule.forRoot(
          brokerKind === 'nats'
            ? { kind: 'nats', servers: testNatsUrl(), name: `worker-test-${prefix}`, prefix, redeliveryDelayMs: 100 }
            : { kind: 'memory', prefix, redeliveryDelayMs: 100 },
        ),
        WorkerRuntimeModule.forRoot({
          workerId,
          tags: options.tags ?? { zone: 'a' },
          region: options.region ?? null,
          capacity: options.capacity ?? 4,
          types: options.types,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
          drainTimeoutMs: options.drainTimeoutMs ?? 5_000,
          definitions: options.definitions ?? [...SAMPLE_WORKLOADS],
          retryBaseDelayMs: options.retryBaseDelayMs ?? 30_000,
          retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
          progressThrottleMs: options.progressThrottleMs,
          checkpointCompression: options.checkpointCompression,
          checkpointStorage: options.checkpointStorage,
          checkpointObjectStore: options.checkpointObjectStore,
          checkpointInlineMaxBytes: options.checkpointInlineMaxBytes,
          checkpointRetain: options.checkpointRetain,
          checkpointStoreTries: options.checkpointStoreTries,
          // Tests sweep by calling CheckpointSweeper.sweep() themselves.
          checkpointSweepIntervalMs: options.checkpointSweepIntervalMs ?? 0,
          checkpointOrphanGraceMs: options.checkpointOrphanGraceMs,
        }),
      ],
    }).compile();
    const harness = new WorkerHarness(module, schema, prefix, workerId, brokerKind);
    const broker = module.get(Broker);
    const subjects = module.get(Subjects);
    await broker.subscribe(subjects.allEvents(), (message) => void harness.events.push(message));
    await broker.subscribe(subjects.leaderWake(), (message) => void harness.wakes.push(message));
    await module.init();
    const rows: Array<{ id: string }> = await harness.dataSource.query(
      `INSERT INTO customers (name, tier) VALUES ('acme', 'standard') RETURNING id`,
    );
    harness.customerId = first(rows).id;
    return harness;
  }

  get dataSource(): DataSource {
    return this.module.get(DataSource);
  }

  get broker(): Broker {
    return this.module.get(Broker);
  }

  get subjects(): Subjects {
    return this.module.get(Subjects);
  }

  get readiness(): ReadinessService {
    return this.module.get(ReadinessService);
  }

  get runtime(): WorkerRuntimeService {
    return this.module.get(WorkerRuntimeService);
  }

  /** Inserts a workload as the leader leaves it after placing it on this worker (SCHEDULED). */
  async insertScheduled(
    workloadType: string,
    input: Record<string, unknown>,
    fields: { maxRetries?: number; timeoutSeconds?: number | null; attempt?: number } = {},
  ): Promise<string> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, input, max_retries, attempt, worker_id,
                              timeout_seconds, scheduled_at)
       VALUES ($1, $2, 'SCHEDULED', 100, $3::jsonb, $4, $5, $6, $7, now()) RETURNING id`,
      [
        this.customerId,
        workloadType,
        JSON.stringify(input),
        fields.maxRetries ?? 3,
        fields.attempt ?? 1,
        this.workerId,
        fields.timeoutSeconds ?? null,
      ],
    );
    return first(rows).id;
  }

  /** Plays the leader placing the workload's current attempt on this worker again (SCHEDULED). */
  async reschedule(workloadId: string): Promise<number> {
    const rows: Array<{ attempt: number }> = await this.dataSource.query(
      `UPDATE workloads SET status = 'SCHEDULED', worker_id = $2, not_before = NULL WHERE id = $1 RETURNING attempt`,
      [workloadId, this.workerId],
    );
    return first(rows).attempt;
  }

  /** Publishes the assignment of `attempt` (default: the row's attempt) to this worker. */
  async assign(workloadId: string, attempt?: number): Promise<void> {
    const rows: Array<{ workload_type: string; attempt: number; input: Record<string, never> }> =
      await this.dataSource.query(`SELECT workload_type, attempt, input FROM workloads WHERE id = $1`, [workloadId]);
    const row = first(rows);
    const payload: AssignmentPayload = {
      workload_id: workloadId,
      customer_id: this.customerId,
      workload_type: row.workload_type,
      attempt: attempt ?? row.attempt,
      input: row.input,
      generation: 1,
    };
    await this.broker.publishDurable(
      this.subjects.workerAssign(this.workerId),
      createEnvelope(MessageType.Assignment, payload),
    );
  }

  /** Publishes the assignments of the workloads (their rows' attempts) as one batch message, as the leader sends them. */
  async assignBatch(workloadIds: readonly string[]): Promise<void> {
    const rows: Array<{ id: string; workload_type: string; attempt: number; input: Record<string, never> }> = await this.dataSource.query(
      `SELECT id, workload_type, attempt, input FROM workloads WHERE id = ANY($1::uuid[])`,
      [workloadIds],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    const payload: AssignmentBatchPayload = {
      assignments: workloadIds.map((id) => {
        const row = byId.get(id);
        if (!row) throw new Error(`no workload ${id}`);
        return { workload_id: id, customer_id: this.customerId, workload_type: row.workload_type, attempt: row.attempt, input: row.input, generation: 1 };
      }),
    };
    await this.broker.publishDurable(this.subjects.workerAssign(this.workerId), createEnvelope(MessageType.AssignmentBatch, payload));
  }

  /** Publishes a control command to this worker. */
  async control(action: ControlPayload['action'], workloadId: string, attempt: number): Promise<void> {
    const payload: ControlPayload = { action, workload_id: workloadId, attempt };
    await this.broker.publish(this.subjects.workerControl(this.workerId), createEnvelope(MessageType.Control, payload));
  }

  async workload(workloadId: string): Promise<WorkloadRowView> {
    const rows: WorkloadRowView[] = await this.dataSource.query(
      `SELECT id, status, attempt, failure_count, worker_id, progress, output, error, not_before,
              last_checkpoint_sequence
         FROM workloads WHERE id = $1`,
      [workloadId],
    );
    return first(rows);
  }

  /** Polls the workload until `predicate` holds; fails with the last row seen after `timeoutMs`. */
  async waitFor(
    workloadId: string,
    predicate: (row: WorkloadRowView) => boolean,
    timeoutMs = 10_000,
  ): Promise<WorkloadRowView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.workload(workloadId);
      if (predicate(row)) return row;
      if (Date.now() > deadline) throw new Error(`timed out waiting; last row: ${JSON.stringify(row)}`);
      await sleep(20);
    }
  }

  /** Waits until the worker runs `count` attempts. */
  async waitForRunning(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.runtime.status().running !== count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} running, have ${this.runtime.status().running}`);
      await sleep(10);
    }
  }

  async auditActions(workloadId: string): Promise<string[]> {
    const rows: Array<{ action: string }> = await this.dataSource.query(
      `SELECT action FROM audit_events WHERE workload_id = $1 ORDER BY id`,
      [workloadId],
    );
    return rows.map((row) => row.action);
  }

  async checkpointSequences(workloadId: string): Promise<Array<{ sequence: number; attempt: number }>> {
    return this.dataSource.query(
      `SELECT sequence, attempt FROM checkpoints WHERE workload_id = $1 ORDER BY created_at, sequence`,
      [workloadId],
    );
  }

  /** Closes the app (draining the worker), drops the schema and, for NATS, the prefix's stream. */
  async close(): Promise<void> {
    try {
      await this.module.close();
    } finally {
      await this.schema.drop();
      if (this.brokerKind === 'nats') await deleteStream(this.prefix);
    }
  }
}

async function deleteStream(prefix: string): Promise<void> {
  const nc = await connect({ servers: testNatsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(durableStreamName(prefix)).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** The first row, or an error naming the missing row. */
export function first<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('expected a row, got none');
  return row;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
