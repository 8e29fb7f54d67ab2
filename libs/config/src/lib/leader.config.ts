import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { commonVars, CommonConfig, ConnectionConfig, connectionVars, toCommonConfig } from './common.config';
import { crossIssue, Env, envVar, loadWith, matching } from './env-schema';
import { parseBoolean, parseDuration } from './env-parsers';
import { leaseRenewalFits } from './options-schema';

/** Settings of the leader feature: election, scheduling, health monitoring, retries. */
export interface LeaderSettings {
  /** `LEADER_ID`: this candidate's identity in the lease. @default `<hostname>-<pid>-<random>` */
  readonly leaderId: string;
  /** `WORKER_TIMEOUT`: a worker silent this long is DEAD and its workloads are reassigned. @default 15 s */
  readonly workerTimeoutMs: number;
  /**
   * `LEASE_TTL`: how long a leadership lease lasts without renewal; a crashed leader is replaced
   * after at most about this long, so it stays under the 5 s failover target (SPEC §7). @default 4 s
   */
  readonly leaseTtlMs: number;
  /** `LEASE_RENEW_INTERVAL`: how often the leader renews (and candidates try to take) the lease; at most half of the TTL. @default 1 s */
  readonly leaseRenewIntervalMs: number;
  /** `SCHEDULER_SWEEP_INTERVAL`: the periodic scheduling pass that backs up event-driven wakes. @default 2 s */
  readonly schedulerSweepIntervalMs: number;
  /** `ASSIGNMENT_ACK_TIMEOUT`: an assignment still SCHEDULED after this is re-sent, then reclaimed. @default 5 s */
  readonly assignmentAckTimeoutMs: number;
  /** `RETRY_BASE_DELAY`: first backoff of a retried leader duty (doubles, jittered). @default 1 s */
  readonly retryBaseDelayMs: number;
  /** `RETRY_MAX_DELAY`: backoff ceiling. @default 5 min */
  readonly retryMaxDelayMs: number;
  /** `AUDIT_RETENTION`: audit events older than this are deleted by the leader (`30d`, `12h`, ...). @default 30 days */
  readonly auditRetentionMs: number;
}

/** Zod fields of the retry backoff, shared by the leader (its duties) and the worker (failed attempts). */
export const retryVars = {
  RETRY_BASE_DELAY: envVar(parseDuration, { fallback: () => 1_000 }),
  RETRY_MAX_DELAY: envVar(parseDuration, { fallback: () => 300_000 }),
};

/** Backoff base must not exceed its ceiling. */
export function checkRetryVars(v: { RETRY_BASE_DELAY: number; RETRY_MAX_DELAY: number }, ctx: z.RefinementCtx): void {
  if (v.RETRY_BASE_DELAY > v.RETRY_MAX_DELAY) {
    crossIssue(ctx, 'RETRY_BASE_DELAY', `must not exceed RETRY_MAX_DELAY (${v.RETRY_MAX_DELAY}ms), got ${v.RETRY_BASE_DELAY}ms`);
  }
}

/** Configuration of the coordinator-leader process. */
export type LeaderConfig = CommonConfig & ConnectionConfig & LeaderSettings & { readonly runMigrations: boolean };

const LEADER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A duration that may also be given in days (`30d`), as retention periods usually are. */
export function parseRetention(raw: string): number {
  const days = /^(\d+)d$/.exec(raw);
  return days ? parseDuration(`${Number(days[1]) * 24}h`) : parseDuration(raw);
}

/** A unique-enough default identity: host and pid say where it runs, the suffix covers pid reuse. */
export function defaultInstanceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Zod fields of {@link LeaderSettings}. */
export const leaderVars = {
  LEADER_ID: envVar(matching(LEADER_ID, 'expected 1-128 characters of A-Z, a-z, 0-9, ., _, : or -'), {
    fallback: defaultInstanceId,
  }),
  WORKER_TIMEOUT: envVar(parseDuration, { fallback: () => 15_000 }),
  LEASE_TTL: envVar(parseDuration, { fallback: () => 4_000 }),
  LEASE_RENEW_INTERVAL: envVar(parseDuration, { fallback: () => 1_000 }),
  SCHEDULER_SWEEP_INTERVAL: envVar(parseDuration, { fallback: () => 2_000 }),
  ASSIGNMENT_ACK_TIMEOUT: envVar(parseDuration, { fallback: () => 5_000 }),
  AUDIT_RETENTION: envVar(parseRetention, { fallback: () => 30 * 86_400_000 }),
  ...retryVars,
};

type LeaderVars = { [K in keyof typeof leaderVars]: z.output<(typeof leaderVars)[K]> };

/** Maps parsed leader variables to {@link LeaderSettings}. */
export function toLeaderSettings(v: LeaderVars): LeaderSettings {
  return {
    leaderId: v.LEADER_ID,
    workerTimeoutMs: v.WORKER_TIMEOUT,
    leaseTtlMs: v.LEASE_TTL,
    leaseRenewIntervalMs: v.LEASE_RENEW_INTERVAL,
    schedulerSweepIntervalMs: v.SCHEDULER_SWEEP_INTERVAL,
    assignmentAckTimeoutMs: v.ASSIGNMENT_ACK_TIMEOUT,
    retryBaseDelayMs: v.RETRY_BASE_DELAY,
    retryMaxDelayMs: v.RETRY_MAX_DELAY,
    auditRetentionMs: v.AUDIT_RETENTION,
  };
}

/** Rules between leader variables (see {@link leaseRenewalFits}). */
export function checkLeaderVars(v: LeaderVars, ctx: z.RefinementCtx): void {
  if (!leaseRenewalFits(v.LEASE_TTL, v.LEASE_RENEW_INTERVAL)) {
    crossIssue(ctx, 'LEASE_RENEW_INTERVAL', `must be at most half of LEASE_TTL (${v.LEASE_TTL}ms), got ${v.LEASE_RENEW_INTERVAL}ms`);
  }
  checkRetryVars(v, ctx);
}

const leaderSchema = z
  .object({
    ...commonVars(8081),
    ...connectionVars,
    ...leaderVars,
    RUN_MIGRATIONS: envVar(parseBoolean, { fallback: () => false }),
  })
  .superRefine(checkLeaderVars)
  .transform(
    (v): LeaderConfig => ({
      ...toCommonConfig(v),
      databaseUrl: v.DATABASE_URL,
      natsServers: v.NATS_URL,
      ...toLeaderSettings(v),
      runMigrations: v.RUN_MIGRATIONS,
    }),
  );

/**
 * Validates the coordinator-leader's environment.
 * @throws ConfigError naming every missing or malformed variable.
 */
export function loadLeaderConfig(env: Env): LeaderConfig {
  return loadWith('coordinator-leader', leaderSchema, env);
}
