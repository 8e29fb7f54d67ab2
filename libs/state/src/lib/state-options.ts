/** How to reach the state database. */
export interface StateOptions {
  /** PostgreSQL connection URL, e.g. `postgres://user:pass@host:5432/db`. */
  url: string;
  /**
   * Schema holding every table (and the migrations table). Created when missing; sessions run with
   * `search_path` set to it. Lowercase letters, digits and `_` only.
   * @default 'public'
   */
  schema?: string;
  /**
   * Maximum connections in the pool.
   * @default 10
   */
  poolSize?: number;
  /**
   * Log every SQL statement through TypeORM's logger.
   * @default false
   */
  logging?: boolean;
  /**
   * `application_name` reported to PostgreSQL (visible in `pg_stat_activity`).
   * @default 'niyanta'
   */
  applicationName?: string;
  /**
   * Milliseconds to wait for a new connection before failing.
   * @default 5000
   */
  connectTimeoutMs?: number;
}

/** The default schema. */
export const DEFAULT_SCHEMA = 'public';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Returns the schema name, or throws when it would need quoting. Restricting the alphabet keeps the
 * name safe to splice into `search_path` and DDL without escaping rules of our own.
 */
export function resolveSchema(options: Pick<StateOptions, 'schema'>): string {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lowercase letters, digits and _ (max 63)`);
  }
  return schema;
}
