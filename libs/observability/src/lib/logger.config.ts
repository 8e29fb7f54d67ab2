import { IncomingMessage, ServerResponse } from 'node:http';
import pino, { DestinationStream } from 'pino';
import { Options } from 'pino-http';
import { redactHeaders, redactUrl } from './log-redaction';
import { currentRequestContext } from './request-context';
import { ensureRequestId } from './request-id.middleware';

/** Paths polled by orchestrators and Prometheus: logging each poll would drown the real requests. */
export const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

/** Inputs of {@link pinoHttpOptions}. */
export interface LoggerSettings {
  serviceName: string;
  logLevel: string;
  pretty: boolean;
}

type SerializedReq = { url?: string; headers?: unknown } & Record<string, unknown>;
type SerializedRes = Record<string, unknown>;
type AttributedRequest = IncomingMessage & { principal?: { kind?: string; customerId?: string } };

const WORKLOAD_PATH = /^\/v1\/workloads\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$|\?)/i;

/**
 * Who and what a request line is about: `customer_id` once the request is authenticated (absent
 * for the admin key and anonymous requests) and `workload_id` for routes of one workload.
 */
export function requestAttribution(req: IncomingMessage): { customer_id?: string; workload_id?: string } {
  const attribution: { customer_id?: string; workload_id?: string } = {};
  const customerId = (req as AttributedRequest).principal?.customerId;
  if (typeof customerId === 'string') attribution.customer_id = customerId;
  const workloadId = WORKLOAD_PATH.exec(req.url ?? '')?.[1];
  if (workloadId !== undefined) attribution.workload_id = workloadId;
  return attribution;
}

function userAgent(headers: unknown): string | undefined {
  const value = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)['user-agent'] : undefined;
  return typeof value === 'string' ? value.slice(0, 200) : undefined;
}

/** Levels at which request lines also carry the (redacted) request headers. */
const HEADER_LEVELS = new Set(['debug', 'trace']);

/** pino-http options: JSON lines with service, request id, correlation id; credentials redacted. */
export function pinoHttpOptions(settings: LoggerSettings): Options {
  const withHeaders = HEADER_LEVELS.has(settings.logLevel);
  return {
    level: settings.logLevel,
    base: { service: settings.serviceName, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    genReqId: (req: IncomingMessage, res: ServerResponse) => ensureRequestId(req, res),
    customAttributeKeys: { reqId: 'requestId' },
    // Bind only the request id to in-request logs; the full request is logged once, on completion.
    quietReqLogger: true,
    mixin: () => {
      const ctx = currentRequestContext();
      return ctx ? { correlationId: ctx.correlationId } : {};
    },
    // Who the line is about, read when it is written (after authentication has run).
    customProps: (req: IncomingMessage) => requestAttribution(req),
    serializers: {
      // Method, path (credentials in the query redacted), client address and user agent: a request
      // line is about 300 bytes, not the 800 that every header would make it.
      req: (req: SerializedReq) => ({
        method: req['method'],
        url: typeof req.url === 'string' ? redactUrl(req.url) : undefined,
        remoteAddress: req['remoteAddress'],
        userAgent: userAgent(req.headers),
        // At debug, for diagnosing a client: every header, credentials redacted.
        ...(withHeaders && typeof req.headers === 'object' && req.headers !== null
          ? { headers: redactHeaders(req.headers) }
          : {}),
      }),
      // Response headers are ours and repetitive (security headers, rate limits); the status is what matters.
      res: (res: SerializedRes) => ({ statusCode: res['statusCode'] }),
    },
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    transport: settings.pretty ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } } : undefined,
  };
}

let stdout: DestinationStream | undefined;

/**
 * Standard output written asynchronously: lines logged while a write is in flight go out together
 * in the next one, instead of one blocking write per line on the request path. Pending lines are
 * flushed when the process exits. One per process, shared by every logger in it.
 */
export function asyncStdout(): DestinationStream {
  stdout ??= pino.destination({ dest: 1, sync: false });
  return stdout;
}

/** The destination argument for pino-http: an explicit stream wins, pretty mode uses its transport, else {@link asyncStdout}. */
export function pinoHttpParams(settings: LoggerSettings, destination?: DestinationStream): Options | [Options, DestinationStream] {
  const options = pinoHttpOptions(settings);
  if (settings.pretty) return options;
  return [options, destination ?? asyncStdout()];
}

/**
 * Writes `text` to standard output after every log line written so far. JSON log lines go out
 * through an asynchronous writer, so text written straight to `process.stdout` (the standalone
 * banner) could overtake them; queued on the same writer it cannot.
 */
export function writeAfterLogs(text: string): void {
  if (stdout !== undefined) stdout.write(text);
  else process.stdout.write(text);
}
