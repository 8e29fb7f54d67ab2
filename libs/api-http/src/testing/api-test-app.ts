import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Broker, BrokerModule } from '@niyanta/broker';
import type { MessageEnvelope } from '@niyanta/models';
import { ObservabilityModule } from '@niyanta/platform';
import { StateModule } from '@niyanta/state';
import { createTestSchema, uniqueBrokerPrefix, type TestSchema } from '@niyanta/testing';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { DataSource as DataSourceToken } from 'typeorm';
import { ApiHttpModule } from '../lib/api-http.module';
import type { ApiHttpOptions } from '../lib/api-http.options';
import type { ServerLimits } from '../lib/edge/server-limits';
import { configureHttpApp } from '../lib/http-app.config';

/** The operator key the test apps are configured with. */
export const TEST_ADMIN_KEY = 'test-operator-key-0123456789';

/** A running API on its own PostgreSQL schema and broker prefix, recording every published message. */
export interface ApiTestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  /** The suite's schema; also the `application_name` of the app's connections. */
  schema: string;
  prefix: string;
  /** Every message published under the prefix since the last {@link clearMessages}. */
  messages: Array<{ subject: string; message: MessageEnvelope }>;
  clearMessages(): void;
  /** Polls until `predicate` holds for the recorded messages (they are published after the response). */
  waitForMessages(predicate: (messages: ApiTestApp['messages']) => boolean, timeoutMs?: number): Promise<void>;
  /** Creates a customer and a key through the admin API. */
  createCustomer(name: string, tier?: string): Promise<{ customerId: string; key: string; keyId: string }>;
  close(): Promise<void>;
}

function withoutHttpAppOptions<T extends { corsOrigins?: unknown; server?: unknown }>(options: T): Omit<T, 'corsOrigins' | 'server'> {
  const { corsOrigins: _cors, server: _server, ...rest } = options;
  return rest;
}

/** Starts an API like the coordinator-api app composes it, with the in-process broker. */
export async function startApiTestApp(
  suite: string,
  options: Partial<ApiHttpOptions> & { bodyLimitBytes?: number; corsOrigins?: string[]; server?: Partial<ServerLimits> } = {},
): Promise<ApiTestApp> {
  const schema: TestSchema = await createTestSchema(suite);
  const prefix = uniqueBrokerPrefix(suite);
  const bodyLimitBytes = options.bodyLimitBytes ?? 64 * 1024;
  const moduleRef = await Test.createTestingModule({
    imports: [
      ObservabilityModule.forRoot({ serviceName: suite, logLevel: 'silent' }),
      StateModule.forRoot({ url: schema.url, schema: schema.schema, poolSize: 10, runMigrations: true, applicationName: schema.schema }),
      BrokerModule.forRoot({ kind: 'memory', prefix }),
      ApiHttpModule.forRoot({ adminApiKey: TEST_ADMIN_KEY, ...withoutHttpAppOptions(options), bodyLimitBytes }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureHttpApp(app, { bodyLimitBytes, swagger: true, corsOrigins: options.corsOrigins, server: options.server });
  await app.init();

  const messages: ApiTestApp['messages'] = [];
  await app.get(Broker).subscribe(`${prefix}.>`, (message, context) => {
    messages.push({ subject: context.subject, message });
  });
  const http = request(app.getHttpServer());

  return {
    app,
    http,
    dataSource: app.get(DataSourceToken),
    schema: schema.schema,
    prefix,
    messages,
    clearMessages: () => messages.splice(0, messages.length),
    waitForMessages: async (predicate, timeoutMs = 2000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) throw new Error(`expected messages did not arrive; got ${JSON.stringify(messages.map((m) => m.subject))}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    createCustomer: async (name, tier = 'standard') => {
      const created = await http.post('/v1/admin/customers').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).send({ name, tier });
      if (created.status !== 201) throw new Error(`creating customer failed: ${created.status} ${JSON.stringify(created.body)}`);
      const issued = await http
        .post(`/v1/admin/customers/${created.body.id}/api-keys`)
        .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`)
        .send({ name: 'test' });
      if (issued.status !== 201) throw new Error(`issuing key failed: ${issued.status} ${JSON.stringify(issued.body)}`);
      return { customerId: created.body.id, key: issued.body.key, keyId: issued.body.id };
    },
    close: async () => {
      await app.close();
      await schema.drop();
    },
  };
}

/** Asserts the one error shape, its status and code, and that `request_id` is the X-Request-Id header. */
export function expectError(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body).sort()).toEqual(['error']);
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message', 'request_id']);
  expect(typeof res.body.error.message).toBe('string');
  expect(Array.isArray(res.body.error.details)).toBe(true);
  expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
  expect(res.body.error.request_id).toEqual(expect.any(String));
}
