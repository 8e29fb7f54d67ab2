import { Inject, Injectable, Logger } from '@nestjs/common';
import { Broker, type Subscription } from '@niyanta/broker';
import {
  createEnvelope,
  MessageType,
  Subjects,
  type ControlPayload,
  type HeartbeatPayload,
  type MessageEnvelope,
} from '@niyanta/models';
import { retryDelayMs } from '@niyanta/scheduling';
import { LeaseLostError, ReconciliationRepository } from '@niyanta/state';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { CoalescingRunner } from './coalescing-runner';
import { HeartbeatReconciliation, type HeartbeatReport, type StrayAttempt } from './heartbeat-reconciliation';
import { LeaderDuty, type LeaderTerm } from './leader-duty';
import { LeaderMessages } from './leader-messages';
import { LeaderMetrics } from './leader-metrics';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';
import { SchedulerService } from './scheduler.service';

/** Name of the counter of abort commands sent to workers for attempts the database no longer gives them. */
export const RECONCILE_ABORTS_METRIC = 'niyanta_leader_reconcile_aborts_total';

/** Nest provider of {@link RECONCILE_ABORTS_METRIC}. */
export const RECONCILE_ABORTS_METRIC_PROVIDER = makeCounterProvider({
  name: RECONCILE_ABORTS_METRIC,
  help: 'Abort commands sent to workers whose heartbeats listed an attempt the database gives to no one (or to another worker or attempt)',
});

/** Heartbeats kept while a round is delayed (database down); older ones are dropped first. */
const MAX_BUFFERED_REPORTS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ActiveTerm {
  term: LeaderTerm;
  subscription: Subscription | null;
  runner: CoalescingRunner;
  reports: HeartbeatReport[];
  consecutiveErrors: number;
  resumeAt: number;
}

/**
 * Repairs what a lost message leaves behind, from the workers' heartbeats (they list the attempts
 * each worker runs), while in office. See {@link HeartbeatReconciliation} for the rules:
 * an attempt a worker runs that the database does not give it is stopped with an `abort` control
 * (attempt-exact, writes nothing); an attempt the database has RUNNING/PAUSING on a live worker
 * that its heartbeats keep leaving out is taken back (RUNNING → PENDING with attempt + 1,
 * PAUSING → PAUSED), fenced by generation and attempt. Rounds coalesce: one read per burst of
 * heartbeats.
 */
@Injectable()
export class HeartbeatReconcilerService extends LeaderDuty {
  readonly name = 'heartbeat-reconciler';
  private readonly logger = new Logger(HeartbeatReconcilerService.name);
  private readonly reconciliation: HeartbeatReconciliation;
  private active: ActiveTerm | null = null;

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly repository: ReconciliationRepository,
    private readonly broker: Broker,
    private readonly subjects: Subjects,
    private readonly scheduler: SchedulerService,
    private readonly messages: LeaderMessages,
    private readonly metrics: LeaderMetrics,
    @InjectMetric(RECONCILE_ABORTS_METRIC) private readonly aborts: Counter,
  ) {
    super();
    this.reconciliation = new HeartbeatReconciliation(options.orphanAfterHeartbeats);
  }

  async start(term: LeaderTerm): Promise<void> {
    await this.stop();
    this.reconciliation.clear();
    const active: ActiveTerm = {
      term,
      subscription: null,
      runner: new CoalescingRunner(
        () => this.round(active),
        (error) => this.logger.error(`reconciliation round crashed: ${describe(error)}`),
      ),
      reports: [],
      consecutiveErrors: 0,
      resumeAt: 0,
    };
    this.active = active;
    active.subscription = await this.broker.subscribe<unknown>(this.subjects.workerHeartbeat(), (message) =>
      this.onHeartbeat(active, message),
    );
  }

  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = null;
    await active.subscription?.unsubscribe().catch((error: unknown) => {
      this.logger.warn(`unsubscribing from heartbeats failed: ${describe(error)}`);
    });
    await active.runner.stop();
  }

  private onHeartbeat(active: ActiveTerm, message: MessageEnvelope<unknown>): void {
    const report = toReport(message);
    if (report === null) return;
    active.reports.push(report);
    if (active.reports.length > MAX_BUFFERED_REPORTS) active.reports.splice(0, active.reports.length - MAX_BUFFERED_REPORTS);
    if (Date.now() >= active.resumeAt) active.runner.trigger();
  }

  private async round(active: ActiveTerm): Promise<void> {
    const { term } = active;
    if (term.signal.aborted || active.reports.length === 0) return;
    const reports = active.reports.splice(0);
    try {
      const workerIds = [...new Set(reports.map((report) => report.workerId))];
      const listedIds = [...new Set(reports.flatMap((report) => report.running.map((entry) => entry.workload_id)))];
      const placements = await this.repository.placements(workerIds, listedIds);
      if (term.signal.aborted) return;
      const decision = this.reconciliation.reconcile(reports, placements);
      for (const stray of decision.aborts) this.abort(stray);
      if (decision.orphans.length > 0) {
        const changes = await this.repository.requeueOrphans(term.fence, decision.orphans);
        if (changes.length > 0) {
          this.metrics.workloadsRecovered.inc({ reason: 'missing_from_heartbeats' }, changes.length);
          this.logger.warn(
            `took back ${changes.length} workload(s) their workers stopped reporting: ` +
              changes.map((change) => `${change.id}#${change.previousAttempt}@${change.previousWorkerId}`).join(', '),
          );
          this.scheduler.notify({
            workloadIds: changes.filter((change) => change.status === 'PENDING').map((change) => change.id),
            workerIds: new Set(changes.map((change) => change.previousWorkerId).filter((id): id is string => id !== null)),
          });
          await this.messages.publishEvents(changes);
        }
      }
      active.consecutiveErrors = 0;
    } catch (error: unknown) {
      if (error instanceof LeaseLostError) {
        term.leaseLost(error);
        return;
      }
      // Heartbeats repeat: the reports of a failed round are not worth keeping.
      active.consecutiveErrors++;
      const delay = retryDelayMs(active.consecutiveErrors, { baseMs: this.options.retryBaseDelayMs, maxMs: this.options.retryMaxDelayMs });
      active.resumeAt = Date.now() + delay;
      active.runner.schedule(delay);
      this.logger.warn(`reconciliation round failed (next in ${delay} ms): ${describe(error)}`);
    }
  }

  private abort(stray: StrayAttempt): void {
    const control: ControlPayload = { action: 'abort', workload_id: stray.workloadId, attempt: stray.attempt };
    this.aborts.inc();
    this.logger.warn(
      `worker ${stray.workerId} runs ${stray.workloadId} attempt ${stray.attempt}, which the database does not give it: aborting`,
    );
    this.broker
      .publish(this.subjects.workerControl(stray.workerId), createEnvelope(MessageType.Control, control, { correlationId: stray.workloadId }))
      .catch((error: unknown) => this.logger.warn(`sending abort to ${stray.workerId} failed: ${describe(error)}`));
  }
}

function toReport(message: MessageEnvelope<unknown>): HeartbeatReport | null {
  if (message.type !== MessageType.Heartbeat) return null;
  const payload = message.payload as Partial<HeartbeatPayload> | null;
  if (typeof payload !== 'object' || payload === null) return null;
  if (typeof payload.worker_id !== 'string' || payload.worker_id.length === 0 || !Array.isArray(payload.running)) return null;
  const running = payload.running.filter(
    (entry): entry is { workload_id: string; attempt: number } =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.workload_id === 'string' &&
      UUID.test(entry.workload_id) &&
      Number.isInteger(entry.attempt) &&
      entry.attempt >= 1,
  );
  return { workerId: payload.worker_id, running };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
