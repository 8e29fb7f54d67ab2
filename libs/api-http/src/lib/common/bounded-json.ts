import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Limits of a free-form JSON value (see {@link IsBoundedJson}). */
export interface JsonLimits {
  /** Most properties in the whole value, all objects together. */
  maxKeys: number;
  /** Deepest nesting of objects and arrays, the value itself being level 1. */
  maxDepth: number;
  /** Longest string value, in UTF-16 code units. */
  maxStringLength: number;
  /** Longest property name. */
  maxKeyLength: number;
}

/** Limits of a workload's `input` (also stated in the OpenAPI description of the field). */
export const INPUT_LIMITS: Readonly<JsonLimits> = Object.freeze({
  maxKeys: 100_000,
  maxDepth: 32,
  maxStringLength: 262_144,
  maxKeyLength: 1_024,
});

/** The limits as a sentence, for OpenAPI descriptions. */
export function describeJsonLimits(limits: JsonLimits): string {
  return (
    `At most ${limits.maxKeys.toLocaleString('en-US')} properties in all, ${limits.maxDepth} levels of nesting, ` +
    `strings of ${limits.maxStringLength.toLocaleString('en-US')} characters and property names of ${limits.maxKeyLength.toLocaleString('en-US')}; ` +
    'no NUL characters, lone surrogates or `__proto__`/`constructor`/`prototype` keys.'
  );
}

/** Why `value` exceeds `limits` (with the offending path below it), or null; one pass over the value. */
export function jsonLimitProblem(value: unknown, limits: JsonLimits): string | null {
  const tooLong = `has a string longer than ${limits.maxStringLength} characters`;
  if (typeof value === 'string') return value.length > limits.maxStringLength ? tooLong : null;
  if (typeof value !== 'object' || value === null) return null;
  let keys = 0;
  // Only objects and arrays are pushed; strings are checked where they are met.
  const stack: Array<{ value: object; depth: number }> = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: object; depth: number };
    if (depth > limits.maxDepth) return `is nested deeper than ${limits.maxDepth} levels`;
    const isArray = Array.isArray(current);
    const names = isArray ? null : Object.keys(current);
    if (names !== null) {
      keys += names.length;
      if (keys > limits.maxKeys) return `has more than ${limits.maxKeys} properties`;
    }
    const count = isArray ? (current as unknown[]).length : (names as string[]).length;
    for (let i = 0; i < count; i++) {
      let item: unknown;
      if (names === null) {
        item = (current as unknown[])[i];
      } else {
        const name = names[i] as string;
        if (name.length > limits.maxKeyLength) return `has a property name longer than ${limits.maxKeyLength} characters`;
        item = (current as Record<string, unknown>)[name];
      }
      if (typeof item === 'string') {
        if (item.length > limits.maxStringLength) return tooLong;
      } else if (typeof item === 'object' && item !== null) {
        stack.push({ value: item, depth: depth + 1 });
      }
    }
  }
  return null;
}

/** Validates a free-form JSON value against `limits` with one linear walk. */
export function IsBoundedJson(limits: JsonLimits, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isBoundedJson',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => jsonLimitProblem(value, limits) === null,
        defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'value'} ${jsonLimitProblem(args?.value, limits) ?? 'is invalid'}`,
      },
    });
  };
}
