import { DomainError, ErrorCode } from '@niyanta/models';

const DAY_MS = 86_400_000;

/** A validated `[from, to)`. */
export interface AnalyticsRange {
  from: Date;
  to: Date;
}

/** Longest time the default range covers when `from` is absent. */
export const DEFAULT_RANGE_MS = DAY_MS;

/**
 * Resolves `from`/`to` (RFC 3339, already checked for form) into a range: `to` defaults to now,
 * `from` to 24 hours before `to`. An inverted or empty range, or one reaching further back than
 * `retentionMs` from now, is a `validation_failed` error naming the field.
 */
export function resolveRange(from: string | undefined, to: string | undefined, retentionMs: number, now = new Date()): AnalyticsRange {
  const end = to === undefined ? now : new Date(to);
  const start = from === undefined ? new Date(end.getTime() - DEFAULT_RANGE_MS) : new Date(from);
  if (Number.isNaN(end.getTime())) throw invalid('to', 'is not a valid date-time');
  if (Number.isNaN(start.getTime())) throw invalid('from', 'is not a valid date-time');
  if (start.getTime() >= end.getTime()) throw invalid(from === undefined ? 'to' : 'from', 'must be before to');
  const oldest = now.getTime() - retentionMs;
  if (start.getTime() < oldest) {
    const days = Math.round(retentionMs / DAY_MS);
    throw invalid('from', `must be within the retention of this query (${days} days): not before ${new Date(oldest).toISOString()}`);
  }
  return { from: start, to: end };
}

function invalid(path: string, message: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `${path} ${message}`, [{ path, message }]);
}
