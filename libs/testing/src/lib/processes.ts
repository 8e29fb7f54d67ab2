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
  /** Sends `signal` without waiting (to the whole process group when started with `npm start`). @default 'SIGTERM' */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if still running after `timeoutMs`; resolves with how it ended. Idempotent. */
  stop(timeoutMs?: number): Promise<AppExit>;
  /** Everything the process wrote to stdout and stderr so far (the last few MB). */
  logs(): string;
  /** Resolves when the process has exited (with `npm start`: when every process of its group has). */
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
  /**
   * Start the way a developer does, with `npm start` (only for `standalone`), instead of running
   * the app's main.ts directly.
   * @default false
   */
  viaNpmStart?: boolean;
  /**
   * The Node.js binary that runs the app (not with `viaNpmStart`), e.g. another LTS line's.
   * @default the test runner's own (`process.execPath`)
   */
  node?: string;
  /**
   * Run the app's build output (`node dist/apps/<app>/main.js`, made by `nx build <app>`) instead
   * of its TypeScript sources.
   * @default false
   */
  fromBuild?: boolean;
  /** With `viaNpmStart`: arguments after `npm start --`, e.g. `['--watch']`. @default [] */
  npmStartArgs?: string[];
}

const MAX_LOG_CHARS = 4 * 1024 * 1024;
const running = new Set<ChildProcess>();

// A test run that dies (or forgets a stop()) must not leave app processes behind — nor what they
// started (embedded PostgreSQL): each app runs in its own process group, killed whole.
process.once('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

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
 * Starts `node -r @swc-node/register apps/<app>/src/main.ts` (or the built `dist/apps/<app>/main.js`) on a free port with the test's
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
  if (options.viaNpmStart && app !== 'standalone') throw new Error('npm start runs the standalone app only');
  const node = options.node ?? process.execPath;
  const [command, args] = options.viaNpmStart
    ? ['npm', ['start', '--silent', ...(options.npmStartArgs?.length ? ['--', ...options.npmStartArgs] : [])]]
    : options.fromBuild
      ? [node, [join('dist', 'apps', app, 'main.js')]]
      : [node, ['-r', '@swc-node/register', join('apps', app, 'src', 'main.ts')]];
  const child = spawn(command, args, {
    cwd: workspaceRoot(),
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: signals meant for the app never reach the test runner, and a
    // signal to the group reaches every process of the app, as a terminal's Ctrl-C does.
    detached: true,
  });
  // npm and its shell do not pass signals on: `npm start` is stopped the way a terminal does it,
  // by signalling its whole process group. A directly started app gets the signal alone.
  const signal = (sig: NodeJS.Signals): void => {
    if (options.viaNpmStart) signalGroup(child, sig);
    else child.kill(sig);
  };
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
      // npm may exit before the app it started has finished stopping: wait for the whole group.
      const done = options.viaNpmStart ? groupGone(child) : Promise.resolve();
      void done.then(() => {
        running.delete(child);
        exit = { code, signal };
        resolve(exit);
      });
    });
  });

  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<AppExit> | undefined;
  const spawned: SpawnedApp = {
    url,
    port,
    pid: child.pid ?? 0,
    kill: (sig = 'SIGTERM') => {
      if (!exit) signal(sig);
    },
    stop: (timeoutMs = 20_000) => {
      stopping ??= (async () => {
        if (exit) return exit;
        signal('SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), timeoutMs);
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

async function groupGone(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 0);
    } catch {
      return; // ESRCH: no process of the group is left
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
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
