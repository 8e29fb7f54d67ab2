export { createTestSchema, DEFAULT_TEST_DATABASE_URL, testDatabaseUrl } from './lib/postgres-test-schema';
export type { TestSchema } from './lib/postgres-test-schema';
