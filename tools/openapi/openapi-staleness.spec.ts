import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { buildApiDocument, OPENAPI_PATH, toStableYaml } from './openapi-document';

const committedPath = resolve(__dirname, '..', '..', OPENAPI_PATH);

/** Null when the two documents are the same text, else where they first differ and what to do about it. */
function staleness(committed: string, generated: string): string | null {
  if (committed === generated) return null;
  const committedLines = committed.split('\n');
  const generatedLines = generated.split('\n');
  const line = committedLines.findIndex((text, i) => text !== generatedLines[i]);
  const at = line === -1 ? committedLines.length : line;
  return (
    `docs/openapi.yaml is stale from line ${at + 1} (committed ${JSON.stringify(committedLines[at])}, ` +
    `generated ${JSON.stringify(generatedLines[at])}): run npm run openapi (and commit the result)`
  );
}

describe('docs/openapi.yaml', () => {
  let generated: Record<string, unknown>;

  beforeAll(async () => {
    generated = await buildApiDocument();
  });

  it('matches the API the code serves', () => {
    const committed = readFileSync(committedPath, 'utf8');
    expect(staleness(committed, toStableYaml(generated))).toBeNull();
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
