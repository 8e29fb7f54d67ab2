import { randomUUID } from 'node:crypto';
import { isValidObjectKey } from './checkpoint-object-store.port';
import { CHECKPOINT_OBJECT_PREFIX, checkpointObjectKey, workloadIdOfObjectKey } from './checkpoint-object-key';

describe(checkpointObjectKey.name, () => {
  it('makes a fresh valid key under the checkpoint prefix for every write, naming the workload', () => {
    const id = randomUUID();
    const keys = new Set(Array.from({ length: 100 }, () => checkpointObjectKey(id, 3)));
    expect(keys.size).toBe(100);
    for (const key of keys) {
      expect(isValidObjectKey(key)).toBe(true);
      expect(key.startsWith(`${CHECKPOINT_OBJECT_PREFIX}${id}/3-`)).toBe(true);
      expect(workloadIdOfObjectKey(key)).toBe(id);
    }
  });

  it('refuses ids and attempts it could not parse back', () => {
    expect(() => checkpointObjectKey('not-a-uuid', 1)).toThrow();
    expect(() => checkpointObjectKey(randomUUID().toUpperCase(), 1)).toThrow();
    expect(() => checkpointObjectKey(randomUUID(), 0)).toThrow();
  });

  it('recognises only keys it makes, so the sweep never touches anything else', () => {
    const id = randomUUID();
    for (const key of [
      `other/${id}/1-abc-0123456789abcdef.ckpt`,
      `${CHECKPOINT_OBJECT_PREFIX}${id}`,
      `${CHECKPOINT_OBJECT_PREFIX}${id}/notes.txt`,
      `${CHECKPOINT_OBJECT_PREFIX}${id}/sub/1-abc-0123456789abcdef.ckpt`,
      `${CHECKPOINT_OBJECT_PREFIX}not-a-uuid/1-abc-0123456789abcdef.ckpt`,
    ]) {
      expect(workloadIdOfObjectKey(key)).toBeNull();
    }
  });
});
