import { randomBytes } from 'node:crypto';

/** Every checkpoint object key starts with this; the orphan sweep looks nowhere else. */
export const CHECKPOINT_OBJECT_PREFIX = 'checkpoints/';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FILE = /^[1-9][0-9]{0,9}-[0-9a-z]{1,12}-[0-9a-f]{16}\.ckpt$/;

/**
 * A fresh key for one checkpoint write of `attempt` of `workloadId`:
 * `checkpoints/<workload id>/<attempt>-<time base 36>-<16 hex>.ckpt`.
 *
 * The key is chosen before the row exists (the object is written first), so it cannot carry the
 * sequence number; a random part makes every write, including a retry, a new object, so that a
 * row can never point at an object another write replaced. The workload id comes first so that
 * the sweep finds the rows of a listed object through the `(workload_id, sequence)` index.
 */
export function checkpointObjectKey(workloadId: string, attempt: number): string {
  if (!UUID.test(workloadId)) throw new Error(`checkpoint object key: "${workloadId}" is not a lowercase UUID`);
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`checkpoint object key: bad attempt ${attempt}`);
  return `${CHECKPOINT_OBJECT_PREFIX}${workloadId}/${attempt}-${Date.now().toString(36)}-${randomBytes(8).toString('hex')}.ckpt`;
}

/**
 * The workload id of a key {@link checkpointObjectKey} made, or null for any other key (which the
 * sweep then leaves alone: it never deletes what it did not write).
 */
export function workloadIdOfObjectKey(key: string): string | null {
  if (!key.startsWith(CHECKPOINT_OBJECT_PREFIX)) return null;
  const parts = key.slice(CHECKPOINT_OBJECT_PREFIX.length).split('/');
  if (parts.length !== 2) return null;
  const [workloadId, file] = parts as [string, string];
  return UUID.test(workloadId) && FILE.test(file) ? workloadId : null;
}
