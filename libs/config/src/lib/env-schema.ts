import { z } from 'zod';
import { ConfigError, ConfigIssue } from './errors';
import { InvalidValue } from './env-parsers';

/** The environment as a process sees it (`process.env` in an app, a literal in tests). */
export type Env = Record<string, string | undefined>;

/** How a variable behaves when it is unset (or set to the empty string). */
type Absent<T> = ({ required: string } | { fallback: () => T } | { optional: true }) & Secrecy;

/** A secret's raw value (a password in a URL, an API key) is never echoed in an error message. */
interface Secrecy {
  secret?: boolean;
}

/**
 * One environment variable: a zod schema that trims the raw string, treats `""` as unset (as
 * container runtimes often pass it), applies the default and parses, reporting failures as
 * `expected ..., got "<raw>"`.
 */
export function envVar<T>(parse: (raw: string) => T, absent: { required: string } & Secrecy): z.ZodType<T, string | undefined>;
export function envVar<T>(parse: (raw: string) => T, absent: { fallback: () => T } & Secrecy): z.ZodType<T, string | undefined>;
export function envVar<T>(parse: (raw: string) => T, absent: { optional: true } & Secrecy): z.ZodType<T | undefined, string | undefined>;
export function envVar<T>(parse: (raw: string) => T, absent: Absent<T>): z.ZodType<T | undefined, string | undefined> {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const raw = value?.trim();
      if (raw === undefined || raw === '') {
        if ('fallback' in absent) return absent.fallback();
        if ('optional' in absent) return undefined;
        ctx.addIssue({ code: 'custom', message: `required (${absent.required}), but it is not set` });
        return z.NEVER;
      }
      try {
        return parse(raw);
      } catch (error: unknown) {
        if (!(error instanceof InvalidValue)) throw error;
        const got = absent.secret ? 'got a value that is not one (not shown: it may hold a secret)' : `got ${JSON.stringify(truncate(raw))}`;
        ctx.addIssue({ code: 'custom', message: `${error.expected}, ${got}` });
        return z.NEVER;
      }
    });
}

/** A string matching `pattern`, described as `expected` when it does not. */
export function matching(pattern: RegExp, expected: string): (raw: string) => string {
  return (raw) => {
    if (!pattern.test(raw)) throw new InvalidValue(expected);
    return raw;
  };
}

/** Adds a cross-variable issue (e.g. an interval that must be shorter than a timeout). */
export function crossIssue(ctx: z.RefinementCtx, variable: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [variable], message });
}

/**
 * Parses `env` with `schema` and returns the result deeply frozen, or throws {@link ConfigError}
 * naming every offending variable.
 */
export function loadWith<T extends object>(app: string, schema: z.ZodType<T, Env>, env: Env): T {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      message: issue.message,
    }));
    throw new ConfigError(app, issues);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function truncate(raw: string): string {
  return raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
}
