import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, spawnApp, workspaceRoot, type SpawnedApp } from '@niyanta/testing';

/**
 * Runs docs/getting-started.md the way a newcomer would, block by block, against `npm start`:
 * - ```` ```sh test:server ```` blocks start the standalone with `npm start` (stopping the previous one);
 * - ```` ```sh test:run expect="…" ```` blocks run in one bash session (variables carry over), and
 *   must succeed and print the expected text;
 * - ```` ```ts file=… ```` blocks are written to that path.
 * Untagged blocks (clone, npm ci) are not run. Two substitutions keep the run private: the port
 * (`localhost:8080`) and the reader's directory (`my-niyanta`, which becomes a directory under tmp/).
 */
interface Step {
  kind: 'server' | 'run' | 'file';
  body: string;
  expect?: string;
  path?: string;
  line: number;
}

const GUIDE = 'docs/getting-started.md';
/** Every document of docs/: their ```ts blocks must compile (the guide's are also run below). */
function typecheckedDocs(root: string): string[] {
  return readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file))
    .sort();
}
const BLOCK_TIMEOUT_MS = 60_000;

function parseGuide(markdown: string): Step[] {
  const steps: Step[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    const info = (match[1] ?? '').trim();
    const body = match[2] ?? '';
    const line = markdown.slice(0, match.index).split('\n').length;
    if (/^sh test:server\b/.test(info)) steps.push({ kind: 'server', body, line });
    else if (/^sh test:run\b/.test(info)) {
      const expected = /expect="((?:[^"\\]|\\.)*)"/.exec(info)?.[1];
      steps.push({ kind: 'run', body, line, expect: expected?.replace(/\\(.)/g, '$1') });
    } else if (/^ts file=/.test(info)) steps.push({ kind: 'file', body, line, path: info.slice('ts file='.length).trim() });
  }
  return steps;
}

/** One bash session: each block is sourced, so variables and `export`s carry over. */
class Shell {
  private readonly child: ChildProcessWithoutNullStreams;
  private output = '';
  private exited = false;

  constructor(cwd: string) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.on('exit', () => (this.exited = true));
    this.child.stdin.write('set -eo pipefail\n');
  }

  /** Runs `script`; resolves with everything it printed. Rejects if it fails or hangs. */
  async run(script: string, scratch: string): Promise<string> {
    const file = join(scratch, `block-${randomBytes(4).toString('hex')}.sh`);
    writeFileSync(file, script);
    const marker = `__GUIDE_BLOCK_DONE_${randomBytes(4).toString('hex')}__`;
    const start = this.output.length;
    this.child.stdin.write(`source ${JSON.stringify(file)}\necho ${marker}\n`);
    const deadline = Date.now() + BLOCK_TIMEOUT_MS;
    while (!this.output.includes(marker, start)) {
      if (this.exited) throw new Error(`the block failed:\n${this.output.slice(start)}`);
      if (Date.now() > deadline) throw new Error(`the block did not finish in ${BLOCK_TIMEOUT_MS} ms:\n${this.output.slice(start)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.output.slice(start, this.output.indexOf(marker, start));
  }

  close(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

describe(`${GUIDE} (every tagged command, run against npm start)`, () => {
  const root = workspaceRoot();
  const steps = parseGuide(readFileSync(join(root, GUIDE), 'utf8'));
  const readerDir = `tmp/getting-started-${randomBytes(4).toString('hex')}`;
  let dataDir: string;
  let scratch: string;
  let shell: Shell;
  let server: SpawnedApp | undefined;
  let port: number;

  const localise = (text: string) =>
    text
      .replace(/localhost:8080/g, `127.0.0.1:${port}`)
      .replace(/my-niyanta/g, readerDir)
      // The guide's data directory (`npm start` uses `.data`) is this test's own.
      .replace(/(^|[\s(])\.data\//g, `$1${dataDir}/`);

  beforeAll(async () => {
    port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'niyanta-guide-'));
    // Embedded PostgreSQL runs as the postgres user when started as root: it must reach the directory.
    chmodSync(dataDir, 0o755);
    scratch = mkdtempSync(join(tmpdir(), 'niyanta-guide-shell-'));
    shell = new Shell(root);
  });

  afterAll(async () => {
    shell?.close();
    await server?.stop();
    rmSync(join(root, readerDir), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('has server, command and file steps', () => {
    expect(steps.filter((s) => s.kind === 'server').length).toBeGreaterThanOrEqual(2);
    expect(steps.filter((s) => s.kind === 'run').length).toBeGreaterThanOrEqual(8);
    expect(steps.filter((s) => s.kind === 'file').map((s) => s.path)).toEqual(
      expect.arrayContaining(['my-niyanta/first-workload.ts', 'my-niyanta/watch.ts', 'my-niyanta/word-count.workload.ts']),
    );
  });

  it('type-checks every TypeScript block of docs/ (strict, as the workspace)', async () => {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    const dir = mkdtempSync(join(root, 'tmp', 'docs-typecheck-'));
    try {
      const files: string[] = [];
      for (const doc of typecheckedDocs(root)) {
        const markdown = readFileSync(join(root, doc), 'utf8');
        for (const match of markdown.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)) {
          const named = /file=(\S+)/.exec(match[1] ?? '')?.[1];
          const line = markdown.slice(0, match.index).split('\n').length;
          const file = join(dir, named ?? `${doc.replace(/\W/g, '_')}_${line}.ts`);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, match[2] ?? '');
          files.push(file);
        }
      }
      expect(files.length).toBeGreaterThanOrEqual(4);
      // The workspace's compiler settings and aliases; ES modules, so top-level await is allowed.
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: join(root, 'tsconfig.base.json'),
          compilerOptions: { noEmit: true, module: 'esnext', moduleResolution: 'bundler', types: ['node'], rootDir: root, baseUrl: root },
          files,
        }),
      );
      const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
      expect({ status: tsc.status, errors: `${tsc.stdout}${tsc.stderr}`.replaceAll(dir, '<block>') }).toEqual({ status: 0, errors: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('works as written', async () => {
    const timings: string[] = [];
    for (const step of steps) {
      const where = `${GUIDE}:${step.line}`;
      if (step.kind === 'file') {
        const path = join(root, localise(step.path ?? ''));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, step.body);
      } else if (step.kind === 'server') {
        const command = localise(step.body.trim());
        const match = /^((?:[A-Z_]+=\S+\s+)*)npm start$/.exec(command);
        if (!match) throw new Error(`${where}: a server block must be [VAR=value ...] npm start, got ${command}`);
        const env: Record<string, string | undefined> = { PORT: String(port), DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(await freePort()), LOG_LEVEL: 'warn' };
        for (const assignment of (match[1] ?? '').trim().split(/\s+/).filter(Boolean)) {
          const [name, ...value] = assignment.split('=');
          env[name as string] = value.join('=');
        }
        await server?.stop();
        const started = Date.now();
        server = await spawnApp('standalone', { ...env, DATABASE_URL: undefined, NATS_URL: undefined, NIYANTA_DEV_API_KEY: undefined }, { port, viaNpmStart: true, timeoutMs: 120_000 });
        timings.push(`${where} npm start served in ${Date.now() - started} ms`);
      } else {
        let output: string;
        try {
          output = await shell.run(localise(step.body), scratch);
        } catch (error: unknown) {
          throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}\nserver log:\n${server?.logs().slice(-3000) ?? ''}`);
        }
        if (step.expect !== undefined && !output.includes(step.expect)) {
          throw new Error(`${where}: expected the output to contain ${JSON.stringify(step.expect)}, got:\n${output}`);
        }
      }
    }
    process.stdout.write(`${timings.join('\n')}\n`);
  }, 300_000);
});
