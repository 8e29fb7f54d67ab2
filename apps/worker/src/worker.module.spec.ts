import { NestFactory } from '@nestjs/core';
import { loadWorkerConfig } from '@niyanta/config';
import { BrokerHealth } from '@niyanta/broker';
import { ReadinessService } from '@niyanta/observability';
import { StateHealth } from '@niyanta/state';
import { WorkerModule } from './worker.module';
import { workloadDefinitions } from '@niyanta/worker-runtime';

// Unreachable on purpose: preview mode must not connect.
const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', NATS_URL: 'nats://127.0.0.1:1', LOG_LEVEL: 'silent' };

describe(WorkerModule.name, () => {
  it('resolves its whole dependency graph from the default configuration without connecting', async () => {
    const module = WorkerModule.forRoot(loadWorkerConfig(env), workloadDefinitions([]));
    const app = await NestFactory.create(module, { preview: true, logger: false, abortOnError: false });
    await app.close();
  });

  it('rejects WORKER_TYPES naming a type no module provides', () => {
    expect(() => WorkerModule.forRoot(loadWorkerConfig({ ...env, WORKER_TYPES: 'render' }), workloadDefinitions([]))).toThrow(
      /type "render" is not provided/,
    );
  });

  it('reports PostgreSQL and the broker in /ready', async () => {
    const readiness = new ReadinessService();
    const module = new WorkerModule(readiness, { ping: async () => undefined } as unknown as StateHealth, {
      ping: async () => Promise.reject(new Error('disconnected')),
    } as unknown as BrokerHealth);
    module.onModuleInit();
    expect(await readiness.report()).toEqual({
      status: 'unavailable',
      checks: { postgres: { ok: true }, broker: { ok: false, error: 'disconnected' } },
    });
  });
});
