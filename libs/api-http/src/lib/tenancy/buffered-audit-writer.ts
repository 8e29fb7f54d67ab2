import type { Logger } from '@nestjs/common';
import type { AuditEventInput } from '@niyanta/state';
import { randomUUID } from 'node:crypto';
import type { AuditOutbox, OutboxSegment } from './audit-outbox';

/** Where a {@link BufferedAuditWriter} writes: one multi-row insert per batch. */
export interface AuditSink {
  append(events: AuditEventInput[]): Promise<void>;
}

/** Limits of a {@link BufferedAuditWriter}. */
export interface BufferedAuditWriterOptions {
  /** Events held while PostgreSQL is unreachable; beyond it the oldest are dropped (and counted). @default 50000 */
  maxBuffered?: number;
  /** Most events per insert. @default 1000 */
  batchSize?: number;
  /** Delay before writing what arrived, so bursts share one insert. @default 20 */
  flushDelayMs?: number;
  /** Longest wait between retries while writes fail (doubling from 100 ms). @default 5000 */
  maxRetryDelayMs?: number;
  /**
   * Where each event is appended before it counts as queued, so that a process killed outright
   * loses none ({@link AuditOutbox}); null keeps events in memory only.
   * @default null
   */
  outbox?: AuditOutbox | null;
}

interface Queued {
  event: AuditEventInput;
  segment: OutboxSegment | null;
}

/**
 * Audit events that belong to no transaction (`auth.failed`) are handed here instead of being
 * written one insert each: they are queued in memory, written in batches off the request path,
 * and kept and retried while PostgreSQL is unreachable (the answer to the client never waits).
 * With an {@link AuditOutbox}, each event is also appended to a local file before `record` returns,
 * and the events a dead process left there are queued again by {@link recover}: nothing accepted is
 * lost to a crash. Every event gets an `eventId`, so an insert repeated after a crash (or after a
 * failure that had in fact committed) records it once. A graceful stop writes the backlog first
 * ({@link close}). Beyond `maxBuffered` the oldest are dropped, so a flood of bad keys during an
 * outage cannot exhaust memory.
 */
export class BufferedAuditWriter {
  private readonly queue: Queued[] = [];
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly flushDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly outbox: AuditOutbox | null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;
  private closed = false;
  /** Events dropped because the buffer was full. */
  dropped = 0;

  constructor(
    private readonly sink: AuditSink,
    private readonly logger: Pick<Logger, 'warn'>,
    options: BufferedAuditWriterOptions = {},
  ) {
    this.maxBuffered = options.maxBuffered ?? 50_000;
    this.batchSize = options.batchSize ?? 1_000;
    this.flushDelayMs = options.flushDelayMs ?? 20;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.outbox = options.outbox ?? null;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues an event (and appends it to the outbox, if any); never throws and never waits on I/O. */
  record(event: AuditEventInput): void {
    const stamped: AuditEventInput = { ...event, eventId: event.eventId ?? randomUUID(), occurredAt: event.occurredAt ?? new Date() };
    const segment = this.outbox?.append(stamped) ?? null;
    this.enqueue([{ event: stamped, segment }], false);
  }

  /**
   * Queues again the events that processes no longer running left in the outbox directory, ahead of
   * newer ones. Call once at start.
   * @returns how many events were recovered
   */
  recover(): number {
    if (!this.outbox) return 0;
    let recovered = 0;
    for (const { segment, events } of this.outbox.recover()) {
      this.enqueue(
        events.map((event) => ({ event, segment })),
        true,
      );
      recovered += events.length;
    }
    if (recovered > 0) this.logger.warn(`recovered ${recovered} audit events a stopped process had not written; writing them now`);
    return recovered;
  }

  /** Writes everything queued now; resolves when the queue is empty or a write failed. */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    while (this.queue.length > 0) {
      const ok = await this.writeBatch();
      if (!ok) return;
    }
  }

  /** Stops the timer and writes the backlog, giving up after `timeoutMs`. */
  async close(timeoutMs = 2_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    if (this.queue.length > 0) {
      this.logger.warn(
        `${this.queue.length} audit events were not written before shutdown` +
          (this.outbox ? ' (kept in the outbox for the next start)' : ''),
      );
    }
    this.outbox?.close();
  }

  private enqueue(entries: Queued[], older: boolean): void {
    const overflow = this.queue.length + entries.length - this.maxBuffered;
    if (overflow > 0) {
      // The oldest go: the front of the queue, or the oldest of these when they are older still.
      const dropped = older ? entries.splice(0, Math.min(overflow, entries.length)) : [];
      dropped.push(...this.queue.splice(0, Math.max(0, overflow - dropped.length)));
      this.forget(dropped);
      const before = this.dropped;
      this.dropped += dropped.length;
      if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.dropped / 1000)) {
        this.logger.warn(`audit buffer full: ${this.dropped} events dropped so far`);
      }
    }
    if (older) this.queue.unshift(...entries);
    else this.queue.push(...entries);
    if (!this.closed && this.queue.length > 0) this.schedule(this.failures === 0 ? this.flushDelayMs : this.retryDelay());
  }

  /** Tells the outbox these entries need no more keeping (written, or dropped). */
  private forget(entries: Queued[]): void {
    if (!this.outbox) return;
    const counts = new Map<OutboxSegment, number>();
    for (const { segment } of entries) if (segment) counts.set(segment, (counts.get(segment) ?? 0) + 1);
    for (const [segment, count] of counts) this.outbox.done(segment, count);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.queue.length > 0 && !this.closed) this.schedule(this.retryDelay());
      });
    }, delayMs);
    // Never keeps a process alive on its own: close() writes the backlog on a graceful stop.
    this.timer.unref();
  }

  private async writeBatch(): Promise<boolean> {
    const batch = this.queue.splice(0, this.batchSize);
    const attempt = this.sink.append(batch.map((entry) => entry.event)).then(
      () => {
        this.failures = 0;
        this.forget(batch);
      },
      (error: unknown) => {
        // Back at the front, in order, unless newer events overflowed the buffer meanwhile.
        const room = Math.max(0, this.maxBuffered - this.queue.length);
        const kept = Math.min(room, batch.length);
        this.dropped += batch.length - kept;
        this.forget(batch.slice(0, batch.length - kept));
        this.queue.unshift(...batch.slice(batch.length - kept));
        this.failures++;
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.logger.warn(`writing ${batch.length} audit events failed (${this.failures} in a row; kept for retry): ${String(error)}`);
        }
        throw error;
      },
    );
    this.writing = attempt.catch(() => undefined);
    try {
      await attempt;
      return true;
    } catch {
      return false;
    } finally {
      this.writing = null;
    }
  }

  private retryDelay(): number {
    return Math.min(this.maxRetryDelayMs, 100 * 2 ** Math.min(this.failures, 10));
  }
}
