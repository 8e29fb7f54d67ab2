// Lints source text as if it were the file at the given path, with the workspace's ESLint config,
// through ESLint's Node API (`lintText`). Run as a child process by module-boundaries.spec.ts:
// ESLint loads its flat config with a dynamic import, which Jest's module sandbox does not allow.
// stdin: {"filePath": "...", "code": "..."}; stdout: the ESLint messages as JSON.
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const { filePath, code } = JSON.parse(input);

// @nx/enforce-module-boundaries reads the cached project graph and silently skips itself when
// there is none (a fresh clone): compute it first.
const { createProjectGraphAsync } = await import('@nx/devkit');
await createProjectGraphAsync({ exitOnError: true });

const eslint = new ESLint({ cwd: root });
const [result] = await eslint.lintText(code, { filePath: path.resolve(root, filePath) });
process.stdout.write(JSON.stringify(result.messages.map(({ ruleId, severity, message }) => ({ ruleId, severity, message }))));
