import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DomainError, ErrorCode, NotFoundError } from '@niyanta/models';
import { CheckpointObjectStore, isValidObjectKey } from './checkpoint-object-store.port';

/** Options of {@link FilesystemObjectStore}. */
export interface FilesystemObjectStoreOptions {
  /** Directory that holds the objects; created on first write. */
  rootDir: string;
  /**
   * Flush file contents and the directory entry to disk before `put` resolves, so an acknowledged
   * checkpoint survives a power loss. @default true
   */
  fsync?: boolean;
}

/** Temporary files start with a dot, which valid keys never do, so `list` can skip them. */
const TEMP_PREFIX = '.tmp-';

/**
 * {@link CheckpointObjectStore} on a local or mounted filesystem. Writes go to a temporary file in
 * the target directory and are renamed into place, which POSIX makes atomic: a crash mid-write leaves
 * the previous object (or none), never a torn one.
 */
export class FilesystemObjectStore extends CheckpointObjectStore {
  private readonly root: string;
  private readonly fsync: boolean;

  constructor(options: FilesystemObjectStoreOptions) {
    super();
    this.root = path.resolve(options.rootDir);
    this.fsync = options.fsync ?? true;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(data);
        if (this.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    if (this.fsync) await syncDirectory(dir);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError('checkpoint object', key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  override async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    await this.walk(this.root, '', prefix, keys);
    return keys.sort();
  }

  private async walk(dir: string, relative: string, prefix: string, keys: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        // Descend only where keys below could still start with the prefix.
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix) || key.startsWith(prefix)) {
          await this.walk(path.join(dir, entry.name), key, prefix, keys);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        keys.push(key);
      }
    }
  }

  private pathOf(key: string): string {
    if (!isValidObjectKey(key)) {
      throw new DomainError(ErrorCode.ValidationFailed, `invalid checkpoint object key "${key}"`);
    }
    return path.join(this.root, ...key.split('/'));
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function syncDirectory(dir: string): Promise<void> {
  // Persists the rename itself; some filesystems refuse fsync on directories, which is harmless.
  let handle: import('node:fs/promises').FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    return;
  } finally {
    await handle?.close();
  }
}
