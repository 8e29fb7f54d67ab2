import { NestFactory } from '@nestjs/core';
import { loadWorkerConfig } from '@niyanta/config';
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

});
