import type { Logger } from '@nestjs/common';
import type { AuditEventInput } from '@niyanta/state';

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
}

/**
 * Audit events that belong to no transaction (`auth.failed`) are handed here instead of being
 * written one insert each: they are queued in memory, written in batches off the request path,
 * and kept and retried while PostgreSQL is unreachable (the answer to the client never waits).
 * What it does not survive is the process dying with events still queued — at most
 * `flushDelayMs` of events normally, the whole backlog during a database outage; a graceful stop
 * writes the backlog first ({@link close}). Beyond `maxBuffered` the oldest are dropped, so a
 * flood of bad keys during an outage cannot exhaust memory.
 */
export class BufferedAuditWriter {
  private readonly queue: AuditEventInput[] = [];
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly flushDelayMs: number;
  private readonly maxRetryDelayMs: number;
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
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues an event; never throws and never waits. */
  record(event: AuditEventInput): void {
    if (this.queue.length >= this.maxBuffered) {
      this.queue.shift();
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.logger.warn(`audit buffer full: ${this.dropped} events dropped so far`);
    }
    this.queue.push(event);
    if (!this.closed) this.schedule(this.failures === 0 ? this.flushDelayMs : this.retryDelay());
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
    if (this.queue.length > 0) this.logger.warn(`${this.queue.length} audit events were not written before shutdown`);
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
    const attempt = this.sink.append(batch).then(
      () => {
        this.failures = 0;
      },
      (error: unknown) => {
        // Back at the front, in order, unless newer events overflowed the buffer meanwhile.
        const room = Math.max(0, this.maxBuffered - this.queue.length);
        this.dropped += batch.length - Math.min(room, batch.length);
        this.queue.unshift(...batch.slice(batch.length - Math.min(room, batch.length)));
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
