import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiHttpModule, buildOpenApiDocument } from '@niyanta/api-http';
import { BrokerModule } from '@niyanta/broker';
import { ObservabilityModule } from '@niyanta/platform';
import { StateModule } from '@niyanta/state';
import { stringify } from 'yaml';

/** Where the published document lives, relative to the workspace root. */
export const OPENAPI_PATH = 'docs/openapi.yaml';

/** Top-level keys in the order a reader expects; everything below is sorted alphabetically. */
const TOP_LEVEL_ORDER = ['openapi', 'info', 'servers', 'tags', 'security', 'paths', 'components'];

/**
 * The coordinator-api's OpenAPI document, built from the same feature modules the app serves but
 * in Nest's preview mode: the module graph and route metadata are read, no provider is
 * instantiated, so nothing connects to PostgreSQL or NATS (the store modules are only there to
 * complete the graph; their connection settings are never used).
 */
export async function buildApiDocument(): Promise<Record<string, unknown>> {
  @Module({
    imports: [
      ObservabilityModule.forRoot({ serviceName: 'openapi-export', logLevel: 'silent' }),
      StateModule.forRoot({ url: 'postgres://openapi-export.invalid/unused' }),
      BrokerModule.forRoot({ kind: 'memory', prefix: 'openapi' }),
      ApiHttpModule.forRoot({ bodyLimitBytes: 1024 * 1024 }),
    ],
  })
  class OpenApiExportModule {}

  const app = await NestFactory.create(OpenApiExportModule, { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app) as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** `document` as YAML with a stable key order, so regenerating an unchanged API changes no byte. */
export function toStableYaml(document: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = {};
  const rank = (key: string): number => {
    const index = TOP_LEVEL_ORDER.indexOf(key);
    return index < 0 ? TOP_LEVEL_ORDER.length : index;
  };
  for (const key of Object.keys(document).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
    ordered[key] = sortKeysDeep(document[key]);
  }
  return stringify(ordered, { lineWidth: 0, aliasDuplicateObjects: false });
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
  return sorted;
}
