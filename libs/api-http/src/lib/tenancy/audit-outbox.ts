import type { Logger } from '@nestjs/common';
import type { AuditEventInput } from '@niyanta/state';
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One outbox file and how many of its events are not yet in PostgreSQL. */
export interface OutboxSegment {
  readonly path: string;
  /** Open for appending while it is the current file; null once sealed or adopted. */
  fd: number | null;
  bytes: number;
  pending: number;
}

/** Events read back from the outbox file of a process that died, and the file they came from. */
export interface RecoveredOutbox {
  segment: OutboxSegment;
  events: AuditEventInput[];
}

/** Options of an {@link AuditOutbox}. */
export interface AuditOutboxOptions {
  /** Size at which the current file is sealed and a new one started. @default 1 MiB */
  maxSegmentBytes?: number;
}

// audit-<pid>-<random token of this process>-<sequence>.jsonl
const FILE_NAME = /^audit-(\d+)-([0-9a-f]+)-(\d+)\.jsonl$/;

/**
 * A process's local, append-only record of the audit events it has accepted but not yet written to
 * PostgreSQL: one JSON line per event, appended synchronously (a `write(2)` into the page cache, a
 * few microseconds) before the event counts as queued, so a process that is killed outright
 * (SIGKILL, out of memory) leaves its unwritten events on disk. The next process to start with the
 * same directory replays the files of processes that are no longer alive ({@link recover}). A file
 * is emptied once every event in it is written, and sealed (then deleted when written) beyond
 * `maxSegmentBytes`, so it stays small while PostgreSQL keeps up. Not fsynced: it survives the
 * process, not the machine.
 */
export class AuditOutbox {
  private readonly token = randomBytes(4).toString('hex');
  private readonly maxSegmentBytes: number;
  private sequence = 0;
  private current: OutboxSegment | null = null;
  private writeFailures = 0;

  constructor(
    /** The directory holding the outbox files (created when missing). */
    readonly dir: string,
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
    options: AuditOutboxOptions = {},
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 1024 * 1024;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Appends `event` to the current file. Returns the file it went to, or null when the write failed
   * (a full disk): the event is then kept in memory only, and a warning logged.
   */
  append(event: AuditEventInput): OutboxSegment | null {
    try {
      const segment = this.currentSegment();
      if (segment.fd === null) throw new Error('the current outbox file is closed');
      const line = `${JSON.stringify(event)}\n`;
      segment.bytes += writeSync(segment.fd, line);
      segment.pending++;
      if (segment.bytes >= this.maxSegmentBytes) this.seal(segment);
      return segment;
    } catch (error) {
      this.writeFailures++;
      if (this.writeFailures === 1 || this.writeFailures % 1000 === 0) {
        this.logger.warn(`appending to the audit outbox failed ${this.writeFailures} time(s): ${String(error)}`);
      }
      return null;
    }
  }

  /** Records that `count` events of `segment` are in PostgreSQL (or given up); empties or deletes it when none are left. */
  done(segment: OutboxSegment, count: number): void {
    segment.pending = Math.max(0, segment.pending - count);
    if (segment.pending > 0) return;
    try {
      if (segment === this.current && segment.fd !== null) {
        ftruncateSync(segment.fd, 0);
        segment.bytes = 0;
      } else {
        unlinkSync(segment.path);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`cleaning the audit outbox failed: ${String(error)}`);
    }
  }

  /**
   * Reads the files left by processes that are no longer running (the pid in the name is not alive,
   * or is this process's own pid under another token: a restarted container). Files of live
   * processes sharing the directory are left to them. An unreadable last line (the process died
   * mid-write) is skipped. Events already written are harmless to replay: they carry an `eventId`.
   */
  recover(): RecoveredOutbox[] {
    const recovered: RecoveredOutbox[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const match = FILE_NAME.exec(name);
      if (!match || match[2] === this.token || isAlive(Number(match[1]))) continue;
      const path = join(this.dir, name);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue; // another process replayed and deleted it meanwhile
      }
      const events: AuditEventInput[] = [];
      let unreadable = 0;
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const event = parseEvent(line);
        if (event) events.push(event);
        else unreadable++;
      }
      if (unreadable > 0) this.logger.warn(`${unreadable} unreadable line(s) skipped in audit outbox ${name}`);
      const segment: OutboxSegment = { path, fd: null, bytes: text.length, pending: events.length };
      if (events.length === 0) this.done(segment, 0);
      else recovered.push({ segment, events });
    }
    return recovered;
  }

  /** Closes the current file, deleting it when everything in it is written. */
  close(): void {
    const segment = this.current;
    this.current = null;
    if (segment === null || segment.fd === null) return;
    closeSync(segment.fd);
    segment.fd = null;
    if (segment.pending === 0) this.done(segment, 0);
  }

  private currentSegment(): OutboxSegment {
    if (this.current === null) {
      const path = join(this.dir, `audit-${process.pid}-${this.token}-${this.sequence++}.jsonl`);
      this.current = { path, fd: openSync(path, 'a', 0o600), bytes: 0, pending: 0 };
    }
    return this.current;
  }

  private seal(segment: OutboxSegment): void {
    if (segment.fd !== null) closeSync(segment.fd);
    segment.fd = null;
    this.current = null;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseEvent(line: string): AuditEventInput | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record['action'] !== 'string' || typeof record['actorType'] !== 'string') return null;
  const occurredAt = typeof record['occurredAt'] === 'string' ? new Date(record['occurredAt']) : null;
  return {
    ...(record as unknown as AuditEventInput),
    occurredAt: occurredAt !== null && !Number.isNaN(occurredAt.getTime()) ? occurredAt : null,
  };
}
