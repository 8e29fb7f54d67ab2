import type { Logger } from '@nestjs/common';
import { retryDelayMs } from '@niyanta/scheduling';
import { LeaseLostError } from '@niyanta/state';
import { CoalescingRunner } from './coalescing-runner';
import { LeaderDuty, type LeaderTerm } from './leader-duty';

interface ActiveRounds {
  term: LeaderTerm;
  runner: CoalescingRunner;
  timer: NodeJS.Timeout;
  consecutiveErrors: number;
  /** Epoch ms before which rounds are skipped after a failure (backoff). */
  resumeAt: number;
}

/** How a {@link PeriodicDuty} backs off after a failed round. */
export interface DutyBackoff {
  baseMs: number;
  maxMs: number;
}

/**
 * A leader duty that runs one round every interval while in office, never two rounds at once.
 * A round that finds the lease lost makes the leader step down; any other failure is logged and
 * the next rounds wait with exponential backoff.
 */
export abstract class PeriodicDuty extends LeaderDuty {
  protected abstract readonly logger: Logger;
  private active: ActiveRounds | null = null;

  constructor(private readonly backoff: DutyBackoff) {
    super();
  }

  /** Milliseconds between rounds. */
  protected abstract intervalMs(): number;

  /** One round under `term`; resolves true when there is more to do right away. */
  protected abstract round(term: LeaderTerm): Promise<boolean>;

  async start(term: LeaderTerm): Promise<void> {
    await this.stop();
    const active: ActiveRounds = {
      term,
      runner: new CoalescingRunner(
        () => this.runRound(active),
        (error) => this.logger.error(`${this.name} round crashed: ${String(error)}`),
      ),
      timer: setInterval(() => active.runner.trigger(), this.intervalMs()),
      consecutiveErrors: 0,
      resumeAt: 0,
    };
    this.active = active;
    active.runner.trigger();
  }

  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = null;
    clearInterval(active.timer);
    await active.runner.stop();
  }

  /** Asks for a round now (ignored when not leading). */
  protected runSoon(): void {
    this.active?.runner.trigger();
  }

  private async runRound(active: ActiveRounds): Promise<void> {
    if (active.term.signal.aborted || Date.now() < active.resumeAt) return;
    try {
      const more = await this.round(active.term);
      active.consecutiveErrors = 0;
      if (more) active.runner.trigger();
    } catch (error: unknown) {
      if (error instanceof LeaseLostError) {
        active.term.leaseLost(error);
        return;
      }
      if (active.term.signal.aborted) return;
      active.consecutiveErrors++;
      const delay = retryDelayMs(active.consecutiveErrors, this.backoff);
      active.resumeAt = Date.now() + delay;
      this.logger.warn(`${this.name} round failed (next in ${delay} ms): ${error instanceof Error ? error.message : String(error)}`);
      active.runner.schedule(delay);
    }
  }
}
