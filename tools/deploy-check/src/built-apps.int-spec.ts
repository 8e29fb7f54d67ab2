// The build output runs on plain `node`: the migrations CLI migrates a fresh schema, the API
// serves /ready, and the worker loads a WORKLOAD_MODULES module that imports the shared workload
// SDK package the build emits (the same copy the worker uses, as in the image). The same build
// migrates and serves /ready on each Node.js LTS line `engines` names besides the machine's own
// (the npm registry's `node` package, versions pinned in tools/scripts/node-lts.json). Last, the
// built API, leader and worker run together and their /metrics must export every metric the
// Grafana dashboards and alert rules query (deploy/grafana, deploy/prometheus).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestSchema, spawnApp, testNatsUrl, uniqueBrokerPrefix, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { queriedMetrics } from './support/metrics';
import { fromRoot, run } from './support/workspace';

// `nx build` and app start-up on a busy machine; set here because a project's testTimeout is
// ignored when Jest runs all projects at once (npm test).
jest.setTimeout(180_000);

const MIGRATE = fromRoot('dist', 'tools', 'migrations', 'migrate.js');
const LTS_NODE = JSON.parse(readFileSync(fromRoot('tools', 'scripts', 'node-lts.json'), 'utf8')) as Record<string, string>;
const ENGINES = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

/** Whether a version satisfies an `engines` range made of `^x.y.z` alternatives (the form package.json uses). */
function admits(range: string, version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return range.split('||').some((alternative) => {
    const match = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(alternative);
    if (!match) throw new Error(`engines: unsupported range "${alternative.trim()}" (use ^x.y.z alternatives)`);
    const [min, mmin, pmin] = match.slice(1).map(Number) as [number, number, number];
    return major === min && (minor > mmin || (minor === mmin && patch >= pmin));
  });
}
const fixtureDir = fromRoot('dist', 'test-workloads', String(process.pid));

describe('built apps', () => {
  let schema: TestSchema;
  const apps: SpawnedApp[] = [];

  beforeAll(async () => {
    await run(fromRoot('node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', '-p', 'coordinator-api', 'coordinator-leader', 'worker', 'migrations']);
    schema = await createTestSchema('deploy_built');
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await schema?.drop();
    rmSync(fixtureDir, { recursive: true, force: true });
  });

  const dbEnv = (): Record<string, string> => ({ DATABASE_URL: schema.url, DATABASE_SCHEMA: schema.schema });
  const migrate = (command: string) => run(process.execPath, [MIGRATE, command], dbEnv());

  // Runs first: the apps below start on the schema it migrates (RUN_MIGRATIONS=false).
  it('the migrations CLI lists, applies and reports the state migrations', async () => {
    const before = (await migrate('status')).stdout.trim().split('\n');
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((line) => line.startsWith('[ ] '))).toBe(true);

    expect((await migrate('up')).stdout).toMatch(/^applied: /);
    const after = (await migrate('status')).stdout.trim().split('\n');
    expect(after).toEqual(before.map((line) => line.replace('[ ] ', '[x] ')));
  });

  it('coordinator-api serves /ready from dist/apps/coordinator-api/main.js', async () => {
    const api = await spawnApp(
      'coordinator-api',
      { ...dbEnv(), NATS_URL: testNatsUrl(), BROKER_PREFIX: uniqueBrokerPrefix('deploy'), RUN_MIGRATIONS: 'false' },
      { fromBuild: true, waitFor: 'ready' },
    );
    apps.push(api);
    const docs = await fetch(`${api.url}/docs-json`);
    expect(docs.status).toBe(200);
    expect(((await docs.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty(['/v1/workloads']);
    expect(await api.stop()).toEqual({ code: 0, signal: null });
  });

  describe.each(Object.entries(LTS_NODE))('on Node.js %s LTS', (major, version) => {
    let node: string;
    let ltsSchema: TestSchema;

    beforeAll(async () => {
      node = (await run(process.execPath, [fromRoot('tools', 'scripts', 'node-lts.mjs'), major])).stdout.trim();
      ltsSchema = await createTestSchema(`deploy_node${major}`);
    });
    afterAll(async () => {
      await ltsSchema?.drop();
    });

    it(`is admitted by engines, and is the image's Node.js when it is the newest line`, () => {
      expect({ version, admitted: admits(ENGINES, version) }).toEqual({ version, admitted: true });
      expect({ runner: process.versions.node, admitted: admits(ENGINES, process.versions.node) }).toEqual({ runner: process.versions.node, admitted: true });
      const newest = Math.max(...Object.keys(LTS_NODE).map(Number));
      if (Number(major) === newest) expect(readFileSync(fromRoot('deploy', 'Dockerfile'), 'utf8')).toContain(`NODE_IMAGE=node:${version}-`);
    });

    it('the built migrations CLI migrates and the built API serves /ready', async () => {
      expect((await run(node, ['-p', 'process.version'])).stdout.trim()).toBe(`v${version}`);
      const env = { DATABASE_URL: ltsSchema.url, DATABASE_SCHEMA: ltsSchema.schema };
      expect((await run(node, [MIGRATE, 'up'], env)).stdout).toMatch(/^applied: /);
      expect((await run(node, [MIGRATE, 'status'], env)).stdout.trim().split('\n').every((line) => line.startsWith('[x] '))).toBe(true);
      const api = await spawnApp(
        'coordinator-api',
        { ...env, NATS_URL: testNatsUrl(), BROKER_PREFIX: uniqueBrokerPrefix(`node${major}`), RUN_MIGRATIONS: 'false' },
        { fromBuild: true, waitFor: 'ready', node },
      );
      apps.push(api);
      expect((await fetch(`${api.url}/ready`)).status).toBe(200);
      expect(await api.stop()).toEqual({ code: 0, signal: null });
    });
  });

  it('the built worker shares the workload SDK package with the modules it loads', async () => {
    const bundle = readFileSync(fromRoot('dist', 'apps', 'worker', 'main.js'), 'utf8');
    expect(bundle).toContain('require("@niyanta/workload-sdk")');
    expect(bundle).not.toMatch(/class NonRetryableWorkloadError\b/);

    mkdirSync(fixtureDir, { recursive: true });
    const modulePath = join(fixtureDir, 'echo.workload.js');
    writeFileSync(
      modulePath,
      [
        "const { defineWorkload } = require('@niyanta/workload-sdk');",
        "exports.default = defineWorkload({ type: 'built-echo', create: () => ({",
        '  init() {}, execute: async (ctx) => ctx.input, checkpoint: () => null, close() {},',
        '}) });',
      ].join('\n'),
    );
    const workerId = `built-${process.pid}`;
    const worker = await spawnApp(
      'worker',
      { ...dbEnv(), NATS_URL: testNatsUrl(), BROKER_PREFIX: uniqueBrokerPrefix('deploy'), WORKER_ID: workerId, WORKLOAD_MODULES: modulePath },
      { fromBuild: true, waitFor: 'ready' },
    );
    apps.push(worker);

    const client = new Client({ connectionString: schema.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ workload_types: string[] }>(
        `SELECT workload_types FROM "${schema.schema}".workers WHERE id = $1`,
        [workerId],
      );
      expect(rows[0]?.workload_types).toEqual(expect.arrayContaining(['built-echo', 'sleep']));
    } finally {
      await client.end();
    }
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
  });

  it('the running apps export every metric the dashboards and alert rules query', async () => {
    const env = { ...dbEnv(), NATS_URL: testNatsUrl(), BROKER_PREFIX: uniqueBrokerPrefix('metrics'), RUN_MIGRATIONS: 'false' };
    const running = await Promise.all([
      spawnApp('coordinator-api', env, { fromBuild: true }),
      spawnApp('coordinator-leader', { ...env, LEADER_ID: `metrics-${process.pid}` }, { fromBuild: true }),
      spawnApp('worker', { ...env, WORKER_ID: `metrics-${process.pid}` }, { fromBuild: true }),
    ]);
    apps.push(...running);
    const exported = new Set<string>();
    for (const app of running) {
      const scrape = await fetch(`${app.url}/metrics`);
      expect(scrape.status).toBe(200);
      for (const match of (await scrape.text()).matchAll(/^# TYPE (\S+) /gm)) exported.add(match[1] ?? '');
    }
    const queried = queriedMetrics();
    expect(queried.size).toBeGreaterThan(0);
    for (const [metric, where] of queried) expect({ metric, where, exported: exported.has(metric) }).toEqual({ metric, where, exported: true });
    for (const app of running) expect(await app.stop()).toEqual({ code: 0, signal: null });
  });
});
