/**
 * Allowed workload type names: 1 to 128 letters, digits, `.`, `_` or `-`, starting with a letter or
 * digit. Names appear in URLs, metric labels and log lines, and one starting with `-` reads as an
 * option on a command line. Workers register types and clients submit them by the same rule.
 */
export const WORKLOAD_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** {@link WORKLOAD_TYPE_PATTERN} in words, for validation messages. */
export const WORKLOAD_TYPE_RULE = 'must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** True when `name` is an allowed workload type name. */
export function isWorkloadTypeName(name: string): boolean {
  return WORKLOAD_TYPE_PATTERN.test(name);
}
