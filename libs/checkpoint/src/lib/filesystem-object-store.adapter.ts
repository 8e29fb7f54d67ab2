import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DomainError, ErrorCode, NotFoundError } from '@niyanta/models';
import { CheckpointObjectStore, isValidObjectKey, type StoredObjectInfo } from './checkpoint-object-store.port';

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

interface WalkEntry extends StoredObjectInfo {
  path: string;
  /** A write in progress, or one a crash interrupted. */
  temporary: boolean;
}

/**
 * {@link CheckpointObjectStore} on a local or mounted filesystem. Writes go to a temporary file in
 * the target directory and are renamed into place, which POSIX makes atomic: a crash mid-write leaves
 * the previous object (or none), never a torn one.
 */
export class FilesystemObjectStore extends CheckpointObjectStore {
  readonly kind = 'filesystem' as const;
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

  async *list(prefix: string): AsyncIterable<StoredObjectInfo> {
    for await (const entry of this.walk(this.root, '', prefix)) {
      if (entry.temporary) continue;
      yield { key: entry.key, sizeBytes: entry.sizeBytes, lastModified: entry.lastModified };
    }
  }

  /** Creates the root when missing and proves it writable (a worker cannot offload without it). */
  async ping(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    await fs.access(this.root, fsConstants.W_OK | fsConstants.X_OK);
  }

  /** Deletes temporary files of writes that a crash interrupted, once older than `olderThan`. */
  override async removeIncomplete(olderThan: Date): Promise<number> {
    let removed = 0;
    for await (const entry of this.walk(this.root, '', '')) {
      if (!entry.temporary || entry.lastModified >= olderThan) continue;
      await fs.rm(entry.path, { force: true });
      removed++;
    }
    return removed;
  }

  private async *walk(dir: string, relative: string, prefix: string): AsyncGenerator<WalkEntry> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const temporary = entry.name.startsWith(TEMP_PREFIX);
      if (entry.name.startsWith('.') && !temporary) continue;
      const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // Descend only where keys below could still start with the prefix.
        if (!temporary && (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix) || key.startsWith(prefix))) {
          yield* this.walk(full, key, prefix);
        }
      } else if (entry.isFile() && (temporary || key.startsWith(prefix))) {
        let stat: import('node:fs').Stats;
        try {
          stat = await fs.stat(full);
        } catch (error) {
          // Deleted or renamed since the directory was read.
          if (isMissing(error)) continue;
          throw error;
        }
        yield { key, path: full, temporary, sizeBytes: stat.size, lastModified: stat.mtime };
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
