import { Inject, Injectable, Logger } from '@nestjs/common';
import { Broker, type Subscription } from '@niyanta/broker';
import {
  MessageType,
  Subjects,
  type HeartbeatPayload,
  type LeaderWakePayload,
  type MessageEnvelope,
} from '@niyanta/models';
import { SchedulingRepository, TierRepository, WorkloadDependencyRepository } from '@niyanta/state';
import { DependencyResolver } from './dependency-resolver';
import { LeaderDuty, type LeaderTerm } from './leader-duty';
import { LeaderMessages } from './leader-messages';
import { LeaderMetrics } from './leader-metrics';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';
import { SchedulerMetrics } from './scheduler-metrics';
import { SchedulerTerm } from './scheduler-term';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids beyond this in one wake are left to the sweep (a wake is a hint, not a work list). */
const MAX_IDS_PER_WAKE = 10_000;

interface ActiveScheduler {
  term: SchedulerTerm;
  dependencies: DependencyResolver;
  subscriptions: Subscription[];
  sweepTimer: NodeJS.Timeout;
}

/**
 * The leader's scheduler duty (SPEC §5). While in office it listens to `leader.wake` and worker
 * heartbeats, and places PENDING workloads within milliseconds of the event; a periodic sweep
 * reconciles with the database in case a message was lost. See {@link SchedulerTerm} for a pass.
 */
@Injectable()
export class SchedulerService extends LeaderDuty {
  readonly name = 'scheduler';
  private readonly logger = new Logger(SchedulerService.name);
  private active: ActiveScheduler | null = null;

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly repository: SchedulingRepository,
    private readonly tiers: TierRepository,
    private readonly broker: Broker,
    private readonly subjects: Subjects,
    private readonly messages: LeaderMessages,
    private readonly metrics: LeaderMetrics,
    private readonly schedulerMetrics: SchedulerMetrics,
    private readonly dependencyRepository: WorkloadDependencyRepository,
  ) {
    super();
  }

  /** Workloads in the in-memory queue (0 when not leading). */
  get queueSize(): number {
    return this.active?.term.queueSize ?? 0;
  }

  async start(leaderTerm: LeaderTerm): Promise<void> {
    await this.stop();
    const term = new SchedulerTerm(leaderTerm, {
      options: this.options,
      repository: this.repository,
      tiers: this.tiers,
      messages: this.messages,
      metrics: this.metrics,
      schedulerMetrics: this.schedulerMetrics,
      logger: this.logger,
    });
    const dependencies = new DependencyResolver(leaderTerm, {
      repository: this.dependencyRepository,
      messages: this.messages,
      logger: this.logger,
      released: (ids) => term.workloadsChanged(ids),
    });
    const subscriptions: Subscription[] = [];
    const active: ActiveScheduler = {
      term,
      dependencies,
      subscriptions,
      sweepTimer: setInterval(() => {
        term.sweep();
        dependencies.sweep();
      }, this.options.sweepIntervalMs),
    };
    this.active = active;
    try {
      // Subscribed before the rebuild reads the database, so nothing submitted meanwhile is missed.
      subscriptions.push(
        await this.broker.subscribe<unknown>(this.subjects.leaderWake(), (message) =>
          this.onWake(term, dependencies, message),
        ),
        await this.broker.subscribe<unknown>(this.subjects.workerHeartbeat(), (message) =>
          this.onHeartbeat(term, message),
        ),
      );
    } catch (error: unknown) {
      await this.stop();
      throw error;
    }
    term.begin();
    // Parents that ended while no leader ran (or before this one took office) are acted on now.
    dependencies.sweep();
  }

  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = null;
    clearInterval(active.sweepTimer);
    const results = await Promise.allSettled(active.subscriptions.map((subscription) => subscription.unsubscribe()));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.warn(`unsubscribe failed: ${String(result.reason)}`);
    }
    await active.dependencies.end();
    await active.term.end();
    this.metrics.queueDepth.set(0);
    this.schedulerMetrics.clearQueue();
  }

  /**
   * Tells the scheduler about changes other duties made (requeued workloads, workers declared dead)
   * so it acts on them now rather than at the next sweep. Ignored when not leading.
   */
  notify(change: { workloadIds?: Iterable<string>; workerIds?: Iterable<string> }): void {
    const term = this.active?.term;
    if (!term) return;
    if (change.workerIds) term.workersChanged(change.workerIds);
    if (change.workloadIds) term.workloadsChanged(change.workloadIds);
  }

  private onWake(term: SchedulerTerm, dependencies: DependencyResolver, message: MessageEnvelope<unknown>): void {
    if (message.type !== MessageType.LeaderWake) return;
    const payload = message.payload as Partial<LeaderWakePayload> | null;
    if (typeof payload !== 'object' || payload === null) return;
    const workloadIds = Array.isArray(payload.workload_ids)
      ? payload.workload_ids.filter((id): id is string => typeof id === 'string' && UUID.test(id)).slice(0, MAX_IDS_PER_WAKE)
      : [];
    if (typeof payload.worker_id === 'string' && payload.worker_id.length > 0) term.workersChanged([payload.worker_id]);
    if (Array.isArray(payload.parents_done)) {
      const ended = payload.parents_done.filter((id): id is string => typeof id === 'string' && UUID.test(id));
      if (ended.length > 0) dependencies.parentsEnded(ended.slice(0, MAX_IDS_PER_WAKE));
    }
    // Every wake is worth a pass: a freed slot may place what is already queued.
    term.workloadsChanged(workloadIds);
  }

  private onHeartbeat(term: SchedulerTerm, message: MessageEnvelope<unknown>): void {
    if (message.type !== MessageType.Heartbeat) return;
    const payload = message.payload as Partial<HeartbeatPayload> | null;
    if (typeof payload?.worker_id !== 'string' || payload.worker_id.length === 0) return;
    term.workersChanged([payload.worker_id]);
  }
}
