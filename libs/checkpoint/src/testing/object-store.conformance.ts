import { randomBytes } from 'node:crypto';
import { DomainError, ErrorCode, NotFoundError } from '@niyanta/models';
import type { CheckpointObjectStore, StoredObjectInfo } from '../lib/checkpoint-object-store.port';

/** Collects an async listing into an array sorted by key. */
export async function listAll(store: CheckpointObjectStore, prefix: string): Promise<StoredObjectInfo[]> {
  const objects: StoredObjectInfo[] = [];
  for await (const object of store.list(prefix)) objects.push(object);
  return objects.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * The behaviour every {@link CheckpointObjectStore} adapter must show. Call inside a `describe`;
 * `open` gives a fresh, empty store for each test (and `close` disposes of it).
 */
export function objectStoreConformance(
  open: () => Promise<CheckpointObjectStore>,
  close: (store: CheckpointObjectStore) => Promise<void> = async (store) => store.close?.(),
  /**
   * Whether the backend under test replaces an object atomically when one key is written
   * concurrently. Checkpoints never rely on it (every checkpoint gets a fresh key, see
   * `checkpointObjectKey`). A backend that promises it gets the racing check; one that does not
   * (the local S3 test server, which rewrites a file in place) gets the weaker check checkpoints do
   * need instead: a write that has completed is what every later read returns, whole.
   * @default true
   */
  backend: { atomicOverwrite?: boolean } = {},
): void {
  let store: CheckpointObjectStore;

  beforeEach(async () => {
    store = await open();
  });

  afterEach(async () => {
    await close(store);
  });

  it('stores, reads back, overwrites and deletes objects; deleting twice is fine', async () => {
    await store.put('checkpoints/w1/1.ckpt', Buffer.from('one'));
    expect((await store.get('checkpoints/w1/1.ckpt')).toString()).toBe('one');
    await store.put('checkpoints/w1/1.ckpt', Buffer.from('two'));
    expect((await store.get('checkpoints/w1/1.ckpt')).toString()).toBe('two');
    await store.delete('checkpoints/w1/1.ckpt');
    await expect(store.get('checkpoints/w1/1.ckpt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.delete('checkpoints/w1/1.ckpt')).resolves.toBeUndefined();
  });

  it('answers NotFoundError for a key never written', async () => {
    await expect(store.get('checkpoints/none/1.ckpt')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps binary data byte for byte (8 MiB of random bytes, and an empty object)', async () => {
    const data = randomBytes(8 * 1024 * 1024);
    await store.put('big/object.bin', data);
    expect((await store.get('big/object.bin')).equals(data)).toBe(true);
    await store.put('empty/object.bin', Buffer.alloc(0));
    expect((await store.get('empty/object.bin')).length).toBe(0);
  });

  it('lists the objects under a prefix with their size and modification time', async () => {
    const before = Date.now() - 2_000;
    for (const key of ['checkpoints/w2/2.ckpt', 'checkpoints/w1/1.ckpt', 'checkpoints/w10/1.ckpt', 'other/x']) {
      await store.put(key, Buffer.from(key));
    }
    const all = await listAll(store, '');
    expect(all.map((o) => o.key)).toEqual([
      'checkpoints/w1/1.ckpt',
      'checkpoints/w10/1.ckpt',
      'checkpoints/w2/2.ckpt',
      'other/x',
    ]);
    for (const object of all) {
      expect(object.sizeBytes).toBe(Buffer.byteLength(object.key));
      expect(object.lastModified.getTime()).toBeGreaterThanOrEqual(before);
      expect(object.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2_000);
    }
    expect((await listAll(store, 'checkpoints/w1')).map((o) => o.key)).toEqual([
      'checkpoints/w1/1.ckpt',
      'checkpoints/w10/1.ckpt',
    ]);
    expect((await listAll(store, 'checkpoints/w1/')).map((o) => o.key)).toEqual(['checkpoints/w1/1.ckpt']);
    expect(await listAll(store, 'nothing/')).toEqual([]);
  });

  it('lists past one page (more than 1,000 objects)', async () => {
    const keys = Array.from({ length: 1_050 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, Buffer.from('x'))));
    }
    expect((await listAll(store, 'many/')).map((o) => o.key)).toEqual(keys);
  }, 60_000);

  if (backend.atomicOverwrite === false) {
    it('returns the last completed write, whole, for a key rewritten one write at a time', async () => {
      for (let i = 0; i < 10; i++) {
        const version = Buffer.alloc(256 * 1024 + i, i);
        await store.put('k/v', version);
        expect((await store.get('k/v')).equals(version)).toBe(true);
      }
      expect((await listAll(store, 'k/')).map((o) => o.key)).toEqual(['k/v']);
    }, 20_000);
  } else {
    it('never shows a torn object: a read racing writers of the same key fails or returns one whole version', async () => {
      const versions = Array.from({ length: 10 }, (_, i) => Buffer.alloc(256 * 1024, i));
      await store.put('k/v', versions[0] as Buffer);
      const reads: Buffer[] = [];
      await Promise.all([
        ...versions.map((v) => store.put('k/v', v)),
        ...Array.from({ length: 10 }, async () => {
          const read = await store.get('k/v').catch(() => null);
          if (read !== null) reads.push(read);
        }),
      ]);
      for (const read of reads) expect(versions.some((v) => v.equals(read))).toBe(true);
      expect((await listAll(store, 'k/')).map((o) => o.key)).toEqual(['k/v']);
      // Once the writers are done, every read sees the same complete object.
      const settled = await store.get('k/v');
      expect(versions.some((v) => v.equals(settled))).toBe(true);
    }, 20_000);
  }

  it('refuses keys that could escape its root, before touching the backend', async () => {
    for (const key of ['../etc/passwd', '/abs', 'a/../../b', 'a//b', '.hidden', 'a/./b', '', 'a b']) {
      for (const call of [() => store.put(key, Buffer.from('x')), () => store.get(key), () => store.delete(key)]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe(ErrorCode.ValidationFailed);
      }
    }
  });

  it('answers ping when usable', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
}
