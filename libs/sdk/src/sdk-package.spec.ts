import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const workspace = resolve(__dirname, '..', '..', '..');
const sdk = resolve(__dirname, '..');
const bin = (name: string) => join(workspace, 'node_modules', '.bin', name);

describe('@niyanta/sdk package', () => {
  let out: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'niyanta-sdk-'));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('has generated types that match docs/openapi.yaml (regenerate with `npx nx run sdk:generate`)', () => {
    const fresh = join(out, 'niyanta-api.ts');
    // The same command as the nx target, writing elsewhere.
    const project = JSON.parse(readFileSync(join(sdk, 'project.json'), 'utf8')) as { targets: { generate: { options: { command: string } } } };
    const [command, ...args] = project.targets.generate.options.command.split(/\s+/);
    args[args.indexOf('-o') + 1] = fresh;
    const result = spawnSync(bin(command as string), args, { cwd: workspace, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const committed = readFileSync(join(sdk, 'src', 'generated', 'niyanta-api.ts'), 'utf8');
    if (readFileSync(fresh, 'utf8') !== committed) {
      throw new Error('libs/sdk/src/generated/niyanta-api.ts is stale: run `npx nx run sdk:generate` and commit it');
    }
  });

  it('builds (ESM + CommonJS + declarations) to the files package.json points at, and loads without the workspace', () => {
    const dist = join(out, 'dist');
    // The package's own build (tsup.config.ts), written elsewhere.
    const build = spawnSync(bin('tsup'), ['--out-dir', dist], { cwd: sdk, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`tsup failed:\n${build.stdout}${build.stderr}`);
    const manifest = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')) as {
      name: string;
      main: string;
      types: string;
      exports: Record<string, Record<string, Record<string, string>> | string>;
      dependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('@niyanta/sdk');
    const entry = manifest.exports['.'] as Record<string, Record<string, string>>;
    const files = [manifest.main, manifest.types, ...Object.values(entry['import'] ?? {}), ...Object.values(entry['require'] ?? {})];
    for (const file of files) expect(existsSync(join(out, file.replace(/^\.\//, '')))).toBe(true);
    expect(readdirSync(dist).filter((file) => file.endsWith('.map'))).toEqual([]);
    // Every runtime import of the build is a declared dependency or a Node builtin.
    const loaded = spawnSync(process.execPath, ['-e', `const sdk = require(${JSON.stringify(join(out, manifest.main))}); console.log(Object.keys(sdk).sort().join(','))`], {
      cwd: out,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: join(workspace, 'node_modules') },
    });
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim().split(',')).toEqual(
      expect.arrayContaining(['createNiyantaClient', 'NiyantaApiError', 'NiyantaStreamError', 'NiyantaTimeoutError', 'NiyantaBatchError', 'WorkloadStream']),
    );
    const imports = new Set<string>();
    for (const match of readFileSync(join(dist, 'index.cjs'), 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)) imports.add(match[1] as string);
    for (const match of readFileSync(join(dist, 'index.mjs'), 'utf8').matchAll(/from "([^".][^"]*)"/g)) imports.add(match[1] as string);
    expect([...imports].filter((name) => !builtinModules.includes(name)).sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });
});
