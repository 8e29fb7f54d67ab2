import { NonRetryableWorkloadError, RetryableWorkloadError, WorkloadCancelledError, classifyWorkloadError } from './errors';

describe(classifyWorkloadError.name, () => {
  it('classifies by error type and keeps author codes', () => {
    expect(classifyWorkloadError(new RetryableWorkloadError('busy'))).toEqual({ kind: 'retryable', code: 'retryable_error', message: 'busy' });
    expect(classifyWorkloadError(new NonRetryableWorkloadError('bad input', { code: 'invalid_input' }))).toEqual({
      kind: 'non_retryable',
      code: 'invalid_input',
      message: 'bad input',
    });
    expect(classifyWorkloadError(new WorkloadCancelledError())).toMatchObject({ kind: 'cancelled', code: 'cancelled' });
  });

  it('counts unknown errors and thrown non-errors as retryable', () => {
    expect(classifyWorkloadError(new TypeError('x is undefined'))).toEqual({ kind: 'retryable', code: 'unhandled_error', message: 'x is undefined' });
    expect(classifyWorkloadError('boom')).toEqual({ kind: 'retryable', code: 'unhandled_error', message: 'boom' });
    expect(classifyWorkloadError({ why: 1 })).toEqual({ kind: 'retryable', code: 'unhandled_error', message: '{"why":1}' });
    expect(classifyWorkloadError(undefined).kind).toBe('retryable');
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new RetryableWorkloadError('fetch failed', { cause }).cause).toBe(cause);
  });
});
