import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from './cli-config';
import { runCli } from './run-cli';

describe(runCli.name, () => {
  let dir: string;
  let stdout: string;
  let stderr: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'niyanta-cli-run-'));
    stdout = '';
    stderr = '';
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(args, { env: { XDG_CONFIG_HOME: dir, ...env }, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }, '9.9.9');

  it('prints its version and help with status 0', async () => {
    expect(await cli(['--version'])).toBe(EXIT.ok);
    expect(stdout.trim()).toBe('9.9.9');
    expect(await cli(['--help'])).toBe(EXIT.ok);
    expect(stdout).toContain('submit');
  });

  it('exits 2 for bad usage and configuration, saying what to do', async () => {
    expect(await cli(['submit'])).toBe(EXIT.usage);
    expect(stderr).toContain("missing required argument 'type'");
    expect(await cli(['ls'])).toBe(EXIT.usage);
    expect(stderr).toContain('no API key: pass --api-key, set NIYANTA_API_KEY');
    expect(await cli(['submit', 'sleep', '--input', '{not json'], { NIYANTA_API_KEY: 'k' })).toBe(EXIT.usage);
    expect(stderr).toContain('--input is not valid JSON');
    expect(await cli(['ls', '--status', 'RUNING'], { NIYANTA_API_KEY: 'k' })).toBe(EXIT.usage);
    expect(stderr).toContain('unknown status RUNING');
  });

  it('exits 4 when the API cannot be reached, naming the address it tried', async () => {
    expect(await cli(['ls'], { NIYANTA_API_KEY: 'k', NIYANTA_URL: 'http://127.0.0.1:1' })).toBe(EXIT.unavailable);
    expect(stderr).toContain('cannot reach the API at http://127.0.0.1:1');
  });
});
