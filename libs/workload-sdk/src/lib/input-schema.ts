import { DomainError, ErrorCode, type JsonObject } from '@niyanta/models';
import { z } from 'zod';
import type { AnyWorkloadDefinition, WorkloadDefinition } from './workload-handler';

/**
 * The input type of a definition, for typing submissions in the SDK:
 * `createNiyantaClient<{ 'word-count': InputOf<typeof wordCount> }>(...)`. It is the input as
 * submitted (a field with a default may be left out).
 */
export type InputOf<D> = D extends WorkloadDefinition<unknown, infer TInput, infer TSubmitted>
  ? unknown extends TSubmitted
    ? TInput
    : TSubmitted
  : never;

/**
 * The definition's `input` schema as JSON Schema (draft-07), which the worker registers with the
 * type and the API validates submissions against; null when the definition has none. It describes
 * the input as submitted: fields with a default are optional.
 * @throws DomainError `validation_failed` when the schema cannot be expressed as JSON Schema.
 */
export function inputJsonSchema(definition: Pick<AnyWorkloadDefinition, 'type' | 'input'>): JsonObject | null {
  const schema: unknown = definition.input;
  if (schema === undefined || schema === null) return null;
  if (!(schema instanceof z.ZodType) && !isZodLike(schema)) {
    throw new DomainError(ErrorCode.ValidationFailed, `the input of workload type "${definition.type}" is not a zod schema`);
  }
  try {
    const json = z.toJSONSchema(schema as z.ZodType, { io: 'input', target: 'draft-7' }) as JsonObject;
    const { $schema: _dialect, ...rest } = json;
    return rest;
  } catch (error) {
    throw new DomainError(
      ErrorCode.ValidationFailed,
      `the input schema of workload type "${definition.type}" cannot be expressed as JSON Schema: ${(error as Error).message}`,
    );
  }
}

/** A zod 4 schema from another copy of zod (the user's), which `instanceof` does not recognise. */
function isZodLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && '_zod' in value && typeof (value as { safeParse?: unknown }).safeParse === 'function';
}
