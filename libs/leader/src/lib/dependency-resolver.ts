import type { Logger } from '@nestjs/common';
import { LeaseLostError, type WorkloadDependencyRepository } from '@niyanta/state';
import { CoalescingRunner } from './coalescing-runner';
import type { LeaderTerm } from './leader-duty';
import type { LeaderMessages } from './leader-messages';

/** Parents resolved per transaction: a 10,000-node graph's wave goes in a few. */
const PARENTS_PER_RESOLUTION = 2_000;
/** Ended parents the sweep picks up per round. */
const SWEEP_LIMIT = 10_000;
/** Wait before retrying parents whose resolution failed (the database was unreachable). */
const RETRY_DELAY_MS = 500;

export interface DependencyResolverDeps {
  repository: WorkloadDependencyRepository;
  messages: LeaderMessages;
  logger: Logger;
  /** Dependents whose last parent completed: the scheduler places them now. */
  released: (ids: string[]) => void;
}

/**
 * The leader's side of dependencies (SPEC §8), for one term: when parents end it releases their
 * dependents (the scheduler is told at once, so they are placed within milliseconds of the last
 * parent's completion) or cancels them transitively with `dependency_failed`. Driven by the
 * `parents_done` of leader wake-ups; a sweep at the start of the term and with the scheduler's
 * periodic sweep picks up parents that ended while no leader ran or whose wake-up was lost.
 */
export class DependencyResolver {
  private readonly pending = new Set<string>();
  private sweepWanted = false;
  private readonly runner: CoalescingRunner;

  constructor(
    private readonly term: LeaderTerm,
    private readonly deps: DependencyResolverDeps,
  ) {
    this.runner = new CoalescingRunner(
      () => this.run(),
      (error) => deps.logger.error(`resolving dependencies crashed: ${describe(error)}`),
    );
  }

  /** Workloads with dependents ended. */
  parentsEnded(ids: Iterable<string>): void {
    for (const id of ids) this.pending.add(id);
    this.runner.trigger();
  }

  /** Looks in the database for ended parents whose dependents were not acted on. */
  sweep(): void {
    this.sweepWanted = true;
    this.runner.trigger();
  }

  async end(): Promise<void> {
    await this.runner.stop();
    this.pending.clear();
  }

  private async run(): Promise<void> {
    if (this.term.signal.aborted) return;
    const { repository, messages, logger, released } = this.deps;
    if (this.sweepWanted) {
      this.sweepWanted = false;
      try {
        for (const id of await repository.findUnresolvedParents(SWEEP_LIMIT)) this.pending.add(id);
      } catch (error: unknown) {
        logger.warn(`looking for unresolved dependencies failed: ${describe(error)}`);
      }
    }
    while (this.pending.size > 0 && !this.term.signal.aborted) {
      const ids = [...this.pending].slice(0, PARENTS_PER_RESOLUTION);
      for (const id of ids) this.pending.delete(id);
      let resolution;
      try {
        resolution = await repository.resolve(this.term.fence, ids);
      } catch (error: unknown) {
        if (error instanceof LeaseLostError) {
          this.term.leaseLost(error);
          return;
        }
        for (const id of ids) this.pending.add(id);
        logger.warn(`resolving the dependents of ${ids.length} workloads failed, retrying: ${describe(error)}`);
        this.runner.schedule(RETRY_DELAY_MS);
        return;
      }
      if (resolution.released.length > 0) released(resolution.released.map((workload) => workload.id));
      if (resolution.cancelled.length > 0) {
        logger.log(`cancelled ${resolution.cancelled.length} dependents of failed or cancelled workloads`);
        void messages.publishEvents(resolution.cancelled);
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
