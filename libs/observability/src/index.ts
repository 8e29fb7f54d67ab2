export { ObservabilityModule, useStructuredLogger } from './lib/observability.module';
export type { ObservabilityOptions } from './lib/observability.module';
export { ReadinessService } from './lib/readiness.service';
export type { CheckResult, ReadinessCheck, ReadinessReport } from './lib/readiness.service';
export { currentRequestContext, runWithContext, acceptOrCreateId } from './lib/request-context';
export type { RequestContext } from './lib/request-context';
export { CORRELATION_ID_HEADER, REQUEST_ID_HEADER, ensureRequestId, requestContextMiddleware } from './lib/request-id.middleware';
export { HTTP_DURATION_METRIC, httpDurationHistogram } from './lib/http-metrics';
export { REDACTED, redactHeaders } from './lib/log-redaction';
