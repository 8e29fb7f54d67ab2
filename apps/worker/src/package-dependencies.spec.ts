import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const APP = path.resolve(__dirname, '..');
const TSUP = path.resolve(APP, '../../node_modules/tsup/dist/cli-default.js');

/** The npm package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

/**
 * `@niyanta/worker` bundles the workspace libs and leaves npm packages external, so every package
 * the bundle requires must be a dependency of the published package: a lib that starts using a new
 * package (as tracing did) would otherwise break `niyanta-worker` in a user's project only.
 */
describe('@niyanta/worker package', () => {
  it('declares every npm package its bundle requires', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'niyanta-worker-bundle-'));
    try {
      const built = spawnSync(process.execPath, [TSUP, '--out-dir', out, '--silent'], { cwd: APP, encoding: 'utf8' });
      expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' });
      const bundle = readFileSync(path.join(out, 'niyanta-worker.cjs'), 'utf8');
      const required = new Set(
        [...bundle.matchAll(/require\("([^".][^"]*)"\)/g)]
          .map((match) => match[1] as string)
          .filter((specifier) => !specifier.startsWith('node:') && !builtinModules.includes(specifier))
          .map(packageOf),
      );
      // The bundle does require npm packages: a parse that found none would prove nothing.
      expect(required.has('@nestjs/core')).toBe(true);
      const { dependencies } = JSON.parse(readFileSync(path.join(APP, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect([...required].filter((name) => dependencies[name] === undefined).sort()).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
