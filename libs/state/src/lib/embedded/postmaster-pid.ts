import { readFileSync } from 'node:fs';
import { readFile, readlink, realpath, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** What `postmaster.pid` says about the server that wrote it. */
export interface PostmasterLock {
  pid: number;
  port: number;
  /** `starting`, `ready`, `stopping` or `standby` (empty before PostgreSQL 10 wrote it). */
  status: string;
}

/** Parses the lock file PostgreSQL keeps in its data directory while it runs; null when absent. */
export async function readPostmasterLock(dataDir: string): Promise<PostmasterLock | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  // Line 1: PID, line 4: port, line 8: status (PostgreSQL's pidfile.h, LOCK_FILE_LINE_*).
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, port: Number.isInteger(port) ? port : 0, status: (lines[7] ?? '').trim() };
}

/** Whether `pid` is a running process (a zombie awaiting its reaper does not count). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

// In a container whose PID 1 never reaps, an exited orphan stays a zombie and kill(pid, 0) keeps
// succeeding; /proc/<pid>/stat tells the truth.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is the postmaster of `dataDir`. A postmaster's working directory is its data
 * directory, which tells it apart from an unrelated process that reused the PID after a reboot.
 * Where /proc is unavailable, a live PID is taken at its word.
 */
export async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const [cwd, dir] = await Promise.all([readlink(`/proc/${pid}/cwd`), realpath(dataDir)]);
    return cwd === dir;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No /proc (macOS): trust the PID. Vanished in between: not ours.
    return code !== 'ENOENT' || !(await procExists());
  }
}

async function procExists(): Promise<boolean> {
  try {
    await readlink('/proc/self/cwd');
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the process that started `pid` still runs it: a parent other than init whose command line
 * is a Node.js process. After a SIGKILL the postmaster is reparented to init (or a subreaper such
 * as tini), which is what an orphan looks like. Unknown (no /proc) counts as orphaned.
 */
export async function hasLiveNodeParent(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
    if (ppid === process.pid) return true;
    if (!Number.isInteger(ppid) || ppid <= 1) return false;
    const argv0 = (await readFile(`/proc/${ppid}/cmdline`, 'utf8')).split('\0')[0] ?? '';
    return basename(argv0).startsWith('node');
  } catch {
    return false;
  }
}

/** Removes a lock file whose server is gone, so PostgreSQL does not mistake a reused PID for it. */
export async function removePostmasterLock(dataDir: string): Promise<void> {
  await rm(join(dataDir, 'postmaster.pid'), { force: true });
}

/** Resolves once `pid` has exited, or false after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
