/**
 * Where checkpoints too large to keep inline in PostgreSQL are stored. Keys are `/`-separated
 * segments of letters, digits, `.`, `_`, `-` (for example `workloads/<id>/000042.ckpt`);
 * adapters reject anything else so a key can never escape their root.
 */
export abstract class CheckpointObjectStore {
  /** Stores `data` under `key`, replacing any previous object atomically (readers see old or new, never a mix). */
  abstract put(key: string, data: Buffer): Promise<void>;
  /** The object under `key`; a `NotFoundError` from `@niyanta/models` when there is none. */
  abstract get(key: string): Promise<Buffer>;
  /** Removes the object under `key`; removing a missing object is not an error. */
  abstract delete(key: string): Promise<void>;
  /** Keys that start with `prefix`, sorted; optional because not every backend lists cheaply. */
  list?(prefix: string): Promise<string[]>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** True when `key` is a valid object key (see {@link CheckpointObjectStore}); `..` and `.` segments are not. */
export function isValidObjectKey(key: string): boolean {
  if (key.length === 0 || key.length > 1024) return false;
  return key.split('/').every((segment) => SEGMENT.test(segment) && segment !== '..' && !segment.startsWith('.'));
}
