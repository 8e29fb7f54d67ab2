import { BrokerArgumentError } from './errors';

// NATS tokens may hold almost anything but whitespace and the separator; being stricter than the
// server here would reject subjects that work, being looser would fail later and less clearly.
const INVALID_TOKEN_CHARS = /[\s.]/;
const NAME = /^[A-Za-z0-9_-]+$/;

function tokens(subject: string): string[] {
  return subject.split('.');
}

function checkTokens(subject: string, allowWildcards: boolean): string | undefined {
  if (subject.length === 0) return 'is empty';
  const parts = tokens(subject);
  for (let i = 0; i < parts.length; i++) {
    const token = parts[i];
    if (token.length === 0) return 'has an empty token';
    if (INVALID_TOKEN_CHARS.test(token)) return 'contains whitespace';
    const wildcard = token === '*' || token === '>';
    if (!wildcard && (token.includes('*') || token.includes('>'))) return 'has a wildcard inside a token';
    if (wildcard && !allowWildcards) return 'has a wildcard';
    if (token === '>' && i !== parts.length - 1) return "has '>' before its last token";
  }
  return undefined;
}

/** Throws {@link BrokerArgumentError} unless `subject` is a concrete subject (no wildcards). */
export function assertConcreteSubject(subject: string): void {
  const problem = checkTokens(subject, false);
  if (problem) throw new BrokerArgumentError(`subject '${subject}' ${problem}`);
}

/** Throws {@link BrokerArgumentError} unless `pattern` is a valid subscription subject. */
export function assertSubjectPattern(pattern: string): void {
  const problem = checkTokens(pattern, true);
  if (problem) throw new BrokerArgumentError(`subject pattern '${pattern}' ${problem}`);
}

/** Throws {@link BrokerArgumentError} unless `name` is usable as a queue group or consumer name. */
export function assertName(name: string, what: 'queue group' | 'consumer'): void {
  if (!NAME.test(name)) {
    throw new BrokerArgumentError(`${what} name '${name}' must be letters, digits, '-' or '_'`);
  }
}

/** True when the concrete `subject` matches `pattern` with NATS wildcard rules. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = tokens(pattern);
  const s = tokens(subject);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** True when every subject matched by `specific` is also matched by `general`. */
export function patternCovers(general: string, specific: string): boolean {
  const g = tokens(general);
  const s = tokens(specific);
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '>') return s.length > i;
    if (i >= s.length || s[i] === '>') return false;
    if (g[i] !== '*' && (s[i] === '*' || g[i] !== s[i])) return false;
  }
  return g.length === s.length;
}

/** True when some concrete subject matches both patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  const x = tokens(a);
  const y = tokens(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] === '>' || y[i] === '>') return true;
    if (x[i] !== '*' && y[i] !== '*' && x[i] !== y[i]) return false;
  }
  if (x.length === y.length) return true;
  // The longer one can only be absorbed by a '>' at the end of the shorter one, handled above.
  return false;
}
