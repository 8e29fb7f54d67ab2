import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestSchema, spawnApp, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

/**
 * Tracing with the real processes: coordinator-api, coordinator-leader and a worker export spans
 * over OTLP/HTTP (JSON) to a receiver this test runs, configured only by the standard OTEL_*
 * variables. One workload must yield one trace holding spans of all three services, each span's
 * parent inside that trace.
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: OtlpValue }>;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
}

/** A minimal OTLP/HTTP trace receiver: collects the spans of every JSON export posted to /v1/traces. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !(req.headers['content-type'] ?? '').includes('json')) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resourceSpans.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ ...span, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

const attribute = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;

const ADMIN_KEY = `admin-${randomUUID()}`;

describe('tracing across api → leader → worker (processes, OTLP)', () => {
  let schema: TestSchema;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const apps: SpawnedApp[] = [];
  let api: SpawnedApp;
  let key: string;
  const prefix = `e2e_trace_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    schema = await createTestSchema('e2e_tracing');
    receiver = await startReceiver();
    const env = {
      ...appEnv(schema, prefix),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    };
    api = await spawnApp('coordinator-api', { ...env, NIYANTA_ADMIN_API_KEY: ADMIN_KEY, RUN_MIGRATIONS: 'true' });
    apps.push(api);
    apps.push(await spawnApp('coordinator-leader', { ...env, WORKER_TIMEOUT: '3s' }));
    apps.push(await spawnApp('worker', { ...env, WORKER_ID: `trace-${process.pid}`, HEARTBEAT_INTERVAL: '500ms' }));
    key = await issueCustomerKey(api.url, ADMIN_KEY, { name: 'traced', tier: 'standard' });
    await eventually('a live worker', async () => {
      const res = await http<{ items: Array<{ status: string }> }>(api.url, 'GET', '/v1/workers', { key });
      return res.body.items?.some((w) => w.status === 'ACTIVE') ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await new Promise((resolve) => receiver?.server.close(resolve));
    await schema?.drop();
  }, 60_000);

  it('one workload yields one trace: submit → scheduling pass → assignment → execution with checkpoints → completion, parents intact', async () => {
    const submitted = await http<{ id: string }>(api.url, 'POST', '/v1/workloads', {
      key,
      body: { workload_type: 'sleep', input: { duration_ms: 300, steps: 3 } },
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    await eventually(`workload ${id} to complete`, async () => {
      const res = await http<{ status: string }>(api.url, 'GET', `/v1/workloads/${id}`, { key });
      return res.body.status === 'COMPLETED' ? true : undefined;
    });

    const trace = await eventually(
      'the whole trace at the receiver',
      async () => {
        const root = receiver.spans.find((s) => s.name === 'workload.submit' && attribute(s, 'niyanta.workload_id') === id);
        if (!root) return undefined;
        const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
        const names = new Set(spans.map((s) => s.name));
        const complete = ['scheduling.pass', 'workload.assign', 'workload.execute', 'workload.checkpoint', 'workload.complete'].every((n) => names.has(n));
        return complete ? { root, spans } : undefined;
      },
      30_000,
    ).catch((error: unknown) => {
      const seen = receiver.spans.map((s) => `${s.service} ${s.name} ${s.traceId.slice(0, 8)}`).join('\n');
      throw new Error(`${String(error)}; spans received:\n${seen}\n${apps.map((a) => a.logs().slice(-3000)).join('\n----\n')}`);
    });

    const { root, spans } = trace;
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['coordinator-api', 'coordinator-leader', 'worker']));
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const only = (name: string) => {
      const found = byName(name);
      expect({ name, count: found.length }).toEqual({ name, count: 1 });
      return found[0] as ReceivedSpan;
    };
    const pass = only('scheduling.pass');
    const assign = only('workload.assign');
    const execute = only('workload.execute');
    const complete = only('workload.complete');
    // The chain, process by process.
    expect(root.parentSpanId ?? '').toBe('');
    expect(root.service).toBe('coordinator-api');
    expect({ service: pass.service, parent: pass.parentSpanId }).toEqual({ service: 'coordinator-leader', parent: root.spanId });
    expect({ service: assign.service, parent: assign.parentSpanId }).toEqual({ service: 'coordinator-leader', parent: pass.spanId });
    expect({ service: execute.service, parent: execute.parentSpanId }).toEqual({ service: 'worker', parent: assign.spanId });
    expect(complete.parentSpanId).toBe(execute.spanId);
    const checkpoints = byName('workload.checkpoint');
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    for (const checkpoint of checkpoints) expect(checkpoint.parentSpanId).toBe(execute.spanId);
    // Every parent is a span of this trace: nothing dangles.
    const ids = new Set(spans.map((s) => s.spanId));
    for (const span of spans) if (span !== root) expect({ span: span.name, parentInTrace: ids.has(span.parentSpanId ?? '') }).toEqual({ span: span.name, parentInTrace: true });
  });
});
