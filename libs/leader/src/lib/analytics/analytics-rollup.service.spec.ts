import type { AnalyticsRollupRepository, RollupOptions, RollupResult } from '@niyanta/state';
import type { LeaderTerm } from '../leader-duty';
import type { ResolvedLeaderOptions } from '../leader-options';
import { AnalyticsRollupService } from './analytics-rollup.service';

/** An in-memory rollup repository answering a scripted number of events per round. */
class ScriptedRollups {
  readonly calls: RollupOptions[] = [];
  prunes = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(private readonly script: number[]) {}

  async rollUp(options: RollupOptions): Promise<RollupResult> {
    this.calls.push(options);
    const events = this.script[this.calls.length - 1] ?? 0;
    this.waiters = this.waiters.filter((w) => (this.calls.length >= w.count ? (w.resolve(), false) : true));
    return { events, watermark: this.calls.length };
  }

  async prune(): Promise<number> {
    this.prunes++;
    return 0;
  }

  /** Resolves once `count` rounds have run. */
  rounds(count: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.calls.length >= count) resolve();
      else this.waiters.push({ count, resolve });
    });
  }
}

const LEADER = { retryBaseDelayMs: 10, retryMaxDelayMs: 100 } as ResolvedLeaderOptions;

function term(): LeaderTerm {
  return { fence: { leaderId: 'l', generation: 1 }, signal: new AbortController().signal, leaseLost: () => undefined };
}

describe(AnalyticsRollupService.name, () => {
  it('runs the next round at once while rounds come back full, and prunes once per prune interval', async () => {
    const rollups = new ScriptedRollups([100, 100, 40]);
    const service = new AnalyticsRollupService(LEADER, rollups as unknown as AnalyticsRollupRepository, {
      intervalMs: 3_600_000,
      batchSize: 100,
      settleMs: 250,
      pruneIntervalMs: 3_600_000,
    });
    await service.start(term());
    // Three rounds although the interval is an hour: two full batches asked for more at once.
    await rollups.rounds(3);
    await service.stop();
    expect(rollups.calls).toHaveLength(3);
    expect(rollups.calls[0]).toEqual({ batchSize: 100, settleMs: 250 });
    expect(rollups.prunes).toBe(1);
  });

  it('defaults to a 50,000-event batch and a 5 s settle time', async () => {
    const rollups = new ScriptedRollups([0]);
    const service = new AnalyticsRollupService(LEADER, rollups as unknown as AnalyticsRollupRepository, null);
    await service.start(term());
    await rollups.rounds(1);
    await service.stop();
    expect(rollups.calls[0]).toEqual({ batchSize: 50_000, settleMs: 5_000 });
  });
});
