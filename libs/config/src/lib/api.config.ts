import { z } from 'zod';
import { commonVars, CommonConfig, ConnectionConfig, connectionVars, toCommonConfig } from './common.config';
import { Env, envVar, loadWith, matching } from './env-schema';
import { parseBoolean, parseByteSize, parseList } from './env-parsers';

/** Settings of the REST API feature (also used by the standalone process). */
export interface ApiSettings {
  /** `NIYANTA_ADMIN_API_KEY`: the operator's key for `/v1/admin`; unset, every admin route is 401. */
  readonly adminApiKey: string | undefined;
  /** `BODY_LIMIT`: largest accepted request body (`1mb`, `512kb`, bytes). @default 1 MiB */
  readonly bodyLimitBytes: number;
  /** `RUN_MIGRATIONS`: apply pending database migrations at start. @default true */
  readonly runMigrations: boolean;
  /**
   * `CORS_ORIGINS`: comma-separated browser origins (`https://app.example.com`) allowed to call the
   * API cross-origin. Unset: CORS is off.
   * @default []
   */
  readonly corsOrigins: readonly string[];
}

/** Configuration of the coordinator-api process. */
export type ApiConfig = CommonConfig & ConnectionConfig & ApiSettings;

const API_KEY = /^\S{8,256}$/;
// An exact origin: scheme, host and optional port, no path and no wildcard.
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** Zod fields of {@link ApiSettings}. */
export function apiVars(runMigrationsByDefault: boolean) {
  return {
    NIYANTA_ADMIN_API_KEY: envVar(matching(API_KEY, 'expected 8-256 characters without spaces'), {
      optional: true,
      secret: true,
    }),
    BODY_LIMIT: envVar(parseByteSize, { fallback: () => 1024 * 1024 }),
    RUN_MIGRATIONS: envVar(parseBoolean, { fallback: () => runMigrationsByDefault }),
    CORS_ORIGINS: envVar((raw) => parseList(raw, ORIGIN, 'origins such as https://app.example.com'), { fallback: (): string[] => [] }),
  };
}

/** Maps parsed API variables to {@link ApiSettings}. */
export function toApiSettings(v: {
  NIYANTA_ADMIN_API_KEY: string | undefined;
  BODY_LIMIT: number;
  RUN_MIGRATIONS: boolean;
  CORS_ORIGINS: string[];
}): ApiSettings {
  return { adminApiKey: v.NIYANTA_ADMIN_API_KEY, bodyLimitBytes: v.BODY_LIMIT, runMigrations: v.RUN_MIGRATIONS, corsOrigins: v.CORS_ORIGINS };
}

const apiSchema = z.object({ ...commonVars(8080), ...connectionVars, ...apiVars(true) }).transform(
  (v): ApiConfig => ({
    ...toCommonConfig(v),
    databaseUrl: v.DATABASE_URL,
    natsServers: v.NATS_URL,
    ...toApiSettings(v),
  }),
);

/**
 * Validates the coordinator-api's environment.
 * @throws ConfigError naming every missing or malformed variable.
 */
export function loadApiConfig(env: Env): ApiConfig {
  return loadWith('coordinator-api', apiSchema, env);
}
