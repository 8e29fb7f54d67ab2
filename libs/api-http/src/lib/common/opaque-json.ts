import { Exclude, Transform, Type } from 'class-transformer';

/** A class with every property excluded: class-transformer converts a value of this type without visiting its keys. */
@Exclude()
class OpaqueJsonValue {}

/**
 * Keeps a free-form JSON property (a workload's `input`, labels, tag maps) out of class-transformer's
 * conversion under `transform: true`: the ValidationPipe would otherwise deep-copy it, and its key
 * handling is quadratic in the number of keys of each object (80,000 keys stalled the process for
 * seconds). The value reaches the DTO as the body parser produced it; validate it with a linear
 * walk ({@link IsBoundedJson}, `IsStringMap`).
 */
export function OpaqueJson(): PropertyDecorator {
  const asOpaque = Type(() => OpaqueJsonValue);
  // Runs after the (now trivial) conversion and returns the original value from the plain object.
  const original = Transform(({ obj, key }) => (obj as Record<string, unknown>)[key], { toClassOnly: true });
  return (target: object, propertyKey: string | symbol) => {
    asOpaque(target, propertyKey);
    original(target, propertyKey);
  };
}
