import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { buildApiDocument, OPENAPI_PATH, toStableYaml } from './openapi-document';

const committedPath = resolve(__dirname, '..', '..', OPENAPI_PATH);

describe('docs/openapi.yaml', () => {
  let generated: Record<string, unknown>;

  beforeAll(async () => {
    generated = await buildApiDocument();
  });

  it('matches the API the code serves', () => {
    const committed = readFileSync(committedPath, 'utf8');
    if (toStableYaml(generated) !== committed) {
      throw new Error('docs/openapi.yaml is stale: run npm run openapi (and commit the result)');
    }
  });

  it('is an OpenAPI 3.0 document with the api_key bearer scheme and no operational routes', () => {
    const document = generated as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(document.openapi).toMatch(/^3\.0\./);
    expect(document.info.title).toBe('Niyanta API');
    expect(document.components.securitySchemes['api_key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/workloads', '/v1/workloads/{id}']));
    for (const operational of ['/health', '/ready', '/metrics']) expect(document.paths).not.toHaveProperty([operational]);
  });

  it('serialises with a stable key order', () => {
    const yaml = toStableYaml(generated);
    expect(yaml.split('\n')[0]).toBe('openapi: 3.0.3');
    // Round trip: the YAML is the same document, and serialising it again changes nothing.
    const reparsed = parse(yaml) as Record<string, unknown>;
    expect(reparsed).toEqual(JSON.parse(JSON.stringify(generated)));
    expect(toStableYaml(reparsed)).toBe(yaml);
  });
});
