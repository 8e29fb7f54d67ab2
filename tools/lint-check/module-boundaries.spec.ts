import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Proves the layering rules are enforced, not just written down: linting a forbidden import in a
 * pure domain lib must fail with @nx/enforce-module-boundaries, and an allowed one must pass. The
 * files never exist on disk; ESLint's `lintText` is given their source and a path inside the
 * project (in a child process: see lint-text.mjs).
 */
// Each test lints in a child process that first builds the Nx project graph: seconds on an idle
// machine, far more on a loaded one. Set here because the project's testTimeout does not apply
// when the root config runs every project.
jest.setTimeout(120_000);

const root = resolve(__dirname, '..', '..');
const RULE = '@nx/enforce-module-boundaries';

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

function lint(filePath: string, code: string): Promise<LintMessage[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve(__dirname, 'lint-text.mjs')], {
      cwd: root,
      // The rule reads the project graph; compute it in-process rather than through a daemon.
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0) resolvePromise(JSON.parse(stdout) as LintMessage[]);
      else reject(new Error(`lint-text.mjs exited with ${status}: ${stderr}`));
    });
    child.stdin.end(JSON.stringify({ filePath, code }));
  });
}

const boundaryErrors = (messages: LintMessage[]) => messages.filter((m) => m.ruleId === RULE && m.severity === 2).map((m) => m.message);

describe('module boundaries', () => {
  it('rejects a NestJS import in a domain lib (libs/models)', async () => {
    const result = await lint(
      'libs/models/src/lib/boundary-probe.ts',
      "import { Injectable } from '@nestjs/common';\n\n@Injectable()\nexport class Probe {}\n",
    );
    const errors = boundaryErrors(result);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/@nestjs\/common/);
  });

  it('rejects a data-access lib import in a domain lib (libs/models → @niyanta/state)', async () => {
    const result = await lint(
      'libs/models/src/lib/boundary-probe.ts',
      "import { StateModule } from '@niyanta/state';\n\nexport const probe = StateModule;\n",
    );
    const errors = boundaryErrors(result);
    expect(errors).toHaveLength(1);
    // The rule reports the cycle (state already depends on models) before the tag constraint;
    // either way the import is an error of the boundary rule.
    expect(errors[0]).toMatch(/type:domain.*can only depend on libs tagged with.*type:domain.*type:util|Circular dependency between "models" and "state"/s);
  });

  it('rejects the worker app importing API code (scope)', async () => {
    const result = await lint(
      'apps/worker/src/boundary-probe.ts',
      "import { ApiHttpModule } from '@niyanta/api-http';\n\nexport const probe = ApiHttpModule;\n",
    );
    const errors = boundaryErrors(result);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/scope:worker.*can only depend on libs tagged with.*scope:worker.*scope:shared/s);
  });

  it('rejects a data-access import in the leader\'s pure planning code (scheduling-pass.ts → @niyanta/state)', async () => {
    const result = await lint(
      'libs/leader/src/lib/scheduling-pass.ts',
      "import type { SchedulingRepository } from '@niyanta/state';\n\nexport type Probe = SchedulingRepository;\n",
    );
    const errors = result.filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).map((m) => m.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Leader planning code is pure/);
    // The same import in a leader service is allowed: the lib may use the data-access layer.
    expect(await lint('libs/leader/src/lib/scheduler-term.ts', "import type { SchedulingRepository } from '@niyanta/state';\n\nexport type Probe = SchedulingRepository;\n")).toEqual([]);
  });

  it('accepts allowed imports (control)', async () => {
    const result = await lint(
      'libs/state/src/lib/boundary-probe.ts',
      "import { Injectable } from '@nestjs/common';\nimport { ErrorCode } from '@niyanta/models';\n\n@Injectable()\nexport class Probe {\n  readonly code = ErrorCode.NotFound;\n}\n",
    );
    expect(result).toEqual([]);
  });
});
