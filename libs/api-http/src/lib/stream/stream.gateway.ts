import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, ErrorCode } from '@niyanta/models';
import { acceptOrCreateId } from '@niyanta/observability';
import { WorkloadStreamRepository } from '@niyanta/state';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_HTTP_OPTIONS, type ApiHttpOptions } from '../api-http.options';
import { ApiKeyAuthService, type AuthAttempt } from '../auth/api-key-auth.service';
import type { CustomerPrincipal } from '../common/principal';
import { errorAnswer } from '../errors/error-status';
import { RateLimitService } from '../tenancy/rate-limit.service';
import { CustomerEventHub } from './customer-event-hub.service';
import { parseStreamFilter, type StreamFilter } from './stream-filter';
import { StreamMetrics } from './stream-metrics';
import { StreamSession } from './stream-session';
import {
  DEFAULT_STREAM_OPTIONS,
  STREAM_BEARER_PROTOCOL_PREFIX,
  STREAM_PATH,
  STREAM_SUBPROTOCOL,
  StreamCloseCode,
  type StreamOptions,
} from './stream.options';

/** Clients only send pongs and close frames; anything bigger than this is a protocol abuse. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** Response headers a refused upgrade still carries (rate-limit state). */
type ExtraHeaders = Map<string, string>;

/** A handshake accepted by authentication and filter parsing (holding one of its customer's connection slots). */
interface AcceptedUpgrade {
  principal: CustomerPrincipal;
  filter: StreamFilter;
  authorization: string;
  source: string;
}

/** Default of `ApiHttpOptions.streamMaxPerCustomer`. */
export const DEFAULT_STREAM_MAX_PER_CUSTOMER = 100;

/**
 * The API key of an upgrade request: the `Authorization` header, or for browsers (which cannot set
 * headers on a WebSocket) a `bearer.<key>` entry of `Sec-WebSocket-Protocol`. Never the query
 * string: URLs end up in logs and proxies.
 */
export function upgradeAuthorization(req: IncomingMessage): string | undefined {
  if (req.headers.authorization) return req.headers.authorization;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = offered.find((protocol) => protocol.startsWith(STREAM_BEARER_PROTOCOL_PREFIX));
  return bearer ? `Bearer ${bearer.slice(STREAM_BEARER_PROTOCOL_PREFIX.length)}` : undefined;
}

/**
 * `GET /v1/stream`: live workload updates over WebSocket, served by a `ws` server in `noServer`
 * mode on the API's own HTTP server (same port, same process, no second framework). The upgrade is
 * authenticated like every `/v1` route before the handshake completes, so a bad key is a plain
 * HTTP 401 in the usual error shape. Each connection is a {@link StreamSession}; the gateway pings
 * them, re-checks their keys, cuts off dead and slow peers, and closes them (1001) at shutdown.
 */
@Injectable()
export class StreamGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StreamGateway.name);
  private readonly options: StreamOptions;
  private readonly sessions = new Set<StreamSession>();
  /** Connections (open or completing their handshake) per customer id. */
  private readonly perCustomer = new Map<string, number>();
  private readonly maxPerCustomer: number;
  private readonly sources = new WeakMap<StreamSession, string>();
  private readonly wss: WebSocketServer;
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private accepting = true;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void this.handleUpgrade(req, socket, head);
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: ApiKeyAuthService,
    private readonly hub: CustomerEventHub,
    private readonly snapshots: WorkloadStreamRepository,
    private readonly metrics: StreamMetrics,
    private readonly rateLimits: RateLimitService,
    @Inject(API_HTTP_OPTIONS) apiOptions: ApiHttpOptions,
  ) {
    this.options = { ...DEFAULT_STREAM_OPTIONS, ...apiOptions.stream };
    this.maxPerCustomer = apiOptions.streamMaxPerCustomer ?? DEFAULT_STREAM_MAX_PER_CUSTOMER;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: MAX_CLIENT_MESSAGE_BYTES,
      handleProtocols: (protocols) => (protocols.has(STREAM_SUBPROTOCOL) ? STREAM_SUBPROTOCOL : false),
    });
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server || typeof server.on !== 'function') return;
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    this.timer = setInterval(() => this.tick(), this.options.pingIntervalMs);
    this.timer.unref();
  }

  /** Stops accepting, closes every connection with 1001 and waits for them (up to `closeTimeoutMs`). */
  async onModuleDestroy(): Promise<void> {
    this.accepting = false;
    if (this.timer) clearInterval(this.timer);
    const open = [...this.sessions];
    for (const session of open) session.close(StreamCloseCode.GoingAway, 'server shutting down');
    await Promise.all(open.map((session) => session.closed()));
    this.server?.off('upgrade', this.onUpgrade);
    this.wss.close();
  }

  /** Open connections of this process. */
  connectionCount(): number {
    return this.sessions.size;
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://stream.invalid');
    if (url.pathname !== STREAM_PATH) {
      // Another upgrade handler may own the path; answer only when nobody else listens.
      if (this.server && this.server.listenerCount('upgrade') === 1) {
        this.reject(socket, req, new DomainError(ErrorCode.NotFound, `no WebSocket endpoint at ${url.pathname}`));
      }
      return;
    }
    let accepted: AcceptedUpgrade;
    const extraHeaders: ExtraHeaders = new Map();
    try {
      accepted = await this.accept(req, url, extraHeaders);
    } catch (error: unknown) {
      this.reject(socket, req, error, extraHeaders);
      return;
    }
    if (socket.destroyed) {
      this.release(accepted.principal.customerId);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, accepted));
  }

  private async accept(req: IncomingMessage, url: URL, extraHeaders: ExtraHeaders): Promise<AcceptedUpgrade> {
    if (!this.accepting) throw new DomainError(ErrorCode.DependencyUnavailable, 'the server is shutting down');
    if (this.sessions.size >= this.options.maxConnections) {
      throw new DomainError(ErrorCode.DependencyUnavailable, 'too many stream connections on this server, retry later');
    }
    if (req.method !== 'GET') throw new DomainError(ErrorCode.ValidationFailed, 'a WebSocket upgrade must be a GET');
    const authorization = upgradeAuthorization(req) ?? '';
    const attempt = this.attempt(req);
    const principal = await this.auth.authenticate(authorization || undefined, attempt);
    // A connection attempt is a request of the customer: it takes a token like any other.
    const headerSink = { setHeader: (name: string, value: string) => extraHeaders.set(name, value) };
    await this.rateLimits.admit(principal, headerSink as unknown as Parameters<RateLimitService['admit']>[1]);
    const filter = parseStreamFilter(url.searchParams);
    this.reserve(principal.customerId);
    return { principal, filter, authorization, source: attempt.source };
  }

  /** Takes one of the customer's connection slots; 429 when it holds `streamMaxPerCustomer` already. */
  private reserve(customerId: string): void {
    const held = this.perCustomer.get(customerId) ?? 0;
    if (held >= this.maxPerCustomer) {
      throw Object.assign(
        new DomainError(ErrorCode.RateLimited, `this customer already holds ${this.maxPerCustomer} stream connections on this server; close one first`),
        { retryAfterSeconds: 1 },
      );
    }
    this.perCustomer.set(customerId, held + 1);
  }

  private release(customerId: string): void {
    const held = (this.perCustomer.get(customerId) ?? 1) - 1;
    if (held <= 0) this.perCustomer.delete(customerId);
    else this.perCustomer.set(customerId, held);
  }

  /** Stream connections a customer holds on this process (open or completing their handshake). */
  connectionsOf(customerId: string): number {
    return this.perCustomer.get(customerId) ?? 0;
  }

  private open(ws: WebSocket, accepted: AcceptedUpgrade): void {
    const session = new StreamSession(ws, accepted.principal, accepted.filter, accepted.authorization, {
      hub: this.hub,
      snapshots: this.snapshots,
      metrics: this.metrics,
      options: this.options,
      warn: (message) => this.logger.warn(message),
    });
    this.sessions.add(session);
    this.sources.set(session, accepted.source);
    this.metrics.opened();
    ws.once('close', () => {
      this.sessions.delete(session);
      this.release(accepted.principal.customerId);
      this.metrics.closed();
    });
    void session.start();
  }

  /** Pings every session, cuts off those that missed the last ping or cannot keep up, re-checks keys. */
  private tick(): void {
    const now = Date.now();
    for (const session of this.sessions) {
      if (session.isClosing()) continue;
      if (!session.alive) {
        this.metrics.dropped('dead_peer');
        session.socket.terminate();
        continue;
      }
      if (session.isSlow()) {
        session.drop('slow_consumer', StreamCloseCode.SlowConsumer, 'slow consumer');
        continue;
      }
      session.alive = false;
      session.socket.ping();
      if (now >= session.nextAuthAt) {
        session.nextAuthAt = now + this.options.reauthIntervalMs;
        void this.recheck(session);
      }
    }
  }

  private async recheck(session: StreamSession): Promise<void> {
    try {
      await this.auth.authenticate(session.authorization, {
        requestId: null,
        method: 'GET',
        path: STREAM_PATH,
        source: this.sources.get(session) ?? 'unknown',
      });
    } catch (error: unknown) {
      if (!(error instanceof DomainError)) return;
      // An unreachable database must not disconnect everyone; only a definite answer does.
      if (error.code === ErrorCode.Unauthorized) session.drop('unauthorized', StreamCloseCode.Unauthorized, 'api key no longer valid');
      if (error.code === ErrorCode.Forbidden) session.drop('unauthorized', StreamCloseCode.Forbidden, 'customer suspended');
    }
  }

  private attempt(req: IncomingMessage): AuthAttempt {
    return { requestId: this.requestId(req), method: req.method ?? 'GET', path: STREAM_PATH, source: req.socket.remoteAddress ?? 'unknown' };
  }

  private requestId(req: IncomingMessage): string {
    const r = req as IncomingMessage & { id?: unknown };
    if (typeof r.id !== 'string') r.id = acceptOrCreateId(req.headers['x-request-id']);
    return r.id as string;
  }

  /** Answers a refused upgrade with a plain HTTP response in the API's error shape. */
  private reject(socket: Duplex, req: IncomingMessage, error: unknown, extraHeaders: ExtraHeaders = new Map()): void {
    const described = errorAnswer(error);
    if (described.status >= 500 && described.code !== ErrorCode.DependencyUnavailable) {
      this.logger.error(`stream upgrade failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    const requestId = this.requestId(req);
    const body = JSON.stringify({
      error: { code: described.code, message: described.message, details: described.details, request_id: requestId },
    });
    const headers = [
      `HTTP/1.1 ${described.status} ${STATUS_CODES[described.status] ?? 'Error'}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Connection: close',
    ];
    for (const [name, value] of extraHeaders) headers.push(`${name}: ${value}`);
    if (described.retryAfterSeconds !== undefined) headers.push(`Retry-After: ${described.retryAfterSeconds}`);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  }
}
