import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.launcher';
import { isAlive, readPostmasterLock } from './postmaster-pid';

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Starts the launcher in another Node process, as the standalone app would. */
async function startInChild(dataDir: string, port: number): Promise<{ url: string; pid: number; kill(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'fixtures', 'start-and-wait.fixture.ts'), dataDir, String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((done, fail) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) done(stdout.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => fail(new Error(`launcher child exited with ${code}: ${stderr}`)));
  });
  const started = JSON.parse(line) as { url: string; pid: number };
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    ...started,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

describe(startEmbeddedPostgres.name, () => {
  let root: string;
  let dataDir: string;
  let server: EmbeddedPostgres | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'niyanta-embedded-pg-'));
    // As root PostgreSQL runs as the postgres user, which must be able to enter the directory.
    await chmod(root, 0o755);
    dataDir = join(root, '.data', 'postgres');
  });

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('initialises on first start, serves the niyanta database, and reuses its data after a stop', async () => {
    const port = await freePort();
    const logs: string[] = [];
    server = await startEmbeddedPostgres({ dataDir, port, onLog: (line) => logs.push(line) });
    expect(server.url).toBe(`postgres://postgres:niyanta@127.0.0.1:${port}/niyanta`);
    expect(logs.some((line) => line.startsWith('initialising'))).toBe(true);

    const [row] = await query<{ db: string; version: number }>(
      server.url,
      `SELECT current_database() AS db, current_setting('server_version_num')::int AS version`,
    );
    expect(row).toEqual({ db: 'niyanta', version: expect.any(Number) });
    expect(row?.version).toBeGreaterThanOrEqual(180000);
    await query(server.url, `CREATE TABLE kept (value text); INSERT INTO kept VALUES ('survives restarts')`);
    const versionFile = await stat(join(dataDir, 'PG_VERSION'));

    const firstPid = server.pid;
    await server.stop();
    expect(isAlive(firstPid)).toBe(false);
    await expect(query(server.url, 'SELECT 1')).rejects.toThrow();

    const restartLogs: string[] = [];
    server = await startEmbeddedPostgres({ dataDir, port, onLog: (line) => restartLogs.push(line) });
    expect(restartLogs.some((line) => line.startsWith('initialising'))).toBe(false);
    expect((await stat(join(dataDir, 'PG_VERSION'))).mtimeMs).toBe(versionFile.mtimeMs);
    expect(await query(server.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives restarts' }]);
  }, 60_000);

  it('recovers the data directory from a server orphaned by a SIGKILLed parent', async () => {
    const port = await freePort();
    const orphaned = await startInChild(dataDir, port);
    await orphaned.kill();
    // The parent is gone but its PostgreSQL keeps running and holds the data directory.
    expect(isAlive(orphaned.pid)).toBe(true);
    expect((await readPostmasterLock(dataDir))?.pid).toBe(orphaned.pid);

    const logs: string[] = [];
    const nextPort = await freePort();
    server = await startEmbeddedPostgres({ dataDir, port: nextPort, onLog: (line) => logs.push(line) });
    expect(logs.some((line) => line.includes(`stopping PostgreSQL ${orphaned.pid}`))).toBe(true);
    expect(isAlive(orphaned.pid)).toBe(false);
    expect(server.pid).not.toBe(orphaned.pid);
    expect(await query(server.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives restarts' }]);
  }, 60_000);

  it('refuses a data directory whose server belongs to a live process', async () => {
    server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(/in use by PostgreSQL/);
    // The refused attempt did not disturb the running server.
    expect(await query(server.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
  }, 60_000);

  it('refuses to initialise over a directory that holds something else', async () => {
    const other = join(root, 'not-a-cluster');
    await mkdir(other);
    await writeFile(join(other, 'note'), 'x');
    await expect(startEmbeddedPostgres({ dataDir: other, port: await freePort() })).rejects.toThrow(/not empty/);
  });
});
