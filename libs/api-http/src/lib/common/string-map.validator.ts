import { OpaqueJson } from './opaque-json';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Limits of {@link IsStringMap}. */
export interface StringMapLimits {
  /** Most entries allowed. @default 64 */
  maxEntries?: number;
  /** Longest key. @default 128 */
  maxKeyLength?: number;
  /** Longest value. @default 256 */
  maxValueLength?: number;
}

/** Why `value` is not a string map within `limits`, or null when it is. */
export function stringMapProblem(value: unknown, limits: StringMapLimits = {}): string | null {
  const maxEntries = limits.maxEntries ?? 64;
  const maxKeyLength = limits.maxKeyLength ?? 128;
  const maxValueLength = limits.maxValueLength ?? 256;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of string values';
  }
  const keys = Object.keys(value);
  if (keys.length > maxEntries) return `must have at most ${maxEntries} entries`;
  for (const key of keys) {
    const entry = (value as Record<string, unknown>)[key];
    if (key.length === 0 || key.length > maxKeyLength) return `keys must be 1 to ${maxKeyLength} characters`;
    if (typeof entry !== 'string') return `value of "${key}" must be a string`;
    if (entry.length > maxValueLength) return `value of "${key}" must be at most ${maxValueLength} characters`;
  }
  return null;
}

/**
 * Validates a flat `{string: string}` object (labels, affinity tag rules) in one pass; the value is
 * kept out of class-transformer's conversion ({@link OpaqueJson}), so an oversized map is refused
 * without being copied first.
 */
export function IsStringMap(limits: StringMapLimits = {}, options?: ValidationOptions): PropertyDecorator {
  const opaque = OpaqueJson();
  return (target: object, propertyName: string | symbol) => {
    opaque(target, propertyName);
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => stringMapProblem(value, limits) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} ${stringMapProblem(args?.value, limits) ?? 'is invalid'}`,
      },
    });
  };
}
