import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainError, ErrorCode, NotFoundError } from '@niyanta/models';
import { isValidObjectKey } from './checkpoint-object-store.port';
import { FilesystemObjectStore } from './filesystem-object-store.adapter';

describe(FilesystemObjectStore.name, () => {
  let root: string;
  let store: FilesystemObjectStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'niyanta-fs-store-'));
    store = new FilesystemObjectStore({ rootDir: path.join(root, 'objects') });
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('stores, reads back, overwrites and deletes objects', async () => {
    await store.put('workloads/w1/000001.ckpt', Buffer.from('one'));
    expect((await store.get('workloads/w1/000001.ckpt')).toString()).toBe('one');
    await store.put('workloads/w1/000001.ckpt', Buffer.from('two'));
    expect((await store.get('workloads/w1/000001.ckpt')).toString()).toBe('two');
    await store.delete('workloads/w1/000001.ckpt');
    await expect(store.get('workloads/w1/000001.ckpt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.delete('workloads/w1/000001.ckpt')).resolves.toBeUndefined();
  });

  it('lists keys under a prefix, sorted, without temporary files', async () => {
    for (const key of ['workloads/w2/000002.ckpt', 'workloads/w1/000001.ckpt', 'workloads/w10/000001.ckpt', 'other/x']) {
      await store.put(key, Buffer.from(key));
    }
    await fs.writeFile(path.join(root, 'objects', 'workloads', 'w1', '.tmp-leftover'), 'partial');
    expect(await store.list('workloads/w1')).toEqual(['workloads/w1/000001.ckpt', 'workloads/w10/000001.ckpt']);
    expect(await store.list('workloads/w1/')).toEqual(['workloads/w1/000001.ckpt']);
    expect(await store.list('')).toEqual(['other/x', 'workloads/w1/000001.ckpt', 'workloads/w10/000001.ckpt', 'workloads/w2/000002.ckpt']);
    expect(await store.list('nothing/')).toEqual([]);
    expect(await new FilesystemObjectStore({ rootDir: path.join(root, 'absent') }).list('')).toEqual([]);
  });

  it('never shows a torn object: concurrent writers and readers see one whole version', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => Buffer.alloc(256 * 1024, i));
    await store.put('k', versions[0]);
    const reads: Buffer[] = [];
    await Promise.all([
      ...versions.map((v) => store.put('k', v)),
      ...Array.from({ length: 20 }, async () => reads.push(await store.get('k'))),
    ]);
    for (const read of reads) expect(versions.some((v) => v.equals(read))).toBe(true);
    const leftovers = (await fs.readdir(path.join(root, 'objects'))).filter((name) => name.startsWith('.'));
    expect(leftovers).toEqual([]);
  });

  it('keeps the previous object when a write fails', async () => {
    await store.put('a/b', Buffer.from('kept'));
    // A directory where the file should be makes the rename fail after the temp file was written.
    await fs.mkdir(path.join(root, 'objects', 'a', 'c'), { recursive: true });
    await fs.writeFile(path.join(root, 'objects', 'a', 'c', 'x'), 'blocker');
    await expect(store.put('a/c', Buffer.from('new'))).rejects.toThrow();
    expect((await store.get('a/b')).toString()).toBe('kept');
    expect((await fs.readdir(path.join(root, 'objects', 'a'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('rejects keys that could escape the root', async () => {
    for (const key of ['../etc/passwd', '/abs', 'a/../../b', 'a//b', '.hidden', 'a/./b', '', 'a b']) {
      expect(isValidObjectKey(key)).toBe(false);
      const error = await store.put(key, Buffer.from('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(ErrorCode.ValidationFailed);
    }
    expect(isValidObjectKey('workloads/0b6f/000001.ckpt')).toBe(true);
  });

  it('works with fsync disabled', async () => {
    const fast = new FilesystemObjectStore({ rootDir: path.join(root, 'fast'), fsync: false });
    await fast.put('x/y', Buffer.from('z'));
    expect((await fast.get('x/y')).toString()).toBe('z');
  });
});
