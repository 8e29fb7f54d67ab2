/** Path of the live stream (a WebSocket upgrade on the API's HTTP server). */
export const STREAM_PATH = '/v1/stream';

/**
 * The subprotocol a client offers (and the server selects) on `/v1/stream`. A browser, which cannot
 * set `Authorization` on a WebSocket, offers it together with `bearer.<api key>`; the server never
 * echoes the key back.
 */
export const STREAM_SUBPROTOCOL = 'niyanta.v1';

/** Prefix of the subprotocol that carries the API key for browsers (`bearer.nyk_...`). */
export const STREAM_BEARER_PROTOCOL_PREFIX = 'bearer.';

/** WebSocket close codes the stream uses (4000–4999 are the application's range). */
export const StreamCloseCode = {
  /** The server is shutting down (standard "going away"); reconnect to another replica. */
  GoingAway: 1001,
  /** The filter was refused by PostgreSQL (a value it cannot compare); reconnecting with it will not help. */
  PolicyViolation: 1008,
  /** Reading the snapshot failed (PostgreSQL unavailable); reconnect later. */
  InternalError: 1011,
  /** Too many events arrived while the snapshot was being read; reconnect (narrow the filter). */
  TryAgainLater: 1013,
  /** The API key was revoked or expired while connected. */
  Unauthorized: 4001,
  /** The customer was suspended while connected. */
  Forbidden: 4003,
  /** The client did not read fast enough: more than `maxBufferedBytes` were waiting to be sent. */
  SlowConsumer: 4008,
} as const;
export type StreamCloseCode = (typeof StreamCloseCode)[keyof typeof StreamCloseCode];

/** Tuning of the live stream (`ApiHttpOptions.stream`). */
export interface StreamOptions {
  /**
   * Most workloads sent in the snapshot that opens a connection (newest first); the snapshot
   * message says `truncated: true` when more matched.
   * @default 1000
   */
  snapshotLimit: number;
  /**
   * Byte budget of the snapshot's workloads as JSON (outputs of finished workloads can be large);
   * beyond it the snapshot stops early and says `truncated: true`. It holds at least one workload.
   * @default 4194304
   */
  snapshotMaxBytes: number;
  /** The server pings every client this often; a client that has not answered the previous ping is cut off. @default 15000 */
  pingIntervalMs: number;
  /** A connection with more than this many bytes waiting to be sent is closed with 4008 (slow consumer). @default 4194304 */
  maxBufferedBytes: number;
  /** Events held while the snapshot is read; more closes the connection with 1013. @default 10000 */
  maxPendingEvents: number;
  /** The key of an open connection is checked again this often (revoked → 4001, suspended → 4003). @default 60000 */
  reauthIntervalMs: number;
  /** Open connections per process; more are answered 503. @default 10000 */
  maxConnections: number;
  /** A connection still open this long after the server sent a close frame is terminated. @default 5000 */
  closeTimeoutMs: number;
}

/** Defaults of {@link StreamOptions}. */
export const DEFAULT_STREAM_OPTIONS: Readonly<StreamOptions> = Object.freeze({
  snapshotLimit: 1000,
  snapshotMaxBytes: 4 * 1024 * 1024,
  pingIntervalMs: 15_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPendingEvents: 10_000,
  reauthIntervalMs: 60_000,
  maxConnections: 10_000,
  closeTimeoutMs: 5_000,
});
