import { ConfigError } from './errors';
import { loadLeaderConfig } from './leader.config';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', NATS_URL: 'nats://127.0.0.1:4222' };

describe(loadLeaderConfig.name, () => {
  it('applies the documented defaults', () => {
    const config = loadLeaderConfig(required);
    expect(config).toMatchObject({
      port: 8081,
      runMigrations: false,
      workerTimeoutMs: 15_000,
      leaseTtlMs: 4_000,
      leaseRenewIntervalMs: 1_000,
      schedulerSweepIntervalMs: 2_000,
      assignmentAckTimeoutMs: 5_000,
      retryBaseDelayMs: 1_000,
      retryMaxDelayMs: 300_000,
      auditRetentionMs: 30 * 86_400_000,
    });
    expect(config.leaderId).toMatch(new RegExp(`^[A-Za-z0-9_-]+-${process.pid}-[0-9a-f]{6}$`));
  });

  it('reads AUDIT_RETENTION in days or any duration unit', () => {
    expect(loadLeaderConfig({ ...required, AUDIT_RETENTION: '90d' }).auditRetentionMs).toBe(90 * 86_400_000);
    expect(loadLeaderConfig({ ...required, AUDIT_RETENTION: '12h' }).auditRetentionMs).toBe(12 * 3_600_000);
    expect(() => loadLeaderConfig({ ...required, AUDIT_RETENTION: '0d' })).toThrow('AUDIT_RETENTION');
    expect(() => loadLeaderConfig({ ...required, AUDIT_RETENTION: 'forever' })).toThrow('AUDIT_RETENTION');
  });

  it('generates a different default id per load (two candidates on one host never collide)', () => {
    expect(loadLeaderConfig(required).leaderId).not.toBe(loadLeaderConfig(required).leaderId);
  });

  it('reads durations in every unit', () => {
    const config = loadLeaderConfig({
      ...required,
      LEADER_ID: 'leader-a',
      WORKER_TIMEOUT: '2m',
      LEASE_TTL: '1500ms',
      LEASE_RENEW_INTERVAL: '500',
      SCHEDULER_SWEEP_INTERVAL: '1h',
      ASSIGNMENT_ACK_TIMEOUT: '3s',
      RETRY_BASE_DELAY: '100ms',
      RETRY_MAX_DELAY: '10s',
    });
    expect(config).toMatchObject({
      leaderId: 'leader-a',
      workerTimeoutMs: 120_000,
      leaseTtlMs: 1_500,
      leaseRenewIntervalMs: 500,
      schedulerSweepIntervalMs: 3_600_000,
      assignmentAckTimeoutMs: 3_000,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 10_000,
    });
  });

  it('requires at least two lease renewals per TTL', () => {
    expect(() => loadLeaderConfig({ ...required, LEASE_TTL: '1s', LEASE_RENEW_INTERVAL: '501ms' })).toThrow(
      'LEASE_RENEW_INTERVAL: must be at most half of LEASE_TTL (1000ms), got 501ms',
    );
    expect(loadLeaderConfig({ ...required, LEASE_TTL: '1s', LEASE_RENEW_INTERVAL: '500ms' }).leaseRenewIntervalMs).toBe(500);
  });

  it('requires the retry base delay not to exceed the maximum', () => {
    expect(() => loadLeaderConfig({ ...required, RETRY_BASE_DELAY: '10m' })).toThrow(
      'RETRY_BASE_DELAY: must not exceed RETRY_MAX_DELAY (300000ms), got 600000ms',
    );
  });

  it('names a malformed duration', () => {
    expect(() => loadLeaderConfig({ ...required, WORKER_TIMEOUT: 'forever' })).toThrow(
      'WORKER_TIMEOUT: expected a positive duration such as 500ms, 5s, 2m, 1h or plain milliseconds, got "forever"',
    );
  });

  it('rejects a leader id with spaces', () => {
    expect(() => loadLeaderConfig({ ...required, LEADER_ID: 'leader one' })).toThrow(ConfigError);
  });
});
