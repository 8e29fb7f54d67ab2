import { decodeCheckpoint } from '@niyanta/checkpoint';
import { SAMPLE_WORKLOADS, type WorkloadDefinition } from '@niyanta/workload-sdk';
import { WorkerHarness } from '../testing/worker-harness';
import { tickerWorkload } from '../testing/test-workloads';

interface Taken {
  sequence: number;
  at: number;
  ticks: number;
}

describe('automatic checkpoints by policy (PostgreSQL + in-process broker)', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await WorkerHarness.create({
      label: 'wrt_ckpt_policy',
      capacity: 4,
      definitions: [...SAMPLE_WORKLOADS, tickerWorkload as WorkloadDefinition],
      checkpointRetain: 100,
      progressThrottleMs: 0,
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** The workload's checkpoints in order, with their time and decoded state. */
  async function taken(id: string): Promise<{ startedAt: number; ranMs: number; checkpoints: Taken[] }> {
    const rows: Array<{ sequence: number; created_at: Date; data: Buffer; codec: string; content_hash: string }> =
      await harness.dataSource.query(
        `SELECT sequence, created_at, data, codec, content_hash FROM checkpoints WHERE workload_id = $1 ORDER BY sequence`,
        [id],
      );
    const [{ started_at, completed_at }]: Array<{ started_at: Date; completed_at: Date }> = await harness.dataSource.query(
      `SELECT started_at, completed_at FROM workloads WHERE id = $1`,
      [id],
    );
    return {
      startedAt: started_at.getTime(),
      ranMs: completed_at.getTime() - started_at.getTime(),
      checkpoints: rows.map((row) => ({
        sequence: row.sequence,
        at: row.created_at.getTime(),
        ticks: (decodeCheckpoint(row.data, row.codec, row.content_hash) as { ticks: number }).ticks,
      })),
    };
  }

  async function run(input: Record<string, number>, policy?: Record<string, number | null>): Promise<string> {
    const id = await harness.insertScheduled('ticker', input);
    if (policy !== undefined) {
      await harness.dataSource.query(`UPDATE workloads SET checkpoint_policy = $2::jsonb WHERE id = $1`, [
        id,
        JSON.stringify(policy),
      ]);
    }
    await harness.assign(id);
    return id;
  }

  function gaps(startedAt: number, checkpoints: Taken[]): number[] {
    return checkpoints.map((c, i) => c.at - (i === 0 ? startedAt : (checkpoints[i - 1] as Taken).at));
  }

  it('checkpoints at the cadence of the type config, of a per-workload interval, and of a progress step', async () => {
    // All three run at once on the worker: the type's 1 s, an override of 0.5 s, and every 25 % of progress.
    const byType = await run({ duration_ms: 3_400, tick_ms: 50 });
    const byInterval = await run({ duration_ms: 2_250, tick_ms: 50 }, { interval_seconds: 0.5 });
    const byProgress = await run({ duration_ms: 2_000, tick_ms: 100 }, { interval_seconds: null, progress_step: 0.25 });
    for (const id of [byType, byInterval, byProgress]) {
      await harness.waitFor(id, (row) => row.status === 'COMPLETED', 15_000);
    }

    // Timers stretch on a loaded machine, so the count follows how long each run really took; the
    // spacing is what the policy fixes.
    const typeRun = await taken(byType);
    expect(typeRun.checkpoints.length).toBeGreaterThanOrEqual(3);
    expect(typeRun.checkpoints.length).toBeLessThanOrEqual(Math.floor(typeRun.ranMs / 1_000));
    for (const gap of gaps(typeRun.startedAt, typeRun.checkpoints)) {
      expect(gap).toBeGreaterThanOrEqual(950);
      expect(gap).toBeLessThan(1_500);
    }

    const intervalRun = await taken(byInterval);
    expect(intervalRun.checkpoints.length).toBeGreaterThanOrEqual(4);
    expect(intervalRun.checkpoints.length).toBeLessThanOrEqual(Math.floor(intervalRun.ranMs / 500));
    for (const gap of gaps(intervalRun.startedAt, intervalRun.checkpoints)) {
      expect(gap).toBeGreaterThanOrEqual(475);
      expect(gap).toBeLessThan(1_000);
    }

    // Each crossing of a 25 % step checkpoints the state at that step (5 of 20 ticks each); the one
    // at 100 % may lose the race with completion.
    const progressRun = await taken(byProgress);
    const ticks = progressRun.checkpoints.map((c) => c.ticks);
    expect([
      [5, 10, 15],
      [5, 10, 15, 20],
    ]).toContainEqual(ticks);
  }, 30_000);

  it('applies a pause whose message was lost at the next checkpoint: PAUSED, attempt unchanged', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 4_000, steps: 20 });
    await harness.assign(id);
    await harness.waitFor(id, (row) => (row.last_checkpoint_sequence ?? 0) >= 2);
    // What the API writes on pause; the control message to the worker is not sent.
    await harness.dataSource.query(`UPDATE workloads SET status = 'PAUSING' WHERE id = $1`, [id]);
    const paused = await harness.waitFor(id, (row) => row.status === 'PAUSED', 5_000);
    expect(paused).toMatchObject({ attempt: 1, worker_id: null });
    expect(await harness.auditActions(id)).toEqual(['workload.started', 'workload.paused']);
  });
});
