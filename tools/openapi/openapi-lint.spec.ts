import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { OPENAPI_PATH } from './openapi-document';
import { checkGeneratorRules, type GeneratorRuleOptions } from './openapi-rules';

const root = resolve(__dirname, '..', '..');
const RULES: GeneratorRuleOptions = { errorSchema: 'ErrorResponseDto', bearerSchemes: ['api_key', 'admin_key'] };

/** A minimal clean document; each test breaks one thing. */
function cleanDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/v1/things/{id}': {
        get: {
          operationId: 'getThing',
          security: [{ api_key: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: 'thing-1' }],
          responses: {
            '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            '404': { description: 'no', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } } },
          },
        },
      },
    },
    components: {
      securitySchemes: { api_key: { type: 'http', scheme: 'bearer' }, admin_key: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Thing: {
          type: 'object',
          properties: {
            count: { type: 'integer', format: 'int32', example: 1 },
            status: { allOf: [{ $ref: '#/components/schemas/ThingStatus' }], example: 'on' },
          },
        },
        ThingStatus: { type: 'string', enum: ['on', 'off'] },
        ErrorResponseDto: { type: 'object', properties: { code: { type: 'string', example: 'x' } } },
      },
    },
  };
}

type Mutable = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

describe(checkGeneratorRules.name, () => {
  it('accepts a clean document', () => {
    expect(checkGeneratorRules(cleanDocument(), RULES)).toEqual([]);
  });

  it.each<[string, (doc: Mutable) => void, string]>([
    ['another OpenAPI version', (doc) => Object.assign(doc, { openapi: '3.1.0' }), 'openapi must be 3.0.3'],
    ['a missing operationId', (doc) => delete doc['paths']['/v1/things/{id}']['get']['operationId'], 'no operationId'],
    ['an inline body', (doc) => Object.assign(doc['paths']['/v1/things/{id}']['get'], { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } }), 'body must be a $ref'],
    ['an integer without format', (doc) => Object.assign(doc['components']['schemas']['Thing'], { properties: { n: { type: 'integer', example: 1 } } }), 'integer without format'],
    ['an inline enum', (doc) => Object.assign(doc['components']['schemas']['Thing'], { properties: { s: { type: 'string', enum: ['a'], example: 'a' } } }), 'inline enum'],
    ['an anonymous object', (doc) => Object.assign(doc['components']['schemas']['Thing'], { properties: { o: { type: 'object', properties: { a: { type: 'string' } }, example: {} } } }), 'anonymous object'],
    ['a property without example', (doc) => Object.assign(doc['components']['schemas']['Thing'], { properties: { s: { type: 'string' } } }), 'no example'],
    ['a 3.1 type array', (doc) => Object.assign(doc['components']['schemas']['Thing'], { properties: { s: { type: ['string', 'null'], example: 'a' } } }), 'is not OpenAPI 3.0'],
    ['nullable without type', (doc) => Object.assign(doc['components']['schemas']['Thing'], { properties: { s: { nullable: true, example: 'a' } } }), 'nullable without type'],
    ['an error body of another shape', (doc) => Object.assign(doc['paths']['/v1/things/{id}']['get']['responses'] as object, { '409': { description: 'x', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } }), 'error body must be ErrorResponseDto'],
    ['a parameter without example', (doc) => delete (doc['paths']['/v1/things/{id}']['get']['parameters'] as Array<Record<string, unknown>>)[0]?.['example'], 'parameter id: no example'],
    ['an operation without security', (doc) => delete doc['paths']['/v1/things/{id}']['get']['security'], 'names no security scheme'],
  ])('reports %s', (_what, breakIt, expected) => {
    const doc = cleanDocument() as unknown as Mutable;
    breakIt(doc);
    const problems = checkGeneratorRules(doc as unknown as Record<string, unknown>, RULES);
    expect(problems.join('\n')).toContain(expected);
  });

  it('reports duplicate operationIds', () => {
    const doc = cleanDocument() as unknown as Mutable;
    doc['paths']['/v1/other'] = { get: { ...doc['paths']['/v1/things/{id}']['get'], parameters: [] } };
    expect(checkGeneratorRules(doc as unknown as Record<string, unknown>, RULES).join('\n')).toContain('operationId getThing is also used by GET /v1/things/{id}');
  });
});

describe('docs/openapi.yaml', () => {
  const document = parse(readFileSync(resolve(root, OPENAPI_PATH), 'utf8')) as Record<string, unknown>;

  it('keeps the rules generators for typed languages need', () => {
    expect(checkGeneratorRules(document, RULES)).toEqual([]);
  });

  it('passes Redocly lint with the strict configuration (tools/openapi/redocly.yaml)', () => {
    const result = spawnSync(
      resolve(root, 'node_modules/.bin/redocly'),
      ['lint', OPENAPI_PATH, '--config', 'tools/openapi/redocly.yaml', '--format', 'stylish'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' } },
    );
    if (result.status !== 0) throw new Error(`redocly lint failed:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout + result.stderr).toContain('Your API description is valid');
  });
});
