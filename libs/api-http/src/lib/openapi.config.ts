import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorResponseDto } from './errors/error-response.dto';
import { STREAM_MESSAGE_SCHEMA, streamMessageSchema } from './stream/stream.controller';

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  /** `info.version` of the document. @default '1.0.0' */
  version?: string;
}

/** Paths served by the process but not part of the published API. */
const UNPUBLISHED_PATHS = ['/metrics'];

/**
 * The OpenAPI 3.0 document of `app` (used by `/docs-json` and by the export tool that writes
 * docs/openapi.yaml). Two bearer schemes: `api_key` for customers, `admin_key` for the operator.
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions = {}): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Niyanta API')
    .setDescription(
      'Submit and control long-running, checkpointable workloads. Every /v1 route takes `Authorization: Bearer <key>`. ' +
        'Errors always have the shape `{"error": {"code", "message", "details", "request_id"}}`; every response carries X-Request-Id.',
    )
    .setVersion(options.version ?? '1.0.0')
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
  // A union has no class to decorate: the stream's message type is added as a named component.
  document.components = { ...document.components, schemas: { ...document.components?.schemas, [STREAM_MESSAGE_SCHEMA]: streamMessageSchema() } };
  return document;
}
