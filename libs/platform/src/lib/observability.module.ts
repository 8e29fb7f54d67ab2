import {
  DynamicModule,
  Global,
  INestApplication,
  MiddlewareConsumer,
  Module,
  NestModule,
  Optional,
  RequestMethod,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Logger, LoggerModule } from 'nestjs-pino';
import { IncomingMessage, ServerResponse } from 'node:http';
import { DestinationStream } from 'pino';
import { FrameworkQuietLogger } from '@niyanta/observability';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ensureDefaultMetrics, httpDurationHistogram, httpMetricsMiddleware, pinoHttpParams, ReadinessService, requestContextMiddleware } from '@niyanta/observability';

/** Options of {@link ObservabilityModule.forRoot}. */
export interface ObservabilityOptions {
  /** Written as `service` on every log line (`coordinator-api`, `worker`, ...). */
  serviceName: string;
  /** pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. */
  logLevel: string;
  /** Human-readable single-line logs via pino-pretty, for a developer's terminal. @default false */
  pretty?: boolean;
  /** Where JSON logs go (tests pass a stream to read them back). @default stdout */
  destination?: DestinationStream;
  /** A readiness check slower than this counts as failed. @default 2000 */
  readinessTimeoutMs?: number;
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Logging, metrics and health for one process: structured JSON logs with request and correlation
 * ids (credentials redacted), `X-Request-Id` on every response, `GET /metrics` (process metrics and
 * `http_request_duration_seconds`), `GET /health` and `GET /ready` backed by {@link ReadinessService}.
 * Global: import it once, in the app module.
 */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  /** True when the request middlewares went in ahead of Nest's body parsers (see constructor). */
  private readonly registeredEarly: boolean;
  private readonly middlewares: Middleware[];

  constructor(@Optional() adapterHost?: HttpAdapterHost) {
    this.middlewares = [requestContextMiddleware, httpMetricsMiddleware(httpDurationHistogram())];
    // In a NestFactory-created app the HTTP adapter exists before modules are instantiated and Nest
    // adds its body parsers later, at init. Registering here puts the request id and timing ahead
    // of them, so a malformed or oversized body still gets an X-Request-Id and a latency sample.
    // Testing modules attach the adapter after instantiation; configure() covers them.
    const adapter = adapterHost?.httpAdapter;
    if (adapter) {
      for (const middleware of this.middlewares) adapter.use(middleware);
    }
    this.registeredEarly = adapter !== undefined;
  }

  /** Logging, metrics and health endpoints for the process named `serviceName`. */
  static forRoot(options: ObservabilityOptions): DynamicModule {
    ensureDefaultMetrics();
    const settings = { serviceName: options.serviceName, logLevel: options.logLevel, pretty: options.pretty ?? false };
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: pinoHttpParams(settings, options.destination) }),
        PrometheusModule.register({ path: '/metrics', controller: MetricsController, defaultMetrics: { enabled: false } }),
      ],
      controllers: [HealthController],
      providers: [{ provide: ReadinessService, useFactory: () => new ReadinessService(options.readinessTimeoutMs) }],
      exports: [ReadinessService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (!this.registeredEarly) {
      consumer.apply(...this.middlewares).forRoutes({ path: '*', method: RequestMethod.ALL });
    }
  }
}

/**
 * Routes Nest's own logging (and every `new Logger(...)` in libs) through the structured logger.
 * Call right after creating the app with `{ bufferLogs: true }`, so start-up logs are kept.
 */
export function useStructuredLogger(app: INestApplication): void {
  app.useLogger(new FrameworkQuietLogger(app.get(Logger)));
  app.flushLogs();
}
