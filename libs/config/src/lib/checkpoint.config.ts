import { z } from 'zod';
import { crossIssue, envVar, matching } from './env-schema';
import { InvalidValue, parseBoolean, parseByteSize, parseDuration, parseInteger } from './env-parsers';

/** Where checkpoints above the inline threshold go (same shape as `@niyanta/checkpoint`'s config). */
export type CheckpointStorageSettings =
  | { readonly kind: 'inline' }
  | { readonly kind: 'filesystem'; readonly dir: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly region: string;
      readonly endpoint: string | undefined;
      readonly accessKeyId: string | undefined;
      readonly secretAccessKey: string | undefined;
      readonly forcePathStyle: boolean;
    };

/** Checkpoint settings of a worker (docs/checkpoints.md). */
export interface CheckpointSettings {
  /** `CHECKPOINT_STORE` (`inline`, `filesystem`, `s3`) with `CHECKPOINT_DIR` or the `S3_*` variables. @default inline */
  readonly checkpointStorage: CheckpointStorageSettings;
  /** `CHECKPOINT_INLINE_MAX`: larger stored checkpoints go to the object store. @default 256 KiB */
  readonly checkpointInlineMaxBytes: number;
  /** `CHECKPOINT_RETAIN`: newest checkpoints kept per workload. @default 3 */
  readonly checkpointRetain: number;
  /** `CHECKPOINT_SWEEP_INTERVAL`: orphaned-object sweep interval; `0` disables. @default 10 min */
  readonly checkpointSweepIntervalMs: number;
  /** `CHECKPOINT_ORPHAN_GRACE`: unreferenced objects younger than this are kept. @default 1 h */
  readonly checkpointOrphanGraceMs: number;
}

const STORES = ['inline', 'filesystem', 's3'] as const;
/** S3 bucket naming rules (3–63 lower-case letters, digits, `.`, `-`). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,64}$/;

function parseStore(raw: string): (typeof STORES)[number] {
  const value = raw.toLowerCase();
  if (!(STORES as readonly string[]).includes(value)) throw new InvalidValue(`expected one of ${STORES.join(', ')}`);
  return value as (typeof STORES)[number];
}

function parseHttpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidValue('expected an http(s) URL such as https://s3.eu-west-1.amazonaws.com or http://minio:9000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidValue('expected an http(s) URL');
  return raw;
}

/** A duration, or `0` / `off` to disable. */
function parseDurationOrOff(raw: string): number {
  return raw === '0' || raw.toLowerCase() === 'off' ? 0 : parseDuration(raw);
}

/** Zod fields of {@link CheckpointSettings}. */
export const checkpointVars = {
  CHECKPOINT_STORE: envVar(parseStore, { fallback: () => 'inline' as const }),
  CHECKPOINT_DIR: envVar(matching(/^.{1,1024}$/, 'expected a directory path'), { optional: true }),
  CHECKPOINT_INLINE_MAX: envVar(parseByteSize, { fallback: () => 256 * 1024 }),
  CHECKPOINT_RETAIN: envVar((raw) => parseInteger(raw, 1, 1_000, 'expected an integer from 1 to 1000'), {
    fallback: () => 3,
  }),
  CHECKPOINT_SWEEP_INTERVAL: envVar(parseDurationOrOff, { fallback: () => 10 * 60_000 }),
  CHECKPOINT_ORPHAN_GRACE: envVar(parseDuration, { fallback: () => 60 * 60_000 }),
  S3_ENDPOINT: envVar(parseHttpUrl, { optional: true }),
  S3_BUCKET: envVar(matching(BUCKET, 'expected an S3 bucket name (3-63 lower-case letters, digits, . or -)'), {
    optional: true,
  }),
  S3_REGION: envVar(matching(REGION, 'expected a region name such as us-east-1'), { fallback: () => 'us-east-1' }),
  S3_ACCESS_KEY_ID: envVar(matching(/^\S{1,256}$/, 'expected an access key id'), { optional: true, secret: true }),
  S3_SECRET_ACCESS_KEY: envVar(matching(/^\S{1,256}$/, 'expected a secret access key'), { optional: true, secret: true }),
  S3_FORCE_PATH_STYLE: envVar(parseBoolean, { fallback: () => false }),
};

type CheckpointVars = { [K in keyof typeof checkpointVars]: z.output<(typeof checkpointVars)[K]> };

/**
 * Rules between checkpoint variables. `dirFallback` is true where the process has a default
 * directory of its own (standalone: `<DATA_DIR>/checkpoints`).
 */
export function checkCheckpointVars(v: CheckpointVars, ctx: z.RefinementCtx, dirFallback = false): void {
  if (v.CHECKPOINT_STORE === 'filesystem' && v.CHECKPOINT_DIR === undefined && !dirFallback) {
    crossIssue(ctx, 'CHECKPOINT_DIR', 'required when CHECKPOINT_STORE=filesystem (a directory every worker can reach)');
  }
  if (v.CHECKPOINT_STORE === 's3' && v.S3_BUCKET === undefined) {
    crossIssue(ctx, 'S3_BUCKET', 'required when CHECKPOINT_STORE=s3');
  }
  if ((v.S3_ACCESS_KEY_ID === undefined) !== (v.S3_SECRET_ACCESS_KEY === undefined)) {
    crossIssue(
      ctx,
      v.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY',
      'set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (the default AWS credential chain)',
    );
  }
  // A write slower than half the grace period is abandoned; a very short grace would abandon most.
  if (v.CHECKPOINT_ORPHAN_GRACE < 60_000) {
    crossIssue(ctx, 'CHECKPOINT_ORPHAN_GRACE', `must be at least 1m, got ${v.CHECKPOINT_ORPHAN_GRACE}ms`);
  }
}

/** Maps parsed checkpoint variables to {@link CheckpointSettings}; `defaultDir` stands in for an unset `CHECKPOINT_DIR`. */
export function toCheckpointSettings(v: CheckpointVars, defaultDir?: string): CheckpointSettings {
  let storage: CheckpointStorageSettings;
  switch (v.CHECKPOINT_STORE) {
    case 'inline':
      storage = { kind: 'inline' };
      break;
    case 'filesystem':
      storage = { kind: 'filesystem', dir: v.CHECKPOINT_DIR ?? defaultDir ?? '' };
      break;
    case 's3':
      storage = {
        kind: 's3',
        bucket: v.S3_BUCKET ?? '',
        region: v.S3_REGION,
        endpoint: v.S3_ENDPOINT,
        accessKeyId: v.S3_ACCESS_KEY_ID,
        secretAccessKey: v.S3_SECRET_ACCESS_KEY,
        forcePathStyle: v.S3_FORCE_PATH_STYLE,
      };
      break;
  }
  return {
    checkpointStorage: storage,
    checkpointInlineMaxBytes: v.CHECKPOINT_INLINE_MAX,
    checkpointRetain: v.CHECKPOINT_RETAIN,
    checkpointSweepIntervalMs: v.CHECKPOINT_SWEEP_INTERVAL,
    checkpointOrphanGraceMs: v.CHECKPOINT_ORPHAN_GRACE,
  };
}
