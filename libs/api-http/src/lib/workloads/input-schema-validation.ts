import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { DomainError, ErrorCode, type ErrorDetail, type JsonObject, type WorkloadTypeConfig } from '@niyanta/models';

/** Compiled schemas kept, by their JSON text (types change schema rarely; the map stays small). */
const MAX_COMPILED = 1000;
const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction | null>();

/** What is checked of one submitted item. */
export interface SubmittedInput {
  workload_type: string;
  input?: unknown;
}

/**
 * Checks each item's `input` against its type's input schema (`WorkloadTypeConfig.inputSchema`, JSON
 * Schema as the workers registered it); types without a schema accept any object. Throws one
 * `validation_failed` error naming every offending field as `<pathOf(index)>input.<field>` — before
 * anything is stored or queued.
 */
export function assertInputsMatchSchemas(
  items: readonly SubmittedInput[],
  configs: ReadonlyMap<string, Pick<WorkloadTypeConfig, 'inputSchema'>>,
  pathOf: (index: number) => string,
): void {
  const details: ErrorDetail[] = [];
  const types = new Set<string>();
  items.forEach((item, index) => {
    const validate = validatorFor(configs.get(item.workload_type)?.inputSchema);
    if (validate === null || validate(item.input ?? {})) return;
    types.add(item.workload_type);
    for (const error of validate.errors ?? []) details.push({ path: `${pathOf(index)}${fieldPath(error)}`, message: error.message ?? 'is invalid' });
  });
  if (details.length > 0) {
    const which = [...types].map((t) => `"${t}"`).join(', ');
    throw new DomainError(ErrorCode.ValidationFailed, `input does not match the input schema of workload type ${which}`, details);
  }
}

/**
 * The compiled validator of `schema`, or null when there is none to apply. A schema that does not
 * compile is not applied (a worker registered it; refusing every submission of the type would be worse).
 */
function validatorFor(schema: JsonObject | null | undefined): ValidateFunction | null {
  if (!schema) return null;
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    try {
      validate = ajv.compile(schema);
    } catch {
      validate = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, validate);
  }
  return validate;
}

/** `input.a.0.b` for an error at `/a/0/b`, with the missing or unexpected property appended. */
function fieldPath(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) segments.push(params.missingProperty);
  if (error.keyword === 'additionalProperties' && params.additionalProperty) segments.push(params.additionalProperty);
  return ['input', ...segments].join('.');
}
