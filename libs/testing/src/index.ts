export { createTestSchema, DEFAULT_TEST_DATABASE_URL, testDatabaseUrl } from './lib/postgres-test-schema';
export type { TestSchema } from './lib/postgres-test-schema';
export { DEFAULT_TEST_NATS_URL, testNatsUrl, uniqueBrokerPrefix } from './lib/nats-test-env';
export { DEFAULT_NATS_SERVER_BIN, freePort, startNatsServer } from './lib/nats-server';
export type { NatsServerHandle, NatsServerOptions } from './lib/nats-server';
export { spawnApp, workspaceRoot } from './lib/processes';
export type { AppExit, AppName, SpawnAppOptions, SpawnedApp } from './lib/processes';
export { startS3TestServer } from './lib/s3-test-server';
export type { S3TestServer } from './lib/s3-test-server';
