// Times storing and loading a large checkpoint in each object store (not part of the test suite):
// encode (brotli q4, off-thread) + put, and get + decode (hash verified), for a ~50 MiB ETL-like state.
// Run: node -r @swc-node/register tools/bench/checkpoint-store.bench.ts (starts a local S3 test server itself)
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  decodeCheckpointAsync,
  encodeCheckpointAsync,
  FilesystemObjectStore,
  S3ObjectStore,
  type CheckpointObjectStore,
} from '@niyanta/checkpoint';
import { startS3TestServer } from '@niyanta/testing';

const RUNS = 3;

function etlState(rows: number): unknown {
  return {
    cursor: { file: 'exports/2026-11-28/part-00042.csv', offset: rows * 187, row: rows },
    processed_ids: Array.from({ length: rows }, () => randomUUID()),
    stats: { inserted: rows, updated: Math.floor(rows / 7), skipped: 12 },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function time<T>(work: () => Promise<T>): Promise<[T, number]> {
  const began = performance.now();
  const result = await work();
  return [result, performance.now() - began];
}

async function measure(name: string, store: CheckpointObjectStore, state: unknown): Promise<void> {
  const encodeMs: number[] = [];
  const putMs: number[] = [];
  const getMs: number[] = [];
  const decodeMs: number[] = [];
  let stored = 0;
  let json = 0;
  for (let run = 0; run < RUNS; run++) {
    const [encoded, enc] = await time(() => encodeCheckpointAsync(state as never));
    const key = `checkpoints/bench/${run}.ckpt`;
    const [, put] = await time(() => store.put(key, encoded.data));
    const [bytes, get] = await time(() => store.get(key));
    const [, dec] = await time(() => decodeCheckpointAsync(bytes, encoded.codec, encoded.contentHash));
    await store.delete(key);
    encodeMs.push(enc);
    putMs.push(put);
    getMs.push(get);
    decodeMs.push(dec);
    stored = encoded.storedBytes;
    json = encoded.sizeBytes;
  }
  const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
  console.log(
    `${name.padEnd(26)} ${mib(json)} MiB JSON → ${mib(stored)} MiB stored | encode ${median(encodeMs).toFixed(0)} ms, ` +
      `put ${median(putMs).toFixed(0)} ms, get ${median(getMs).toFixed(0)} ms, decode+verify ${median(decodeMs).toFixed(0)} ms`,
  );
}

async function main(): Promise<void> {
  const state = etlState(1_345_000);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'niyanta-bench-'));
  const s3 = await startS3TestServer();
  try {
    await measure('filesystem (fsync)', new FilesystemObjectStore({ rootDir: dir }), state);
    const bucket = await s3.createBucket('bench');
    const store = new S3ObjectStore({
      endpoint: s3.endpoint,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      bucket,
      forcePathStyle: true,
    });
    await measure('s3 (local s3rver)', store, state);
    await store.close();
  } finally {
    await s3.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

void main();
