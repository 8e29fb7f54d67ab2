import { z } from 'zod';
import { commonVars, CommonConfig, ConnectionConfig, connectionVars, toCommonConfig } from './common.config';
import { crossIssue, Env, envVar, loadWith, matching } from './env-schema';
import { parseBoolean, parseDuration, parseInteger, parseList, parseTags } from './env-parsers';
import { checkCheckpointVars, checkpointVars, CheckpointSettings, toCheckpointSettings } from './checkpoint.config';
import { checkRetryVars, defaultInstanceId, retryVars } from './leader.config';

/** Settings of the worker feature (SPEC §6), checkpoint storage included. */
export interface WorkerSettings extends CheckpointSettings {
  /** `WORKER_ID`: unique in the fleet; a broker subject token. @default `<hostname>-<pid>-<random>` */
  readonly workerId: string;
  /** `WORKER_TAGS` (`key=value,key=value`): matched by workload affinity rules. @default {} */
  readonly workerTags: Readonly<Record<string, string>>;
  /** `WORKER_REGION`: matched against a workload's preferred region. */
  readonly workerRegion: string | undefined;
  /** `WORKER_CAPACITY`: workloads run concurrently. @default 4 */
  readonly workerCapacity: number;
  /** `WORKER_TYPES`: if set, only these of the registered workload types are offered. */
  readonly workerTypes: readonly string[] | undefined;
  /** `WORKLOAD_MODULES`: module paths to load user workload types from. @default [] */
  readonly workloadModules: readonly string[];
  /** `HEARTBEAT_INTERVAL`. @default 5 s */
  readonly heartbeatIntervalMs: number;
  /** `DRAIN_TIMEOUT`: how long a draining worker waits for workloads to checkpoint and hand back. @default 30 s */
  readonly drainTimeoutMs: number;
  /**
   * `WORKLOAD_TIMEOUT_DEFAULT`: how long an attempt of a type without a timeout of its own may run
   * before it is aborted as a (retryable) timeout, so no attempt holds a slot forever. @default 24 h
   */
  readonly defaultWorkloadTimeoutMs: number;
  /** `RETRY_BASE_DELAY`: backoff before a failed attempt is retried (doubles per failure, jittered). @default 1 s */
  readonly retryBaseDelayMs: number;
  /** `RETRY_MAX_DELAY`: backoff ceiling. @default 5 min */
  readonly retryMaxDelayMs: number;
}

/** Configuration of the worker process. */
export type WorkerConfig = CommonConfig & ConnectionConfig & WorkerSettings & { readonly runMigrations: boolean };

/** Worker ids appear in broker subjects (`<prefix>.worker.<id>.assign`): no dots or wildcards. */
const WORKER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REGION = /^[A-Za-z0-9._-]{1,64}$/;
const WORKLOAD_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const MODULE_PATH = /^\S+$/;

/** Zod fields of {@link WorkerSettings}. */
export const workerVars = {
  WORKER_ID: envVar(matching(WORKER_ID, 'expected 1-64 characters of A-Z, a-z, 0-9, _ or - (it is used in broker subjects)'), {
    fallback: defaultInstanceId,
  }),
  WORKER_TAGS: envVar(parseTags, { fallback: (): Record<string, string> => ({}) }),
  WORKER_REGION: envVar(matching(REGION, 'expected 1-64 characters of A-Z, a-z, 0-9, ., _ or -'), { optional: true }),
  WORKER_CAPACITY: envVar((raw) => parseInteger(raw, 1, 100_000, 'expected a positive integer'), { fallback: () => 4 }),
  WORKER_TYPES: envVar((raw) => parseList(raw, WORKLOAD_TYPE, 'workload type names'), { optional: true }),
  WORKLOAD_MODULES: envVar((raw) => parseList(raw, MODULE_PATH, 'module paths'), { fallback: (): string[] => [] }),
  HEARTBEAT_INTERVAL: envVar(parseDuration, { fallback: () => 5_000 }),
  DRAIN_TIMEOUT: envVar(parseDuration, { fallback: () => 30_000 }),
  WORKLOAD_TIMEOUT_DEFAULT: envVar(parseDuration, { fallback: () => 86_400_000 }),
  ...retryVars,
  ...checkpointVars,
};

type WorkerVars = { [K in keyof typeof workerVars]: z.output<(typeof workerVars)[K]> };

/**
 * Maps parsed worker variables to {@link WorkerSettings}; `defaultCheckpointDir` stands in for an
 * unset `CHECKPOINT_DIR` where the process has a data directory of its own.
 */
export function toWorkerSettings(v: WorkerVars, defaultCheckpointDir?: string): WorkerSettings {
  return {
    ...toCheckpointSettings(v, defaultCheckpointDir),
    workerId: v.WORKER_ID,
    workerTags: v.WORKER_TAGS,
    workerRegion: v.WORKER_REGION,
    workerCapacity: v.WORKER_CAPACITY,
    workerTypes: v.WORKER_TYPES,
    workloadModules: v.WORKLOAD_MODULES,
    heartbeatIntervalMs: v.HEARTBEAT_INTERVAL,
    drainTimeoutMs: v.DRAIN_TIMEOUT,
    defaultWorkloadTimeoutMs: v.WORKLOAD_TIMEOUT_DEFAULT,
    retryBaseDelayMs: v.RETRY_BASE_DELAY,
    retryMaxDelayMs: v.RETRY_MAX_DELAY,
  };
}

/** Rules between worker variables (`checkpointDirFallback`: see {@link toWorkerSettings}). */
export function checkWorkerVars(
  v: WorkerVars & { SHUTDOWN_TIMEOUT: number },
  ctx: z.RefinementCtx,
  checkpointDirFallback = false,
): void {
  // SIGTERM drains the worker inside the shutdown budget; a longer drain would be cut short.
  if (v.DRAIN_TIMEOUT > v.SHUTDOWN_TIMEOUT) {
    crossIssue(ctx, 'DRAIN_TIMEOUT', `must not exceed SHUTDOWN_TIMEOUT (${v.SHUTDOWN_TIMEOUT}ms), got ${v.DRAIN_TIMEOUT}ms`);
  }
  checkRetryVars(v, ctx);
  checkCheckpointVars(v, ctx, checkpointDirFallback);
}

const workerSchema = z
  .object({
    ...commonVars(8082),
    ...connectionVars,
    ...workerVars,
    RUN_MIGRATIONS: envVar(parseBoolean, { fallback: () => false }),
  })
  .superRefine(checkWorkerVars)
  .transform(
    (v): WorkerConfig => ({
      ...toCommonConfig(v),
      databaseUrl: v.DATABASE_URL,
      natsServers: v.NATS_URL,
      ...toWorkerSettings(v),
      runMigrations: v.RUN_MIGRATIONS,
    }),
  );

/**
 * Validates the worker's environment.
 * @throws ConfigError naming every missing or malformed variable.
 */
export function loadWorkerConfig(env: Env): WorkerConfig {
  return loadWith('worker', workerSchema, env);
}
