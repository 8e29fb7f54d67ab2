import { NestFactory } from '@nestjs/core';
import { DEFAULT_DEV_API_KEY, loadStandaloneConfig } from '@niyanta/config';
import { StandaloneModule } from './standalone.module';
import { startBanner } from './start-banner';
import { workloadDefinitions } from '@niyanta/worker-runtime';

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
    await app.close();
  });
});

describe(startBanner.name, () => {
  it('gives the docs URL, the dev key and a working curl example', () => {
    const banner = startBanner({
      url: 'http://localhost:8080',
      devApiKey: DEFAULT_DEV_API_KEY,
      embeddedDataDir: '/home/dev/niyanta/.data/postgres',
      inProcessBroker: true,
    });
    expect(banner).toContain('API docs (Swagger UI):  http://localhost:8080/docs');
    expect(banner).toContain('Dashboard:              http://localhost:8080/ui/');
    expect(banner).toContain(`Development API key:    ${DEFAULT_DEV_API_KEY}`);
    expect(banner).toContain(`curl -s -X POST http://localhost:8080/v1/workloads`);
    expect(banner).toContain(`-H 'Authorization: Bearer ${DEFAULT_DEV_API_KEY}'`);
    expect(banner).toContain(`-d '{"workload_type": "sleep", "input": {"duration_ms": 5000}}'`);
    expect(banner).toContain('embedded PostgreSQL (data in /home/dev/niyanta/.data/postgres), in-process broker');
  });

  it('names the configured stores when they are used', () => {
    const banner = startBanner({ url: 'http://localhost:9000', devApiKey: 'k', embeddedDataDir: undefined, inProcessBroker: false });
    expect(banner).toContain('PostgreSQL at DATABASE_URL, NATS at NATS_URL');
  });
});
