import { HttpException } from '@nestjs/common';
import { DomainError, ErrorCode, type ErrorDetail } from '@niyanta/models';

/** The HTTP status of each error code; the exception filter is the only place that needs it. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.UnknownWorkloadType]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.InvalidState]: 409,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.RequestTimeout]: 408,
  [ErrorCode.HeadersTooLarge]: 431,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.QuotaExceeded]: 429,
  [ErrorCode.Internal]: 500,
  [ErrorCode.DependencyUnavailable]: 503,
};

/** The code of an HTTP status raised by the framework (unknown route, parser errors) rather than by us. */
export function codeForHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 408:
      return ErrorCode.RequestTimeout;
    case 415:
      return ErrorCode.UnsupportedMediaType;
    case 431:
      return ErrorCode.HeadersTooLarge;
    case 400:
    case 422:
      return ErrorCode.ValidationFailed;
    case 401:
      return ErrorCode.Unauthorized;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
    case 405:
      return ErrorCode.NotFound;
    case 409:
      return ErrorCode.Conflict;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 429:
      return ErrorCode.RateLimited;
    case 502:
    case 503:
    case 504:
      return ErrorCode.DependencyUnavailable;
    default:
      return status >= 400 && status < 500 ? ErrorCode.ValidationFailed : ErrorCode.Internal;
  }
}

// Connection-level failures: node socket errors and PostgreSQL SQLSTATE classes 08 (connection
// exception), 53300 (too many connections) and 57P0x (server shutting down / starting).
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN']);
const PG_UNAVAILABLE = /^(08\d{3}|53300|57P0[1-4])$/;
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  'Cannot use a pool after calling end',
  'connect ECONNREFUSED',
  // TypeORM, once the data source was closed (shutdown).
  'Driver not Connected',
];

/**
 * True when `error` (or what it wraps: TypeORM's `driverError`, `cause`) says PostgreSQL could not be
 * reached, so the request can be answered 503 `dependency_unavailable` instead of 500.
 */
export function isDependencyFailure(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const candidate = error as { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof candidate.code === 'string' && (SOCKET_CODES.has(candidate.code) || PG_UNAVAILABLE.test(candidate.code))) {
    return true;
  }
  if (candidate.name === 'CannotConnectError' || candidate.name === 'ConnectionIsNotSetError') return true;
  if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.some((text) => (candidate.message as string).includes(text))) {
    return true;
  }
  return isDependencyFailure(candidate.driverError, depth + 1) || isDependencyFailure(candidate.cause, depth + 1);
}

/** An error as it will be answered: status, code, message, details (and Retry-After). */
export interface ErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
  details: ErrorDetail[];
  /** Seconds for `Retry-After` (429, 503). */
  retryAfterSeconds?: number;
}

const GENERIC_INTERNAL = 'internal error; the request id identifies it in the server logs';

/**
 * Maps anything thrown to the HTTP answer: domain errors by code, framework HTTP errors (unknown
 * route, body parser) by status, unreachable PostgreSQL to 503, anything else to a generic 500
 * whose details stay in the log.
 */
export function errorAnswer(exception: unknown): ErrorAnswer {
  if (exception instanceof DomainError) {
    const retryAfter = (exception as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return {
      status: HTTP_STATUS_BY_CODE[exception.code] ?? 500,
      code: exception.code,
      message: exception.message,
      details: exception.details,
      ...(typeof retryAfter === 'number' ? { retryAfterSeconds: retryAfter } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = codeForHttpStatus(status);
    return { status, code, message: code === ErrorCode.Internal ? GENERIC_INTERNAL : exception.message, details: [] };
  }
  if (isDependencyFailure(exception)) {
    return { status: 503, code: ErrorCode.DependencyUnavailable, message: 'postgresql is unavailable', details: [] };
  }
  return { status: 500, code: ErrorCode.Internal, message: GENERIC_INTERNAL, details: [] };
}
