import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { loadWorkerConfig } from '@niyanta/config';
import { WorkerModule } from './worker.module';
import { workloadDefinitions } from '@niyanta/worker-runtime';

// Unreachable on purpose: preview mode must not connect.
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

describe(WorkerModule.name, () => {
  it('resolves its whole dependency graph from the default configuration without connecting', async () => {
    const module = WorkerModule.forRoot(loadWorkerConfig(env), workloadDefinitions([]));
    const app = await NestFactory.create(module, { preview: true, logger: false, abortOnError: false });
    try {
      const { modules, classes } = composition(app);
      expect(classes).toEqual(
        expect.arrayContaining(['HealthController', 'MetricsController', 'DataSource', 'Broker', 'ExecutionEngine', 'WorkerRuntimeService']),
      );
      // A worker composes no API or leader code.
      expect(modules).toContain('WorkerRuntimeModule');
      expect(modules).not.toContain('ApiHttpModule');
      expect(modules).not.toContain('LeaderModule');
    } finally {
      await app.close();
    }
  });

  it('rejects WORKER_TYPES naming a type no module provides', () => {
    expect(() => WorkerModule.forRoot(loadWorkerConfig({ ...env, WORKER_TYPES: 'render' }), workloadDefinitions([]))).toThrow(
      /type "render" is not provided/,
    );
  });
});
