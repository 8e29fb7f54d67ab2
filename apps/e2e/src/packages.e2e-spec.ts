import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, freePort, spawnApp, uniqueBrokerPrefix, workspaceRoot, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { appEnv, issueCustomerKey } from './support/fleet';
import { eventually, http } from './support/http';

/**
 * The published packages as a developer outside the monorepo meets them: `npm pack` builds
 * @niyanta/workload-sdk, @niyanta/sdk, @niyanta/worker and @niyanta/cli; a scratch project in a
 * temporary directory installs the tarballs (nothing of the workspace is reachable from there),
 * type-checks a typed workload, a typed API client and a CommonJS consumer under `strict` with
 * `module` node16, nodenext and bundler, then runs its workload with `niyanta-worker` against a
 * standalone and drives it with the `niyanta` CLI and the SDK.
 */
const ROOT = workspaceRoot();
const PACKAGES = ['libs/workload-sdk', 'libs/sdk', 'apps/worker', 'apps/cli'];
const ADMIN_KEY = `admin-${randomUUID()}`;
const WORKER_ID = `scratch-${randomUUID().slice(0, 8)}`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously: the test's own timers keep running). */
function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustRun(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The root package.json's version range of `name`, so the scratch project installs what the workspace tested. */
function workspaceVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  const version = manifest['dependencies']?.[name] ?? manifest['devDependencies']?.[name];
  if (!version) throw new Error(`${name} is not a dependency of the workspace`);
  return `${name}@${version}`;
}

describe('published packages in a project outside the workspace', () => {
  let scratch: string;
  let schema: TestSchema;
  let standalone: SpawnedApp;
  let worker: ReturnType<typeof spawn> | undefined;
  let workerLogs = '';
  let cliEnv: NodeJS.ProcessEnv;
  const prefix = uniqueBrokerPrefix('packages');

  const niyanta = (args: readonly string[], env: NodeJS.ProcessEnv = cliEnv): Promise<Ran> =>
    run(process.execPath, [join(scratch, 'node_modules', '@niyanta', 'cli', 'dist', 'niyanta.cjs'), ...args], { cwd: scratch, env });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'niyanta-scratch-'));
    const tarballs = join(scratch, 'tarballs');
    mkdirSync(tarballs);
    for (const dir of PACKAGES) {
      await mustRun('npm', ['pack', '--pack-destination', tarballs, '--silent'], { cwd: join(ROOT, dir) });
    }
    const packed = readdirSync(tarballs).map((file) => join(tarballs, file));
    expect(packed).toHaveLength(PACKAGES.length);

    const project = join(scratch, 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'niyanta-scratch', private: true, type: 'module' }, null, 2));
    const fixtures = join(__dirname, 'fixtures', 'scratch-project');
    copyFileSync(join(fixtures, 'workloads.ts.txt'), join(project, 'src', 'workloads.ts'));
    copyFileSync(join(fixtures, 'submit.ts.txt'), join(project, 'src', 'submit.ts'));
    copyFileSync(join(fixtures, 'cjs-check.cts.txt'), join(project, 'src', 'cjs-check.cts'));
    const strict = { strict: true, target: 'es2022', lib: ['es2023'], types: ['node'], skipLibCheck: true, rootDir: 'src' };
    const configs: Record<string, object> = {
      // Once with the packages' declaration files checked too (slow: every .d.ts of the tree).
      node16: { compilerOptions: { ...strict, skipLibCheck: false, module: 'node16', moduleResolution: 'node16', noEmit: true }, include: ['src'] },
      nodenext: { compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'dist' }, include: ['src'] },
      // A bundler compiles the ES modules; the .cts file is for Node's CommonJS only.
      bundler: { compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, include: ['src/*.ts'] },
    };
    for (const [name, config] of Object.entries(configs)) writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
    // Only the registry's packages and the tarballs: --prefer-offline uses npm's cache when it can.
    await mustRun(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...packed, workspaceVersion('zod'), workspaceVersion('@types/node')],
      { cwd: project },
    );
    scratch = project;
  }, 900_000);

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await standalone?.stop();
    await schema?.drop();
    if (scratch) rmSync(join(scratch, '..'), { recursive: true, force: true });
  }, 60_000);

  it.each(['node16', 'nodenext', 'bundler'])('type-checks under strict with module %s', async (mode) => {
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${mode}.json`], { cwd: scratch });
    expect({ code: tsc.code, errors: tsc.stdout + tsc.stderr }).toEqual({ code: 0, errors: '' });
  });

  it('ships no source maps or sources, and loads both builds: ESM and CommonJS', async () => {
    for (const name of ['sdk', 'workload-sdk', 'worker', 'cli']) {
      const files = readdirSync(join(scratch, 'node_modules', '@niyanta', name, 'dist'));
      expect(files.filter((file) => file.endsWith('.map') || (file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.d.mts')))).toEqual([]);
    }
    const cjs = JSON.parse(await mustRun(process.execPath, ['dist/cjs-check.cjs'], { cwd: scratch })) as unknown;
    expect(cjs).toEqual({ client: 'function', type: 'cjs-check', registry: ['cjs-check'] });
  });

  describe('against a standalone', () => {
    beforeAll(async () => {
      schema = await createTestSchema('e2e_packages');
      const env = appEnv(schema, prefix);
      const dataDir = join(scratch, '..', 'data');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o755);
      standalone = await spawnApp('standalone', { ...env, DATA_DIR: dataDir, NIYANTA_ADMIN_API_KEY: ADMIN_KEY }, { timeoutMs: 90_000 });
      const key = await issueCustomerKey(standalone.url, ADMIN_KEY, { name: 'scratch', tier: 'standard' });
      cliEnv = { ...process.env, NIYANTA_URL: standalone.url, NIYANTA_API_KEY: key, NIYANTA_CONFIG: join(scratch, 'no-profiles.json') };

      const port = await freePort();
      worker = spawn(join(scratch, 'node_modules', '.bin', 'niyanta-worker'), ['./dist/workloads.js'], {
        cwd: scratch,
        env: { ...process.env, ...env, PORT: String(port), WORKER_ID, HEARTBEAT_INTERVAL: '500ms' },
      });
      worker.stdout?.on('data', (chunk: Buffer) => (workerLogs += chunk.toString()));
      worker.stderr?.on('data', (chunk: Buffer) => (workerLogs += chunk.toString()));
      await eventually(
        'niyanta-worker to register word-count',
        async () => {
          if (worker?.exitCode !== null) throw new Error(`niyanta-worker exited ${worker?.exitCode}:\n${workerLogs}`);
          const workers = await http<{ items: Array<{ id: string; workload_types: string[] }> }>(standalone.url, 'GET', '/v1/workers', { key });
          return workers.body.items.find((w) => w.id === WORKER_ID && w.workload_types.includes('word-count')) ? true : undefined;
        },
        60_000,
      );
    }, 180_000);

    it('lists the type with its input schema (niyanta types)', async () => {
      const types = await niyanta(['types', '--json']);
      expect(types.code).toBe(0);
      const wordCount = (JSON.parse(types.stdout) as Array<{ workload_type: string; input_schema: unknown }>).find((t) => t.workload_type === 'word-count');
      expect(wordCount?.input_schema).toMatchObject({ type: 'object', required: ['text'], properties: { text: { type: 'string' } } });
      const table = await niyanta(['types']);
      expect(table.stdout).toMatch(/^TYPE\s+PRIORITY/);
      expect(table.stdout).toContain('word-count');
    });

    it('runs the typed workload on niyanta-worker: niyanta submit --wait prints the result', async () => {
      const submitted = await niyanta(['submit', 'word-count', '--input', '{"text": "to be or not\\nto be"}', '--wait', '--json']);
      expect({ code: submitted.code, stderr: submitted.stderr }).toMatchObject({ code: 0 });
      const workload = JSON.parse(submitted.stdout) as { id: string; status: string; worker_id: string; output: unknown };
      expect(workload).toMatchObject({ status: 'COMPLETED', worker_id: WORKER_ID, output: { lines: 2, words: 6, min_length: 1 } });
      // Progress was shown while waiting (stderr is not a terminal here: one line per change).
      expect(submitted.stderr).toContain('COMPLETED 100%');

      const shown = await niyanta(['get', workload.id]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^status\s+COMPLETED$/m);
      const listed = await niyanta(['ls', '--type', 'word-count', '--status', 'completed', '--json']);
      expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((w) => w.id)).toContain(workload.id);
      const watched = await niyanta(['watch', workload.id, '--json']);
      expect(watched.code).toBe(0);
      expect(JSON.parse(watched.stdout.trim().split('\n').at(-1) as string)).toMatchObject({ id: workload.id, status: 'COMPLETED' });
    });

    it('refuses bad input at submission, naming the field, with exit status 3', async () => {
      const count = async () => (JSON.parse((await niyanta(['ls', '--type', 'word-count', '--json'])).stdout) as unknown[]).length;
      const before = await count();
      const refused = await niyanta(['submit', 'word-count', '--input', '{"text": 42, "minLength": 0}']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('validation_failed');
      expect(refused.stderr).toMatch(/input\.text: must be string/);
      expect(refused.stderr).toMatch(/input\.minLength: must be >= 1/);
      // Nothing was queued.
      expect(await count()).toBe(before);
    });

    it('runs the typed SDK client compiled in the project', async () => {
      const out = await mustRun(process.execPath, ['dist/submit.js'], { cwd: scratch, env: cliEnv });
      expect(JSON.parse(out)).toEqual({
        status: 'COMPLETED',
        output: { lines: 2, words: 3, min_length: 3 },
        refused: { status: 400, code: 'validation_failed', paths: ['input.text'] },
      });
    });

    it('pauses, resumes and cancels; lists workers; admin commands; exit statuses say what went wrong', async () => {
      const long = JSON.parse((await niyanta(['submit', 'sleep', '-i', '{"duration_ms": 60000, "steps": 60}', '-l', 'run=cli', '--json'])).stdout) as { id: string };
      for (const command of ['pause', 'resume', 'cancel']) {
        const changed = await niyanta([command, long.id, '--json']);
        expect({ command, code: changed.code, stderr: changed.stderr }).toEqual({ command, code: 0, stderr: '' });
      }
      const workers = await niyanta(['workers', '--json']);
      expect((JSON.parse(workers.stdout) as Array<{ id: string }>).map((w) => w.id)).toContain(WORKER_ID);

      const adminEnv = { ...cliEnv, NIYANTA_API_KEY: ADMIN_KEY };
      const customers = await niyanta(['admin', 'customers', '--json'], adminEnv);
      const scratchCustomer = (JSON.parse(customers.stdout) as Array<{ id: string; name: string }>).find((c) => c.name === 'scratch');
      expect(scratchCustomer).toBeDefined();
      const issued = await niyanta(['admin', 'keys', 'create', scratchCustomer?.id ?? '', '--name', 'cli', '--json'], adminEnv);
      expect(issued.code).toBe(0);
      const fresh = JSON.parse(issued.stdout) as { id: string; key: string };
      expect((await niyanta(['ls', '-n', '1'], { ...cliEnv, NIYANTA_API_KEY: fresh.key })).code).toBe(0);
      expect((await niyanta(['admin', 'keys', 'revoke', fresh.id], adminEnv)).code).toBe(0);

      const revoked = await niyanta(['ls'], { ...cliEnv, NIYANTA_API_KEY: fresh.key });
      expect(revoked.code).toBe(3);
      expect(revoked.stderr).toContain('NIYANTA_API_KEY');
      const missing = await niyanta(['get', randomUUID()]);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain('not_found');
      const noKey = await niyanta(['ls'], { ...cliEnv, NIYANTA_API_KEY: undefined });
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toContain('no API key');
      const unreachable = await niyanta(['ls', '--url', `http://127.0.0.1:${await freePort()}`]);
      expect(unreachable.code).toBe(4);
      expect(unreachable.stderr).toContain('cannot reach the API');
      expect((await niyanta(['submit'])).code).toBe(2);
    });
  });
});
