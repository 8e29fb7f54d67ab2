import { NonRetryableWorkloadError, RetryableWorkloadError, WorkloadCancelledError } from '@niyanta/workload-sdk';
import { decideOutcome, INVALID_OUTPUT_ERROR_CODE, TIMEOUT_ERROR_CODE, type AbortKind } from './execution-outcome';

describe(decideOutcome.name, () => {
  it('completes with the output the handler returned, even if an abort came after', () => {
    expect(decideOutcome({ kind: 'resolved', output: { ok: true } }, null, null)).toEqual({
      write: 'complete',
      output: { ok: true },
    });
    expect(decideOutcome({ kind: 'resolved', output: 1 }, 'cancel', null)).toEqual({ write: 'complete', output: 1 });
  });

  it('fails without retry when the output cannot be stored as JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const action = decideOutcome({ kind: 'resolved', output: cyclic as never }, null, null);
    expect(action).toMatchObject({ write: 'failure', retryable: false, error: { code: INVALID_OUTPUT_ERROR_CODE } });
  });

  it.each<[AbortKind, object]>([
    ['cancel', { write: 'none', reason: 'cancel' }],
    ['stale', { write: 'none', reason: 'stale' }],
    ['presumed_dead', { write: 'none', reason: 'presumed_dead' }],
    ['pause', { write: 'release', reason: 'pause' }],
    ['drain', { write: 'release', reason: 'drain' }],
    ['timeout', { write: 'failure', retryable: true, error: { code: TIMEOUT_ERROR_CODE } }],
  ])('an abort for %s decides by its kind', (kind, expected) => {
    expect(decideOutcome({ kind: 'aborted' }, kind, 30)).toMatchObject(expected);
    // The error the handler throws because of the abort does not change the outcome.
    expect(decideOutcome({ kind: 'threw', error: new WorkloadCancelledError() }, kind, 30)).toMatchObject(expected);
  });

  it('names the timeout in the error message', () => {
    expect(decideOutcome({ kind: 'aborted' }, 'timeout', 45)).toMatchObject({
      error: { message: 'attempt exceeded its timeout of 45 s' },
    });
  });

  it('classifies errors the handler threw on its own', () => {
    expect(
      decideOutcome({ kind: 'threw', error: new RetryableWorkloadError('busy', { code: 'busy' }) }, null, null),
    ).toEqual({
      write: 'failure',
      retryable: true,
      error: { code: 'busy', message: 'busy' },
    });
    expect(
      decideOutcome({ kind: 'threw', error: new NonRetryableWorkloadError('bad input') }, null, null),
    ).toMatchObject({
      write: 'failure',
      retryable: false,
    });
    expect(decideOutcome({ kind: 'threw', error: new TypeError('oops') }, null, null)).toMatchObject({
      write: 'failure',
      retryable: true,
      error: { code: 'unhandled_error', message: 'oops' },
    });
    expect(decideOutcome({ kind: 'threw', error: new WorkloadCancelledError() }, null, null)).toMatchObject({
      write: 'failure',
      retryable: true,
      error: { code: 'cancelled' },
    });
  });
});
