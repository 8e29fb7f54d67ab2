/**
 * What the side-by-side and budget benchmarks read from the machine: load average, a process's CPU
 * time and resident memory from /proc, a private database, and private Redis and NATS servers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { canConnect, freePort } from '@niyanta/testing';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** `1-min / 5-min / 15-min` load average, e.g. `3.1 / 2.4 / 1.9`. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}

/** User + system CPU time of a process (all its threads) in microseconds; undefined once it has exited. */
export function cpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: the fields after it follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1_000_000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MiB; undefined once it has exited. */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const machineLine = (): string =>
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

/** A database of its own on the PostgreSQL server, so its statistics (pg_stat_database) are the benchmark's alone. */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `niyanta_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A server process the benchmark started and stops. */
export interface PrivateServer {
  readonly url: string;
  readonly pid: number;
  /** NATS only: the monitoring endpoint, `http://127.0.0.1:<port>`. */
  readonly monitorUrl?: string;
  stop(): Promise<void>;
}

async function startServer(
  binary: string,
  args: (dir: string, port: number, monitorPort: number) => string[],
  scheme: string,
): Promise<PrivateServer & { monitorPort: number }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'niyanta-bench-'));
  const port = await freePort();
  const monitorPort = await freePort();
  const child: ChildProcess = spawn(binary, args(dir, port, monitorPort), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${binary} exited: ${output}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${binary} did not listen on ${port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    monitorPort,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private redis-server on a loopback port, without persistence, in a temporary directory. */
export async function startRedis(binary = process.env['REDIS_SERVER_BIN'] ?? '/usr/bin/redis-server'): Promise<PrivateServer> {
  return startServer(binary, (dir, port) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'], 'redis');
}

/** A private nats-server with JetStream and its monitoring endpoint (per-connection message counts). */
export async function startNats(binary = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server'): Promise<PrivateServer> {
  const server = await startServer(
    binary,
    (dir, port, monitorPort) => ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', dir],
    'nats',
  );
  return { ...server, monitorUrl: `http://127.0.0.1:${server.monitorPort}` };
}
