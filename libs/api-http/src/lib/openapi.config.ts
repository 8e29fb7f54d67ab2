import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ANALYTICS_SCHEMAS } from './analytics/dto/analytics.dto';
import { JSON_VALUE_COMPONENT, JSON_VALUE_SCHEMA } from './common/json-value.schema';
import { ErrorResponseDto } from './errors/error-response.dto';
import { STREAM_MESSAGE_SCHEMA, streamMessageSchema } from './stream/stream.controller';

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  /** `info.version` of the document. @default '1.0.0' */
  version?: string;
}

/** Paths served by the process but not part of the published API. */
const UNPUBLISHED_PATHS = ['/metrics'];

/** The OpenAPI version the document declares (3.0.3: what Go and most generators support). */
const OPENAPI_VERSION = '3.0.3';

/**
 * Gives every integer schema without a format `int32`: each count, limit, priority and attempt of
 * the API fits, and typed clients (Go) then get a sized type instead of guessing. Fields that may
 * not fit (byte sizes) declare `int64` on their DTO.
 */
function sizeIntegers(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) sizeIntegers(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (record['type'] === 'integer' && record['format'] === undefined) record['format'] = 'int32';
  for (const value of Object.values(record)) sizeIntegers(value);
}

/**
 * The OpenAPI 3.0.3 document of `app` (used by `/docs-json` and by the export tool that writes
 * docs/openapi.yaml). Two bearer schemes: `api_key` for customers, `admin_key` for the operator.
 * Kept friendly to code generators for typed languages (checked by tools/openapi): named schemas
 * for every body and enum, sized integers, no 3.1 keywords.
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions = {}): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Niyanta API')
    .setDescription(
      'Submit and control long-running, checkpointable workloads. Every /v1 route takes `Authorization: Bearer <key>`. ' +
        'Errors always have the shape `{"error": {"code", "message", "details", "request_id"}}`; every response carries X-Request-Id.',
    )
    .setVersion(options.version ?? '1.0.0')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'The server this document is served from')
    .addTag('workloads', 'Submit, read, list and control your workloads.')
    .addTag('schedules', 'Cron schedules that submit a workload at every tick, exactly once per tick.')
    .addTag('stream', 'Live updates of your workloads over a WebSocket.')
    .addTag('fleet', 'The workers and the workload types they registered.')
    .addTag('analytics', 'Throughput, latency and worker utilization from rollups; workload exports as CSV or JSON.')
    .addTag('admin', 'Operator API (admin key): customers, API keys, tiers, type configs, drains, audit.')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A customer API key (`nyk_...`).' }, 'api_key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The operator key (NIYANTA_ADMIN_API_KEY).' }, 'admin_key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto],
    // Our routes name their operationId explicitly; this only names routes of other modules.
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}${methodKey.replace(/^./, (c) => c.toUpperCase())}`,
  });
  for (const path of UNPUBLISHED_PATHS) delete document.paths[path];
  // Schemas without a class to decorate (a union, "any JSON value") are added as named components.
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [STREAM_MESSAGE_SCHEMA]: streamMessageSchema(), [JSON_VALUE_SCHEMA]: JSON_VALUE_COMPONENT, ...ANALYTICS_SCHEMAS },
  };
  document.openapi = OPENAPI_VERSION;
  sizeIntegers(document.paths);
  sizeIntegers(document.components);
  return document;
}
