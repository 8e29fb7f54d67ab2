// Rules the published document keeps so that code generators for statically typed languages (Go
// first: oapi-codegen, ogen, openapi-generator) produce named, usable types from it. Redocly's
// rules cover the OpenAPI grammar; these cover what generators need beyond it.

/** A JSON-ish OpenAPI node. */
type Node = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Keywords that exist only in OpenAPI 3.1 / JSON Schema 2020-12; 3.0 tools reject or ignore them. */
const KEYWORDS_31 = [
  'const',
  'examples',
  '$schema',
  '$defs',
  'prefixItems',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contentMediaType',
  'contentEncoding',
  'if',
  'then',
  'else',
  'dependentSchemas',
  'dependentRequired',
  'patternProperties',
  'propertyNames',
];

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refName(ref: unknown): string | null {
  return typeof ref === 'string' && ref.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : null;
}

/** Every schema reachable from `schema`, with a readable location. */
function* walkSchemas(schema: unknown, at: string): Generator<[Node, string]> {
  if (!isNode(schema)) return;
  yield [schema, at];
  if (isNode(schema['properties'])) {
    for (const [name, child] of Object.entries(schema['properties'])) yield* walkSchemas(child, `${at}.${name}`);
  }
  if (isNode(schema['additionalProperties'])) yield* walkSchemas(schema['additionalProperties'], `${at}{}`);
  if (schema['items'] !== undefined) yield* walkSchemas(schema['items'], `${at}[]`);
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const [i, child] of list.entries()) yield* walkSchemas(child, `${at}.${key}[${i}]`);
  }
  if (schema['not'] !== undefined) yield* walkSchemas(schema['not'], `${at}.not`);
}

interface Operation {
  method: string;
  path: string;
  node: Node;
}

function operations(document: Node): Operation[] {
  const paths = isNode(document['paths']) ? document['paths'] : {};
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isNode(item)) continue;
    for (const method of HTTP_METHODS) {
      const node = item[method];
      if (isNode(node)) found.push({ method, path, node });
    }
  }
  return found;
}

/** The schema of each request and response body of `operation`, with where it is. */
function bodies(operation: Operation): Array<[unknown, string]> {
  const where = `${operation.method.toUpperCase()} ${operation.path}`;
  const found: Array<[unknown, string]> = [];
  const requestBody = operation.node['requestBody'];
  if (isNode(requestBody) && isNode(requestBody['content'])) {
    for (const [type, media] of Object.entries(requestBody['content'])) {
      if (isNode(media)) found.push([media['schema'], `${where} request ${type}`]);
    }
  }
  const responses = isNode(operation.node['responses']) ? operation.node['responses'] : {};
  for (const [status, response] of Object.entries(responses)) {
    if (!isNode(response) || !isNode(response['content'])) continue;
    for (const [type, media] of Object.entries(response['content'])) {
      if (isNode(media)) found.push([media['schema'], `${where} ${status} ${type}`]);
    }
  }
  return found;
}

/** Options of {@link checkGeneratorRules}. */
export interface GeneratorRuleOptions {
  /** The component every 4xx/5xx response body must be. */
  errorSchema: string;
  /** Security scheme names that must be declared as HTTP bearer schemes. */
  bearerSchemes: string[];
}

/**
 * Problems that would make generated clients (Go in particular) worse or wrong, as readable lines;
 * empty when the document is clean:
 * - OpenAPI 3.0.3 exactly, nothing from 3.1 (type arrays, `const`, `examples` in schemas, `type: null`…);
 * - every operation has an operationId, unique across the document;
 * - every request and response body is a `$ref` to a named component schema;
 * - object schemas with properties and enums are named components (no anonymous structs or enums);
 * - every integer has `format: int32` or `int64`;
 * - every property of a component and every parameter (enums aside) has an example, so Swagger UI
 *   shows a filled-in example for every operation;
 * - `nullable` only next to `type`, and errors always use the one error component;
 * - the bearer security schemes exist and every operation names one.
 */
export function checkGeneratorRules(document: Node, options: GeneratorRuleOptions): string[] {
  const problems: string[] = [];
  if (document['openapi'] !== '3.0.3') problems.push(`openapi must be 3.0.3, is ${String(document['openapi'])}`);
  for (const key of ['webhooks', 'jsonSchemaDialect']) if (key in document) problems.push(`${key} is OpenAPI 3.1 only`);

  const components = isNode(document['components']) ? document['components'] : {};
  const schemas = isNode(components['schemas']) ? components['schemas'] : {};
  const schemes = isNode(components['securitySchemes']) ? components['securitySchemes'] : {};
  for (const name of options.bearerSchemes) {
    const scheme = schemes[name];
    if (!isNode(scheme) || scheme['type'] !== 'http' || scheme['scheme'] !== 'bearer') {
      problems.push(`security scheme ${name} must be an HTTP bearer scheme`);
    }
  }
  if (!isNode(schemas[options.errorSchema])) problems.push(`error component ${options.errorSchema} is missing`);

  const seenIds = new Map<string, string>();
  for (const operation of operations(document)) {
    const where = `${operation.method.toUpperCase()} ${operation.path}`;
    const id = operation.node['operationId'];
    if (typeof id !== 'string' || id === '') problems.push(`${where}: no operationId`);
    else if (seenIds.has(id)) problems.push(`${where}: operationId ${id} is also used by ${seenIds.get(id)}`);
    else seenIds.set(id, where);

    const security = operation.node['security'];
    if (!Array.isArray(security) || security.length === 0) problems.push(`${where}: names no security scheme`);

    for (const [schema, at] of bodies(operation)) {
      if (!isNode(schema) || refName(schema['$ref']) === null) problems.push(`${at}: body must be a $ref to a named component schema`);
    }
    const responses = isNode(operation.node['responses']) ? operation.node['responses'] : {};
    for (const [status, response] of Object.entries(responses)) {
      if (!/^[45]/.test(status) || !isNode(response)) continue;
      const content = isNode(response['content']) ? response['content'] : {};
      const schema = isNode(content['application/json']) ? content['application/json']['schema'] : undefined;
      if (!isNode(schema) || refName(schema['$ref']) !== options.errorSchema) problems.push(`${where} ${status}: error body must be ${options.errorSchema}`);
    }
    const parameters = Array.isArray(operation.node['parameters']) ? operation.node['parameters'] : [];
    for (const parameter of parameters) {
      if (!isNode(parameter)) continue;
      if (!hasExample(parameter) && !isEnumParameter(parameter, schemas)) problems.push(`${where} parameter ${String(parameter['name'])}: no example`);
      for (const [schema, at] of walkSchemas(parameter['schema'], `${where} parameter ${String(parameter['name'])}`)) {
        problems.push(...schemaProblems(schema, at, false));
      }
    }
  }

  for (const [name, root] of Object.entries(schemas)) {
    for (const [schema, at] of walkSchemas(root, name)) {
      problems.push(...schemaProblems(schema, at, schema === root));
    }
    if (isNode(root) && isNode(root['properties'])) {
      for (const [property, schema] of Object.entries(root['properties'])) {
        if (isNode(schema) && !('example' in schema) && !isNamedReference(schema)) {
          problems.push(`${name}.${property}: no example`);
        }
      }
    }
  }
  return problems;
}

function hasExample(parameter: Node): boolean {
  return 'example' in parameter || 'examples' in parameter || (isNode(parameter['schema']) && 'example' in parameter['schema']);
}

/** Swagger UI offers an enum's values as a list: such a parameter needs no example. */
function isEnumParameter(parameter: Node, schemas: Node): boolean {
  const schema = isNode(parameter['schema']) ? parameter['schema'] : {};
  const target = refName(schema['$ref']) ?? (isNode(schema['items']) ? refName(schema['items']['$ref']) : null);
  const component = target === null ? undefined : schemas[target];
  return isNode(component) && Array.isArray(component['enum']);
}

/** A property that only refers to components (their own examples are shown). */
function isNamedReference(schema: Node): boolean {
  if (refName(schema['$ref']) !== null) return true;
  const allOf = schema['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1 && isNode(allOf[0]) && refName(allOf[0]['$ref']) !== null) return true;
  return isNode(schema['items']) && refName(schema['items']['$ref']) !== null;
}

function schemaProblems(schema: Node, at: string, isComponentRoot: boolean): string[] {
  const problems: string[] = [];
  for (const keyword of KEYWORDS_31) if (keyword in schema) problems.push(`${at}: ${keyword} is not OpenAPI 3.0`);
  const type = schema['type'];
  if (Array.isArray(type) || type === 'null') problems.push(`${at}: type ${JSON.stringify(type)} is not OpenAPI 3.0`);
  if (typeof schema['exclusiveMinimum'] === 'number' || typeof schema['exclusiveMaximum'] === 'number') {
    problems.push(`${at}: numeric exclusiveMinimum/Maximum is OpenAPI 3.1`);
  }
  if (type === 'integer' && schema['format'] !== 'int32' && schema['format'] !== 'int64') {
    problems.push(`${at}: integer without format int32/int64`);
  }
  if (schema['nullable'] === true && typeof type !== 'string') problems.push(`${at}: nullable without type`);
  if ('$ref' in schema && Object.keys(schema).some((key) => key !== '$ref')) problems.push(`${at}: $ref with siblings (ignored in 3.0; wrap it in allOf)`);
  if (!isComponentRoot) {
    if (Array.isArray(schema['enum'])) problems.push(`${at}: inline enum (make it a named component: enumName)`);
    if (isNode(schema['properties']) && Object.keys(schema['properties']).length > 0) problems.push(`${at}: anonymous object (make it a named component)`);
  }
  return problems;
}
