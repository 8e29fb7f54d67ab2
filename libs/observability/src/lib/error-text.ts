/**
 * One line saying why a dependency check failed, causes included: `DependencyUnavailableError`
 * wraps the driver's error, and pg/net report an unreachable host as an AggregateError with an
 * empty message. Duck-typed rather than `instanceof`, since errors may come from another realm.
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { message?: unknown; code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.map(describeError).join('; ');
  const message = [e.message, e.code, e.name].find((part) => typeof part === 'string' && part !== '') ?? String(error);
  return e.cause !== undefined && e.cause !== error ? `${String(message)}: ${describeError(e.cause)}` : String(message);
}
