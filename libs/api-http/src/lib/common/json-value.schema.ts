import type { ApiPropertyOptions } from '@nestjs/swagger';

/** Name of the component schema that admits any JSON value. */
export const JSON_VALUE_SCHEMA = 'JsonValue';

/**
 * OpenAPI for a property holding any JSON value (a workload's output, audit snapshots): a reference
 * to the `JsonValue` component, a schema without `type`, which admits objects, arrays, strings,
 * numbers, booleans and null. Without it the generator would declare `type: object` and SDKs would
 * reject strings and numbers; a `oneOf` of types cannot admit null in OpenAPI 3.0 (`nullable` needs
 * a `type` beside it).
 */
export const ANY_JSON_VALUE: ApiPropertyOptions = {
  allOf: [{ $ref: `#/components/schemas/${JSON_VALUE_SCHEMA}` }],
};

/** The `JsonValue` component itself (added to the document by `buildOpenApiDocument`). */
export const JSON_VALUE_COMPONENT = {
  description: 'Any JSON value: an object, an array, a string, a number, a boolean or null.',
};
