import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestSchema, eventually, spawnApp, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { WebSocket } from 'ws';
import { parse } from 'yaml';
import { OPENAPI_PATH } from '../openapi-document';
import { validateSample } from '../sample-validator';
import { generateGoTypes } from './go-types.generator';

// Proves that docs/openapi.yaml describes what the server really sends, in a form Go can use: a
// running standalone answers every documented operation, each response body is written to a file
// named after the component the document promises for that status, and a Go program decodes each
// into the types generated from the document with DisallowUnknownFields. The same bodies are
// checked against the schema for what Go cannot see (required fields, nulls, integers).
//
// Needs the `go` command (Debian: golang-go, standard library only; .ci/run installs it). Without
// it the suite fails rather than skips: a check whose tool is missing has not passed.

const root = resolve(__dirname, '..', '..', '..');
const goVersion = spawnSync('go', ['version'], { encoding: 'utf8' });

const ADMIN_KEY = `admin-${randomUUID()}`;
const DEV_KEY = 'nyk_gocheck1_goCompatibilityCheckKey0123456789';

type Document = {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>;
};

interface Sample {
  schema: string;
  label: string;
  body: unknown;
}

describe('docs/openapi.yaml from Go (real responses of a running standalone)', () => {
  const document = parse(readFileSync(resolve(root, OPENAPI_PATH), 'utf8')) as Document & Record<string, unknown>;
  const operations = new Map<string, { method: string; path: string; responses: Document['paths'][string][string]['responses'] }>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) operations.set(operation.operationId, { method, path, responses: operation.responses });
  }
  const samples: Sample[] = [];
  const covered = new Set<string>();
  const problems: string[] = [];
  let schema: TestSchema;
  let app: SpawnedApp;
  let dataDir: string;

  /** Calls a documented operation and records its response under the component the document names for its status. */
  async function call<T = Record<string, unknown>>(
    operationId: string,
    params: Record<string, string>,
    options: { key?: string; body?: unknown; query?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T }> {
    const operation = operations.get(operationId);
    if (!operation) throw new Error(`the document has no operation ${operationId}`);
    const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
    const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? DEV_KEY}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${app.url}${path}${options.query ?? ''}`, {
      method: operation.method.toUpperCase(),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : null) as T;
    const documented = operation.responses[String(res.status)];
    if (!documented) {
      problems.push(`${operationId} answered ${res.status}, which the document does not list: ${text.slice(0, 200)}`);
    } else {
      const ref = documented.content?.['application/json']?.schema?.$ref;
      if (ref) samples.push({ schema: ref.replace('#/components/schemas/', ''), label: `${operationId}-${res.status}-${samples.length}`, body });
      else if (text) problems.push(`${operationId} ${res.status} has a body the document does not describe`);
    }
    if (res.status < 300) covered.add(operationId);
    return { status: res.status, body };
  }

  const statusOf = async (id: string, wanted: string[]) =>
    eventually(`workload ${id} to be ${wanted.join('|')}`, async () => {
      const res = await fetch(`${app.url}/v1/workloads/${id}`, { headers: { authorization: `Bearer ${DEV_KEY}` } });
      const body = (await res.json()) as { status: string };
      return wanted.includes(body.status) ? body : undefined;
    }, 30_000);

  beforeAll(async () => {
    if (goVersion.status !== 0) {
      throw new Error('the Go compatibility check of docs/openapi.yaml needs `go` on PATH: apt-get install golang-go (.ci/run installs it)');
    }
    schema = await createTestSchema('openapi_go');
    dataDir = mkdtempSync(join(tmpdir(), 'niyanta-go-'));
    app = await spawnApp('standalone', {
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.schema,
      RUN_MIGRATIONS: 'true',
      DATA_DIR: dataDir,
      NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
      NIYANTA_DEV_API_KEY: DEV_KEY,
      NATS_URL: undefined,
      RETRY_BASE_DELAY: '50ms',
      RETRY_MAX_DELAY: '200ms',
      LOG_LEVEL: 'warn',
    });
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await schema?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers every documented operation with bodies that decode into the Go types', async () => {
    const admin = { key: ADMIN_KEY };
    // Customers, keys, tiers and type configs (operator API).
    const customer = await call<{ id: string }>('adminCreateCustomer', {}, { ...admin, body: { name: 'Go check', tier: 'standard' } });
    const id = customer.body.id;
    await call('adminGetCustomer', { id }, admin);
    await call('adminListCustomers', {}, { ...admin, query: '?limit=5' });
    await call('adminUpdateCustomer', { id }, { ...admin, body: { tier: 'premium' } });
    const issued = await call<{ id: string; key: string }>('adminIssueApiKey', { id }, { ...admin, body: { name: 'go', expires_at: '2099-01-01T00:00:00Z' } });
    await call('adminListApiKeys', { id }, admin);
    await call('adminSuspendCustomer', { id }, admin);
    await call('adminUnsuspendCustomer', { id }, admin);
    await call('adminRevokeApiKey', { id: issued.body.id }, admin);
    await call('adminListTiers', {}, admin);
    await call('adminPutTier', { name: 'go-check' }, { ...admin, body: { requests_per_second: 50, burst: 100, max_running: 10, scheduling_weight: 5, max_priority: 900 } });
    await call('adminListWorkloadTypes', {}, admin);
    await call('adminUpdateWorkloadType', { type: 'flaky' }, { ...admin, body: { max_retries: 0 } });

    // The live stream, open while the workloads below run.
    const messages: unknown[] = [];
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/v1/stream`, { headers: { authorization: `Bearer ${DEV_KEY}` } });
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolveOpen, reject) => {
      ws.once('open', resolveOpen);
      ws.once('error', reject);
    });
    covered.add('streamWorkloads');

    // Workloads through their whole lifecycle.
    const done = await call<{ id: string }>('submitWorkload', {}, { body: { workload_type: 'sleep', input: { duration_ms: 200, steps: 2 }, labels: { suite: 'go' } } });
    await call('submitWorkload', {}, { body: { workload_type: 'sleep', input: { duration_ms: 1 } }, headers: { 'idempotency-key': 'go-1' } });
    await call('submitWorkload', {}, { body: { workload_type: 'sleep', input: { duration_ms: 1 } }, headers: { 'idempotency-key': 'go-1' } });
    const batch = await call<{ items: Array<{ id: string }> }>('submitWorkloadBatch', {}, {
      body: { items: [{ workload_type: 'sleep', input: { duration_ms: 60_000, steps: 60 } }, { workload_type: 'sleep', input: { duration_ms: 60_000 } }] },
    });
    const failing = await call<{ id: string }>('submitWorkload', {}, { body: { workload_type: 'flaky', input: { fail_attempts: 5 } } });
    await statusOf(done.body.id, ['COMPLETED']);
    await statusOf(failing.body.id, ['FAILED']);
    await call('getWorkload', { id: done.body.id });
    await call('getWorkload', { id: failing.body.id });
    await call('listWorkloads', {}, { query: '?limit=2&status=COMPLETED,FAILED,PENDING,RUNNING' });
    await call('listWorkloadCheckpoints', { id: done.body.id });
    await call('listWorkloadEvents', { id: done.body.id });
    // A dependent of the completed one: its depends_on, and the parent's dependents.
    const child = await call<{ id: string }>('submitWorkload', {}, { body: { workload_type: 'sleep', input: { duration_ms: 1 }, depends_on: [done.body.id] } });
    await call('getWorkload', { id: child.body.id });
    await call('listWorkloadDependents', { id: done.body.id }, { query: '?limit=10' });

    const [long, other] = batch.body.items as [{ id: string }, { id: string }];
    await statusOf(long.id, ['RUNNING']);
    await call('pauseWorkload', { id: long.id });
    await statusOf(long.id, ['PAUSED']);
    await call('resumeWorkload', { id: long.id });
    await call('cancelWorkload', { id: long.id });
    await call('pauseWorkloadBatch', {}, { body: { ids: [other.id, randomUUID()] } });
    await statusOf(other.id, ['PAUSED']);
    await call('resumeWorkloadBatch', {}, { body: { ids: [other.id] } });
    await call('cancelWorkloadBatch', {}, { body: { ids: [other.id, randomUUID()] } });
    await call('getWorkload', { id: randomUUID() });
    await call('submitWorkload', {}, { body: { workload_type: 'no-such-type' } });

    // Fleet, then the operator drains the only worker (last: it stops taking work).
    const workers = await call<{ items: Array<{ id: string }> }>('listWorkers', {});
    const workerId = (workers.body.items[0] as { id: string }).id;
    await call('getWorker', { id: workerId });
    await call('listWorkloadTypes', {});
    await call('adminListAuditEvents', {}, { ...admin, query: '?limit=20' });
    await call('getAnalyticsSummary', {}, { query: '?bucket=minute&group_by=workload_type,tier' });
    await call('getAnalyticsWorkers', {});
    await call('exportAnalytics', {}, { query: '?format=json' });
    await call('adminGetAnalyticsSummary', {}, { ...admin, query: '?group_by=customer_id' });
    await call('adminGetAnalyticsWorkers', {}, admin);
    await call('adminExportAnalytics', {}, admin);
    // Schedules: every operation, and a refused expression.
    const schedule = await call<{ id: string }>('createSchedule', {}, {
      body: { name: 'go-nightly', cron: '30 2 * * *', timezone: 'Europe/London', workload: { workload_type: 'sleep', input: { duration_ms: 1 } } },
    });
    await call('createSchedule', {}, { body: { name: 'go-bad', cron: '* * *', workload: { workload_type: 'sleep' } } });
    await call('listSchedules', {}, { query: '?limit=10' });
    await call('updateSchedule', { id: schedule.body.id }, { body: { overlap: 'allow' } });
    await call('pauseSchedule', { id: schedule.body.id });
    await call('resumeSchedule', { id: schedule.body.id });
    await call('triggerSchedule', { id: schedule.body.id }, { headers: { 'idempotency-key': 'go-trigger' } });
    await call('getSchedule', { id: schedule.body.id });
    await call('deleteSchedule', { id: schedule.body.id });
    await call('getSchedule', { id: randomUUID() });
    await call('adminDrainWorker', { id: workerId }, admin);

    await eventually(
      'the stream to report the completed workload',
      () => messages.some((m) => (m as { workload?: { id: string; status: string } }).workload?.status === 'COMPLETED'),
      30_000,
    );
    ws.close();
    for (const [index, message] of messages.entries()) {
      const type = (message as { type: string }).type;
      samples.push({ schema: 'StreamMessage', label: `stream-${index}`, body: message });
      samples.push({ schema: type === 'snapshot' ? 'StreamSnapshotMessageDto' : 'StreamUpdateMessageDto', label: `stream-${index}`, body: message });
    }

    // Swagger UI and the served document: the same document as the published file, with the
    // bearer schemes Swagger UI's "Authorize" button fills in.
    const ui = await fetch(`${app.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const served = (await (await fetch(`${app.url}/docs-json`)).json()) as Record<string, unknown>;
    expect(served).toEqual(JSON.parse(JSON.stringify(document)));

    expect(problems).toEqual([]);
    expect([...operations.keys()].filter((operationId) => !covered.has(operationId))).toEqual([]);

    const schemaProblems = samples.flatMap((sample) => validateSample(document, sample.schema, sample.body).map((p) => `${sample.label}: ${p}`));
    expect(schemaProblems).toEqual([]);

    // Go: generated types + the decode check, in a throwaway module.
    const work = mkdtempSync(join(tmpdir(), 'niyanta-go-check-'));
    try {
      const sampleDir = join(work, 'samples');
      mkdirSync(sampleDir);
      for (const sample of samples.filter((s) => s.schema !== 'StreamMessage')) {
        writeFileSync(join(sampleDir, `${sample.schema}.${sample.label}.json`), JSON.stringify(sample.body));
      }
      writeFileSync(join(work, 'go.mod'), 'module decodecheck\n\ngo 1.19\n');
      writeFileSync(join(work, 'types.go'), generateGoTypes(document));
      copyFileSync(join(__dirname, 'decode-check', 'main.go'), join(work, 'main.go'));
      const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GO111MODULE: 'on' };
      const vet = spawnSync('go', ['vet', '.'], { cwd: work, encoding: 'utf8', env });
      if (vet.status !== 0) throw new Error(`go vet failed on the generated types:\n${vet.stderr}`);
      const run = spawnSync('go', ['run', '.', sampleDir], { cwd: work, encoding: 'utf8', env });
      if (run.status !== 0) throw new Error(`Go could not decode the real responses:\n${run.stdout}\n${run.stderr}`);
      expect(run.stdout).toMatch(new RegExp(`decoded ${samples.length - messages.length} of ${samples.length - messages.length} samples`));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
