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
export { CheckpointCorruptError, CheckpointStateError, UnsupportedCodecError } from './lib/checkpoint.errors';
export { CheckpointObjectStore, isValidObjectKey } from './lib/checkpoint-object-store.port';
export type { FilesystemObjectStoreOptions } from './lib/filesystem-object-store.adapter';
export { FilesystemObjectStore } from './lib/filesystem-object-store.adapter';
