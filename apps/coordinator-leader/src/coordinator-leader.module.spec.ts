import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { loadLeaderConfig } from '@niyanta/config';
import { leaderOptionsFromSettings, resolveLeaderOptions } from '@niyanta/leader';
import { CoordinatorLeaderModule } from './coordinator-leader.module';

const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', NATS_URL: 'nats://127.0.0.1:1', LOG_LEVEL: 'silent' };

/** Names of the modules, and of the classes they provide or serve, in the graph Nest resolved. */
function composition(app: INestApplication): { modules: string[]; classes: string[] } {
  const modules = [...app.get(ModulesContainer).values()];
  const classes = modules
    .flatMap((module) => [...module.providers.keys(), ...module.controllers.keys()])
    .filter((token): token is abstract new (...args: never[]) => unknown => typeof token === 'function')
    .map((token) => token.name);
  return { modules: modules.map((module) => module.metatype.name), classes };
}

describe(CoordinatorLeaderModule.name, () => {
  it('maps every leader variable onto the leader options', () => {
    const config = loadLeaderConfig({
      ...env,
      LEADER_ID: 'leader-7',
      WORKER_TIMEOUT: '9s',
      LEASE_TTL: '4s',
      LEASE_RENEW_INTERVAL: '1s',
      SCHEDULER_SWEEP_INTERVAL: '3s',
      ASSIGNMENT_ACK_TIMEOUT: '2s',
      RETRY_BASE_DELAY: '250ms',
      RETRY_MAX_DELAY: '20s',
      AUDIT_RETENTION: '7d',
    });
    expect(leaderOptionsFromSettings(config)).toEqual({
      leaderId: 'leader-7',
      workerTimeoutMs: 9_000,
      leaseTtlMs: 4_000,
      leaseRenewIntervalMs: 1_000,
      sweepIntervalMs: 3_000,
      assignmentAckTimeoutMs: 2_000,
      retryBaseDelayMs: 250,
      retryMaxDelayMs: 20_000,
      auditRetentionMs: 7 * 86_400_000,
    });
  });

  it('accepts every configuration the config loader accepts (the two validations agree)', () => {
    for (const overrides of [{}, { LEASE_TTL: '2s', LEASE_RENEW_INTERVAL: '1s' }, { RETRY_BASE_DELAY: '5m' }]) {
      expect(() => resolveLeaderOptions(leaderOptionsFromSettings(loadLeaderConfig({ ...env, ...overrides })))).not.toThrow();
    }
  });

  it('resolves its whole dependency graph without connecting', async () => {
    const app = await NestFactory.create(CoordinatorLeaderModule.forRoot(loadLeaderConfig(env)), {
      preview: true,
      logger: false,
      abortOnError: false,
    });
    try {
      const { modules, classes } = composition(app);
      expect(classes).toEqual(
        expect.arrayContaining([
          'HealthController',
          'MetricsController',
          'DataSource',
          'Broker',
          'LeaderElectionService',
          'SchedulerService',
          'HeartbeatReconcilerService',
        ]),
      );
      // A leader composes no API or worker code.
      expect(modules).toContain('LeaderModule');
      expect(modules).not.toContain('ApiHttpModule');
      expect(modules).not.toContain('WorkerRuntimeModule');
    } finally {
      await app.close();
    }
  });
});
