import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from '@niyanta/testing';

const execFileAsync = promisify(execFile);

/** The workspace root and paths inside it. */
export const root = workspaceRoot();
export const fromRoot = (...parts: string[]): string => join(root, ...parts);

/** Runs a program in the workspace root; rejects with its output when it exits non-zero. */
export async function run(
  file: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(file, args, {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}
