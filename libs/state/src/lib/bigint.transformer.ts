import type { ValueTransformer } from 'typeorm';

/**
 * Reads a PostgreSQL `bigint` (which `pg` returns as a string) as a JavaScript number.
 * Safe for counters such as leader generations that stay far below 2^53.
 */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
