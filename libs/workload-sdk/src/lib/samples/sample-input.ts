import { JsonObject } from '@niyanta/models';
import { NonRetryableWorkloadError } from '../errors';

/** Reads an optional numeric input field, failing the workload (not retrying it) when it is malformed. */
export function numberField(
  input: JsonObject,
  field: string,
  rule: { integer?: boolean; min: number; max: number; fallback?: number },
): number {
  const value = input[field];
  if (value === undefined || value === null) {
    if (rule.fallback !== undefined) return rule.fallback;
    throw new NonRetryableWorkloadError(`input.${field} is required`, { code: 'invalid_input' });
  }
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= rule.min && value <= rule.max;
  if (!ok || (rule.integer && !Number.isInteger(value))) {
    const kind = rule.integer ? 'an integer' : 'a number';
    throw new NonRetryableWorkloadError(`input.${field} must be ${kind} from ${rule.min} to ${rule.max}`, {
      code: 'invalid_input',
    });
  }
  return value;
}
