import type { WorkloadEventPayload } from '@niyanta/models';
import type { WorkloadStreamRepository } from '@niyanta/state';
import { WebSocket } from 'ws';
import type { CustomerPrincipal } from '../common/principal';
import type { CustomerEventHub } from './customer-event-hub.service';
import { matchesFilter, snapshotStatuses, type StreamFilter } from './stream-filter';
import { snapshotMessage, updateFromEvent, updateFromSummary, updateMessage } from './stream-message.mapper';
import type { StreamDropReason, StreamMetrics } from './stream-metrics';
import type { WorkloadUpdateDto } from './stream-message.dto';
import { StreamCloseCode, type StreamOptions } from './stream.options';
import { compareVersions, type WorkloadVersion } from './workload-version';

/** Workloads whose last sent state a connection remembers (to drop late, superseded events). */
const MAX_TRACKED_WORKLOADS = 10_000;

/** What a session needs from the process. */
export interface StreamSessionDeps {
  hub: CustomerEventHub;
  snapshots: WorkloadStreamRepository;
  metrics: StreamMetrics;
  options: StreamOptions;
  warn: (message: string) => void;
}

type Phase = 'starting' | 'live' | 'closed';

/**
 * One `/v1/stream` connection. It opens without a gap between snapshot and updates: it subscribes
 * to the customer's events first and holds them, then reads the snapshot, sends it, and sends the
 * held events that are newer than what the snapshot showed. From then on each event that matches
 * the filter and is newer than the last state sent for its workload goes out at once. A client that
 * lets more than `maxBufferedBytes` pile up is closed with 4008 instead of being buffered without
 * bound.
 */
export class StreamSession {
  /** False from a ping until its pong: a session still false at the next ping is dead. */
  alive = true;
  /** When the API key is checked again. */
  nextAuthAt: number;
  private phase: Phase = 'starting';
  private held: WorkloadEventPayload[] = [];
  private readonly sent = new Map<string, WorkloadVersion>();
  private detach: (() => Promise<void>) | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private readonly ended: Promise<void>;

  constructor(
    readonly socket: WebSocket,
    readonly principal: CustomerPrincipal,
    readonly filter: StreamFilter,
    /** The `Authorization` value the connection authenticated with, for re-checks. */
    readonly authorization: string,
    private readonly deps: StreamSessionDeps,
  ) {
    this.nextAuthAt = Date.now() + deps.options.reauthIntervalMs;
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.once('close', () => void this.dispose());
    // Errors (a protocol violation, a reset) are followed by 'close'; listening keeps them from
    // becoming unhandled.
    socket.on('error', () => undefined);
  }

  /** Subscribes, sends the snapshot and the events held meanwhile, then goes live. */
  async start(): Promise<void> {
    const customerId = this.principal.customerId;
    try {
      const detach = await this.deps.hub.attach(customerId, (event) => this.onEvent(event));
      if (this.phase === 'closed') {
        await detach();
        return;
      }
      this.detach = detach;
      const limit = this.deps.options.snapshotLimit;
      const snapshot = await this.deps.snapshots.snapshot({
        customerId,
        ids: this.filter.ids ? [...this.filter.ids] : undefined,
        statuses: snapshotStatuses(this.filter),
        workloadType: this.filter.workloadType,
        limit,
      });
      if (this.phase !== 'starting') return;
      // A byte budget on top of the row limit: outputs of finished workloads can be large. The
      // workloads left out are reported like those beyond the limit (`truncated`).
      const workloads: WorkloadUpdateDto[] = [];
      let bytes = 0;
      for (const item of snapshot.items) {
        const workload = updateFromSummary(item);
        bytes += JSON.stringify(workload).length;
        if (workloads.length > 0 && bytes > this.deps.options.snapshotMaxBytes) break;
        workloads.push(workload);
        this.remember(item.id, item);
      }
      const truncated = snapshot.truncated || workloads.length < snapshot.items.length;
      this.send(snapshotMessage(workloads, truncated, limit), 'snapshot');
      const held = this.held;
      this.held = [];
      this.phase = 'live';
      for (const event of held) this.deliver(event);
    } catch (error: unknown) {
      if (this.phase === 'closed') return;
      this.deps.warn(`stream snapshot for customer ${customerId} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (isDataException(error)) {
        // The filter itself is what PostgreSQL refused: a retry would fail the same way.
        this.drop('snapshot_failed', StreamCloseCode.PolicyViolation, 'the filter cannot be used: a value is not valid');
      } else {
        this.drop('snapshot_failed', StreamCloseCode.InternalError, 'snapshot unavailable, reconnect later');
      }
    }
  }

  /**
   * Closes the connection because of `reason` with `code`. The close frame queues behind what is
   * already buffered; a peer that has not finished the closing handshake after `closeTimeoutMs` is
   * terminated.
   */
  drop(reason: StreamDropReason, code: number, text: string): void {
    this.deps.metrics.dropped(reason);
    this.close(code, text);
  }

  /** Starts the closing handshake (idempotent). */
  close(code: number, text: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.held = [];
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, text);
    }
    this.closeTimer = setTimeout(() => this.socket.terminate(), this.deps.options.closeTimeoutMs);
    this.closeTimer.unref();
  }

  /** Resolves when the socket has closed. */
  closed(): Promise<void> {
    return this.ended;
  }

  /** True once the server or the peer began closing; the close timer takes it from there. */
  isClosing(): boolean {
    return this.phase === 'closed';
  }

  /** True when more than `maxBufferedBytes` wait to be sent; such a session is dropped. */
  isSlow(): boolean {
    return this.socket.bufferedAmount > this.deps.options.maxBufferedBytes;
  }

  private onEvent(event: WorkloadEventPayload): void {
    if (this.phase === 'live') {
      this.deliver(event);
    } else if (this.phase === 'starting') {
      if (this.held.length >= this.deps.options.maxPendingEvents) {
        this.drop('buffer_overflow', StreamCloseCode.TryAgainLater, 'too many events during the snapshot, reconnect');
        return;
      }
      this.held.push(event);
    }
  }

  private deliver(event: WorkloadEventPayload): void {
    const state = { id: event.workload_id, workloadType: event.workload_type, status: event.status };
    if (!matchesFilter(this.filter, state)) return;
    const last = this.sent.get(event.workload_id);
    if (last && compareVersions(event, last) <= 0) return;
    this.remember(event.workload_id, event);
    this.send(updateMessage(updateFromEvent(event)), 'update');
  }

  private remember(id: string, version: WorkloadVersion): void {
    // Re-inserting keeps the Map in least-recently-changed order, so the oldest entry goes first.
    this.sent.delete(id);
    this.sent.set(id, { attempt: version.attempt, status: version.status, progress: version.progress });
    if (this.sent.size > MAX_TRACKED_WORKLOADS) {
      const oldest = this.sent.keys().next();
      if (!oldest.done) this.sent.delete(oldest.value);
    }
  }

  private send(message: unknown, type: 'snapshot' | 'update'): void {
    if (this.phase === 'closed' || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.isSlow()) {
      this.drop('slow_consumer', StreamCloseCode.SlowConsumer, 'slow consumer');
      return;
    }
    this.socket.send(JSON.stringify(message));
    this.deps.metrics.sent(type);
  }

  private async dispose(): Promise<void> {
    this.phase = 'closed';
    this.held = [];
    if (this.closeTimer) clearTimeout(this.closeTimer);
    const detach = this.detach;
    this.detach = null;
    if (detach) await detach();
  }
}

/** True for PostgreSQL's data exceptions (SQLSTATE class 22: invalid text, out-of-range values), directly or wrapped by TypeORM. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.code ?? (error as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return typeof code === 'string' && code.startsWith('22');
}
