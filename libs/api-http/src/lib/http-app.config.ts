import { ValidationPipe, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { rejectDeepJson } from './common/json-depth';
import { requireJsonBody, screenRequest } from './edge/request-screening';
import { applyServerLimits, bodyTimeout, DEFAULT_SERVER_LIMITS, type ServerLimits } from './edge/server-limits';
import { ApiExceptionFilter, translateBodyParserError } from './errors/api-exception.filter';
import { validationFailed } from './errors/validation-errors';
import { buildOpenApiDocument } from './openapi.config';
import { DatabaseCircuitBreaker } from './resilience/database-circuit-breaker.service';
import { TenantApiMetrics } from './tenancy/tenant-metrics';

/** Options of {@link configureHttpApp}. */
export interface HttpAppOptions {
  /** Largest accepted JSON body in bytes; larger bodies get 413 `payload_too_large`. */
  bodyLimitBytes: number;
  /** Serve the OpenAPI document at `/docs-json` and Swagger UI at `/docs`. */
  swagger: boolean;
  /**
   * Browser origins allowed to call the API cross-origin (`CORS_ORIGINS`). Empty: CORS is off and
   * browsers refuse cross-origin calls.
   * @default []
   */
  corsOrigins?: readonly string[];
  /**
   * Timeouts and the connection cap of the HTTP server; each absent field takes its default from
   * {@link DEFAULT_SERVER_LIMITS}.
   * @default {}
   */
  server?: Partial<ServerLimits>;
}

/** Request headers a browser client may send cross-origin. */
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-Correlation-Id'];
/** Response headers a browser client may read cross-origin. */
const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'];

/**
 * Prepares an Express-based Nest application to serve the API: security headers (helmet), CORS for
 * the configured origins only, server timeouts and connection cap (408/431/400 from Node's parser in
 * the error shape), JSON-only bodies (415 otherwise) read within a time limit, the JSON body parser
 * with the size limit (413 above it, 400 for malformed JSON or nesting deeper than 64 levels), the
 * request screening (400 for text PostgreSQL cannot store and prototype keys anywhere in the request),
 * the global ValidationPipe (400 `validation_failed`
 * with field paths), the one exception filter (every error in the `{"error": {...}}` shape, unknown
 * routes included) and, optionally, the OpenAPI document and Swagger UI. Call before `init()`/`listen()`.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const expressApp = app as NestExpressApplication;
  // Security headers (HSTS, nosniff, frame denial, a CSP that still lets Swagger UI load its files).
  expressApp.use(helmet());
  expressApp.disable('x-powered-by');
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...options.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.server };
  applyServerLimits(app.getHttpServer() as Server, limits);
  expressApp.use(requireJsonBody);
  expressApp.use(bodyTimeout(limits.bodyTimeoutMs));
  // Registered before init, so Nest's default (100 kB) JSON parser is not added.
  expressApp.useBodyParser('json', { limit: options.bodyLimitBytes, verify: rejectDeepJson });
  expressApp.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => next(translateBodyParserError(error)));
  expressApp.use(screenRequest);
  app.useGlobalPipes(
    new ScreenedValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationFailed,
    }),
  );
  const tenantMetrics = new TenantApiMetrics();
  app.useGlobalFilters(
    new ApiExceptionFilter(databaseCircuitObserver(app), (principal, code) => tenantMetrics.rejected.inc({ tier: principal.tier, code })),
  );
  if (options.swagger) {
    SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  }
}

/**
 * The global ValidationPipe without its two defensive walks of every value (prototype keys, sparse
 * arrays): {@link screenRequest} has already refused `__proto__`/`constructor`/`prototype` keys in
 * every body and query string, and JSON and the query parser never produce sparse arrays (other body
 * types are 415). On an 80,000-key input each walk cost as much as the screening itself.
 */
class ScreenedValidationPipe extends ValidationPipe {
  protected override stripProtoKeys(): void {
    // Refused by screenRequest before any pipe runs.
  }

  protected override closeArrayGaps(): void {
    // JSON bodies and parsed query strings have no gaps.
  }
}

/** The breaker's error observer when the application has {@link DatabaseCircuitBreaker} (ApiHttpModule provides it). */
function databaseCircuitObserver(app: INestApplication): ((exception: unknown) => void) | undefined {
  try {
    const breaker = app.get(DatabaseCircuitBreaker, { strict: false });
    return (exception) => breaker.observeError(exception);
  } catch {
    return undefined;
  }
}
