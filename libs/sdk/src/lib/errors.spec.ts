import { describeError, NiyantaApiError, retryAfterSeconds } from './errors';

describe(NiyantaApiError.name, () => {
  it('carries the API error body: code, message, status, request id, details, Retry-After', () => {
    const response = new Response(null, { status: 429, headers: { 'x-request-id': 'from-header', 'retry-after': '3' } });
    const error = NiyantaApiError.fromResponse(response, {
      error: { code: 'rate_limited', message: 'slow down', details: [{ path: 'items.0', message: 'bad' }], request_id: 'req-1' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'NiyantaApiError', status: 429, code: 'rate_limited', message: 'slow down', requestId: 'req-1', retryAfterSeconds: 3 });
    expect(error.details).toEqual([{ path: 'items.0', message: 'bad' }]);
  });

  it('describes a response that is not the API error shape', () => {
    const response = new Response(null, { status: 502, statusText: 'Bad Gateway', headers: { 'x-request-id': 'r' } });
    expect(NiyantaApiError.fromResponse(response, '<html>')).toMatchObject({ status: 502, code: 'unexpected_response', message: 'HTTP 502 Bad Gateway', requestId: 'r', details: [] });
  });
});

describe(retryAfterSeconds.name, () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Sat, 31 Jan 2026 12:00:10 GMT', now)).toBe(10);
    expect(retryAfterSeconds('Sat, 31 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds(null, now)).toBeNull();
    expect(retryAfterSeconds('soon', now)).toBeNull();
  });
});

describe(describeError.name, () => {
  it('gives the API error with its status and code, any other error by its message', () => {
    expect(describeError(new NiyantaApiError(404, 'not_found', 'workload not found', 'req-1'))).toBe('workload not found (404 not_found)');
    expect(describeError(new TypeError('fetch failed'))).toBe('fetch failed');
    expect(describeError('plain')).toBe('plain');
  });
});
