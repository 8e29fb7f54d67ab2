import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { commonVars, CommonConfig, ConnectionConfig, connectionVars, toCommonConfig } from './common.config';
import { Env, envVar, loadWith, matching } from './env-schema';
import { InvalidValue, parseBoolean, parseByteSize, parseDuration, parseInteger, parseList } from './env-parsers';

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
  /**
   * `AUDIT_OUTBOX_DIR`: directory of the local append-only file each process writes `auth.failed`
   * audit events to before they reach PostgreSQL, so a crash loses none; a restarted process writes
   * what dead processes left there. One directory per host or container (liveness is by pid) and
   * per database: a replay writes into whichever database the replaying process uses.
   * @default `<os tmpdir>/niyanta-audit-outbox/<hash of database host, name and schema>` (coordinator-api), `<DATA_DIR>/audit-outbox` (standalone)
   */
  readonly auditOutboxDir: string;
  /** `AUDIT_FLUSH_INTERVAL`: how long `auth.failed` events are gathered into one insert (at most 1h). @default 20 ms */
  readonly auditFlushIntervalMs: number;
  /**
   * `AUTH_FAILURE_WINDOW`: repeated `auth.failed` events of one source address within this window are
   * one summary row with a count; `0` records every failure. @default 10 s
   */
  readonly authFailureWindowMs: number;
  /**
   * `AUTH_THROTTLE_BURST` / `AUTH_THROTTLE_RATE`: failed authentications a source address may make at
   * once, and per second after that, before it is answered 429 without a lookup; burst `0` turns the
   * throttle off. @default 30 and 1
   */
  readonly authThrottle: { burst: number; perSecond: number } | false;
  /** `STREAM_MAX_PER_CUSTOMER`: `/v1/stream` connections one customer may hold per process. @default 100 */
  readonly streamMaxPerCustomer: number;
  /** `HTTP_MAX_CONNECTIONS`: open connections per process (streams included); more are closed at once. @default 10000 */
  readonly httpMaxConnections: number;
  /** `HTTP_BODY_TIMEOUT`: time a client has to send its whole body once the headers are in (408 after). @default 10 s */
  readonly httpBodyTimeoutMs: number;
  /** `HTTP_HEADERS_TIMEOUT`: time a client has to send the request line and headers (408 after). @default 10 s */
  readonly httpHeadersTimeoutMs: number;
}

/** Configuration of the coordinator-api process. */
export type ApiConfig = CommonConfig & ConnectionConfig & ApiSettings;

const API_KEY = /^\S{8,256}$/;
const MAX_AUDIT_FLUSH_INTERVAL_MS = 3_600_000;

function parsePositiveRate(raw: string): number {
  const rate = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(rate > 0) || rate > 1_000_000) throw new InvalidValue('expected a positive number per second');
  return rate;
}

function parseFlushInterval(raw: string): number {
  const ms = parseDuration(raw);
  if (ms > MAX_AUDIT_FLUSH_INTERVAL_MS) throw new InvalidValue('expected a duration of at most 1h');
  return ms;
}

/**
 * The coordinator-api's default outbox directory: under the OS temp directory, one per database and
 * schema (credentials left out, so a password change keeps the directory), so that API processes of
 * different databases on one host never replay each other's events.
 */
function defaultAuditOutboxDir(databaseUrl: string, schema: string): string {
  let where = databaseUrl;
  try {
    const url = new URL(databaseUrl);
    where = `${url.hostname}:${url.port}${url.pathname}`;
  } catch {
    // validated as a postgres:// URL already; keep the raw value if it does not parse
  }
  const digest = createHash('sha256').update(`${where}|${schema}`).digest('hex').slice(0, 16);
  return join(tmpdir(), 'niyanta-audit-outbox', digest);
}

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
    AUDIT_OUTBOX_DIR: envVar(matching(/^.{1,1024}$/, 'expected a directory path'), { optional: true }),
    AUDIT_FLUSH_INTERVAL: envVar(parseFlushInterval, { fallback: () => 20 }),
    AUTH_FAILURE_WINDOW: envVar((raw) => (raw === '0' ? 0 : parseFlushInterval(raw)), { fallback: () => 10_000 }),
    AUTH_THROTTLE_BURST: envVar((raw) => parseInteger(raw, 0, 1_000_000, 'expected a whole number from 0 (off) to 1000000'), {
      fallback: () => 30,
    }),
    AUTH_THROTTLE_RATE: envVar(parsePositiveRate, { fallback: () => 1 }),
    STREAM_MAX_PER_CUSTOMER: envVar((raw) => parseInteger(raw, 1, 1_000_000, 'expected a whole number from 1 to 1000000'), {
      fallback: () => 100,
    }),
    HTTP_MAX_CONNECTIONS: envVar((raw) => parseInteger(raw, 1, 1_000_000, 'expected a whole number from 1 to 1000000'), {
      fallback: () => 10_000,
    }),
    HTTP_BODY_TIMEOUT: envVar(parseDuration, { fallback: () => 10_000 }),
    HTTP_HEADERS_TIMEOUT: envVar(parseDuration, { fallback: () => 10_000 }),
  };
}

/** Maps parsed API variables to {@link ApiSettings}; `defaultOutboxDir` applies when `AUDIT_OUTBOX_DIR` is unset. */
export function toApiSettings(
  v: {
    NIYANTA_ADMIN_API_KEY: string | undefined;
    BODY_LIMIT: number;
    RUN_MIGRATIONS: boolean;
    CORS_ORIGINS: string[];
    AUDIT_OUTBOX_DIR: string | undefined;
    AUDIT_FLUSH_INTERVAL: number;
    AUTH_FAILURE_WINDOW: number;
    AUTH_THROTTLE_BURST: number;
    AUTH_THROTTLE_RATE: number;
    STREAM_MAX_PER_CUSTOMER: number;
    HTTP_MAX_CONNECTIONS: number;
    HTTP_BODY_TIMEOUT: number;
    HTTP_HEADERS_TIMEOUT: number;
  },
  defaultOutboxDir: string,
): ApiSettings {
  return {
    adminApiKey: v.NIYANTA_ADMIN_API_KEY,
    bodyLimitBytes: v.BODY_LIMIT,
    runMigrations: v.RUN_MIGRATIONS,
    corsOrigins: v.CORS_ORIGINS,
    auditOutboxDir: v.AUDIT_OUTBOX_DIR ?? defaultOutboxDir,
    auditFlushIntervalMs: v.AUDIT_FLUSH_INTERVAL,
    authFailureWindowMs: v.AUTH_FAILURE_WINDOW,
    authThrottle: v.AUTH_THROTTLE_BURST === 0 ? false : { burst: v.AUTH_THROTTLE_BURST, perSecond: v.AUTH_THROTTLE_RATE },
    streamMaxPerCustomer: v.STREAM_MAX_PER_CUSTOMER,
    httpMaxConnections: v.HTTP_MAX_CONNECTIONS,
    httpBodyTimeoutMs: v.HTTP_BODY_TIMEOUT,
    httpHeadersTimeoutMs: v.HTTP_HEADERS_TIMEOUT,
  };
}

const apiSchema = z.object({ ...commonVars(8080), ...connectionVars, ...apiVars(true) }).transform(
  (v): ApiConfig => ({
    ...toCommonConfig(v),
    databaseUrl: v.DATABASE_URL,
    natsServers: v.NATS_URL,
    ...toApiSettings(v, defaultAuditOutboxDir(v.DATABASE_URL, v.DATABASE_SCHEMA)),
  }),
);

/**
 * Validates the coordinator-api's environment.
 * @throws ConfigError naming every missing or malformed variable.
 */
export function loadApiConfig(env: Env): ApiConfig {
  return loadWith('coordinator-api', apiSchema, env);
}
