import { Inject, Injectable, Logger } from '@nestjs/common';
import { WorkerHealthRepository } from '@niyanta/state';
import type { LeaderTerm } from './leader-duty';
import { LeaderMessages } from './leader-messages';
import { LeaderMetrics } from './leader-metrics';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';
import { PeriodicDuty } from './periodic-duty';
import { SchedulerService } from './scheduler.service';

/** Most workloads recovered per round; a full round is followed by another at once. */
const RECOVERY_BATCH = 5_000;

/**
 * The leader's worker health monitor (SPEC §6): every `healthCheckIntervalMs` it declares DEAD the
 * workers whose last heartbeat (by the database clock) is older than `workerTimeoutMs`, and takes
 * back the workloads of every worker that is not live — SCHEDULED/RUNNING ones become PENDING with
 * attempt + 1, PAUSING ones PAUSED — fenced by the leader's generation. The scheduler is told at
 * once, so recovered workloads run again elsewhere within a pass.
 */
@Injectable()
export class HealthMonitorService extends PeriodicDuty {
  readonly name = 'health-monitor';
  protected readonly logger = new Logger(HealthMonitorService.name);

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly repository: WorkerHealthRepository,
    private readonly scheduler: SchedulerService,
    private readonly messages: LeaderMessages,
    private readonly metrics: LeaderMetrics,
  ) {
    super({ baseMs: options.retryBaseDelayMs, maxMs: options.retryMaxDelayMs });
  }

  protected intervalMs(): number {
    return this.options.healthCheckIntervalMs;
  }

  protected async round(term: LeaderTerm): Promise<boolean> {
    const { deadWorkers, recovered } = await this.repository.sweep(term.fence, this.options.workerTimeoutMs, RECOVERY_BATCH);
    for (const worker of deadWorkers) {
      this.logger.warn(`worker ${worker.id} is DEAD: last heartbeat ${worker.lastHeartbeatAt.toISOString()}`);
    }
    if (deadWorkers.length > 0) {
      this.metrics.workersDead.inc(deadWorkers.length);
      this.scheduler.notify({ workerIds: deadWorkers.map((worker) => worker.id) });
    }
    if (recovered.length > 0) {
      this.metrics.workloadsRecovered.inc({ reason: 'worker_lost' }, recovered.length);
      this.logger.warn(`took back ${recovered.length} workloads from workers that are gone`);
      this.scheduler.notify({
        workloadIds: recovered.filter((change) => change.status === 'PENDING').map((change) => change.id),
        workerIds: new Set(recovered.map((change) => change.previousWorkerId).filter((id): id is string => id !== null)),
      });
      await this.messages.publishEvents(recovered);
    }
    return recovered.length >= RECOVERY_BATCH;
  }
}
