import { DomainError, ErrorCode } from '@niyanta/models';
import { resolveRange } from './analytics-range';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe(resolveRange.name, () => {
  it('defaults to the 24 hours before now', () => {
    expect(resolveRange(undefined, undefined, 35 * DAY, NOW)).toEqual({ from: new Date(NOW.getTime() - DAY), to: NOW });
  });

  it('accepts offsets and keeps the instants', () => {
    const range = resolveRange('2026-03-01T01:00:00+01:00', '2026-03-01T02:00:00Z', 2 * DAY, NOW);
    expect(range).toEqual({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-01T02:00:00Z') });
  });

  it('refuses an inverted or empty range', () => {
    const error = failure(() => resolveRange('2026-03-01T02:00:00Z', '2026-03-01T01:00:00Z', 2 * DAY, NOW));
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.details).toEqual([{ path: 'from', message: 'must be before to' }]);
    expect(failure(() => resolveRange('2026-03-01T02:00:00Z', '2026-03-01T02:00:00Z', 2 * DAY, NOW)).code).toBe(ErrorCode.ValidationFailed);
  });

  it('refuses a range reaching past the retention', () => {
    const error = failure(() => resolveRange('2026-02-20T00:00:00Z', undefined, 2 * DAY, NOW));
    expect(error.details[0]?.path).toBe('from');
    expect(error.message).toContain('retention');
    expect(resolveRange('2026-02-28T13:00:00Z', undefined, 2 * DAY, NOW).from).toEqual(new Date('2026-02-28T13:00:00Z'));
  });
});
