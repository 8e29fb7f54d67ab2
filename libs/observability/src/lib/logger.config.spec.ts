import type { IncomingMessage } from 'node:http';
import { pinoHttpOptions, requestAttribution } from './logger.config';

describe(requestAttribution.name, () => {
  const id = '0b7f6f9e-2c1a-4d3e-9f00-123456789abc';
  const req = (url: string, principal?: unknown) => ({ url, principal }) as unknown as IncomingMessage;

  it('names the authenticated customer and the workload of a one-workload route', () => {
    expect(requestAttribution(req(`/v1/workloads/${id}/cancel`, { kind: 'customer', customerId: 'c-1' }))).toEqual({
      customer_id: 'c-1',
      workload_id: id,
    });
    expect(requestAttribution(req(`/v1/workloads/${id}?x=1`))).toEqual({ workload_id: id });
  });

  it('names nothing for an anonymous or admin request on a route without a workload', () => {
    expect(requestAttribution(req('/v1/workloads'))).toEqual({});
    expect(requestAttribution(req('/v1/workloads/batch', { kind: 'admin' }))).toEqual({});
    expect(requestAttribution(req('/v1/workloads/not-a-uuid'))).toEqual({});
  });
});

describe('request line headers', () => {
  const req = { method: 'GET', url: '/v1/workloads', headers: { authorization: 'Bearer nyk_secret', 'user-agent': 'curl/8' } };
  const serialize = (logLevel: string) =>
    (pinoHttpOptions({ serviceName: 's', logLevel, pretty: false }).serializers as { req: (r: typeof req) => Record<string, unknown> }).req(req);

  it('leaves headers out at info', () => {
    expect(serialize('info')).toEqual({ method: 'GET', url: '/v1/workloads', remoteAddress: undefined, userAgent: 'curl/8' });
  });

  it('adds them, credentials redacted, at debug', () => {
    const line = serialize('debug');
    expect(line['headers']).toMatchObject({ 'user-agent': 'curl/8' });
    expect(JSON.stringify(line)).not.toContain('nyk_secret');
  });
});
