// Generates Go types for every component schema of the published OpenAPI document, using only the
// standard library. It exists to prove the document is usable from Go (the compatibility test
// decodes real responses into these types with DisallowUnknownFields) and is deliberately small:
// the shapes it supports are exactly those the generator rules (openapi-rules.ts) allow.

type Schema = Record<string, unknown>;

const INITIALISMS = new Set(['id', 'ids', 'url', 'api', 'json', 'http', 'uuid', 'cpu', 'ms']);

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `worker_id` → `WorkerID`, `api-keys` → `APIKeys`. */
export function goName(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => (INITIALISMS.has(part.toLowerCase()) ? part.toUpperCase() : part[0]?.toUpperCase() + part.slice(1)))
    .join('')
    .replace(/^(\d)/, 'N$1');
}

function refTarget(schema: Schema): string | null {
  const ref = schema['$ref'];
  if (typeof ref === 'string') return ref.replace('#/components/schemas/', '');
  const allOf = schema['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1 && isSchema(allOf[0])) return refTarget(allOf[0]);
  return null;
}

/** Where the generated code refers to component schemas that decode to "any JSON value". */
function isAnyValue(schemas: Schema, name: string): boolean {
  const target = schemas[name];
  return isSchema(target) && target['type'] === undefined && target['oneOf'] === undefined && target['enum'] === undefined;
}

class GoWriter {
  private readonly lines: string[] = [];
  private usesTime = false;
  private usesFmt = false;

  constructor(private readonly schemas: Schema) {}

  /** The Go type of a property; `optional` adds a pointer where Go could not tell "absent/null" apart. */
  typeOf(schema: Schema, optional: boolean): string {
    const nullable = schema['nullable'] === true || optional;
    const target = refTarget(schema);
    if (target !== null) {
      if (isAnyValue(this.schemas, target)) return goName(target);
      return `${nullable ? '*' : ''}${goName(target)}`;
    }
    const pointer = nullable ? '*' : '';
    switch (schema['type']) {
      case 'string':
        if (schema['format'] === 'date-time') {
          this.usesTime = true;
          return `${pointer}time.Time`;
        }
        return `${pointer}string`;
      case 'integer':
        return `${pointer}${schema['format'] === 'int64' ? 'int64' : 'int32'}`;
      case 'number':
        return `${pointer}${schema['format'] === 'float' ? 'float32' : 'float64'}`;
      case 'boolean':
        return `${pointer}bool`;
      case 'array':
        return `[]${this.typeOf(isSchema(schema['items']) ? schema['items'] : {}, false)}`;
      case 'object': {
        const extra = schema['additionalProperties'];
        if (isSchema(extra)) return `map[string]${this.typeOf(extra, false)}`;
        return 'map[string]interface{}';
      }
      default:
        return 'interface{}';
    }
  }

  component(name: string, schema: Schema): void {
    const type = goName(name);
    const description = typeof schema['description'] === 'string' ? schema['description'] : `${name} (OpenAPI component).`;
    this.lines.push(`// ${type} — ${description.replace(/\s+/g, ' ')}`);
    if (Array.isArray(schema['enum'])) {
      this.enumType(type, schema['enum'].map(String));
    } else if (Array.isArray(schema['oneOf'])) {
      // A union is decoded in two steps: read the discriminator, then decode into the variant.
      this.lines.push(`type ${type} = json.RawMessage`, '');
    } else if (schema['type'] === undefined) {
      this.lines.push(`type ${type} = interface{}`, '');
    } else if (isSchema(schema['properties'])) {
      this.structType(type, schema);
    } else {
      this.lines.push(`type ${type} ${this.typeOf(schema, false)}`, '');
    }
  }

  private enumType(type: string, values: string[]): void {
    this.usesFmt = true;
    this.lines.push(`type ${type} string`, '', 'const (');
    for (const value of values) this.lines.push(`\t${type}${goName(value.toLowerCase())} ${type} = ${JSON.stringify(value)}`);
    this.lines.push(')', '');
    this.lines.push(`// UnmarshalJSON accepts only the values the document lists.`);
    this.lines.push(`func (v *${type}) UnmarshalJSON(data []byte) error {`);
    this.lines.push('\tvar s string', '\tif err := json.Unmarshal(data, &s); err != nil {', '\t\treturn err', '\t}', '\tswitch s {');
    this.lines.push(`\tcase ${values.map((value) => JSON.stringify(value)).join(', ')}:`, `\t\t*v = ${type}(s)`, '\t\treturn nil', '\t}');
    this.lines.push(`\treturn fmt.Errorf("%q is not a ${type}", s)`, '}', '');
  }

  private structType(type: string, schema: Schema): void {
    const required = new Set(Array.isArray(schema['required']) ? schema['required'].map(String) : []);
    this.lines.push(`type ${type} struct {`);
    for (const [property, child] of Object.entries(schema['properties'] as Schema)) {
      if (!isSchema(child)) continue;
      const optional = !required.has(property);
      const tag = `json:"${property}${optional ? ',omitempty' : ''}"`;
      this.lines.push(`\t${goName(property)} ${this.typeOf(child, optional)} \`${tag}\``);
    }
    this.lines.push('}', '');
  }

  /** A table from component name to a fresh value of its type, used by the decode check. */
  registry(names: string[]): void {
    this.lines.push('// Types maps each component schema name to a constructor of its Go type.', 'var Types = map[string]func() interface{}{');
    for (const name of names) this.lines.push(`\t${JSON.stringify(name)}: func() interface{} { return new(${goName(name)}) },`);
    this.lines.push('}', '');
  }

  render(packageName: string): string {
    const imports = ['"encoding/json"', ...(this.usesFmt ? ['"fmt"'] : []), ...(this.usesTime ? ['"time"'] : [])];
    return [
      '// Code generated from docs/openapi.yaml by tools/openapi/go/go-types.generator.ts. DO NOT EDIT.',
      '',
      `package ${packageName}`,
      '',
      'import (',
      ...imports.map((path) => `\t${path}`),
      ')',
      '',
      ...this.lines,
    ].join('\n');
  }
}

/**
 * Go source declaring a type for every component schema of `document` (structs with JSON tags,
 * string enums that reject unknown values, `time.Time` for date-times, pointers for nullable and
 * optional fields) plus a `Types` registry by component name.
 */
export function generateGoTypes(document: Record<string, unknown>, packageName = 'main'): string {
  const components = isSchema(document['components']) ? document['components'] : {};
  const schemas = isSchema(components['schemas']) ? components['schemas'] : {};
  const writer = new GoWriter(schemas);
  const names = Object.keys(schemas).sort();
  for (const name of names) {
    const schema = schemas[name];
    if (isSchema(schema)) writer.component(name, schema);
  }
  writer.registry(names);
  return writer.render(packageName);
}
