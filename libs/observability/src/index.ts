export { ReadinessService } from './lib/readiness.service';
export type { CheckResult, ReadinessCheck, ReadinessReport } from './lib/readiness.service';
export { currentRequestContext, runWithContext, acceptOrCreateId } from './lib/request-context';
export type { RequestContext } from './lib/request-context';
export { CORRELATION_ID_HEADER, REQUEST_ID_HEADER, ensureRequestId, requestContextMiddleware } from './lib/request-id.middleware';
export { ensureDefaultMetrics, HTTP_DURATION_METRIC, httpDurationHistogram, httpMetricsMiddleware } from './lib/http-metrics';
export { pinoHttpParams } from './lib/logger.config';
export { REDACTED, redactHeaders, redactQuery, redactUrl } from './lib/log-redaction';
export { describeError } from './lib/error-text';
