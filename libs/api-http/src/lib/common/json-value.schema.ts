import type { ApiPropertyOptions } from '@nestjs/swagger';

/**
 * OpenAPI for a property holding any JSON value (a workload's output, audit snapshots): without it
 * the generator would declare `type: object` and SDKs would reject strings and numbers.
 */
export const ANY_JSON_VALUE: ApiPropertyOptions = {
  oneOf: [
    { type: 'object', additionalProperties: true },
    { type: 'array', items: {} },
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
  ],
  nullable: true,
};
