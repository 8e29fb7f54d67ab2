import { createHash } from 'node:crypto';
import type { JsonObject } from '@niyanta/models';
import { abortableDelay, defineWorkload, type WorkloadContext } from '@niyanta/workload-sdk';

/** State of {@link ledgerWorkload}: `rows` of pseudo-random hex, deterministic from `seed`; `round` counts its checkpoints. */
export type LedgerState = { seed: number; round: number; rows: string[] };

/**
 * A ledger state of about `mebibytes` MiB of JSON, the same for the same seed (xorshift32), so a
 * test can rebuild what a worker checkpointed and compare digests.
 */
export function ledgerState(seed: number, mebibytes: number): LedgerState {
  let x = seed >>> 0 || 1;
  const next = (): string => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x.toString(16).padStart(8, '0');
  };
  // One row is 8 × 8 hex digits plus its index, quotes and comma: about 74 bytes of JSON.
  const count = Math.ceil((mebibytes * 1024 * 1024) / 74);
  const rows = new Array<string>(count);
  for (let i = 0; i < count; i++) rows[i] = `${i}:${next()}${next()}${next()}${next()}${next()}${next()}${next()}${next()}`;
  return { seed, round: 0, rows };
}

/** SHA-256 of a state's JSON. */
export function stateDigest(state: unknown): string {
  return createHash('sha256').update(JSON.stringify(state)).digest('hex');
}

/**
 * Test type `ledger`, input `{ seed, mebibytes, checkpoints? = 1 }`: a fresh attempt builds its
 * large state, checkpoints it `checkpoints` times (`round` 1, 2, …) and then waits to be paused or
 * stopped; an attempt that resumes from a checkpoint completes at once with the digest of the
 * state it was given.
 */
export const ledgerWorkload = defineWorkload<LedgerState>({
  type: 'ledger',
  defaults: { checkpointIntervalSeconds: null, checkpointProgressStep: null, maxRetries: 0 },
  create: () => {
    let state: LedgerState | null = null;
    let resumed = false;
    return {
      init: (_ctx: WorkloadContext, checkpoint?: LedgerState) => {
        if (checkpoint !== undefined) {
          state = checkpoint;
          resumed = true;
        }
      },
      execute: async (ctx: WorkloadContext): Promise<JsonObject> => {
        if (resumed && state !== null) return { digest: stateDigest(state), rows: state.rows.length, attempt: ctx.attempt };
        const fresh = ledgerState(Number(ctx.input['seed']), Number(ctx.input['mebibytes']));
        state = fresh;
        const rounds = Number(ctx.input['checkpoints'] ?? 1);
        for (let round = 1; round <= rounds; round++) {
          fresh.round = round;
          await ctx.checkpointNow();
        }
        await abortableDelay(600_000, ctx.signal);
        return { digest: null };
      },
      checkpoint: () => state ?? { seed: 0, round: 0, rows: [] },
      close: () => undefined,
    };
  },
});

/**
 * Test type `ticker`, input `{ duration_ms, tick_ms }`: reports progress every tick and never
 * checkpoints on its own, so every checkpoint it gets comes from the policy (type default: every
 * second). Its state is `{ ticks }`.
 */
export const tickerWorkload = defineWorkload<{ ticks: number }>({
  type: 'ticker',
  defaults: { checkpointIntervalSeconds: 1, checkpointProgressStep: null },
  create: () => {
    let ticks = 0;
    return {
      init: (_ctx: WorkloadContext, checkpoint?: { ticks: number }) => {
        ticks = checkpoint?.ticks ?? 0;
      },
      execute: async (ctx: WorkloadContext): Promise<JsonObject> => {
        const duration = Number(ctx.input['duration_ms']);
        const tick = Number(ctx.input['tick_ms']);
        const total = Math.max(1, Math.round(duration / tick));
        while (ticks < total) {
          await abortableDelay(tick, ctx.signal);
          ticks++;
          await ctx.reportProgress(ticks / total);
        }
        return { ticks };
      },
      checkpoint: () => ({ ticks }),
      close: () => undefined,
    };
  },
});
