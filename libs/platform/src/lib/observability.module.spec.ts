import { Body, Controller, Get, INestApplication, Logger, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { ObservabilityModule, useStructuredLogger } from './observability.module';
import { currentRequestContext, ReadinessService, REDACTED, RequestContext } from '@niyanta/observability';

@Controller('items')
class ItemsController {
  private readonly logger = new Logger(ItemsController.name);

  @Get(':id')
  get(@Param('id') id: string): { id: string; context: RequestContext | undefined } {
    this.logger.log(`reading item ${id}`);
    return { id, context: currentRequestContext() };
  }

  @Post()
  create(@Body() body: unknown): unknown {
    return body;
  }

  @Get('boom/now')
  boom(): never {
    throw new Error('exploded');
  }
}

class LogCollector {
  readonly lines: Array<Record<string, unknown>> = [];
  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  text(): string {
    return this.lines.map((l) => JSON.stringify(l)).join('\n');
  }
}

async function createApp(logs: LogCollector, viaTestingModule = false): Promise<INestApplication> {
  @Module({
    imports: [ObservabilityModule.forRoot({ serviceName: 'test-service', logLevel: 'info', destination: logs, readinessTimeoutMs: 200 })],
    controllers: [ItemsController],
  })
  class AppModule {}

  if (viaTestingModule) {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }
  const app = await NestFactory.create(AppModule, { bufferLogs: true, abortOnError: false });
  useStructuredLogger(app);
  await app.init();
  return app;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe(ObservabilityModule.name, () => {
  let logs: LogCollector;
  let app: INestApplication;

  beforeEach(async () => {
    logs = new LogCollector();
    app = await createApp(logs);
  });

  afterEach(async () => {
    await app.close();
  });

  describe('request ids', () => {
    it('generates a UUID when the client sends none', async () => {
      const res = await request(app.getHttpServer()).get('/items/1').expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.body.context.requestId).toBe(res.headers['x-request-id']);
    });

    it('echoes a sane client id', async () => {
      const res = await request(app.getHttpServer()).get('/items/1').set('X-Request-Id', 'client.req-42_a').expect(200);
      expect(res.headers['x-request-id']).toBe('client.req-42_a');
    });

    it.each([
      ['too long', 'a'.repeat(129)],
      ['unsafe characters', 'abc"}\n{"injected":1'.replace('\n', ' ')],
      ['spaces', 'two words'],
    ])('replaces a client id that is %s', async (_why, id) => {
      const res = await request(app.getHttpServer()).get('/items/1').set('X-Request-Id', id).expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('accepts an id of exactly 128 characters', async () => {
      const id = 'b'.repeat(128);
      const res = await request(app.getHttpServer()).get('/items/1').set('X-Request-Id', id).expect(200);
      expect(res.headers['x-request-id']).toBe(id);
    });

    it.each([
      ['a 404', (s: request.Agent) => s.get('/no/such/route'), 404],
      ['a 500', (s: request.Agent) => s.get('/items/boom/now'), 500],
      ['malformed JSON', (s: request.Agent) => s.post('/items').set('Content-Type', 'application/json').send('{"a":'), 400],
      ['/health', (s: request.Agent) => s.get('/health'), 200],
      ['/metrics', (s: request.Agent) => s.get('/metrics'), 200],
    ])('is set on %s', async (_what, send, status) => {
      const res = await send(request.agent(app.getHttpServer())).set('X-Request-Id', 'trace-me');
      expect(res.status).toBe(status);
      expect(res.headers['x-request-id']).toBe('trace-me');
    });

    it('uses X-Correlation-Id for the correlation id, else the request id', async () => {
      const withHeader = await request(app.getHttpServer()).get('/items/1').set('X-Correlation-Id', 'flow-7').expect(200);
      expect(withHeader.body.context.correlationId).toBe('flow-7');
      const without = await request(app.getHttpServer()).get('/items/1').expect(200);
      expect(without.body.context.correlationId).toBe(without.headers['x-request-id']);
    });
  });

  describe('logs', () => {
    it('writes JSON lines with service, request id and correlation id', async () => {
      await request(app.getHttpServer()).get('/items/9').set('X-Request-Id', 'req-9').set('X-Correlation-Id', 'corr-9').set('User-Agent', 'probe/1').expect(200);
      const appLine = logs.lines.find((l) => l['msg'] === 'reading item 9');
      expect(appLine).toMatchObject({ service: 'test-service', requestId: 'req-9', correlationId: 'corr-9', level: 30 });
      const completed = logs.lines.find((l) => l['msg'] === 'request completed');
      expect(completed).toMatchObject({ service: 'test-service', requestId: 'req-9', req: { method: 'GET', url: '/items/9', userAgent: 'probe/1' }, res: { statusCode: 200 } });
      // A compact line: no header block.
      expect(Object.keys(completed?.['req'] as object).sort()).toEqual(['method', 'remoteAddress', 'url', 'userAgent']);
    });

    it('writes no request header but the user agent, so no credential header reaches the logs', async () => {
      await request(app.getHttpServer())
        .get('/items/1')
        .set('Authorization', 'Bearer sk-live-secret-1')
        .set('X-Api-Key', 'sk-live-secret-2')
        .set('Niyanta-Admin-Api-Key', 'sk-live-secret-3')
        .set('Cookie', 'session=sk-live-secret-4')
        .set('X-Other', 'visible-value')
        .expect(200);
      const completed = logs.lines.find((l) => l['msg'] === 'request completed') as { req: Record<string, unknown> };
      expect(completed.req).not.toHaveProperty('headers');
      expect(logs.text()).not.toMatch(/sk-live-secret|visible-value/);
    });

    it('redacts credential query parameters (api_key, access_token, key, token, any case) in url and query', async () => {
      await request(app.getHttpServer())
        .get('/items/1?api_key=sk-live-secret-5&Access_Token=sk-live-secret-6&KEY=sk-live-secret-7&token=sk-live-secret-8&keep=visible')
        .expect(200);
      const completed = logs.lines.find((l) => l['msg'] === 'request completed') as { req: { url: string; query?: Record<string, string> } };
      expect(completed.req.url).toBe(`/items/1?api_key=${REDACTED}&Access_Token=${REDACTED}&KEY=${REDACTED}&token=${REDACTED}&keep=visible`);
      expect(logs.text()).not.toMatch(/sk-live-secret/);
      expect(logs.text()).toContain('visible');
    });

    it('does not log polls of /health, /ready and /metrics', async () => {
      await request(app.getHttpServer()).get('/health').expect(200);
      await request(app.getHttpServer()).get('/ready').expect(200);
      await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(logs.lines.filter((l) => l['msg'] === 'request completed')).toEqual([]);
    });

    it('logs failed requests at error level', async () => {
      await request(app.getHttpServer()).get('/items/boom/now').expect(500);
      expect(logs.lines.find((l) => l['msg'] === 'request errored' || l['msg'] === 'request completed')).toMatchObject({ level: 50 });
    });
  });

  describe('metrics', () => {
    it('exports process metrics and request durations labelled by route template and status class', async () => {
      await request(app.getHttpServer()).get('/items/123').expect(200);
      await request(app.getHttpServer()).get('/items/456').expect(200);
      await request(app.getHttpServer()).get('/random/path/abc').expect(404);
      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toContain('process_cpu_user_seconds_total');
      expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status_class="2xx"\} \d+/);
      expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status_class="4xx"\} \d+/);
      expect(res.text).not.toContain('/items/123');
      expect(res.text).not.toContain('/random/path');
    });
  });

  describe('health and readiness', () => {
    it('GET /health is 200 {status: ok}', async () => {
      const res = await request(app.getHttpServer()).get('/health').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('GET /ready is 200 when every check passes, with details', async () => {
      const readiness = app.get(ReadinessService);
      readiness.register('postgres', async () => undefined);
      readiness.register('broker', async () => undefined);
      readiness.setDetails('leader', { isLeader: true, generation: 3 });
      const res = await request(app.getHttpServer()).get('/ready').expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        checks: { postgres: { ok: true }, broker: { ok: true } },
        details: { leader: { isLeader: true, generation: 3 } },
      });
    });

    it('GET /ready is 503 naming the failing dependency', async () => {
      const readiness = app.get(ReadinessService);
      readiness.register('postgres', async () => undefined);
      readiness.register('broker', async () => {
        throw new Error('connection refused');
      });
      const res = await request(app.getHttpServer()).get('/ready').expect(503);
      expect(res.body).toEqual({
        status: 'unavailable',
        checks: { postgres: { ok: true }, broker: { ok: false, error: 'connection refused' } },
      });
    });

    it('GET /ready treats a hanging check as failed', async () => {
      app.get(ReadinessService).register('postgres', () => new Promise<void>(() => undefined));
      const res = await request(app.getHttpServer()).get('/ready').expect(503);
      expect(res.body.checks.postgres).toEqual({ ok: false, error: 'timed out after 200ms' });
    });
  });

  it('keeps /health, /ready and /metrics out of the OpenAPI document', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(Object.keys(document.paths).sort()).toEqual(['/items', '/items/boom/now', '/items/{id}']);
  });
});

describe(`${ObservabilityModule.name} in a testing module`, () => {
  it('still sets request ids and serves health (middleware bound through configure)', async () => {
    const logs = new LogCollector();
    const app = await createApp(logs, true);
    try {
      const ok = await request(app.getHttpServer()).get('/items/1').set('X-Request-Id', 'tm-1').expect(200);
      expect(ok.headers['x-request-id']).toBe('tm-1');
      expect(ok.body.context.requestId).toBe('tm-1');
      const missing = await request(app.getHttpServer()).get('/nope').expect(404);
      expect(missing.headers['x-request-id']).toMatch(UUID);
      await request(app.getHttpServer()).get('/health').expect(200);
    } finally {
      await app.close();
    }
  });
});
