import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CHECKPOINT_OBJECT_PREFIX,
  checkpointObjectKey,
  createCheckpointObjectStore,
  S3ObjectStore,
  type CheckpointObjectStore,
  type CheckpointStorageConfig,
  type S3ObjectStoreOptions,
} from '@niyanta/checkpoint';
import { eventually, startS3TestServer, workspaceRoot, type S3TestServer } from '@niyanta/testing';
import { SAMPLE_WORKLOADS, type WorkloadDefinition } from '@niyanta/workload-sdk';
import { WorkerHarness } from '../testing/worker-harness';
import { ledgerState, ledgerWorkload, stateDigest } from '../testing/test-workloads';
import { CheckpointSweeper } from './checkpoint-sweeper.service';

const DEFINITIONS = [...SAMPLE_WORKLOADS, ledgerWorkload as WorkloadDefinition];
const MiB = 1024 * 1024;

interface CheckpointRow {
  sequence: number;
  attempt: number;
  storage: string;
  object_key: string | null;
  has_data: boolean;
  size_bytes: number;
  stored_bytes: number;
}

async function checkpointRows(harness: WorkerHarness, id: string): Promise<CheckpointRow[]> {
  return harness.dataSource.query(
    `SELECT sequence, attempt, storage, object_key, data IS NOT NULL AS has_data, size_bytes, stored_bytes
       FROM checkpoints WHERE workload_id = $1 ORDER BY sequence`,
    [id],
  );
}

async function objectKeys(store: CheckpointObjectStore, prefix = CHECKPOINT_OBJECT_PREFIX): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys.sort();
}

function keyOf(row: CheckpointRow | undefined): string {
  if (row?.object_key == null) throw new Error(`expected an offloaded checkpoint, got ${JSON.stringify(row)}`);
  return row.object_key;
}

/** Plays the API's pause (PAUSING + control message) and waits for the worker to hand it back PAUSED. */
async function pause(harness: WorkerHarness, id: string, timeoutMs = 60_000): Promise<void> {
  await harness.dataSource.query(`UPDATE workloads SET status = 'PAUSING' WHERE id = $1`, [id]);
  await harness.control('pause', id, (await harness.workload(id)).attempt);
  await harness.waitFor(id, (row) => row.status === 'PAUSED', timeoutMs);
}

/**
 * Plays the next attempt being placed on this worker (after a resume, or after the leader took a
 * running attempt away: the newer assignment supersedes the old attempt, which ends without writing).
 */
async function nextAttemptHere(harness: WorkerHarness, id: string): Promise<void> {
  await harness.dataSource.query(
    `UPDATE workloads SET status = 'SCHEDULED', attempt = attempt + 1, worker_id = $2, scheduled_at = now() WHERE id = $1`,
    [id, harness.workerId],
  );
  await harness.assign(id);
}

describe('checkpoint storage (PostgreSQL + object stores)', () => {
  let s3: S3TestServer;
  let tmp: string;

  beforeAll(async () => {
    s3 = await startS3TestServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'niyanta-ckpt-'));
  });

  afterAll(async () => {
    await s3?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  const s3Options = (bucket: string): S3ObjectStoreOptions => ({
    endpoint: s3.endpoint,
    region: s3.region,
    bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  });

  describe.each(['s3', 'filesystem'] as const)('a 50 MiB checkpoint in %s', (kind) => {
    let harness: WorkerHarness;
    let store: CheckpointObjectStore;

    beforeAll(async () => {
      const config: CheckpointStorageConfig =
        kind === 's3'
          ? { kind: 's3', ...s3Options(await s3.createBucket('large')) }
          : { kind: 'filesystem', dir: path.join(tmp, 'large') };
      store = createCheckpointObjectStore(config) as CheckpointObjectStore;
      harness = await WorkerHarness.create({ label: `wrt_ckpt_${kind}`, definitions: DEFINITIONS, checkpointStorage: config });
    });

    afterAll(async () => {
      await harness?.close();
      await store?.close?.();
    });

    it('is offloaded, checkpointed again on pause, and restored intact (hash verified) on resume', async () => {
      const seed = kind === 's3' ? 11 : 12;
      const id = await harness.insertScheduled('ledger', { seed, mebibytes: 50 });
      await harness.assign(id);
      await harness.waitFor(id, (row) => row.last_checkpoint_sequence === 1, 60_000);
      await pause(harness, id);

      const rows = await checkpointRows(harness, id);
      expect(rows.map((r) => [r.sequence, r.storage, r.has_data])).toEqual([
        [1, kind, false],
        [2, kind, false],
      ]);
      for (const row of rows) {
        expect(row.size_bytes).toBeGreaterThan(50 * MiB * 0.95);
        expect(row.stored_bytes).toBeGreaterThan(256 * 1024);
      }
      expect(await objectKeys(store)).toEqual(rows.map(keyOf).sort());

      await nextAttemptHere(harness, id);
      const done = await harness.waitFor(id, (row) => row.status === 'COMPLETED', 60_000);
      const expected = ledgerState(seed, 50);
      expect(done.output).toEqual({ digest: stateDigest({ ...expected, round: 1 }), rows: expected.rows.length, attempt: 2 });
    }, 120_000);
  });

  describe('placement, retention, corruption and crashes (S3)', () => {
    let harness: WorkerHarness;
    let store: S3ObjectStore;
    let bucket: string;

    beforeAll(async () => {
      bucket = await s3.createBucket('rules');
      store = new S3ObjectStore(s3Options(bucket));
      harness = await WorkerHarness.create({
        label: 'wrt_ckpt_rules',
        definitions: DEFINITIONS,
        checkpointStorage: { kind: 's3', ...s3Options(bucket) },
        checkpointInlineMaxBytes: 64 * 1024,
        checkpointRetain: 2,
        checkpointOrphanGraceMs: 60_000,
      });
    });

    afterAll(async () => {
      await harness?.close();
      await store?.close();
    });

    it('keeps a checkpoint at or below the inline threshold in PostgreSQL', async () => {
      // Three steps: the sample checkpoints after each but the last, so exactly 2 (what retention keeps here).
      const id = await harness.insertScheduled('sleep', { duration_ms: 60, steps: 3 });
      await harness.assign(id);
      await harness.waitFor(id, (row) => row.status === 'COMPLETED');
      const rows = await checkpointRows(harness, id);
      expect(rows.map((r) => [r.sequence, r.storage, r.has_data, r.object_key])).toEqual([
        [1, 'inline', true, null],
        [2, 'inline', true, null],
      ]);
    });

    it('keeps the newest N checkpoints and deletes the objects of those it drops', async () => {
      const id = await harness.insertScheduled('ledger', { seed: 3, mebibytes: 1, checkpoints: 5 });
      await harness.assign(id);
      await harness.waitFor(id, (row) => row.last_checkpoint_sequence === 5, 30_000);
      const rows = await checkpointRows(harness, id);
      expect(rows.map((r) => [r.sequence, r.storage])).toEqual([
        [4, 's3'],
        [5, 's3'],
      ]);
      // Object deletes follow the commit.
      await eventually('the superseded objects to be deleted', async () => (await objectKeys(store, `${CHECKPOINT_OBJECT_PREFIX}${id}/`)).length <= 2);
      expect(await objectKeys(store, `${CHECKPOINT_OBJECT_PREFIX}${id}/`)).toEqual(rows.map(keyOf).sort());
      await pause(harness, id);
    }, 60_000);

    it('leaves no visible checkpoint and nothing corrupt to restore when a worker dies between writing the object and recording it; the sweep removes the object after the grace period', async () => {
      const id = await harness.insertScheduled('ledger', { seed: 5, mebibytes: 1 });
      await harness.assign(id);
      await harness.waitFor(id, (row) => row.last_checkpoint_sequence === 1, 30_000);
      const before = await checkpointRows(harness, id);
      const { attempt, worker_id: workerId } = await harness.workload(id);

      const crash = await runCrashingWriter({
        databaseUrl: harness.schema.url,
        schema: harness.schema.schema,
        s3: s3Options(bucket),
        fence: { workloadId: id, attempt, workerId },
        sizeBytes: 2 * MiB,
      });
      expect(crash.signal).toBe('SIGKILL');
      expect(crash.key.startsWith(`${CHECKPOINT_OBJECT_PREFIX}${id}/`)).toBe(true);

      // The object exists, but nothing refers to it: rows and last_checkpoint are unchanged.
      expect(await objectKeys(store, `${CHECKPOINT_OBJECT_PREFIX}${id}/`)).toEqual([crash.key, keyOf(before[0])].sort());
      expect(await checkpointRows(harness, id)).toEqual(before);
      expect((await harness.workload(id)).last_checkpoint_sequence).toBe(1);

      // The next attempt restores the recorded checkpoint, intact.
      await nextAttemptHere(harness, id);
      const done = await harness.waitFor(id, (row) => row.status === 'COMPLETED', 30_000);
      expect((done.output as { digest: string }).digest).toBe(stateDigest({ ...ledgerState(5, 1), round: 1 }));

      const sweeper = harness.module.get(CheckpointSweeper);
      expect(await sweeper.sweep()).toMatchObject({ ran: true, deleted: 0 });
      expect(await objectKeys(store, `${CHECKPOINT_OBJECT_PREFIX}${id}/`)).toContain(crash.key);
      // Past the grace period the orphan goes; the object the row references stays.
      const late = await sweeper.sweep(new Date(Date.now() + 120_000));
      expect(late.deleted).toBeGreaterThanOrEqual(1);
      expect(await objectKeys(store, `${CHECKPOINT_OBJECT_PREFIX}${id}/`)).toEqual([keyOf(before[0])]);
    }, 60_000);

    it('resumes from the previous checkpoint when the newest object is corrupt, and fails when none is readable', async () => {
      const id = await harness.insertScheduled('ledger', { seed: 7, mebibytes: 1, checkpoints: 2 });
      await harness.assign(id);
      await harness.waitFor(id, (row) => row.last_checkpoint_sequence === 2, 30_000);
      const [, newest] = await checkpointRows(harness, id);
      // Flip one byte of the newest object: its content hash no longer matches.
      const bytes = await store.get(keyOf(newest));
      const middle = bytes.length >> 1;
      bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
      await store.put(keyOf(newest), bytes);

      await nextAttemptHere(harness, id);
      const done = await harness.waitFor(id, (row) => row.status === 'COMPLETED', 30_000);
      expect((done.output as { digest: string }).digest).toBe(stateDigest({ ...ledgerState(7, 1), round: 1 }));

      const gone = await harness.insertScheduled('ledger', { seed: 8, mebibytes: 1 }, { maxRetries: 0 });
      await harness.assign(gone);
      await harness.waitFor(gone, (row) => row.last_checkpoint_sequence === 1, 30_000);
      for (const row of await checkpointRows(harness, gone)) await store.delete(keyOf(row));
      await nextAttemptHere(harness, gone);
      const failed = await harness.waitFor(gone, (row) => row.status === 'FAILED', 30_000);
      expect(failed.error?.code).toBe('checkpoint_unreadable');
    }, 60_000);

    it('never sweeps objects outside its key layout, nor objects rows reference', async () => {
      await store.put('checkpoints/not-ours.txt', Buffer.from('x'));
      await store.put('elsewhere/data.bin', Buffer.from('y'));
      const orphan = checkpointObjectKey('00000000-0000-4000-8000-000000000000', 1);
      await store.put(orphan, Buffer.from('orphan of a deleted workload'));
      const rows: Array<{ object_key: string }> = await harness.dataSource.query(
        `SELECT object_key FROM checkpoints WHERE object_key IS NOT NULL`,
      );
      const existing = new Set(await objectKeys(store, ''));
      // (Earlier tests deleted some referenced objects on purpose.)
      const referenced = rows.map((r) => r.object_key).filter((key) => existing.has(key));
      expect(referenced.length).toBeGreaterThan(0);
      await harness.module.get(CheckpointSweeper).sweep(new Date(Date.now() + 120_000));
      const keys = await objectKeys(store, '');
      expect(keys).toEqual(expect.arrayContaining(['checkpoints/not-ours.txt', 'elsewhere/data.bin', ...referenced]));
      expect(keys).not.toContain(orphan);
    });
  });
});

/** Runs the crash script; resolves with the key it wrote and the signal it died of. */
async function runCrashingWriter(args: unknown): Promise<{ key: string; signal: NodeJS.Signals | null }> {
  const script = path.join(__dirname, '..', 'testing', 'crash-after-object-write.main.ts');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script, JSON.stringify(args)], {
    cwd: workspaceRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  const match = /\{"written":"([^"]+)"\}/.exec(output);
  if (match === null) throw new Error(`the crash script wrote no object:\n${output}`);
  return { key: match[1] as string, signal };
}
