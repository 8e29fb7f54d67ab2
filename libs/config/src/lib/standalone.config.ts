import { z } from 'zod';
import { apiVars, ApiSettings, toApiSettings } from './api.config';
import { commonVars, CommonConfig, OptionalConnectionConfig, optionalConnectionVars, toCommonConfig } from './common.config';
import { crossIssue, Env, envVar, loadWith, matching } from './env-schema';
import { parseInteger } from './env-parsers';
import { checkLeaderVars, leaderVars, LeaderSettings, toLeaderSettings } from './leader.config';
import { checkWorkerVars, toWorkerSettings, workerVars, WorkerSettings } from './worker.config';

/** Where the standalone process listens unless `HOST` says otherwise: this machine only. */
export const DEFAULT_STANDALONE_HOST = '127.0.0.1';

/** The API key format (`nyk_<8 public chars>_<secret>`), so a mistyped dev key fails at start. */
const API_KEY_FORMAT = /^nyk_[a-z0-9]{8}_[A-Za-z0-9]{16,128}$/;

/** Settings only the standalone process has. */
export interface StandaloneSettings {
  /** `DATA_DIR`: where embedded PostgreSQL, the audit outbox (`<DATA_DIR>/audit-outbox` unless `AUDIT_OUTBOX_DIR`) and, with `CHECKPOINT_STORE=filesystem` and no `CHECKPOINT_DIR`, checkpoint files (`<DATA_DIR>/checkpoints`) live. @default '.data' */
  readonly dataDir: string;
  /** `EMBEDDED_POSTGRES_PORT`: port of the embedded PostgreSQL when `DATABASE_URL` is unset. @default 54329 */
  readonly embeddedPostgresPort: number;
  /**
   * `NIYANTA_DEV_API_KEY`: the development customer's key, seeded at start. Unset: a random key
   * generated once per data directory (`<DATA_DIR>/dev-api-key`) and printed in the start banner.
   * @default undefined
   */
  readonly devApiKey: string | undefined;
  /**
   * `HOST`: the address the API listens on (`0.0.0.0` or `::` for every interface).
   * @default {@link DEFAULT_STANDALONE_HOST}
   */
  readonly host: string;
}

/** Configuration of the standalone process: API, leader and worker in one, stores optional. */
export type StandaloneConfig = CommonConfig &
  OptionalConnectionConfig &
  ApiSettings &
  LeaderSettings &
  WorkerSettings &
  StandaloneSettings;

const standaloneSchema = z
  .object({
    ...commonVars(8080),
    ...optionalConnectionVars,
    ...apiVars(true),
    ...leaderVars,
    ...workerVars,
    DATA_DIR: envVar(matching(/^.{1,1024}$/, 'expected a directory path'), { fallback: () => '.data' }),
    EMBEDDED_POSTGRES_PORT: envVar((raw) => parseInteger(raw, 1, 65535, 'expected a port number from 1 to 65535'), {
      fallback: () => 54329,
    }),
    NIYANTA_DEV_API_KEY: envVar(
      matching(API_KEY_FORMAT, 'expected an API key of the form nyk_<8 lower-case letters or digits>_<16-128 letters or digits>'),
      { optional: true, secret: true },
    ),
    HOST: envVar(matching(/^[A-Za-z0-9.:[\]-]{1,255}$/, 'expected a host name or IP address'), { fallback: () => DEFAULT_STANDALONE_HOST }),
  })
  .superRefine((v, ctx) => {
    checkLeaderVars(v, ctx);
    checkWorkerVars(v, ctx, true);
    // In one process both ends are ours: a heartbeat slower than the timeout kills our own worker.
    if (v.HEARTBEAT_INTERVAL >= v.WORKER_TIMEOUT) {
      crossIssue(ctx, 'HEARTBEAT_INTERVAL', `must be shorter than WORKER_TIMEOUT (${v.WORKER_TIMEOUT}ms), got ${v.HEARTBEAT_INTERVAL}ms`);
    }
  })
  .transform(
    (v): StandaloneConfig => ({
      ...toCommonConfig(v),
      databaseUrl: v.DATABASE_URL,
      natsServers: v.NATS_URL,
      ...toApiSettings(v, `${v.DATA_DIR.replace(/\/+$/, '')}/audit-outbox`),
      ...toLeaderSettings(v),
      ...toWorkerSettings(v, `${v.DATA_DIR.replace(/\/+$/, '')}/checkpoints`),
      dataDir: v.DATA_DIR,
      embeddedPostgresPort: v.EMBEDDED_POSTGRES_PORT,
      devApiKey: v.NIYANTA_DEV_API_KEY,
      host: v.HOST,
    }),
  );

/**
 * Validates the standalone process's environment. `DATABASE_URL` and `NATS_URL` are optional:
 * unset, the process starts embedded PostgreSQL and an in-process broker.
 * @throws ConfigError naming every missing or malformed variable.
 */
export function loadStandaloneConfig(env: Env): StandaloneConfig {
  return loadWith('standalone', standaloneSchema, env);
}
