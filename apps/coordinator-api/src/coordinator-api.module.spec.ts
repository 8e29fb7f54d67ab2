import { NestFactory } from '@nestjs/core';
import { buildOpenApiDocument } from '@niyanta/api-http';
import { loadApiConfig } from '@niyanta/config';
import { CoordinatorApiModule } from './coordinator-api.module';

const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', NATS_URL: 'nats://127.0.0.1:1', LOG_LEVEL: 'silent' };

describe(CoordinatorApiModule.name, () => {
  it('resolves its whole dependency graph without connecting, and publishes only the /v1 API', async () => {
    const app = await NestFactory.create(CoordinatorApiModule.forRoot(loadApiConfig(env)), {
      preview: true,
      logger: false,
      abortOnError: false,
    });
    try {
      const paths = Object.keys(buildOpenApiDocument(app).paths);
      expect(paths).toContain('/v1/workloads');
      expect(paths.filter((p) => !p.startsWith('/v1/'))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
