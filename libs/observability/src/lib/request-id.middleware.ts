import { IncomingMessage, ServerResponse } from 'node:http';
import { acceptOrCreateId, runWithContext } from './request-context';

/** Header that carries the request id in and out. */
export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Optional header a caller uses to tie several requests to one action. */
export const CORRELATION_ID_HEADER = 'X-Correlation-Id';

type RequestWithId = IncomingMessage & { id?: unknown };

/**
 * Gives the request its id exactly once (whichever of this middleware and pino-http runs first),
 * and sets the `X-Request-Id` response header as soon as the id exists so that every response —
 * including errors produced before routing — carries it.
 */
export function ensureRequestId(req: IncomingMessage, res: ServerResponse): string {
  const r = req as RequestWithId;
  if (typeof r.id === 'string') return r.id;
  const id = acceptOrCreateId(req.headers['x-request-id']);
  r.id = id;
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * Express-style middleware: assigns the request id and runs the rest of the request inside its
 * {@link RequestContext}. The correlation id is the caller's `X-Correlation-Id` when sane, else
 * the request id.
 */
export function requestContextMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const requestId = ensureRequestId(req, res);
  const header = req.headers['x-correlation-id'];
  const correlationId = header === undefined ? requestId : acceptOrCreateId(header);
  runWithContext({ requestId, correlationId }, next);
}
