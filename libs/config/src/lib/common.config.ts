import { envVar, matching } from './env-schema';
import {
  InvalidValue,
  parseBrokerFaults,
  parseDuration,
  parseInteger,
  parseNatsServers,
  parsePostgresUrl,
  type BrokerFaultRates,
} from './env-parsers';

/** Log levels pino understands, most to least severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every process has (SPEC §1). */
export interface CommonConfig {
  /** `PORT`: HTTP port for the API or for health/metrics. 0 picks a free port. */
  readonly port: number;
  /** `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LogLevel;
  /** `DATABASE_SCHEMA`: the PostgreSQL schema holding Niyanta's tables. @default 'public' */
  readonly databaseSchema: string;
  /** `DATABASE_POOL_SIZE`: connections per process. @default 10 */
  readonly databasePoolSize: number;
  /** `BROKER_PREFIX`: first token of every broker subject and stream name. @default 'niyanta' */
  readonly brokerPrefix: string;
  /** `SHUTDOWN_TIMEOUT`: how long a graceful stop may take before the process exits anyway. @default 30 s */
  readonly shutdownTimeoutMs: number;
  /**
   * `BROKER_FAULTS` (`drop:0.05,dup:0.05`): lose and duplicate broker messages at these rates, for
   * fault-injection runs only. @default undefined (no faults)
   */
  readonly brokerFaults: BrokerFaultRates | undefined;
}

/** Where the real stores are: required by the three separately deployed processes. */
export interface ConnectionConfig {
  /** `DATABASE_URL`: a `postgres://` URL. */
  readonly databaseUrl: string;
  /** `NATS_URL`: one or more NATS servers (comma-separated in the variable). */
  readonly natsServers: readonly string[];
}

/** The standalone process may run without either store (embedded PostgreSQL, in-process broker). */
export type OptionalConnectionConfig = { readonly [K in keyof ConnectionConfig]: ConnectionConfig[K] | undefined };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const BROKER_PREFIX = /^[A-Za-z0-9_-]{1,64}$/;

const port = (raw: string): number => parseInteger(raw, 0, 65535, 'expected a port number from 0 to 65535');

function logLevel(raw: string): LogLevel {
  const level = raw.toLowerCase();
  const known = LOG_LEVELS.find((l) => l === level);
  if (known === undefined) throw new InvalidValue(`expected one of ${LOG_LEVELS.join(', ')}`);
  return known;
}

/** Zod fields of {@link CommonConfig}, keyed by variable name. */
export function commonVars(defaultPort: number) {
  return {
    PORT: envVar(port, { fallback: () => defaultPort }),
    LOG_LEVEL: envVar(logLevel, { fallback: (): LogLevel => 'info' }),
    DATABASE_SCHEMA: envVar(matching(SCHEMA_NAME, 'expected a lower-case PostgreSQL identifier (a-z, 0-9, _)'), {
      fallback: () => 'public',
    }),
    DATABASE_POOL_SIZE: envVar((raw) => parseInteger(raw, 1, 1000, 'expected a whole number from 1 to 1000'), {
      fallback: () => 10,
    }),
    BROKER_PREFIX: envVar(matching(BROKER_PREFIX, 'expected 1-64 characters of A-Z, a-z, 0-9, _ or -'), {
      fallback: () => 'niyanta',
    }),
    SHUTDOWN_TIMEOUT: envVar(parseDuration, { fallback: () => 30_000 }),
    BROKER_FAULTS: envVar(parseBrokerFaults, { optional: true }),
  };
}

type CommonVars = {
  PORT: number;
  LOG_LEVEL: LogLevel;
  DATABASE_SCHEMA: string;
  DATABASE_POOL_SIZE: number;
  BROKER_PREFIX: string;
  SHUTDOWN_TIMEOUT: number;
  BROKER_FAULTS: BrokerFaultRates | undefined;
};

/** Maps parsed common variables to {@link CommonConfig}. */
export function toCommonConfig(v: CommonVars): CommonConfig {
  return {
    port: v.PORT,
    logLevel: v.LOG_LEVEL,
    databaseSchema: v.DATABASE_SCHEMA,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    brokerPrefix: v.BROKER_PREFIX,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT,
    brokerFaults: v.BROKER_FAULTS,
  };
}

/** Zod fields of {@link ConnectionConfig}: both variables required. */
export const connectionVars = {
  DATABASE_URL: envVar(parsePostgresUrl, { required: 'a postgres:// connection URL', secret: true }),
  NATS_URL: envVar(parseNatsServers, { required: 'one or more nats://host:port URLs', secret: true }),
};

/** Zod fields of {@link OptionalConnectionConfig}: unset selects the embedded stores. */
export const optionalConnectionVars = {
  DATABASE_URL: envVar(parsePostgresUrl, { optional: true, secret: true }),
  NATS_URL: envVar(parseNatsServers, { optional: true, secret: true }),
};
