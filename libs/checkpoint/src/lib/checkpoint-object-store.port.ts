/** Where an offloaded checkpoint lives; recorded in `checkpoints.storage` next to its key. */
export type CheckpointObjectStoreKind = 'filesystem' | 's3';

/** One object as a store lists it. */
export interface StoredObjectInfo {
  key: string;
  sizeBytes: number;
  /** When the object was last written, by the store's clock. */
  lastModified: Date;
}

/**
 * Where checkpoints too large to keep inline in PostgreSQL are stored. Keys are `/`-separated
 * segments of letters, digits, `.`, `_`, `-` (for example `checkpoints/<id>/2-….ckpt`);
 * adapters reject anything else so a key can never escape their root.
 */
export abstract class CheckpointObjectStore {
  /** The storage label rows record for objects of this store. */
  abstract readonly kind: CheckpointObjectStoreKind;
  /** Stores `data` under `key`, replacing any previous object atomically (readers see old or new, never a mix). */
  abstract put(key: string, data: Buffer): Promise<void>;
  /** The object under `key`; a `NotFoundError` from `@niyanta/models` when there is none. */
  abstract get(key: string): Promise<Buffer>;
  /** Removes the object under `key`; removing a missing object is not an error. */
  abstract delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in no particular order, fetched page by page. */
  abstract list(prefix: string): AsyncIterable<StoredObjectInfo>;
  /** Resolves when the store is reachable and writable enough to use (readiness); rejects otherwise. */
  abstract ping(): Promise<void>;
  /**
   * Removes what interrupted writes left behind (temporary files) that is older than `olderThan`;
   * resolves to how many were removed. Stores whose writes are atomic on the server need nothing.
   */
  removeIncomplete?(olderThan: Date): Promise<number>;
  /** Releases connections. */
  close?(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** True when `key` is a valid object key (see {@link CheckpointObjectStore}); `..` and `.` segments are not. */
export function isValidObjectKey(key: string): boolean {
  if (key.length === 0 || key.length > 1024) return false;
  return key.split('/').every((segment) => SEGMENT.test(segment) && segment !== '..' && !segment.startsWith('.'));
}
