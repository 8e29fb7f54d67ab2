import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnApp, type SpawnedApp } from '@niyanta/testing';
import { eventually, http } from './support/http';

/**
 * `npm start -- --watch`: editing a workload module of WORKLOAD_MODULES restarts the standalone
 * process, which then registers the module's new definitions — no manual restart.
 */
const DEV_KEY = 'nyk_devlocal_niyantaDevelopmentKeyNotSecret01';

function moduleSource(type: string): string {
  // A plain definition object (what defineWorkload returns): the module needs no packages.
  return `module.exports = {
  type: '${type}',
  create: () => ({ init() {}, execute: async (ctx) => ({ echoed: ctx.input }), checkpoint: () => null, close() {} }),
};
`;
}

describe('npm start -- --watch', () => {
  let dir: string;
  let app: SpawnedApp;
  const devKey = process.env['NIYANTA_DEV_API_KEY'] ?? DEV_KEY;

  async function types(): Promise<string[]> {
    const listed = await http<{ items: Array<{ workload_type: string }> }>(app.url, 'GET', '/v1/workload-types', { key: devKey });
    return listed.status === 200 ? listed.body.items.map((t) => t.workload_type) : [];
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'niyanta-watch-'));
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'echo.workload.js'), moduleSource('echo-before'));
    app = await spawnApp(
      'standalone',
      {
        DATA_DIR: join(dir, 'data'),
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
        DATABASE_URL: undefined,
        NATS_URL: undefined,
        NIYANTA_DEV_API_KEY: devKey,
        WORKLOAD_MODULES: join(dir, 'echo.workload.js'),
        LOG_LEVEL: 'warn',
      },
      { viaNpmStart: true, npmStartArgs: ['--watch'], timeoutMs: 120_000 },
    );
  }, 150_000);

  afterAll(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('registers the changed module after an edit, and runs it', async () => {
    await eventually('the first version of the module to be registered', async () => ((await types()).includes('echo-before') ? true : undefined), 60_000);
    await writeFile(join(dir, 'echo.workload.js'), moduleSource('echo-after'));
    await eventually('the edited module to be registered', async () => ((await types()).includes('echo-after') ? true : undefined), 120_000, 250);
    const submitted = await http<{ id: string }>(app.url, 'POST', '/v1/workloads', {
      key: devKey,
      body: { workload_type: 'echo-after', input: { n: 1 } },
    });
    expect(submitted.status).toBe(201);
    const done = await eventually(
      'the workload to complete',
      async () => {
        const got = await http<{ status: string; output: unknown }>(app.url, 'GET', `/v1/workloads/${submitted.body.id}`, { key: devKey });
        return got.body.status === 'COMPLETED' ? got.body : undefined;
      },
      60_000,
    );
    expect(done.output).toEqual({ echoed: { n: 1 } });
    expect(app.isRunning()).toBe(true);
  });
});
