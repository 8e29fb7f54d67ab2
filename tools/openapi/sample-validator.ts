// Checks a real JSON value against a component schema of the document: what Go's decoder cannot
// see (a required field missing, null where the schema does not allow it, an integer that is not
// whole, a number out of its declared range) — the Go decode check covers unknown fields, JSON
// types, enum values and date-times. Supports the shapes the generator rules allow.

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Problems of `value` as an instance of component `name`, as `path: problem` lines. */
export function validateSample(document: Record<string, unknown>, name: string, value: unknown): string[] {
  const components = isSchema(document['components']) ? document['components'] : {};
  const schemas = isSchema(components['schemas']) ? components['schemas'] : {};
  const problems: string[] = [];

  const resolve = (schema: Schema): Schema => {
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      const target = schemas[ref.replace('#/components/schemas/', '')];
      return isSchema(target) ? resolve(target) : {};
    }
    return schema;
  };

  const check = (raw: Schema, data: unknown, path: string): void => {
    const schema = resolve(raw);
    const allOf = Array.isArray(schema['allOf']) ? schema['allOf'].filter(isSchema) : [];
    if (data === null) {
      const target = allOf.length === 1 ? resolve(allOf[0] as Schema) : schema;
      const admitsNull = schema['nullable'] === true || (target['type'] === undefined && target['oneOf'] === undefined);
      if (!admitsNull) problems.push(`${path}: null is not allowed`);
      return;
    }
    for (const part of allOf) check(part, data, path);
    if (Array.isArray(schema['oneOf'])) {
      const discriminator = isSchema(schema['discriminator']) ? schema['discriminator'] : {};
      const property = String(discriminator['propertyName'] ?? '');
      const mapping = isSchema(discriminator['mapping']) ? discriminator['mapping'] : {};
      const tag = isSchema(data) ? data[property] : undefined;
      const ref = typeof tag === 'string' ? mapping[tag] : undefined;
      if (typeof ref !== 'string') problems.push(`${path}: ${property}=${JSON.stringify(tag)} matches no variant`);
      else check({ $ref: ref }, data, path);
      return;
    }
    if (Array.isArray(schema['enum']) && !schema['enum'].includes(data)) problems.push(`${path}: ${JSON.stringify(data)} is not one of the enum`);
    switch (schema['type']) {
      case 'string':
        if (typeof data !== 'string') problems.push(`${path}: expected a string`);
        else if (schema['format'] === 'date-time' && !DATE_TIME.test(data)) problems.push(`${path}: not an RFC 3339 date-time`);
        else if (schema['format'] === 'uuid' && !UUID.test(data)) problems.push(`${path}: not a UUID`);
        break;
      case 'integer':
      case 'number':
        if (typeof data !== 'number') problems.push(`${path}: expected a number`);
        else {
          if (schema['type'] === 'integer' && !Number.isInteger(data)) problems.push(`${path}: expected an integer`);
          if (typeof schema['minimum'] === 'number' && data < schema['minimum']) problems.push(`${path}: below the minimum`);
          if (typeof schema['maximum'] === 'number' && data > schema['maximum']) problems.push(`${path}: above the maximum`);
        }
        break;
      case 'boolean':
        if (typeof data !== 'boolean') problems.push(`${path}: expected a boolean`);
        break;
      case 'array':
        if (!Array.isArray(data)) problems.push(`${path}: expected an array`);
        else data.forEach((item, index) => check(isSchema(schema['items']) ? schema['items'] : {}, item, `${path}[${index}]`));
        break;
      case 'object': {
        if (!isSchema(data)) {
          problems.push(`${path}: expected an object`);
          break;
        }
        const properties = isSchema(schema['properties']) ? schema['properties'] : {};
        const required = Array.isArray(schema['required']) ? schema['required'].map(String) : [];
        for (const key of required) if (!(key in data)) problems.push(`${path}.${key}: required but missing`);
        for (const [key, item] of Object.entries(data)) {
          const declared = properties[key];
          if (isSchema(declared)) check(declared, item, `${path}.${key}`);
          else if (isSchema(schema['additionalProperties'])) check(schema['additionalProperties'], item, `${path}.${key}`);
          else if (schema['additionalProperties'] !== true && Object.keys(properties).length > 0) problems.push(`${path}.${key}: not declared`);
        }
        break;
      }
      default:
        break;
    }
  };

  if (!isSchema(schemas[name])) return [`${name}: no such component`];
  check({ $ref: `#/components/schemas/${name}` }, value, name);
  return problems;
}
