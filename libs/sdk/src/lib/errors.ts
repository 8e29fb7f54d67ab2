/** One problem with one field of a request. */
export interface NiyantaErrorDetail {
  /** Dotted path of the field (`items.3.workload_type`). */
  path: string;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Retry-After` as seconds (a number of seconds or an HTTP date), or null. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * A request the API answered with an error. Carries the API's error `code` (`validation_failed`,
 * `not_found`, `invalid_state`, `rate_limited`, …), the HTTP `status`, the `requestId` to quote
 * when asking the operator, the per-field `details`, and `retryAfterSeconds` on 429/503.
 */
export class NiyantaApiError extends Error {
  override readonly name = 'NiyantaApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details: NiyantaErrorDetail[] = [],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /**
   * The error of a failed response: the API's `{"error": {...}}` body when it has one, else
   * (a proxy's HTML page, an empty body) code `unexpected_response` with the status.
   */
  static fromResponse(response: Response, body: unknown): NiyantaApiError {
    const requestId = response.headers.get('x-request-id');
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
    if (error && typeof error['code'] === 'string' && typeof error['message'] === 'string') {
      const details = Array.isArray(error['details'])
        ? error['details'].filter(isRecord).map((d) => ({ path: String(d['path'] ?? ''), message: String(d['message'] ?? '') }))
        : [];
      const id = typeof error['request_id'] === 'string' ? error['request_id'] : requestId;
      return new NiyantaApiError(response.status, error['code'], error['message'], id, details, retryAfter);
    }
    return new NiyantaApiError(response.status, 'unexpected_response', `HTTP ${response.status} ${response.statusText}`.trim(), requestId, [], retryAfter);
  }
}

/** {@link waitForCompletion} gave up before the workload finished. */
export class NiyantaTimeoutError extends Error {
  override readonly name = 'NiyantaTimeoutError';

  constructor(
    message: string,
    /** The workload as last seen. */
    readonly lastSeen: unknown,
  ) {
    super(message);
  }
}

/** A batch larger than one request failed part-way: the chunks before `failedChunk` were created. */
export class NiyantaBatchError extends Error {
  override readonly name = 'NiyantaBatchError';

  constructor(
    message: string,
    /** Workloads created by the chunks that succeeded, in request order. */
    readonly submitted: readonly unknown[],
    /** Index of the chunk that failed (each chunk is all-or-none). */
    readonly failedChunk: number,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** The live stream ended with a close code the client should not retry (4001, 4003, 4008, …). */
export class NiyantaStreamError extends Error {
  override readonly name = 'NiyantaStreamError';

  constructor(
    /** WebSocket close code (see the API guide: 4001 key revoked, 4003 suspended, 4008 slow consumer). */
    readonly code: number,
    readonly reason: string,
  ) {
    super(`the stream closed with ${code}${reason ? ` (${reason})` : ''}`);
  }
}

/** A readable line for any failure of a client call: the API's message with its status and code, or the error's message. */
export function describeError(error: unknown): string {
  if (error instanceof NiyantaApiError) return `${error.message} (${error.status} ${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
