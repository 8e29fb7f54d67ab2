export type {
  CheckpointCompression,
  DecodeCheckpointOptions,
  EncodeCheckpointOptions,
  EncodedCheckpoint,
} from './lib/checkpoint-codec';
export {
  CHECKPOINT_FORMAT_VERSION,
  DEFAULT_CHECKPOINT_COMPRESSION,
  checkpointCodecName,
  checkpointContentHash,
  checkpointContentHashAsync,
  decodeCheckpoint,
  decodeCheckpointAsync,
  encodeCheckpoint,
  encodeCheckpointAsync,
  parseCheckpointCodec,
} from './lib/checkpoint-codec';
export { CheckpointCorruptError, CheckpointStateError, UnsupportedCodecError } from './lib/errors';
export { CheckpointObjectStore, isValidObjectKey } from './lib/checkpoint-object-store.port';
export type { CheckpointObjectStoreKind, StoredObjectInfo } from './lib/checkpoint-object-store.port';
export { CHECKPOINT_OBJECT_PREFIX, checkpointObjectKey, workloadIdOfObjectKey } from './lib/checkpoint-object-key';
export type { FilesystemObjectStoreOptions } from './lib/filesystem-object-store.adapter';
export { FilesystemObjectStore } from './lib/filesystem-object-store.adapter';
export type { S3ObjectStoreOptions } from './lib/s3-object-store.adapter';
export { S3ObjectStore } from './lib/s3-object-store.adapter';
export type { CheckpointStorageConfig } from './lib/checkpoint-object-store.factory';
export { createCheckpointObjectStore } from './lib/checkpoint-object-store.factory';
