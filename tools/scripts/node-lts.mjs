// The Node.js LTS releases the project is tested on besides the machine's own node: exact versions
// in node-lts.json, binaries from the npm registry's `node` package (fetched once into npm's cache
// by `npm exec`, no system install). `node tools/scripts/node-lts.mjs 24` prints the binary's path.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/** major → exact version, e.g. { '24': '24.21.0' } */
export const LTS_NODE = JSON.parse(readFileSync(new URL('./node-lts.json', import.meta.url), 'utf8'));

/** Absolute path of the pinned Node.js binary of an LTS major line (downloads it on first use). */
export function ltsNode(major) {
  const version = LTS_NODE[String(major)];
  if (!version) throw new Error(`no pinned Node.js ${major} in node-lts.json`);
  // Run outside the workspace: the project's npm configuration is not the tool's.
  const out = execFileSync('npm', ['exec', '--yes', `--package=node@${version}`, '--', 'node', '-p', 'process.version + " " + process.execPath'], {
    cwd: tmpdir(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  const [actual, path] = out.split('\n').at(-1).split(' ');
  if (actual !== `v${version}`) throw new Error(`npm exec node@${version} ran ${actual}`);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(ltsNode(process.argv[2] ?? '24'));
