import { describeError } from './error-text';

describe(describeError.name, () => {
  it('uses the message, then the code, then the name', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(describeError('plain')).toBe('plain');
  });

  it('appends causes and flattens aggregate errors', () => {
    const cause = new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')], '');
    const error = new Error('postgresql is unavailable', { cause });
    expect(describeError(error)).toBe('postgresql is unavailable: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });
});
