import type { Logger } from '@nestjs/common';
import { PendingQueue, retryDelayMs, type PendingWorkload } from '@niyanta/scheduling';
import { SpanKind, workloadTracer, type Span, type WorkloadTracer } from '@niyanta/observability';
import {
  LeaseLostError,
  type ScheduledWorkload,
  type SchedulingRepository,
  type TierRepository,
} from '@niyanta/state';
import { performance } from 'node:perf_hooks';
import { ClusterView } from './cluster-view';
import { CoalescingRunner } from './coalescing-runner';
import { CustomerQuota } from './customer-quota';
import type { LeaderTerm } from './leader-duty';
import type { LeaderMessages } from './leader-messages';
import type { LeaderMetrics } from './leader-metrics';
import type { ResolvedLeaderOptions } from './leader-options';
import { PendingReasons } from './pending-reasons';
import { softAffinityResult, type SchedulerMetrics } from './scheduler-metrics';
import { TypeQuota } from './type-quota';
import { planPass, toQueueEntry, type PassPlan, type QueuedWorkload } from './scheduling-pass';

/** Rows per page when loading the queue and per query when fetching woken workloads. */
const PAGE_SIZE = 5_000;
/** Most pending-reason rows written per pass (the rest follow in the next passes). */
const REASON_WRITES_PER_PASS = 5_000;
/** A worker that looks silent is re-read from the database at most this often. */
const RECHECK_MIN_AGE_MS = 250;
/** Pause before retrying placements that all went stale (lets a clock-edge retry become due). */
const STALE_RETRY_DELAY_MS = 20;
/** The queue gauges are recomputed (one scan of the queue) at most this often. */
const QUEUE_METRICS_INTERVAL_MS = 1_000;
/** Customers whose backlog is read again (see `refill`) per pass at most. */
const REFILLS_PER_PASS = 4;

/** Collaborators of a {@link SchedulerTerm}. */
export interface SchedulerTermDeps {
  options: ResolvedLeaderOptions;
  repository: SchedulingRepository;
  /** Tier definitions shared with the API (the database's win over the configured ones). */
  tiers: TierRepository;
  messages: LeaderMessages;
  metrics: LeaderMetrics;
  schedulerMetrics: SchedulerMetrics;
  logger: Logger;
}

/**
 * The scheduler during one term in office: the in-memory queue and fleet view, the changes waiting
 * to be applied, and the serial pass loop. Events only record what changed and trigger a pass; the
 * pass (one at a time) refreshes what changed from the database, places, writes and publishes.
 */
export class SchedulerTerm {
  private readonly queue: PendingQueue<QueuedWorkload>;
  private readonly view: ClusterView;
  private readonly quota: CustomerQuota;
  private readonly reasons = new PendingReasons();
  private readonly runner: CoalescingRunner;
  private readonly dirtyWorkloads = new Set<string>();
  private readonly dirtyWorkers = new Set<string>();
  /**
   * Customers with PENDING rows the queue does not hold (their backlog was over the per-customer
   * share of the queue, or made room for others): refilled from the database as their queue drains.
   */
  private readonly overflowing = new Set<string>();
  private cappedCustomers = new Set<string>();
  private readonly types = new TypeQuota();
  private cappedTypes = new Set<string>();
  private slotsMayHaveFreed = false;
  private built = false;
  private fullSync = false;
  /** Database clock minus local clock, so `not_before` is judged by the database's time. */
  private clockOffsetMs = 0;
  private consecutiveErrors = 0;
  private queueMetricsAt = -Infinity;
  /** Assignments and events of the last pass still being published (never rejects). */
  private delivering: Promise<void> = Promise.resolve();
  private unwatchHeartbeats: () => void = () => undefined;

  constructor(
    private readonly term: LeaderTerm,
    private readonly deps: SchedulerTermDeps,
  ) {
    const { options } = deps;
    this.queue = new PendingQueue<QueuedWorkload>({ agingPerMinute: options.agingPerMinute, shareCost: options.shareCost });
    this.view = new ClusterView(options.workerTimeoutMs);
    this.quota = new CustomerQuota(options.tiers, options.fallbackTier);
    this.runner = new CoalescingRunner(
      () => this.pass(),
      (error) => deps.logger.error(`scheduling pass crashed: ${describe(error)}`),
    );
  }

  /** Workloads in the in-memory queue. */
  get queueSize(): number {
    return this.queue.size;
  }

  /** Starts the first pass, which rebuilds the view from the database. */
  begin(): void {
    this.unwatchHeartbeats = this.deps.schedulerMetrics.watchHeartbeats(() => this.view.oldestHeartbeatAgeMs());
    this.runner.trigger();
  }

  /** Workloads that may have become schedulable (submitted, requeued, resumed, retried). */
  workloadsChanged(ids: Iterable<string>): void {
    for (const id of ids) this.dirtyWorkloads.add(id);
    this.runner.trigger();
  }

  /** Workers whose slots or standing may have changed (heartbeat, freed slot, joined, died). */
  workersChanged(ids: Iterable<string>): void {
    for (const id of ids) this.dirtyWorkers.add(id);
    this.runner.trigger();
  }

  /** Asks for a reconciling pass against the database (the periodic sweep). */
  sweep(): void {
    this.fullSync = true;
    this.runner.trigger();
  }

  /** Stops passes; resolves when the current one has finished. */
  async end(): Promise<void> {
    this.unwatchHeartbeats();
    await this.runner.stop();
    await this.delivering;
    this.queue.clear();
  }

  private async pass(): Promise<void> {
    if (this.term.signal.aborted) return;
    const startedAt = performance.now();
    const passStartedAt = Date.now();
    const { metrics, options } = this.deps;
    try {
      if (!this.built) await this.rebuild();
      else if (this.fullSync) await this.reconcile();
      await this.applyChanges();
      const now = Date.now() + this.clockOffsetMs;
      const plan = planPass({
        queue: this.queue,
        view: this.view,
        quota: this.quota,
        types: this.types,
        reasons: this.reasons,
        now,
        maxPlacements: options.maxPlacementsPerPass,
        maxOffers: options.maxPlacementsPerPass * 10,
      });
      this.cappedCustomers = plan.cappedCustomers;
      this.cappedTypes = plan.cappedTypes;
      const scheduled = await this.write(plan, passStartedAt);
      // The placements are committed: publishing them overlaps the next pass instead of delaying it
      // (publishing ~1,000 durable assignments takes longer than reading, planning and writing the
      // next 1,000). At most one pass's messages are in flight, so this waits for the previous
      // pass's first; an assignment that is never confirmed is re-sent by the watchdog, as before.
      await this.delivering;
      if (scheduled.length > 0) {
        const generation = this.term.fence.generation;
        this.delivering = Promise.all([
          this.deps.messages.sendAssignments(scheduled, generation),
          this.deps.messages.publishEvents(scheduled),
        ]).then(
          () => endAssignSpans(scheduled),
          (error: unknown) => {
            endAssignSpans(scheduled, error);
            this.deps.logger.error(`publishing a pass's assignments failed: ${describe(error)}`);
          },
        );
      }
      const reasons = this.reasons.collect(this.queue, REASON_WRITES_PER_PASS);
      if (reasons.length > 0) await this.deps.repository.setPendingReasons(this.term.fence, reasons);
      this.consecutiveErrors = 0;
      metrics.queueDepth.set(this.queue.size);
      this.reportQueue(now);
      this.planNext(plan, scheduled.length, now);
    } catch (error: unknown) {
      this.failed(error);
    } finally {
      metrics.passDuration.observe((performance.now() - startedAt) / 1000);
    }
  }

  private planNext(plan: PassPlan, scheduled: number, now: number): void {
    // A placed backlog of a customer left partly out of the queue: read the rest of it right away.
    const refillDue = this.overflowing.size > 0 && scheduled > 0;
    if (plan.placements.length >= this.deps.options.maxPlacementsPerPass || this.reasons.pending || refillDue) {
      this.runner.trigger();
    } else if (plan.placements.length > 0 && scheduled === 0) {
      this.runner.schedule(STALE_RETRY_DELAY_MS);
    }
    const dueAt = this.queue.nextDueAt();
    if (dueAt !== null) this.runner.schedule(dueAt - now + 1);
  }

  private failed(error: unknown): void {
    if (error instanceof LeaseLostError) {
      this.term.leaseLost(error);
      return;
    }
    if (this.term.signal.aborted) return;
    this.consecutiveErrors++;
    // The in-memory view may now disagree with the database: rebuild it from scratch next time.
    this.fullSync = true;
    const { retryBaseDelayMs, retryMaxDelayMs } = this.deps.options;
    const delay = retryDelayMs(this.consecutiveErrors, { baseMs: retryBaseDelayMs, maxMs: retryMaxDelayMs });
    this.deps.logger.warn(`scheduling pass failed (retrying in ${delay} ms): ${describe(error)}`);
    this.runner.schedule(delay);
  }

  /** Taking office: the whole view from the database. Events arriving meanwhile are applied after. */
  private async rebuild(): Promise<void> {
    const { repository, options, logger } = this.deps;
    await this.measureClock();
    this.view.replaceAll(await repository.loadWorkers());
    this.quota.setTiers(await this.deps.tiers.loadMap());
    this.quota.replaceAll(await repository.countActiveByCustomer());
    await this.loadTypeLimits();
    this.queue.clear();
    this.reasons.clear();
    this.overflowing.clear();
    // One row past each customer's share marks the customers whose backlog did not fit.
    const loaded = await repository.streamPending(PAGE_SIZE, options.maxQueuedWorkloads, options.maxQueuedPerCustomer + 1, (page) => {
      for (const workload of page) this.enqueue(workload);
    });
    this.built = true;
    this.fullSync = false;
    logger.log(`scheduler took office: ${loaded} pending workloads, ${this.view.size} workers`);
  }

  /** The sweep: fleet and quotas reloaded, the queue diffed against the PENDING rows by (id, attempt). */
  private async reconcile(): Promise<void> {
    const { repository, options } = this.deps;
    this.fullSync = false;
    await this.measureClock();
    this.view.replaceAll(await repository.loadWorkers());
    this.quota.setTiers(await this.deps.tiers.loadMap());
    this.quota.replaceAll(await repository.countActiveByCustomer());
    await this.loadTypeLimits();
    const perCustomer = options.maxQueuedPerCustomer + 1;
    const keys = await repository.listPendingKeys(options.maxQueuedWorkloads, perCustomer);
    const stored = new Set<string>();
    const listed = new Map<string, number>();
    for (const key of keys) {
      stored.add(key.id);
      listed.set(key.customerId, (listed.get(key.customerId) ?? 0) + 1);
      if (this.queue.get(key.id)?.payload.attempt !== key.attempt) this.dirtyWorkloads.add(key.id);
    }
    // A capped listing may omit rows that are still PENDING; only a complete one proves absence —
    // and only for customers whose whole backlog was listed.
    if (keys.length < options.maxQueuedWorkloads) {
      const gone: string[] = [];
      for (const entry of this.queue.values()) {
        if (!stored.has(entry.id) && (listed.get(entry.customerId) ?? 0) < perCustomer) gone.push(entry.id);
      }
      for (const id of gone) this.queue.remove(id);
    }
    this.reasons.prune(this.queue);
  }

  private async applyChanges(): Promise<void> {
    const { repository, options } = this.deps;
    for (const id of this.view.workersToRecheck(Math.min(RECHECK_MIN_AGE_MS, options.workerTimeoutMs / 10))) {
      this.dirtyWorkers.add(id);
    }
    if (this.dirtyWorkers.size > 0) {
      const ids = [...this.dirtyWorkers];
      this.dirtyWorkers.clear();
      const snapshots = await repository.loadWorkers(ids);
      const found = new Set<string>();
      for (const snapshot of snapshots) {
        found.add(snapshot.id);
        this.view.apply(snapshot);
      }
      for (const id of ids) if (!found.has(id)) this.view.remove(id);
      this.slotsMayHaveFreed = true;
    }
    if (this.slotsMayHaveFreed && this.cappedCustomers.size > 0) {
      const capped = [...this.cappedCustomers];
      this.quota.refresh(capped, await repository.countActiveByCustomer(capped));
    }
    if (this.slotsMayHaveFreed && this.cappedTypes.size > 0) {
      const capped = [...this.cappedTypes];
      this.types.refresh(capped, await repository.countActiveByType(capped));
    }
    this.slotsMayHaveFreed = false;
    while (this.dirtyWorkloads.size > 0) {
      const ids = [...this.dirtyWorkloads].slice(0, PAGE_SIZE);
      for (const id of ids) this.dirtyWorkloads.delete(id);
      const rows = await repository.findPendingByIds(ids);
      // A tier created since the last sweep must not be scheduled under the fallback tier's
      // limits: read the definitions again before queueing its customers' workloads.
      if (rows.some((row) => !this.quota.knows(row.customerTier))) this.quota.setTiers(await this.deps.tiers.loadMap());
      const found = new Set<string>();
      for (const row of rows) {
        found.add(row.id);
        this.enqueue(row);
      }
      for (const id of ids) if (!found.has(id)) this.queue.remove(id);
    }
    await this.refill();
  }

  /**
   * Admits a PENDING workload to the bounded queue. Each customer holds at most
   * `maxQueuedPerCustomer` entries; when the whole queue is full, a customer with fewer entries than
   * the largest one takes the place of one of that customer's last entries. So no customer's
   * backlog — however large, however unplaceable — keeps another customer's work out of the queue
   * (SPEC §5). Whatever is left out stays PENDING in the database and is read again by `refill`.
   */
  private enqueue(workload: PendingWorkload): void {
    const { maxQueuedWorkloads, maxQueuedPerCustomer } = this.deps.options;
    if (!this.queue.has(workload.id)) {
      if (this.queue.countOf(workload.customerId) >= maxQueuedPerCustomer) {
        this.overflowing.add(workload.customerId);
        return;
      }
      if (this.queue.size >= maxQueuedWorkloads && !this.makeRoomFor(workload.customerId)) {
        this.overflowing.add(workload.customerId);
        return;
      }
    }
    const entry = toQueueEntry(workload, this.quota);
    this.queue.upsert(entry);
    this.reasons.enqueued(entry);
  }

  /** Evicts one entry of the customer with the most entries, if it has more than `customerId` would. */
  private makeRoomFor(customerId: string): boolean {
    const largest = this.queue.largestCustomer();
    if (!largest || largest.count <= this.queue.countOf(customerId) + 1) return false;
    const victim = this.queue.evictionCandidate(largest.customerId);
    if (!victim) return false;
    this.queue.remove(victim.id);
    this.overflowing.add(largest.customerId);
    return true;
  }

  /**
   * Reads more of the backlog of customers left partly out of the queue, once their queued entries
   * have fallen to half their share (or the queue has room), a few customers per pass.
   */
  private async refill(): Promise<void> {
    if (this.overflowing.size === 0) return;
    const { repository, options } = this.deps;
    let refilled = 0;
    for (const customerId of [...this.overflowing]) {
      if (refilled >= REFILLS_PER_PASS) break;
      const held = this.queue.countOf(customerId);
      const room = Math.min(options.maxQueuedPerCustomer - held, options.maxQueuedWorkloads - this.queue.size);
      if (held > options.maxQueuedPerCustomer / 2 || room <= 0) continue;
      refilled++;
      // The customer's first `held + room` rows in its queue order: those not held fill the room;
      // fewer rows than that means its whole backlog now fits.
      const rows = await repository.findPendingOfCustomer(customerId, held + room + 1);
      if (rows.length <= held + room) this.overflowing.delete(customerId);
      for (const row of rows) {
        if (this.queue.countOf(customerId) >= held + room) break;
        if (!this.queue.has(row.id)) this.enqueue(row);
      }
    }
  }

  /**
   * Writes the pass's placements in one fenced transaction. Placements the database refused (the
   * workload moved on, the worker stopped accepting) give their reservations back and are
   * re-read next pass; if the write fails, everything is put back as it was.
   */
  private async write(plan: PassPlan, passStartedAt: number): Promise<TracedScheduledWorkload[]> {
    if (plan.placements.length === 0) return [];
    const { repository, metrics } = this.deps;
    let scheduled: ScheduledWorkload[];
    try {
      scheduled = await repository.schedule(
        this.term.fence,
        plan.placements.map((placement) => ({ workloadId: placement.entry.id, workerId: placement.workerId })),
      );
    } catch (error: unknown) {
      for (const placement of plan.placements) {
        this.view.release(placement.workerId);
        this.quota.release(placement.entry.customerId);
        this.types.release(placement.entry.workloadType);
        this.queue.upsert(placement.entry);
      }
      throw error;
    }
    const written = new Set(scheduled.map((workload) => workload.id));
    const now = Date.now() + this.clockOffsetMs;
    // The tier rides in the assignment so the worker labels its latency histograms without a read.
    const tiers = new Map<string, string>();
    const tracer = workloadTracer();
    const traces = new Map<string, { trace: string | null; span: Span }>();
    let stale = 0;
    for (const placement of plan.placements) {
      if (written.has(placement.entry.id)) {
        tiers.set(placement.entry.id, this.recordPlacement(placement, now));
        const parent = placement.entry.payload.traceContext;
        if (tracer && parent) traces.set(placement.entry.id, this.traceAssignment(tracer, parent, placement, passStartedAt));
        continue;
      }
      stale++;
      this.view.release(placement.workerId);
      this.quota.release(placement.entry.customerId);
      this.types.release(placement.entry.workloadType);
      this.dirtyWorkloads.add(placement.entry.id);
      this.dirtyWorkers.add(placement.workerId);
    }
    if (scheduled.length > 0) metrics.decisions.inc({ outcome: 'scheduled' }, scheduled.length);
    if (stale > 0) metrics.decisions.inc({ outcome: 'stale' }, stale);
    return scheduled.map((workload) => {
      const traced = traces.get(workload.id);
      return {
        ...workload,
        tier: tiers.get(workload.id) ?? 'unknown',
        ...(traced ? { trace: traced.trace, traceSpan: traced.span } : {}),
      };
    });
  }

  /**
   * The spans of a traced workload's placement: the scheduling pass that placed it (from the pass's
   * start to its fenced write) under the submission, and the assignment under it, which stays open
   * until the broker confirms the message and whose context rides in the assignment to the worker.
   */
  private traceAssignment(
    tracer: WorkloadTracer,
    parent: string,
    placement: PassPlan['placements'][number],
    passStartedAt: number,
  ): { trace: string | null; span: Span } {
    const attributes = {
      'niyanta.workload_id': placement.entry.id,
      'niyanta.worker_id': placement.workerId,
      'niyanta.generation': this.term.fence.generation,
    };
    const pass = tracer.start('scheduling.pass', parent, { attributes, startTime: passStartedAt });
    pass.end();
    const assign = tracer.start('workload.assign', pass, { kind: SpanKind.PRODUCER, attributes });
    return { trace: tracer.traceparent(assign), span: assign };
  }

  /** Scheduling latency and soft-affinity outcome of one written placement; returns its tier's name. */
  private recordPlacement(placement: PassPlan['placements'][number], now: number): string {
    const { payload } = placement.entry;
    const tier = this.quota.tier(payload.tier).name;
    this.deps.schedulerMetrics.latency.observe({ tier }, Math.max(0, now - payload.pendingSince) / 1000);
    const result = softAffinityResult(
      Object.keys(payload.affinity.preferred).length,
      placement.preferredMatches,
      payload.region !== null,
      placement.regionMatch,
    );
    if (result !== null) this.deps.schedulerMetrics.softAffinity.inc({ result });
    return tier;
  }

  /** Refreshes the queue gauges (depth and oldest wait by tier and type), at most once a second. */
  private reportQueue(now: number): void {
    if (now - this.queueMetricsAt < QUEUE_METRICS_INTERVAL_MS) return;
    this.queueMetricsAt = now;
    const quota = this.quota;
    const samples = function* (queue: Iterable<QueuedWorkloadEntry>) {
      for (const entry of queue) {
        yield { tier: quota.tier(entry.payload.tier).name, workloadType: entry.workloadType, pendingSince: entry.payload.pendingSince };
      }
    };
    this.deps.schedulerMetrics.setQueue(samples(this.queue.values()), now);
  }

  /** Caps per workload type and the active counts of the capped types (taking office, sweep). */
  private async loadTypeLimits(): Promise<void> {
    const { repository } = this.deps;
    this.types.setLimits(await repository.loadTypeLimits());
    const capped = this.types.cappedTypes();
    this.types.refresh(capped, await repository.countActiveByType(capped));
  }

  private async measureClock(): Promise<void> {
    const before = Date.now();
    const databaseNow = await this.deps.repository.databaseNow();
    const after = Date.now();
    this.clockOffsetMs = databaseNow.getTime() - (before + after) / 2;
  }
}

type QueuedWorkloadEntry = { workloadType: string; payload: QueuedWorkload };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A written placement as the pass hands it to publishing: its tier and, when traced, its assignment span. */
type TracedScheduledWorkload = ScheduledWorkload & { tier: string; trace?: string | null; traceSpan?: Span };

/** Ends the assignment spans of a pass once its messages are confirmed (or failed). */
function endAssignSpans(scheduled: readonly TracedScheduledWorkload[], error?: unknown): void {
  const tracer = workloadTracer();
  if (tracer === null) return;
  for (const workload of scheduled) if (workload.traceSpan) tracer.end(workload.traceSpan, error);
}
