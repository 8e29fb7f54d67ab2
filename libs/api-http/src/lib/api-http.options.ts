import type { StreamOptions } from './stream/stream.options';

/** Options of {@link ApiHttpModule.forRoot}. */
export interface ApiHttpOptions {
  /**
   * The operator's key for `/v1/admin/*` (`NIYANTA_ADMIN_API_KEY`). When absent every admin request
   * is answered 401.
   * @default undefined
   */
  adminApiKey?: string;
  /** Largest accepted JSON body in bytes; larger bodies get 413 `payload_too_large`. */
  bodyLimitBytes: number;
  /**
   * How long a successful API key lookup is reused without asking PostgreSQL. A revoked key stops
   * working on other replicas within this time (at once on the replica that revoked it).
   * @default 5000
   */
  authCacheTtlMs?: number;
  /**
   * How long a workload type's config is reused by submissions. Unknown types are never cached, so a
   * type becomes submittable as soon as a worker registers it.
   * @default 5000
   */
  typeConfigCacheTtlMs?: number;
  /**
   * Per-customer request rate limiting by tier, shared by all replicas through PostgreSQL. Turn it
   * off only where something in front of the API limits instead.
   * @default true
   */
  rateLimit?: boolean;
  /**
   * Tuning of the live stream `GET /v1/stream` (snapshot size, ping interval, slow-consumer limit…);
   * each absent field takes its default from `DEFAULT_STREAM_OPTIONS`.
   * @default {}
   */
  stream?: Partial<StreamOptions>;
  /**
   * Directory of this process's local audit outbox (`AUDIT_OUTBOX_DIR`): `auth.failed` events are
   * appended there before they are queued for PostgreSQL, so a process killed outright loses none;
   * at start, files left by processes no longer running are written and deleted. Give each host (or
   * container) and database its own directory: liveness is checked by pid, and replayed events go to
   * this process's database. Unset: events are kept in memory only.
   * @default undefined
   */
  auditOutboxDir?: string;
  /**
   * How long `auth.failed` events are gathered before one batch insert (`AUDIT_FLUSH_INTERVAL`).
   * @default 20
   */
  auditFlushIntervalMs?: number;
  /**
   * Pre-authentication throttle per source address (in this process's memory): each failed
   * authentication takes a token; an address without one is answered 429 `rate_limited` with
   * `Retry-After` before its key is looked up. A cached working key is never throttled. `false` turns
   * it off (only where something in front of the API does this).
   * @default {@link DEFAULT_AUTH_THROTTLE}
   */
  authThrottle?: { burst: number; perSecond: number } | false;
  /**
   * `auth.failed` aggregation window (`AUTH_FAILURE_WINDOW`): the first failure of a source address
   * in a window is one audit row, later ones are counted into one summary row at the window's end.
   * 0 records every failure.
   * @default 10000
   */
  authFailureWindowMs?: number;
  /**
   * Most `GET /v1/stream` connections one customer may hold on this process, so one customer cannot
   * take the whole `maxConnections` of the stream (`STREAM_MAX_PER_CUSTOMER`).
   * @default 100
   */
  streamMaxPerCustomer?: number;
  /**
   * Byte budget of one `GET /v1/workloads` page (its items as JSON): the page stops early, with a
   * `next_cursor`, when the next item would exceed it (a page always holds at least one item).
   * @default 4194304
   */
  listMaxBytes?: number;
}

/** Injection token of the {@link ApiHttpOptions}. */
export const API_HTTP_OPTIONS = Symbol('API_HTTP_OPTIONS');

/** Default of {@link ApiHttpOptions.authCacheTtlMs}. */
export const DEFAULT_AUTH_CACHE_TTL_MS = 5000;
/** Default of {@link ApiHttpOptions.authThrottle}: 30 failed authentications at once, one more per second. */
export const DEFAULT_AUTH_THROTTLE = Object.freeze({ burst: 30, perSecond: 1 });
/** Default of {@link ApiHttpOptions.authFailureWindowMs}. */
export const DEFAULT_AUTH_FAILURE_WINDOW_MS = 10_000;
/** Default of {@link ApiHttpOptions.listMaxBytes}: 4 MiB. */
export const DEFAULT_LIST_MAX_BYTES = 4 * 1024 * 1024;
/** Default of {@link ApiHttpOptions.typeConfigCacheTtlMs}. */
export const DEFAULT_TYPE_CONFIG_CACHE_TTL_MS = 5000;
