import { DomainError, ErrorCode, type ErrorDetail } from '@niyanta/models';
import type { NextFunction, Request, Response } from 'express';
import { findJsonProblem, isStorableText, printable, unstorableReason } from './storable-text';

/** Methods whose requests may carry a body. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Headers whose values reach PostgreSQL, logs or the response. */
const SCREENED_HEADERS = ['idempotency-key', 'x-request-id', 'x-correlation-id'] as const;
/** `application/json`, with or without parameters (`; charset=utf-8`). */
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/** True when the request announces a body (a length above zero, or a chunked body). */
export function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Express middleware, before the body parser: a request with a body must declare it as
 * `application/json`; anything else (form encodings, text, no type) is 415 `unsupported_media_type`
 * instead of being parsed by some other parser or ignored.
 */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (!BODY_METHODS.has(req.method) || !hasBody(req)) return next();
  const type = req.headers['content-type'];
  if (typeof type === 'string' && JSON_MEDIA_TYPE.test(type)) return next();
  next(
    new DomainError(ErrorCode.UnsupportedMediaType, 'request bodies must be JSON (Content-Type: application/json)', [
      { path: 'content-type', message: type === undefined ? 'is missing' : 'must be application/json' },
    ]),
  );
}

/**
 * The first value of the request PostgreSQL could not store, or a forbidden key: path segments,
 * query parameters, the screened headers and the JSON body, each walked once. Null when the
 * request is clean.
 */
export function findRequestProblem(req: Request): ErrorDetail | null {
  for (const segment of req.path.split('/')) {
    if (segment === '') continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { path: 'path', message: 'is not valid percent-encoded UTF-8' };
    }
    if (!isStorableText(decoded)) return { path: 'path', message: unstorableReason(decoded) };
  }
  for (const name of SCREENED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string' && !isStorableText(value)) return { path: name, message: unstorableReason(value) };
  }
  if (req.url.includes('?')) {
    const problem = findJsonProblem(req.query, '');
    if (problem) return problem;
  }
  if (typeof req.body === 'object' && req.body !== null) return findJsonProblem(req.body, '');
  return null;
}

/**
 * Express middleware, after the body parser: refuses with 400 `validation_failed`, naming the field,
 * any text PostgreSQL cannot store (NUL, lone surrogates) and any `__proto__`/`constructor`/
 * `prototype` key, in every part of every request, before validation, authentication or a query
 * sees it. One linear walk of the parsed body; nothing else allocated per request.
 */
export function screenRequest(req: Request, _res: Response, next: NextFunction): void {
  const problem = findRequestProblem(req);
  if (problem === null) return next();
  next(new DomainError(ErrorCode.ValidationFailed, `the request is invalid: ${printable(problem.path)}`, [problem]));
}
