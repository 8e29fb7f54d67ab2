import { CheckpointObjectStore } from './checkpoint-object-store.port';
import { FilesystemObjectStore } from './filesystem-object-store.adapter';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.adapter';

/** Where checkpoints above the inline threshold go (`CHECKPOINT_STORE`). */
export type CheckpointStorageConfig =
  /** Every checkpoint stays in PostgreSQL, whatever its size. */
  | { kind: 'inline' }
  /** A directory every worker can reach (local disk for one worker, a shared mount for several). */
  | { kind: 'filesystem'; dir: string; fsync?: boolean }
  /** Amazon S3 or an S3-compatible service. */
  | ({ kind: 's3' } & S3ObjectStoreOptions);

/** The object store `config` names, or null for `inline` (no object store). */
export function createCheckpointObjectStore(config: CheckpointStorageConfig): CheckpointObjectStore | null {
  switch (config.kind) {
    case 'inline':
      return null;
    case 'filesystem':
      return new FilesystemObjectStore({ rootDir: config.dir, fsync: config.fsync });
    case 's3': {
      const { kind: _kind, ...options } = config;
      return new S3ObjectStore(options);
    }
  }
}
