// `npm run openapi`: writes the coordinator-api's OpenAPI document to docs/openapi.yaml, then
// regenerates the SDK's types from it (the sdk:generate target's command). Both files are
// generated, committed and checked: openapi-staleness.spec.ts and libs/sdk's package test fail
// when either no longer matches the code.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildApiDocument, OPENAPI_PATH, toStableYaml } from './openapi-document';

const root = resolve(__dirname, '..', '..');

function regenerateSdk(): void {
  const project = JSON.parse(readFileSync(join(root, 'libs/sdk/project.json'), 'utf8')) as { targets: { generate: { options: { command: string } } } };
  const [command, ...args] = project.targets.generate.options.command.split(/\s+/);
  const result = spawnSync(join(root, 'node_modules', '.bin', command as string), args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`regenerating the SDK failed:\n${result.stdout}${result.stderr}`);
  process.stdout.write('regenerated libs/sdk/src/generated/niyanta-api.ts\n');
}

async function main(): Promise<void> {
  const yaml = toStableYaml(await buildApiDocument());
  writeFileSync(join(root, OPENAPI_PATH), yaml, 'utf8');
  process.stdout.write(`wrote ${OPENAPI_PATH} (${yaml.length} bytes)\n`);
  regenerateSdk();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
