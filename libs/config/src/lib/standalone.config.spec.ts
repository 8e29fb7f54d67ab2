import { loadStandaloneConfig } from './standalone.config';

describe(loadStandaloneConfig.name, () => {
  it('starts with no variables at all: embedded stores, every feature on defaults', () => {
    const config = loadStandaloneConfig({});
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      natsServers: undefined,
      runMigrations: true,
      bodyLimitBytes: 1_048_576,
      workerTimeoutMs: 15_000,
      workerCapacity: 4,
      heartbeatIntervalMs: 5_000,
      dataDir: '.data',
      auditOutboxDir: '.data/audit-outbox',
      embeddedPostgresPort: 54329,
      // No key in the code: the process generates one per data directory.
      devApiKey: undefined,
      host: '127.0.0.1',
    });
    expect(config.leaderId).not.toBe('');
    expect(config.workerId).not.toBe('');
  });

  it('uses real stores when they are given', () => {
    const config = loadStandaloneConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      NATS_URL: 'nats://127.0.0.1:4222',
      DATA_DIR: '/var/lib/niyanta',
      EMBEDDED_POSTGRES_PORT: '55000',
      NIYANTA_DEV_API_KEY: 'nyk_mykey123_abcdefghijklmnopqrstuvwxyz',
      HOST: '0.0.0.0',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      natsServers: ['nats://127.0.0.1:4222'],
      dataDir: '/var/lib/niyanta',
      auditOutboxDir: '/var/lib/niyanta/audit-outbox',
      embeddedPostgresPort: 55000,
      devApiKey: 'nyk_mykey123_abcdefghijklmnopqrstuvwxyz',
      host: '0.0.0.0',
    });
  });

  it('validates the leader and worker variables too', () => {
    expect(() => loadStandaloneConfig({ WORKER_CAPACITY: 'abc', LEASE_TTL: 'x', EMBEDDED_POSTGRES_PORT: '0' })).toThrow(
      /Invalid standalone configuration:\n {2}LEASE_TTL: .*\n {2}WORKER_CAPACITY: expected a positive integer, got "abc"\n {2}EMBEDDED_POSTGRES_PORT: /,
    );
  });

  it('requires the dev key to have the API key format, without echoing it', () => {
    expect(() => loadStandaloneConfig({ NIYANTA_DEV_API_KEY: 'letmein-please' })).toThrow(
      'NIYANTA_DEV_API_KEY: expected an API key of the form nyk_<8 lower-case letters or digits>_<16-128 letters or digits>, got a value',
    );
    expect(() => loadStandaloneConfig({ NIYANTA_DEV_API_KEY: 'letmein-please' })).not.toThrow(/letmein/);
  });

  it('requires the heartbeat to be faster than the worker timeout', () => {
    expect(() => loadStandaloneConfig({ HEARTBEAT_INTERVAL: '20s' })).toThrow(
      'HEARTBEAT_INTERVAL: must be shorter than WORKER_TIMEOUT (15000ms), got 20000ms',
    );
  });

  it('applies the leader cross-checks', () => {
    expect(() => loadStandaloneConfig({ LEASE_RENEW_INTERVAL: '10s' })).toThrow('LEASE_RENEW_INTERVAL: must be at most half of LEASE_TTL');
  });
});
