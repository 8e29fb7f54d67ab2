import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Which resource folder of the API may import from which (besides its own files). Each folder is a
 * Nest module; a folder uses only the folders below it, so the modules form a tree, not a web.
 * `common`, `errors` and `edge` are the shared base; the files at the root of `lib/` compose.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  common: [],
  errors: ['common'],
  edge: ['common', 'errors'],
  resilience: ['common', 'errors'],
  tenancy: ['common', 'errors'],
  auth: ['common', 'errors', 'tenancy'],
  workloads: ['common', 'errors', 'edge', 'tenancy', 'auth'],
  fleet: ['common', 'errors', 'auth'],
  analytics: ['common', 'errors', 'auth'],
  stream: ['common', 'errors', 'edge', 'tenancy', 'auth', 'workloads'],
  admin: ['common', 'errors', 'tenancy', 'auth', 'fleet', 'workloads'],
  dashboard: [],
  seed: ['auth'],
};

const LIB = __dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** `folder -> imported folder` for every relative import that leaves its folder. */
function crossFolderImports(): string[] {
  const edges: string[] = [];
  for (const file of sourceFiles(LIB)) {
    const from = path.relative(LIB, file).split(path.sep);
    if (from.length < 2) continue; // the composition files at the root
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.relative(LIB, path.resolve(path.dirname(file), match[1])).split(path.sep);
      // At the root only the options are meant to be read from inside a resource.
      const to = target.length < 2 ? target[0].replace(/\.ts$/, '') : target[0];
      if (to !== from[0]) edges.push(`${from[0]} -> ${to}`);
    }
  }
  return [...new Set(edges)].sort();
}

describe('api-http module layout', () => {
  it('has a rule for every resource folder', () => {
    const folders = readdirSync(LIB, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('imports only downwards between resource folders', () => {
    const edges = crossFolderImports();
    // The rule is not vacuous: resources do use the shared base and auth.
    expect(edges).toEqual(expect.arrayContaining(['workloads -> common', 'admin -> auth']));
    const forbidden = edges.filter((edge) => {
      const [from, to] = edge.split(' -> ');
      return to !== 'api-http.options' && !(MAY_IMPORT[from] ?? []).includes(to);
    });
    expect(forbidden).toEqual([]);
  });
});
