import { REDACTED, redactQuery, redactUrl } from './log-redaction';

describe('redactUrl', () => {
  it('replaces the values of credential parameters in any case and keeps the others', () => {
    expect(redactUrl('/v1/workloads?limit=5&API_KEY=nyk_a_b&x=1&access_token=t&Key=k&token=&tokens=keep')).toBe(
      `/v1/workloads?limit=5&API_KEY=${REDACTED}&x=1&access_token=${REDACTED}&Key=${REDACTED}&token=${REDACTED}&tokens=keep`,
    );
  });

  it('recognises percent-encoded names and names without a value', () => {
    expect(redactUrl('/p?api%5Fkey=secret&token')).toBe(`/p?api%5Fkey=${REDACTED}&token=${REDACTED}`);
  });

  it('returns a URL without a query string unchanged (the same string)', () => {
    const url = '/v1/workloads/0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f';
    expect(redactUrl(url)).toBe(url);
  });
});

describe('redactQuery', () => {
  it('copies a parsed query only when it holds a credential', () => {
    const clean = { limit: '5' };
    expect(redactQuery(clean)).toBe(clean);
    expect(redactQuery({ limit: '5', Token: 'secret' })).toEqual({ limit: '5', Token: REDACTED });
  });
});
