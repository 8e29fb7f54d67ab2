import type { CheckpointPolicy } from '@niyanta/models';

/**
 * Reads a per-workload checkpoint policy override. The API stores it camelCase; snake_case keys are
 * accepted too so a hand-edited row still works. Returns null when the row has no override.
 */
export function parseCheckpointPolicy(value: unknown): Partial<CheckpointPolicy> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  const policy: Partial<CheckpointPolicy> = {};
  const interval = raw['intervalSeconds'] ?? raw['interval_seconds'];
  const step = raw['progressStep'] ?? raw['progress_step'];
  if (interval === null || typeof interval === 'number') policy.intervalSeconds = interval;
  if (step === null || typeof step === 'number') policy.progressStep = step;
  return policy;
}
