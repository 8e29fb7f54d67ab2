import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listAll, objectStoreConformance } from '../testing/object-store.conformance';
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

  describe('conformance', () => {
    objectStoreConformance(async () => new FilesystemObjectStore({ rootDir: path.join(root, 'conformance'), fsync: false }));
  });

  it('lists nothing (and no error) when its directory does not exist yet', async () => {
    expect(await listAll(new FilesystemObjectStore({ rootDir: path.join(root, 'absent') }), '')).toEqual([]);
  });

  it('hides temporary files from listings and removes stale ones, leaving fresh ones to their writers', async () => {
    await store.put('checkpoints/w1/1.ckpt', Buffer.from('kept'));
    const stale = path.join(root, 'objects', 'checkpoints', 'w1', '.tmp-stale');
    const fresh = path.join(root, 'objects', 'checkpoints', '.tmp-fresh');
    await fs.writeFile(stale, 'partial');
    await fs.writeFile(fresh, 'in progress');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(stale, hourAgo, hourAgo);

    expect((await listAll(store, '')).map((o) => o.key)).toEqual(['checkpoints/w1/1.ckpt']);
    expect(await store.removeIncomplete(new Date(Date.now() - 60_000))).toBe(1);
    await expect(fs.access(stale)).rejects.toThrow();
    await expect(fs.access(fresh)).resolves.toBeUndefined();
    expect((await store.get('checkpoints/w1/1.ckpt')).toString()).toBe('kept');
  });

  it('serves every read while the same key is rewritten (rename is atomic): no failed, no torn reads', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => Buffer.alloc(256 * 1024, i));
    await store.put('k', versions[0] as Buffer);
    const reads: Buffer[] = [];
    await Promise.all([
      ...versions.map((v) => store.put('k', v)),
      ...Array.from({ length: 20 }, async () => reads.push(await store.get('k'))),
    ]);
    expect(reads).toHaveLength(20);
    for (const read of reads) expect(versions.some((v) => v.equals(read))).toBe(true);
  });

  it('keeps the previous object and leaves no temporary file when a write fails', async () => {
    await store.put('a/b', Buffer.from('kept'));
    // A directory where the file should be makes the rename fail after the temp file was written.
    await fs.mkdir(path.join(root, 'objects', 'a', 'c'), { recursive: true });
    await fs.writeFile(path.join(root, 'objects', 'a', 'c', 'x'), 'blocker');
    await expect(store.put('a/c', Buffer.from('new'))).rejects.toThrow();
    expect((await store.get('a/b')).toString()).toBe('kept');
    expect((await fs.readdir(path.join(root, 'objects', 'a'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('creates its directory on ping and fails ping when it cannot write there', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(fs.access(path.join(root, 'objects'))).resolves.toBeUndefined();
    const file = path.join(root, 'a-file');
    await fs.writeFile(file, 'x');
    await expect(new FilesystemObjectStore({ rootDir: path.join(file, 'below') }).ping()).rejects.toThrow();
  });

  it('works with fsync disabled', async () => {
    const fast = new FilesystemObjectStore({ rootDir: path.join(root, 'fast'), fsync: false });
    await fast.put('x/y', Buffer.from('z'));
    expect((await fast.get('x/y')).toString()).toBe('z');
  });
});
