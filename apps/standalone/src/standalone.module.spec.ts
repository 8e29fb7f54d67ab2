import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { loadStandaloneConfig } from '@niyanta/config';
import { StandaloneModule } from './standalone.module';
import { startBanner } from './start-banner';
import { workloadDefinitions } from '@niyanta/worker-runtime';

/** Names of the modules, and of the classes they provide or serve, in the graph Nest resolved. */
function composition(app: INestApplication): { modules: string[]; classes: string[] } {
  const modules = [...app.get(ModulesContainer).values()];
  const classes = modules
    .flatMap((module) => [...module.providers.keys(), ...module.controllers.keys()])
    .filter((token): token is abstract new (...args: never[]) => unknown => typeof token === 'function')
    .map((token) => token.name);
  return { modules: modules.map((module) => module.metatype.name), classes };
}

describe(StandaloneModule.name, () => {
  it.each([
    ['embedded stores', {}],
    ['NATS', { NATS_URL: 'nats://127.0.0.1:1' }],
  ])('composes API, leader and worker in one dependency graph (%s) without connecting', async (_what, env) => {
    const config = loadStandaloneConfig({ LOG_LEVEL: 'silent', ...env });
    const module = StandaloneModule.forRoot(config, {
      databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
      prettyLogs: false,
      definitions: workloadDefinitions(config.workloadModules),
    });
    const app = await NestFactory.create(module, { preview: true, logger: false, abortOnError: false });
    try {
      const { modules, classes } = composition(app);
      expect(modules).toEqual(expect.arrayContaining(['StateModule', 'BrokerModule', 'ApiHttpModule', 'LeaderModule', 'WorkerRuntimeModule']));
      expect(classes).toEqual(
        expect.arrayContaining([
          'WorkloadsController',
          'HealthController',
          'MetricsController',
          'LeaderElectionService',
          'SchedulerService',
          'ExecutionEngine',
          'WorkerRuntimeService',
        ]),
      );
    } finally {
      await app.close();
    }
  });
});

const DEV_KEY = 'nyk_abcd1234_generatedPerDataDirectory0001';
const KEYS = { devApiKey: DEV_KEY, adminApiKey: 'nyadmin_generated', host: '127.0.0.1', keyFiles: ['/d/dev-api-key', '/d/dev-admin-key'] };

describe(startBanner.name, () => {
  it('gives the docs URL, both keys, where they are kept and a working curl example', () => {
    const banner = startBanner({
      url: 'http://localhost:8080',
      ...KEYS,
      embeddedDataDir: '/home/dev/niyanta/.data/postgres',
      inProcessBroker: true,
    });
    expect(banner).toContain('Admin API key:          nyadmin_generated');
    expect(banner).toContain('(kept in /d/dev-api-key and /d/dev-admin-key; delete them for new keys)');
    expect(banner).not.toContain('Listening on');
    expect(banner).toContain('API docs (Swagger UI):  http://localhost:8080/docs');
    expect(banner).toContain('Dashboard:              http://localhost:8080/ui/');
    expect(banner).toContain(`Development API key:    ${DEV_KEY}`);
    expect(banner).toContain(`curl -s -X POST http://localhost:8080/v1/workloads`);
    expect(banner).toContain(`-H 'Authorization: Bearer ${DEV_KEY}'`);
    expect(banner).toContain(`-d '{"workload_type": "sleep", "input": {"duration_ms": 5000}}'`);
    expect(banner).toContain('embedded PostgreSQL (data in /home/dev/niyanta/.data/postgres), in-process broker');
  });

  it('names the configured stores when they are used', () => {
    const banner = startBanner({ url: 'http://localhost:9000', ...KEYS, keyFiles: [], embeddedDataDir: undefined, inProcessBroker: false });
    expect(banner).toContain('PostgreSQL at DATABASE_URL, NATS at NATS_URL');
    expect(banner).not.toContain('kept in');
  });

  it('warns when HOST makes it listen beyond this machine', () => {
    const banner = startBanner({ url: 'http://localhost:8080', ...KEYS, host: '0.0.0.0', embeddedDataDir: undefined, inProcessBroker: true });
    expect(banner).toContain('Listening on 0.0.0.0 (HOST)');
  });
});
