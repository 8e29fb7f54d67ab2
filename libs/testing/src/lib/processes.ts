import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './nats-server';

/** The apps a test can start as real processes. */
export type AppName = 'coordinator-api' | 'coordinator-leader' | 'worker' | 'standalone';

/** How a spawned process ended. */
export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running app process started by {@link spawnApp}. */
export interface SpawnedApp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Sends `signal` without waiting. @default 'SIGTERM' */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if still running after `timeoutMs`; resolves with how it ended. Idempotent. */
  stop(timeoutMs?: number): Promise<AppExit>;
  /** Everything the process wrote to stdout and stderr so far (the last few MB). */
  logs(): string;
  /** Resolves when the process has exited. */
  waitForExit(): Promise<AppExit>;
  /** True until the process exits. */
  isRunning(): boolean;
}

/** Options of {@link spawnApp}. */
export interface SpawnAppOptions {
  /** `PORT` of the app. @default a free port */
  port?: number;
  /**
   * What to wait for before resolving:
   * - `serving`: `/health` answers 200 `{status: 'ok'}` from the application itself;
   * - `alive`: `/health` answers 200 at all — also from the startup probe that holds the port
   *   while the app waits for unreachable dependencies (`{status: 'starting'}`);
   * - `ready`: `/ready` answers 200;
   * - `none`: return at once (e.g. to watch a bad configuration exit).
   * @default 'serving'
   */
  waitFor?: 'serving' | 'alive' | 'ready' | 'none';
  /** @default 60_000 */
  timeoutMs?: number;
}

const MAX_LOG_CHARS = 4 * 1024 * 1024;
const running = new Set<ChildProcess>();

// A test run that dies (or forgets a stop()) must not leave app processes behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The workspace root (the directory holding nx.json), found from this file. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('workspace root (nx.json) not found');
    dir = parent;
  }
  return dir;
}

/**
 * Starts `node -r @swc-node/register apps/<app>/src/main.ts` on a free port with the test's
 * environment merged over this process's (a value of `undefined` removes a variable), and waits
 * until the application answers `/health` with 200 `{status: 'ok'}` (see {@link SpawnAppOptions.waitFor}).
 * Rejects — with the app's output — if it exits or times out first.
 */
export async function spawnApp(
  app: AppName,
  env: Record<string, string | undefined>,
  options: SpawnAppOptions = {},
): Promise<SpawnedApp> {
  const port = options.port ?? Number(env['PORT'] ?? (await freePort()));
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, PORT: String(port), ...env })) {
    if (value !== undefined) merged[key] = value;
  }
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join('apps', app, 'src', 'main.ts')], {
    cwd: workspaceRoot(),
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);

  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > MAX_LOG_CHARS) output = output.slice(output.length - MAX_LOG_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let exit: AppExit | undefined;
  const exited = new Promise<AppExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      exit = { code, signal };
      resolve(exit);
    });
  });

  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<AppExit> | undefined;
  const spawned: SpawnedApp = {
    url,
    port,
    pid: child.pid ?? 0,
    kill: (signal = 'SIGTERM') => {
      if (!exit) child.kill(signal);
    },
    stop: (timeoutMs = 20_000) => {
      stopping ??= (async () => {
        if (exit) return exit;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
    logs: () => output,
    waitForExit: () => exited,
    isRunning: () => exit === undefined,
  };

  const waitFor = options.waitFor ?? 'serving';
  if (waitFor === 'none') return spawned;
  const probeUrl = `${url}/${waitFor === 'ready' ? 'ready' : 'health'}`;
  const accept = waitFor === 'serving' ? (body: string) => body.includes('"status":"ok"') : () => true;

  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit) {
      throw new Error(`${app} exited (code ${exit.code}, signal ${exit.signal}) before it was ${waitFor}:\n${output}`);
    }
    if (await answers200(probeUrl, accept)) return spawned;
    if (Date.now() > deadline) {
      await spawned.stop(2_000);
      throw new Error(`${app} was not ${waitFor} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answers200(url: string, accept: (body: string) => boolean): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = await res.text();
    return res.status === 200 && accept(body);
  } catch {
    return false;
  }
}
