import WebSocket from 'ws';
import { NiyantaApiError, NiyantaStreamError } from './errors';
import type { StreamMessage, WorkloadStatus } from './types';

/** What a stream shows; absent fields do not filter. */
export interface StreamFilter {
  /** Only these workloads (at most 1000). The opening snapshot then includes finished ones. */
  ids?: string[];
  /** Only workloads in these statuses (the status being reported: `RUNNING` shows starts, not ends). */
  status?: WorkloadStatus[];
  /** Only this workload type. */
  workloadType?: string;
}

/** Options of `client.stream()`. */
export interface StreamOptions {
  /**
   * Reconnect after the server went away (1001), a failed snapshot (1011), an overload (1013) or a
   * dropped connection (1006), with backoff; each reconnection starts with a fresh `snapshot`.
   * @default true
   */
  reconnect?: boolean;
  /** Reconnections in a row without a snapshot in between before giving up. @default 10 */
  maxReconnects?: number;
  /** Messages held for a consumer that is not keeping up before the socket stops reading. @default 1000 */
  highWaterMark?: number;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
}

/** Close codes after which reconnecting can succeed. */
const RECONNECTABLE = new Set([1001, 1006, 1011, 1013]);
const NORMAL_CLOSE = 1000;

/** Connection details `stream()` needs from the client. */
export interface StreamConnection {
  url: string;
  apiKey: string;
  headers?: Record<string, string>;
}

/** The query string of a filter, in the API's parameter names. */
export function streamQuery(filter: StreamFilter): string {
  const params = new URLSearchParams();
  for (const id of filter.ids ?? []) params.append('ids', id);
  for (const status of filter.status ?? []) params.append('status', status);
  if (filter.workloadType !== undefined) params.set('workload_type', filter.workloadType);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * Live updates over `GET /v1/stream` as an async iterator: first a `snapshot` message, then an
 * `update` per change. `for await` over it; `break` (or `close()`) ends it. A consumer slower than
 * the stream makes the socket stop reading after `highWaterMark` messages, so the server — not this
 * process — holds the backlog, and closes with 4008 if it grows too large. Non-retryable closes and
 * refused connections (401, 400…) reject the iteration with {@link NiyantaStreamError} or
 * {@link NiyantaApiError}.
 */
export class WorkloadStream implements AsyncIterableIterator<StreamMessage> {
  private socket: WebSocket | null = null;
  private readonly queue: StreamMessage[] = [];
  private waiter: { resolve: (result: IteratorResult<StreamMessage>) => void; reject: (error: unknown) => void } | null = null;
  private failure: unknown = null;
  private ended = false;
  private reconnects = 0;
  private readonly highWaterMark: number;
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly connection: StreamConnection,
    private readonly filter: StreamFilter,
    private readonly options: StreamOptions = {},
  ) {
    this.highWaterMark = options.highWaterMark ?? 1000;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) this.ended = true;
    else this.connect();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamMessage> {
    return this;
  }

  next(): Promise<IteratorResult<StreamMessage>> {
    const message = this.queue.shift();
    if (message !== undefined) {
      if (this.queue.length < this.highWaterMark / 2 && this.socket?.isPaused) this.socket.resume();
      return Promise.resolve({ value: message, done: false });
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<StreamMessage>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Closes the connection; the iteration ends after the messages already received. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.socket?.close(NORMAL_CLOSE);
    this.settle();
  }

  private connect(): void {
    const socket = new WebSocket(`${this.connection.url}${streamQuery(this.filter)}`, ['niyanta.v1'], {
      headers: { ...this.connection.headers, authorization: `Bearer ${this.connection.apiKey}` },
    });
    this.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as StreamMessage;
      if (message.type === 'snapshot') this.reconnects = 0;
      this.push(message);
    });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(body);
        } catch {
          // not the API's error body; fromResponse reports the status
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
        this.fail(NiyantaApiError.fromResponse(new Response(null, { status: response.statusCode ?? 500, headers }), parsed));
        socket.terminate();
      });
    });
    socket.on('error', () => undefined); // 'close' follows and decides
    socket.on('close', (code, reason) => {
      if (this.socket !== socket || this.ended || this.failure !== null) return;
      if (code === NORMAL_CLOSE) {
        this.ended = true;
        this.settle();
      } else if (this.options.reconnect !== false && RECONNECTABLE.has(code) && this.reconnects < (this.options.maxReconnects ?? 10)) {
        this.reconnects++;
        const delayMs = Math.min(10_000, 100 * 2 ** this.reconnects) * (0.5 + Math.random() / 2);
        setTimeout(() => {
          if (!this.ended) this.connect();
        }, delayMs);
      } else {
        this.fail(new NiyantaStreamError(code, reason.toString()));
      }
    });
  }

  private push(message: StreamMessage): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve({ value: message, done: false });
      return;
    }
    this.queue.push(message);
    if (this.queue.length >= this.highWaterMark) this.socket?.pause();
  }

  private fail(error: unknown): void {
    if (this.failure !== null || this.ended) return;
    this.failure = error;
    this.settle();
  }

  /** Wakes a waiting `next()` when the stream ended or failed with nothing queued. */
  private settle(): void {
    if (!this.waiter || this.queue.length > 0) return;
    const { resolve, reject } = this.waiter;
    this.waiter = null;
    if (this.failure !== null) reject(this.failure);
    else resolve({ value: undefined, done: true });
  }
}
