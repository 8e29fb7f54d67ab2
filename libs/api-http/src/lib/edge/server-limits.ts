import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '@niyanta/models';
import { ensureRequestId } from '@niyanta/observability';
import type { NextFunction, Request, Response } from 'express';
import { hasBody } from './request-screening';

/** Limits of the HTTP server itself: time to send headers and a body, idle connections, connection count. */
export interface ServerLimits {
  /**
   * Time a client has to send the request line and headers; then 408 `request_timeout`.
   * @default 10000
   */
  headersTimeoutMs: number;
  /**
   * Time a client has to send its whole body once the headers are in; then 408 `request_timeout`
   * and the connection is closed (a body dripping a byte at a time holds a connection no longer).
   * @default 10000
   */
  bodyTimeoutMs: number;
  /**
   * Node's own limit on a whole request (headers and body), checked every 30 s: the backstop of
   * {@link bodyTimeoutMs}.
   * @default 30000
   */
  requestTimeoutMs: number;
  /**
   * How long an idle keep-alive connection stays open between requests.
   * @default 5000
   */
  keepAliveTimeoutMs: number;
  /**
   * A connection silent for this long (no byte in either direction) while a request is open is closed.
   * WebSocket connections are excluded (the stream pings them itself).
   * @default 120000
   */
  idleTimeoutMs: number;
  /**
   * Open connections (WebSocket streams included) the process accepts; further connections are closed
   * at once, so one client cannot exhaust file descriptors and memory.
   * @default 10000
   */
  maxConnections: number;
}

/** Defaults of {@link ServerLimits}. */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxConnections: 10_000,
};

const CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: ErrorCode.HeadersTooLarge, message: 'the request line or headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: ErrorCode.RequestTimeout, message: 'the request was not received in time' },
  HPE_HEADERS_TIMEOUT: { status: 408, code: ErrorCode.RequestTimeout, message: 'the request headers were not received in time' },
};
const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The raw HTTP response Node's parser errors are answered with: the error shape and a fresh request id. */
export function clientErrorResponse(errorCode: string | undefined): string {
  const known = (errorCode && CLIENT_ERRORS[errorCode]) || {
    status: 400,
    code: ErrorCode.ValidationFailed,
    message: 'the request is not valid HTTP',
  };
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: known.code, message: known.message, details: [], request_id: requestId } });
  return [
    `HTTP/1.1 ${known.status} ${REASONS[known.status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Applies {@link ServerLimits} to the HTTP server and answers what Node's parser refuses (headers too
 * large: 431, headers or request too slow: 408, malformed HTTP: 400) in the API's error shape with
 * an `X-Request-Id`, instead of Node's empty responses.
 */
export function applyServerLimits(server: Server, limits: ServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code !== 'ECONNRESET' && socket.writable && !pending?.headersSent) {
      socket.end(clientErrorResponse(error.code));
    }
    socket.destroy();
  });
}

/**
 * Express middleware, before the body parser: a body not fully received within `timeoutMs` of its
 * headers is answered 408 `request_timeout` (error shape, `X-Request-Id`) and the connection closed.
 * Node's own request timeout is checked only every 30 s; this one is exact and per request, so an
 * unauthenticated client dripping a body byte by byte holds a connection for `timeoutMs` at most.
 */
export function bodyTimeout(timeoutMs: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!hasBody(req) || req.complete) return next();
    const timer = setTimeout(() => {
      if (req.complete || res.headersSent) return;
      const body = {
        error: {
          code: ErrorCode.RequestTimeout,
          message: `the request body was not received within ${timeoutMs} ms`,
          details: [],
          request_id: ensureRequestId(req, res),
        },
      };
      // The body parser is still waiting for bytes: answer here, then drop the connection (its read
      // then fails as aborted and the exception filter finds the response already sent).
      res.once('finish', () => req.socket.destroy());
      res.status(408).setHeader('Connection', 'close');
      res.json(body);
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    req.once('end', clear);
    req.once('close', clear);
    next();
  };
}
