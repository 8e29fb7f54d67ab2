import { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';

/** Name of the request latency histogram every HTTP-serving process exports. */
export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';

type HttpLabels = 'method' | 'route' | 'status_class';

/**
 * prom-client's registry is process-global; a second Nest application in one process (tests,
 * standalone) must reuse the metric rather than register it twice.
 */
export function httpDurationHistogram(): Histogram<HttpLabels> {
  const existing = register.getSingleMetric(HTTP_DURATION_METRIC);
  if (existing) return existing as Histogram<HttpLabels>;
  return new Histogram<HttpLabels>({
    name: HTTP_DURATION_METRIC,
    help: 'HTTP request duration in seconds, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
}

/** Registers prom-client's process metrics (CPU, memory, event loop lag, GC) once per process. */
export function ensureDefaultMetrics(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/** Nest answers unknown paths from a catch-all route; it is not a route of ours. */
const CATCH_ALL_ROUTES = new Set(['/{*path}', '*', '/*']);

/**
 * Labels with bounded cardinality: the route *template* (`/v1/workloads/:id`), never the raw URL,
 * and `unmatched` for anything no route handled (scanners must not mint label values).
 */
export function httpLabels(req: IncomingMessage, statusCode: number): Record<HttpLabels, string> {
  const routed = req as RoutedRequest;
  const path = routed.route?.path;
  const template = typeof path === 'string' && !CATCH_ALL_ROUTES.has(path) ? `${routed.baseUrl ?? ''}${path}` : 'unmatched';
  const method = (req.method ?? '').toUpperCase();
  return {
    method: KNOWN_METHODS.has(method) ? method : 'OTHER',
    route: template,
    status_class: `${Math.floor(statusCode / 100)}xx`,
  };
}

/** Middleware timing each request until its response is finished (or the client goes away). */
export function httpMetricsMiddleware(histogram: Histogram<HttpLabels>) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const stop = histogram.startTimer();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      stop(httpLabels(req, res.statusCode));
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
