import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiConfig } from './api.config';
import { ConfigError } from './errors';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', NATS_URL: 'nats://127.0.0.1:4222' };

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadApiConfig.name, () => {
  it('reads CORS_ORIGINS as exact origins and refuses wildcards and paths', () => {
    expect(loadApiConfig({ ...required, CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    for (const bad of ['*', 'https://app.example.com/path', 'app.example.com', 'https://a.com,,https://b.com']) {
      expect(configErrorOf(() => loadApiConfig({ ...required, CORS_ORIGINS: bad })).message).toContain('CORS_ORIGINS');
    }
  });

  it('applies the documented defaults', () => {
    expect(loadApiConfig(required)).toEqual({
      port: 8080,
      logLevel: 'info',
      databaseUrl: required.DATABASE_URL,
      databaseSchema: 'public',
      databasePoolSize: 10,
      natsServers: ['nats://127.0.0.1:4222'],
      brokerPrefix: 'niyanta',
      shutdownTimeoutMs: 30_000,
      adminApiKey: undefined,
      bodyLimitBytes: 1_048_576,
      runMigrations: true,
      corsOrigins: [],
      auditOutboxDir: expect.stringMatching(/^.+\/niyanta-audit-outbox\/[0-9a-f]{16}$/),
      auditFlushIntervalMs: 20,
      authFailureWindowMs: 10_000,
      authThrottle: { burst: 30, perSecond: 1 },
      streamMaxPerCustomer: 100,
      httpMaxConnections: 10_000,
      httpBodyTimeoutMs: 10_000,
      httpHeadersTimeoutMs: 10_000,
    });
    expect(loadApiConfig(required).auditOutboxDir.startsWith(join(tmpdir(), 'niyanta-audit-outbox'))).toBe(true);
  });

  it('keeps the default audit outbox of each database and schema apart, whatever the credentials', () => {
    const dir = (env: Record<string, string>) => loadApiConfig({ ...required, ...env }).auditOutboxDir;
    const base = dir({});
    expect(dir({ DATABASE_URL: 'postgres://admin:secret@127.0.0.1:5432/test' })).toBe(base);
    expect(dir({ DATABASE_SCHEMA: 'tenant_b' })).not.toBe(base);
    expect(dir({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/other' })).not.toBe(base);
    expect(dir({ DATABASE_URL: 'postgres://postgres@db.internal:5432/test' })).not.toBe(base);
  });

  it('reads every variable', () => {
    const config = loadApiConfig({
      ...required,
      PORT: '9000',
      LOG_LEVEL: 'DEBUG',
      DATABASE_SCHEMA: 'tenant_a',
      DATABASE_POOL_SIZE: '25',
      BROKER_PREFIX: 'e2e_x1',
      SHUTDOWN_TIMEOUT: '10s',
      NIYANTA_ADMIN_API_KEY: 'admin-secret-key',
      BODY_LIMIT: '256kb',
      RUN_MIGRATIONS: 'false',
      AUDIT_OUTBOX_DIR: '/var/spool/niyanta-audit',
      AUDIT_FLUSH_INTERVAL: '250ms',
      AUTH_FAILURE_WINDOW: '1m',
      AUTH_THROTTLE_BURST: '50',
      AUTH_THROTTLE_RATE: '0.5',
      STREAM_MAX_PER_CUSTOMER: '5',
      HTTP_MAX_CONNECTIONS: '2000',
      HTTP_BODY_TIMEOUT: '3s',
      HTTP_HEADERS_TIMEOUT: '4s',
    });
    expect(config).toMatchObject({
      port: 9000,
      logLevel: 'debug',
      databaseSchema: 'tenant_a',
      databasePoolSize: 25,
      brokerPrefix: 'e2e_x1',
      shutdownTimeoutMs: 10_000,
      adminApiKey: 'admin-secret-key',
      bodyLimitBytes: 262_144,
      runMigrations: false,
      auditOutboxDir: '/var/spool/niyanta-audit',
      auditFlushIntervalMs: 250,
      authFailureWindowMs: 60_000,
      authThrottle: { burst: 50, perSecond: 0.5 },
      streamMaxPerCustomer: 5,
      httpMaxConnections: 2000,
      httpBodyTimeoutMs: 3000,
      httpHeadersTimeoutMs: 4000,
    });
    expect(loadApiConfig({ ...required, AUTH_THROTTLE_BURST: '0', AUTH_FAILURE_WINDOW: '0' })).toMatchObject({
      authThrottle: false,
      authFailureWindowMs: 0,
    });
  });

  it('names every missing required variable at once', () => {
    const error = configErrorOf(() => loadApiConfig({}));
    expect(error.issues.map((i) => i.variable)).toEqual(['DATABASE_URL', 'NATS_URL']);
    expect(error.message).toContain('DATABASE_URL: required (a postgres:// connection URL), but it is not set');
    expect(error.message).toContain('NATS_URL: required');
  });

  it('treats an empty or blank value as unset', () => {
    expect(loadApiConfig({ ...required, PORT: '', LOG_LEVEL: '  ' })).toMatchObject({ port: 8080, logLevel: 'info' });
    expect(configErrorOf(() => loadApiConfig({ ...required, DATABASE_URL: '' })).issues[0].variable).toBe('DATABASE_URL');
  });

  it('reports a malformed value with the variable, the expectation and the raw value', () => {
    const error = configErrorOf(() => loadApiConfig({ ...required, PORT: '80a', BODY_LIMIT: 'huge', LOG_LEVEL: 'loud' }));
    expect(error.message).toBe(
      [
        'Invalid coordinator-api configuration:',
        '  PORT: expected a port number from 0 to 65535, got "80a"',
        '  LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
        '  BODY_LIMIT: expected a positive size such as 512kb, 1mb or plain bytes, got "huge"',
      ].join('\n'),
    );
  });

  it('never echoes a secret value', () => {
    const error = configErrorOf(() =>
      loadApiConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x', NATS_URL: 'nats://127.0.0.1:4222', NIYANTA_ADMIN_API_KEY: 'short' }),
    );
    expect(error.issues.map((i) => i.variable)).toEqual(['DATABASE_URL', 'NIYANTA_ADMIN_API_KEY']);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('short');
  });

  it.each([
    ['PORT', '70000'],
    ['DATABASE_SCHEMA', 'Bad-Schema'],
    ['DATABASE_POOL_SIZE', '0'],
    ['BROKER_PREFIX', 'has.dot'],
    ['SHUTDOWN_TIMEOUT', 'soon'],
    ['RUN_MIGRATIONS', 'perhaps'],
    ['NATS_URL', 'http://127.0.0.1:4222'],
    ['AUDIT_FLUSH_INTERVAL', '2h'],
    ['AUDIT_FLUSH_INTERVAL', '0'],
  ])('rejects %s=%j', (variable, value) => {
    const error = configErrorOf(() => loadApiConfig({ ...required, [variable]: value }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].variable).toBe(variable);
  });

  it('returns a frozen config', () => {
    const config = loadApiConfig(required);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.natsServers)).toBe(true);
  });
});
