import { ValidationPipe, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ApiExceptionFilter, translateBodyParserError } from './errors/api-exception.filter';
import { validationFailed } from './errors/validation-errors';
import { buildOpenApiDocument } from './openapi.config';

/** Options of {@link configureHttpApp}. */
export interface HttpAppOptions {
  /** Largest accepted JSON body in bytes; larger bodies get 413 `payload_too_large`. */
  bodyLimitBytes: number;
  /** Serve the OpenAPI document at `/docs-json` and Swagger UI at `/docs`. */
  swagger: boolean;
}

/**
 * Prepares an Express-based Nest application to serve the API: JSON body parser with the size
 * limit (413 above it, 400 for malformed JSON), the global ValidationPipe (400 `validation_failed`
 * with field paths), the one exception filter (every error in the `{"error": {...}}` shape, unknown
 * routes included) and, optionally, the OpenAPI document and Swagger UI. Call before `init()`/`listen()`.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const expressApp = app as NestExpressApplication;
  // Registered before init, so Nest's default (100 kB) JSON parser is not added.
  expressApp.useBodyParser('json', { limit: options.bodyLimitBytes });
  expressApp.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => next(translateBodyParserError(error)));
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationFailed,
    }),
  );
  app.useGlobalFilters(new ApiExceptionFilter());
  if (options.swagger) {
    SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  }
}
