// `npm run openapi`: writes the coordinator-api's OpenAPI document to docs/openapi.yaml.
// The document is generated, committed and checked: openapi-staleness.spec.ts fails when the
// committed file no longer matches the code.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildApiDocument, OPENAPI_PATH, toStableYaml } from './openapi-document';

async function main(): Promise<void> {
  const yaml = toStableYaml(await buildApiDocument());
  const target = resolve(__dirname, '..', '..', OPENAPI_PATH);
  await writeFile(target, yaml, 'utf8');
  process.stdout.write(`wrote ${OPENAPI_PATH} (${yaml.length} bytes)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
