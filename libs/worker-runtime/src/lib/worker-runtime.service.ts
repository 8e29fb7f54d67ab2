import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Broker, type Subscription } from '@niyanta/broker';
import {
  createEnvelope,
  MessageType,
  Subjects,
  type HeartbeatPayload,
  type WorkerLifecycleState,
  type WorkerStatus,
} from '@niyanta/models';
import { ReadinessService } from '@niyanta/observability';
import { WorkerRegistryRepository, type HeartbeatResult } from '@niyanta/state';
import { ExecutionEngine } from './execution-engine.service';
import { WorkerLifecycle } from './worker-lifecycle';
import { WorkerMetrics } from './worker-metrics';
import { handedBackEvent, parseDrainRequest } from './worker-messages';
import { typeRegistration, WORKER_RUNTIME_OPTIONS, type ResolvedWorkerRuntimeOptions } from './worker-runtime.options';

/** What a drain did. */
export interface DrainReport {
  /** Attempts running when the drain began (each was checkpointed and handed back). */
  handedBack: number;
  /** True when some attempt had not ended within `drainTimeoutMs`. */
  timedOut: boolean;
  durationMs: number;
}

/** The worker as it reports itself (readiness details, admin views). */
export interface WorkerRuntimeStatus {
  id: string;
  state: WorkerLifecycleState;
  running: number;
  capacity: number;
}

/**
 * The worker process: registers on start (retrying until the database answers), heartbeats,
 * takes assignments through {@link ExecutionEngine}, re-registers after being presumed dead, and
 * drains on shutdown. Its lifecycle is `STARTING → RUNNING → DRAINING → STOPPED`.
 */
@Injectable()
export class WorkerRuntimeService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerRuntimeService.name);
  private readonly lifecycle = new WorkerLifecycle();
  private controlSubscription: Subscription | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private drainPromise: Promise<DrainReport> | null = null;
  private startPromise: Promise<void> | null = null;

  constructor(
    @Inject(WORKER_RUNTIME_OPTIONS) private readonly options: ResolvedWorkerRuntimeOptions,
    private readonly broker: Broker,
    private readonly subjects: Subjects,
    private readonly registry: WorkerRegistryRepository,
    private readonly engine: ExecutionEngine,
    private readonly metrics: WorkerMetrics,
    @Optional() private readonly readiness?: ReadinessService,
  ) {
    this.lifecycle.onChange((state, previous) => {
      this.logger.log(`worker ${options.workerId}: ${previous} → ${state}`);
      this.publishDetails();
    });
    this.engine.onRunningChange(() => this.publishDetails());
  }

  /** The lifecycle state now. */
  get state(): WorkerLifecycleState {
    return this.lifecycle.state;
  }

  status(): WorkerRuntimeStatus {
    return {
      id: this.options.workerId,
      state: this.lifecycle.state,
      running: this.engine.runningCount,
      capacity: this.options.capacity,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.metrics.setCapacity(this.options.capacity);
    this.metrics.setRunning(0);
    this.readiness?.register('worker', async () => {
      if (this.lifecycle.state !== 'RUNNING') throw new Error(`worker is ${this.lifecycle.state}`);
    });
    this.publishDetails();
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.drain();
  }

  /**
   * Registers and starts taking work. When the database or broker is unreachable it logs, stays
   * STARTING and retries every heartbeat interval (the process stays up and reports not ready).
   */
  start(): Promise<void> {
    this.startPromise ??= this.tryStart().finally(() => {
      this.startPromise = null;
    });
    return this.startPromise;
  }

  private async tryStart(): Promise<void> {
    if (this.lifecycle.state !== 'STARTING' || this.drainPromise !== null) return;
    try {
      await this.register();
      await this.subscribeControl();
      await this.engine.startConsuming();
    } catch (error) {
      this.logger.error(`worker ${this.options.workerId} could not start, retrying: ${describe(error)}`);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.start();
      }, this.options.heartbeatIntervalMs);
      return;
    }
    if (this.lifecycle.canMoveTo('RUNNING') && this.lifecycle.state === 'STARTING') this.lifecycle.moveTo('RUNNING');
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
  }

  /**
   * Drains: stops taking assignments, checkpoints every running attempt and hands it back
   * (PENDING, attempt + 1), waits up to `drainTimeoutMs` for them to end, then marks the worker
   * STOPPED. Idempotent: later calls return the first drain's report.
   */
  drain(): Promise<DrainReport> {
    this.drainPromise ??= this.runDrain();
    return this.drainPromise;
  }

  /** One heartbeat now (also run on a timer): refreshes the row, publishes what runs. */
  heartbeat(): Promise<void> {
    this.heartbeatInFlight ??= this.beat().finally(() => {
      this.heartbeatInFlight = null;
    });
    return this.heartbeatInFlight;
  }

  private async runDrain(): Promise<DrainReport> {
    const began = Date.now();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // A start in progress finishes first, so nothing it sets up outlives the drain.
    if (this.startPromise !== null) await this.startPromise;
    if (this.lifecycle.canMoveTo('DRAINING')) this.lifecycle.moveTo('DRAINING');
    const id = this.options.workerId;
    await this.engine.stopConsuming().catch((error: unknown) => {
      this.logger.warn(`stopping the assignment consumer failed: ${describe(error)}`);
    });
    await this.setStatus('DRAINING');
    const handedBack = this.engine.runningCount;
    this.logger.log(`worker ${id} draining: handing back ${handedBack} running workload(s)`);
    const deadline = began + this.options.drainTimeoutMs;
    const handBack = this.engine.handBackAll().then(() => this.engine.waitIdle(Math.max(0, deadline - Date.now())));
    let idle = await withTimeout(handBack, Math.max(0, deadline - Date.now()), false);
    if (!idle) {
      // A checkpoint that hangs must not keep the attempt: abort it and hand it back as it is.
      this.engine.abortAll('drain');
      idle = await this.engine.waitIdle(1000);
    }
    this.stopHeartbeat();
    if (this.heartbeatInFlight !== null) await this.heartbeatInFlight;
    await this.controlSubscription?.unsubscribe().catch(() => undefined);
    this.controlSubscription = null;
    await this.setStatus('STOPPED');
    if (this.lifecycle.canMoveTo('STOPPED')) this.lifecycle.moveTo('STOPPED');
    const report = { handedBack, timedOut: !idle, durationMs: Date.now() - began };
    this.logger.log(`worker ${id} stopped (${JSON.stringify(report)})`);
    return report;
  }

  private async register(): Promise<void> {
    const definitions = this.options.registry.definitionsList();
    const result = await this.registry.register(
      {
        id: this.options.workerId,
        tags: this.options.tags,
        region: this.options.region,
        capacity: this.options.capacity,
        workloadTypes: this.options.registry.types(),
      },
      definitions.map(typeRegistration),
    );
    this.logger.log(
      `worker ${this.options.workerId} registered (types: ${result.worker.workloadTypes.join(', ') || 'none'}` +
        (result.createdTypes.length > 0 ? `; new types: ${result.createdTypes.join(', ')}` : '') +
        ')',
    );
    if (result.released.length > 0) {
      this.logger.warn(`handed back ${result.released.length} workload(s) left assigned to this worker id`);
      // Live streams learn of these changes the same way as of any other: a WorkloadEvent each.
      for (const released of result.released) {
        const envelope = createEnvelope(MessageType.WorkloadEvent, handedBackEvent(released));
        this.broker.publish(this.subjects.customerEvents(released.customerId), envelope).catch((error: unknown) => {
          this.logger.warn(`publishing the event of ${released.workloadId} failed: ${String(error)}`);
        });
      }
      this.engine.notifyLeader({
        reason: 'requeued',
        worker_id: this.options.workerId,
        workload_ids: result.released.map((r) => r.workloadId),
      });
    }
    this.engine.notifyLeader({ reason: 'worker_joined', worker_id: this.options.workerId });
  }

  private async subscribeControl(): Promise<void> {
    if (this.controlSubscription !== null) return;
    this.controlSubscription = await this.broker.subscribe<unknown>(
      this.subjects.workerControl(this.options.workerId),
      (message) => {
        if (message.type !== MessageType.WorkerDrain) return this.engine.onControl(message);
        const request = parseDrainRequest(message, this.options.workerId);
        if (request === null) return;
        this.logger.warn(`worker ${this.options.workerId}: drain requested by ${request.requested_by}`);
        void this.drain();
      },
    );
  }

  private async beat(): Promise<void> {
    const state = this.lifecycle.state;
    if (state === 'STARTING' || state === 'STOPPED') return;
    const draining = state === 'DRAINING';
    let result: HeartbeatResult;
    try {
      result = await this.registry.heartbeat(
        this.options.workerId,
        this.engine.runningCount,
        draining ? 'DRAINING' : 'ACTIVE',
      );
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${describe(error)}`);
      return;
    }
    if (result === 'drain_requested') {
      // The drain message may have been lost; the row an operator set to DRAINING is the truth.
      this.logger.warn(`worker ${this.options.workerId}: marked DRAINING by an operator, draining`);
      void this.drain();
      return;
    }
    if (result !== 'ok') {
      await this.recoverFromPresumedDeath(result);
      return;
    }
    const payload: HeartbeatPayload = {
      worker_id: this.options.workerId,
      running: this.engine.runningAttempts(),
      capacity: this.options.capacity,
      draining,
    };
    await this.broker
      .publish(this.subjects.workerHeartbeat(), createEnvelope(MessageType.Heartbeat, payload))
      .catch((error: unknown) => this.logger.warn(`publishing the heartbeat failed: ${describe(error)}`));
  }

  /**
   * The fleet presumed this worker dead (a long pause, a partition) and requeued its workloads:
   * every attempt it still runs is stale, so abort them all without writing, then register again.
   */
  private async recoverFromPresumedDeath(result: 'dead' | 'missing'): Promise<void> {
    const running = this.engine.runningCount;
    this.logger.warn(
      `worker ${this.options.workerId} is ${result === 'dead' ? 'marked DEAD' : 'not registered'}; ` +
        `aborting ${running} attempt(s) and registering again`,
    );
    this.engine.abortAll('presumed_dead');
    await this.engine.waitIdle(Math.max(1000, this.options.drainTimeoutMs));
    if (this.lifecycle.state !== 'RUNNING') return;
    try {
      await this.register();
    } catch (error) {
      this.logger.error(`registering again failed (next heartbeat retries): ${describe(error)}`);
    }
  }

  private async setStatus(status: WorkerStatus): Promise<void> {
    try {
      await this.registry.setStatus(this.options.workerId, status, this.engine.runningCount);
    } catch (error) {
      this.logger.warn(`marking worker ${this.options.workerId} ${status} failed: ${describe(error)}`);
    }
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private publishDetails(): void {
    const { id, state, running } = this.status();
    this.readiness?.setDetails('worker', { id, state, running });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
