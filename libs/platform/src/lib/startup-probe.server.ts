import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { register } from 'prom-client';
import { acceptOrCreateId, CheckResult, describeError, ensureDefaultMetrics, ReadinessCheck, ReadinessReport } from '@niyanta/observability';

/** Options of {@link StartupProbe.start}. */
export interface StartupProbeOptions {
  /** Port the application will serve on; 0 picks a free one (see {@link StartupProbe.port}). */
  port: number;
  /** @default all interfaces */
  host?: string;
  /** Named in the 503 answered to non-probe requests while starting. */
  serviceName: string;
  /** Receives one line per change of a dependency's state. @default discard */
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** Options of {@link StartupProbe.waitFor}. */
export interface WaitOptions {
  /** First pause between attempts; doubles up to `maxIntervalMs`. @default 500 */
  intervalMs?: number;
  /** @default 5000 */
  maxIntervalMs?: number;
  /** Each check counts as failed after this long. @default 3000 */
  checkTimeoutMs?: number;
  /** Stops waiting (rejecting with the signal's reason), e.g. on SIGTERM. */
  signal?: AbortSignal;
}

/**
 * A bare HTTP server that holds the application's port while the process waits for its
 * dependencies: `/health` is 200 `{status: 'starting'}` (alive, not yet serving), `/ready` is 503 naming what is not
 * reachable yet, `/metrics` serves process metrics, anything else is 503 `dependency_unavailable`.
 * A process pointed at a database that is down therefore stays up and says why, instead of
 * crash-looping; once {@link waitFor} resolves the caller closes the probe and starts the real app.
 */
export class StartupProbe {
  private results: Record<string, CheckResult> = {};

  private constructor(
    private readonly server: Server,
    private readonly options: StartupProbeOptions,
  ) {}

  /** Starts listening; resolves once the port is bound. */
  static async start(options: StartupProbeOptions): Promise<StartupProbe> {
    ensureDefaultMetrics();
    const server = createServer();
    const probe = new StartupProbe(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => probe.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return probe;
  }

  /** The bound port (differs from the requested one when that was 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * What `/ready` currently reports: never ready — only the application is — but with each
   * dependency's last result, so an operator sees what the process is waiting for.
   */
  report(): ReadinessReport {
    return { status: 'unavailable', checks: { ...this.results }, details: { starting: true } };
  }

  /**
   * Runs every check until all pass at once, backing off between rounds. Resolves then; the probe
   * keeps answering until {@link close}.
   */
  async waitFor(checks: Record<string, ReadinessCheck>, options: WaitOptions = {}): Promise<void> {
    let interval = options.intervalMs ?? 500;
    const maxInterval = options.maxIntervalMs ?? 5_000;
    const timeoutMs = options.checkTimeoutMs ?? 3_000;
    this.results = Object.fromEntries(Object.keys(checks).map((name) => [name, { ok: false, error: 'not checked yet' }]));
    for (;;) {
      options.signal?.throwIfAborted();
      const round = await Promise.all(
        Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => [name, await runCheck(check, timeoutMs)]),
      );
      for (const [name, result] of round) this.record(name, result);
      if (round.every(([, result]) => result.ok)) return;
      // Rejects with the abort reason, as throwIfAborted above does, rather than Node's AbortError.
      await delay(interval, undefined, { signal: options.signal }).catch((error: unknown) => {
        throw options.signal?.aborted ? options.signal.reason : error;
      });
      interval = Math.min(interval * 2, maxInterval);
    }
  }

  /** Stops listening and drops open connections, freeing the port for the application. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private record(name: string, result: CheckResult): void {
    const previous = this.results[name];
    this.results[name] = result;
    const changed = previous?.ok !== result.ok || previous?.error !== result.error;
    if (!changed) return;
    if (result.ok) this.options.log?.('info', `${name} is reachable`);
    else this.options.log?.('warn', `waiting for ${name}: ${result.error}`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = acceptOrCreateId(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    // Alive (200) but visibly not the application yet: callers waiting for the app look for 'ok'.
    if (path === '/health') return json(res, 200, { status: 'starting' });
    if (path === '/ready') return json(res, 503, this.report());
    if (path === '/metrics') {
      void register.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': register.contentType });
          res.end(text);
        },
        () => json(res, 500, { status: 'error' }),
      );
      return;
    }
    const waiting = Object.entries(this.results)
      .filter(([, r]) => !r.ok)
      .map(([name]) => name);
    res.setHeader('Retry-After', '1');
    json(res, 503, {
      error: {
        code: 'dependency_unavailable',
        message: `${this.options.serviceName} is starting${waiting.length ? `: waiting for ${waiting.join(', ')}` : ''}`,
        details: [],
        request_id: requestId,
      },
    });
  }
}

/**
 * A readiness check that passes when a TCP connection to one of `urls` (`scheme://host:port` or
 * `host:port`) opens within the check's time budget. Used before a client library is constructed,
 * so nothing is left half-connected when the dependency is down.
 */
export function tcpCheck(urls: readonly string[], defaultPort: number): ReadinessCheck {
  return async () => {
    const errors: string[] = [];
    for (const raw of urls) {
      const url = new URL(/^[a-z]+:\/\//.test(raw) ? raw : `tcp://${raw}`);
      const port = url.port ? Number(url.port) : defaultPort;
      try {
        await tcpConnect(url.hostname.replace(/^\[|\]$/g, ''), port);
        return;
      } catch (error: unknown) {
        errors.push(`${url.hostname}:${port}: ${describeError(error)}`);
      }
    }
    throw new Error(errors.join('; '));
  };
}

function tcpConnect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (error: unknown) {
    return { ok: false, error: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
