import type { TestSchema } from '@niyanta/testing';
import { http } from './http';

/** The environment every app process of one suite shares: its own schema and broker prefix. */
export function appEnv(schema: TestSchema, prefix: string, logLevel = 'warn'): Record<string, string> {
  return {
    DATABASE_URL: schema.url,
    DATABASE_SCHEMA: schema.schema,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    BROKER_PREFIX: prefix,
    LOG_LEVEL: logLevel,
  };
}

/**
 * Creates a customer on `tier` through the admin API and returns a fresh API key for it (the key
 * may be issued through another replica: `keyApiUrl`). Throws on any answer but 201.
 */
export async function issueCustomerKey(
  apiUrl: string,
  adminKey: string,
  customer: { name: string; tier: string },
  keyApiUrl = apiUrl,
): Promise<string> {
  const created = await http<{ id: string }>(apiUrl, 'POST', '/v1/admin/customers', { key: adminKey, body: customer });
  if (created.status !== 201) throw new Error(`creating customer ${customer.name}: ${created.status} ${JSON.stringify(created.body)}`);
  const issued = await http<{ key: string }>(keyApiUrl, 'POST', `/v1/admin/customers/${created.body.id}/api-keys`, {
    key: adminKey,
    body: {},
  });
  if (issued.status !== 201) throw new Error(`issuing a key for ${customer.name}: ${issued.status} ${JSON.stringify(issued.body)}`);
  return issued.body.key;
}
