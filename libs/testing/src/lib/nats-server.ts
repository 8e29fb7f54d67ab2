import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian installs the server; `NATS_SERVER_BIN` overrides it. */
export const DEFAULT_NATS_SERVER_BIN = '/usr/sbin/nats-server';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** @default a free port */
  port?: number;
  /** JetStream store directory. @default a new temporary directory, removed by `stop()` */
  storeDir?: string;
  /** @default `NATS_SERVER_BIN` or {@link DEFAULT_NATS_SERVER_BIN} */
  binary?: string;
  /** How long to wait for the server to accept connections. @default 10_000 */
  startTimeoutMs?: number;
}

/** A private `nats-server` (with JetStream) run as a child process, for fault-injection tests. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** True while the process runs. */
  isRunning(): boolean;
  /** Sends `signal` and waits for the process to exit; the store is kept for `restart()`. @default 'SIGKILL' */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and store (killing it first if it still runs). */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM) for good and removes the store directory if it created it. */
  stop(): Promise<void>;
}

/** Asks the OS for a port that is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `nats-server -a 127.0.0.1 -p <port> -js -sd <storeDir>` and waits until it accepts connections. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const port = options.port ?? (await freePort());
  const ownsStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'nats-test-')));
  const binary = options.binary ?? process.env['NATS_SERVER_BIN'] ?? DEFAULT_NATS_SERVER_BIN;
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const launch = async () => {
    output = '';
    const proc = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    exited = new Promise((resolve) => {
      proc.once('exit', () => {
        if (child === proc) child = undefined;
        resolve();
      });
    });
    const spawnError = new Promise<never>((_, reject) => proc.once('error', reject));
    try {
      await Promise.race([waitForPort(port, startTimeoutMs, () => child === proc), spawnError]);
    } catch (error) {
      proc.kill('SIGKILL');
      throw new Error(`nats-server on port ${port} did not start: ${String(error)}\n${output}`);
    }
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!child) return;
    child.kill(signal);
    await exited;
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    isRunning: () => child !== undefined,
    kill,
    restart: async () => {
      await kill('SIGKILL');
      await launch();
    },
    stop: async () => {
      await kill('SIGTERM');
      if (ownsStore) await rm(storeDir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('the process exited');
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`port ${port} not open within ${timeoutMs} ms`);
}

/** True when something accepts TCP connections on 127.0.0.1:`port` within half a second. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}
