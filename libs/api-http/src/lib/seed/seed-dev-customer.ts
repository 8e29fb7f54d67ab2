import { ApiKeyRepository, CustomerRepository } from '@niyanta/state';
import type { DataSource } from 'typeorm';
import { hashApiKey, parseApiKey } from '../auth/api-key.codec';

/** Name of the development customer {@link seedDevCustomer} creates. */
export const DEV_CUSTOMER_NAME = 'dev';

/**
 * For the standalone app: makes sure customer `dev` (tier `standard`) exists and that `apiKey`
 * authenticates as it. Idempotent: run it on every start. The key must have the API key format
 * (`nyk_<8 lowercase letters or digits>_<16+ letters or digits>`); only its hash is stored.
 */
export async function seedDevCustomer(dataSource: DataSource, apiKey: string): Promise<{ customerId: string }> {
  const parsed = parseApiKey(apiKey);
  if (!parsed) {
    throw new Error('the development API key must look like nyk_<8 lowercase letters or digits>_<16 or more letters or digits>');
  }
  const actor = { actorType: 'system' as const, actorId: 'seed' };
  const { customer } = await new CustomerRepository(dataSource).findOrCreateByName(DEV_CUSTOMER_NAME, 'standard', actor);
  await new ApiKeyRepository(dataSource).ensure(
    { customerId: customer.id, prefix: parsed.prefix, keyHash: hashApiKey(apiKey), name: 'development key' },
    actor,
  );
  return { customerId: customer.id };
}
