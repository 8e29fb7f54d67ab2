import { z } from 'zod';

// Library options (already parsed from the environment by the loaders here, or written in code by
// a test or an embedding app) are checked with the same schema library as the environment.

/** A finite number > 0. */
export const positiveNumber = (): z.ZodNumber => z.number({ error: 'must be a positive number' }).finite().positive({ error: 'must be a positive number' });
/** An integer >= 1. */
export const positiveInteger = (): z.ZodNumber => z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).min(1, { error: 'must be a positive integer' });
/** A finite number >= 0. */
export const nonNegativeNumber = (): z.ZodNumber => z.number({ error: 'must be a number >= 0' }).finite().min(0, { error: 'must be a number >= 0' });
/** An integer >= 0. */
export const nonNegativeInteger = (): z.ZodNumber => z.number({ error: 'must be an integer >= 0' }).int({ error: 'must be an integer >= 0' }).min(0, { error: 'must be an integer >= 0' });

/**
 * Parses an options object or throws a `RangeError` naming every bad field as
 * `<owner>.<field> must be …, got <value>`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, owner: string): z.output<S> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.join('.');
    const value = issue.path.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key], options);
    return `${owner}.${field} ${issue.message}${issue.path.length > 0 ? `, got ${String(value)}` : ''}`;
  });
  throw new RangeError(problems.join('; '));
}

/**
 * The leader's lease gets at least two renewals per TTL, or one slow round trip would depose a
 * healthy leader. Checked where the variables are read and where the leader's options are resolved.
 */
export function leaseRenewalFits(leaseTtlMs: number, leaseRenewIntervalMs: number): boolean {
  return leaseRenewIntervalMs * 2 <= leaseTtlMs;
}
