import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError, ErrorCode } from '@niyanta/models';
import type { Request, Response } from 'express';
import { ensureRequestId, redactUrl } from '@niyanta/observability';
import { principalOf, type CustomerPrincipal } from '../common/principal';
import { JSON_TOO_DEEP, MAX_JSON_DEPTH } from '../common/json-depth';
import type { ErrorResponseDto } from './error-response.dto';
import { errorAnswer } from './error-status';

/**
 * Body-parser failures reach Express's error chain with a `type`; turn the two a client causes
 * into domain errors before the framework reduces them to plain HTTP exceptions.
 */
export function translateBodyParserError(error: unknown): unknown {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: unknown }).limit;
    return new DomainError(
      ErrorCode.PayloadTooLarge,
      typeof limit === 'number' ? `the request body exceeds the limit of ${limit} bytes` : 'the request body is too large',
    );
  }
  if (type === 'entity.parse.failed') {
    return new DomainError(ErrorCode.ValidationFailed, 'the request body is not valid JSON', [
      { path: 'body', message: 'is not valid JSON' },
    ]);
  }
  if (type === JSON_TOO_DEEP) {
    return new DomainError(ErrorCode.ValidationFailed, `the request body is nested deeper than ${MAX_JSON_DEPTH} levels`, [
      { path: 'body', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new DomainError(ErrorCode.UnsupportedMediaType, `the request body's ${type === 'charset.unsupported' ? 'charset' : 'Content-Encoding'} is not supported`, [
      { path: type === 'charset.unsupported' ? 'content-type' : 'content-encoding', message: 'is not supported' },
    ]);
  }
  if (typeof type === 'string' && (type.startsWith('encoding.') || type.startsWith('charset.') || type === 'request.aborted')) {
    return new DomainError(ErrorCode.ValidationFailed, `the request body could not be read (${type})`);
  }
  // A body that does not decode as its Content-Encoding says (zlib errors): the parser marks it 400.
  const status = (error as { status?: unknown; expose?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && typeof (error as { code?: unknown }).code === 'string') {
    return new DomainError(ErrorCode.ValidationFailed, 'the request body could not be decoded as its Content-Encoding says', [
      { path: 'content-encoding', message: 'does not match the body' },
    ]);
  }
  return error;
}

/** The one exception filter of the API: every error leaves in the `{"error": {...}}` shape. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  /**
   * @param onServerError sees every error answered with 500 or above (the database circuit breaker counts them)
   * @param onCustomerRejected sees every customer request answered with a 4xx other than 429 (the per-tier metrics count them)
   */
  constructor(
    private readonly onServerError?: (exception: unknown) => void,
    private readonly onCustomerRejected?: (principal: CustomerPrincipal, code: ErrorCode) => void,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const described = errorAnswer(exception);
    if (described.status >= 500) {
      this.onServerError?.(exception);
      const stack = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error(`${req.method} ${redactUrl(req.originalUrl ?? req.url)} failed: ${described.code}`, stack);
    }
    if (res.headersSent) return;
    const body: ErrorResponseDto = {
      error: {
        code: described.code,
        message: described.message,
        details: described.details,
        request_id: ensureRequestId(req, res),
      },
    };
    if (described.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(described.retryAfterSeconds));
    const principal = principalOf(req);
    if (principal?.kind === 'customer' && described.status >= 400 && described.status < 500 && described.status !== 429) {
      this.onCustomerRejected?.(principal, described.code);
    }
    res.status(described.status).json(body);
  }
}
