/**
 * Every error the product reports has a code from this enum. Only the apps' exception filters
 * map codes to HTTP statuses; domain and application code throw {@link DomainError}.
 */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  InvalidState = 'invalid_state',
  Conflict = 'conflict',
  UnknownWorkloadType = 'unknown_workload_type',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  RequestTimeout = 'request_timeout',
  HeadersTooLarge = 'headers_too_large',
  RateLimited = 'rate_limited',
  QuotaExceeded = 'quota_exceeded',
  DependencyUnavailable = 'dependency_unavailable',
  Internal = 'internal_error',
}

/** One problem with one field of a request; `path` is the dotted field path. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** A failure the caller can act on, identified by its {@link ErrorCode}. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A transition the status state machine does not allow (for example cancelling a completed workload). */
export class InvalidStateError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.InvalidState, message);
    this.name = 'InvalidStateError';
  }
}

/** The entity does not exist, or belongs to another customer (never 403: existence is not revealed). */
export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super(ErrorCode.NotFound, `${what} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

/** PostgreSQL or the broker is unreachable; nothing was applied. */
export class DependencyUnavailableError extends DomainError {
  constructor(dependency: string, cause?: unknown) {
    super(ErrorCode.DependencyUnavailable, `${dependency} is unavailable`);
    this.name = 'DependencyUnavailableError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** The caller's tier does not allow another request now; `retryAfterSeconds` says when one will. */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.RateLimited, `rate limit exceeded; retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}
