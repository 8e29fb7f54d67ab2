import type { IncomingMessage } from 'node:http';
import { requestAttribution } from './logger.config';

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
