/**
 * A worker that dies between writing a checkpoint object and recording it: it stores one large
 * checkpoint of the attempt named on the command line through the real {@link CheckpointPersistence}
 * and S3 adapter, whose `put` kills the process with SIGKILL the moment the object is written.
 * Used by the crash-safety test (`checkpoint-storage.int-spec.ts`).
 *
 * argv[2]: JSON `{ databaseUrl, schema, s3: S3ObjectStoreOptions, fence: AttemptFence, sizeBytes }`.
 */
import { randomBytes } from 'node:crypto';
import { encodeCheckpointAsync, S3ObjectStore, type S3ObjectStoreOptions } from '@niyanta/checkpoint';
import type { AttemptFence } from '@niyanta/models';
import { CheckpointRepository, createDataSource } from '@niyanta/state';
import { CheckpointPersistence } from '../lib/checkpoint-persistence.service';
import type { WorkerMetrics } from '../lib/worker-metrics';
import { resolveWorkerRuntimeOptions } from '../lib/worker-runtime.options';

interface CrashArgs {
  databaseUrl: string;
  schema: string;
  s3: S3ObjectStoreOptions;
  fence: AttemptFence;
  sizeBytes: number;
}

class DiesAfterPut extends S3ObjectStore {
  override async put(key: string, data: Buffer): Promise<void> {
    await super.put(key, data);
    process.stdout.write(`${JSON.stringify({ written: key })}\n`);
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => undefined);
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '') as CrashArgs;
  const dataSource = await createDataSource({ url: args.databaseUrl, schema: args.schema, poolSize: 1 });
  const options = resolveWorkerRuntimeOptions({
    workerId: args.fence.workerId,
    tags: {},
    region: null,
    capacity: 1,
    heartbeatIntervalMs: 1_000,
    drainTimeoutMs: 1_000,
    definitions: [],
  });
  const metrics = { checkpointObjectsDeleted: () => undefined } as unknown as WorkerMetrics;
  const persistence = new CheckpointPersistence(
    options,
    new CheckpointRepository(dataSource),
    new DiesAfterPut(args.s3),
    metrics,
  );
  // Random hex barely compresses, so the stored checkpoint is far above the inline threshold.
  const encoded = await encodeCheckpointAsync({ blob: randomBytes(args.sizeBytes / 2).toString('hex') });
  await persistence.store(args.fence, encoded);
  process.stderr.write('the checkpoint was recorded: the process should have died first\n');
  process.exit(3);
}

main().catch((error: unknown) => {
  process.stderr.write(`crash script failed: ${String(error)}\n`);
  process.exit(2);
});
