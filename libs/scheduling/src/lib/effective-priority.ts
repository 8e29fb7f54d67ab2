/** Options of {@link effectivePriority}. */
export interface AgingOptions {
  /** Priority points a workload gains per minute of waiting. 0 disables aging. @default 10 */
  agingPerMinute?: number;
}

/** Default of {@link AgingOptions.agingPerMinute}. */
export const DEFAULT_AGING_PER_MINUTE = 10;

/** What {@link effectivePriority} weighs. */
export interface PriorityInput {
  /** The workload's own priority (0–1000). */
  priority: number;
  /** Scheduling weight of the customer's tier. */
  tierWeight: number;
  /** How long the workload has waited, in milliseconds (negative counts as 0). */
  waitingMs: number;
}

/**
 * Effective priority (SPEC §5): `priority + tierWeight + agingPerMinute * waitingMinutes`.
 * Waiting raises it without bound, which is what rules out starvation: with the defaults, a
 * priority-0 free-tier workload outranks a fresh priority-1000 enterprise one after 120 minutes.
 */
export function effectivePriority(input: PriorityInput, options: AgingOptions = {}): number {
  const aging = options.agingPerMinute ?? DEFAULT_AGING_PER_MINUTE;
  if (!Number.isFinite(aging) || aging < 0) throw new RangeError(`agingPerMinute must be a finite number >= 0, got ${aging}`);
  return input.priority + input.tierWeight + (aging * Math.max(0, input.waitingMs)) / 60_000;
}
