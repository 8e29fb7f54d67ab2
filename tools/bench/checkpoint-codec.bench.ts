// Compares the checkpoint codec's compressions on realistic workload state (not part of the test suite).
// Run: node -r @swc-node/register tools/bench/checkpoint-codec.bench.ts
import { randomUUID } from 'node:crypto';
import { JsonValue } from '@niyanta/models';
import {
  CheckpointCompression,
  decodeCheckpoint,
  decodeCheckpointAsync,
  encodeCheckpoint,
  encodeCheckpointAsync,
} from '@niyanta/checkpoint';

// Deterministic pseudo-random numbers so runs are comparable.
// mulberry32: integer arithmetic only, so the sequence does not collapse into a short cycle.
let seed = 42;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function etlState(rows: number): JsonValue {
  return {
    cursor: { file: 's3://bucket/exports/2026-11-28/part-00042.csv', offset: rows * 187, row: rows },
    processed_ids: Array.from({ length: rows }, () => randomUUID()),
    stats: { inserted: rows, updated: Math.floor(rows / 7), skipped: 12, bytes: rows * 187 },
    errors: Array.from({ length: Math.floor(rows / 40) }, (_, i) => ({
      row: i * 40 + 3,
      code: 'constraint_violation',
      message: `duplicate key value violates unique constraint "orders_pkey" for id ${1_000_000 + i}`,
    })),
  };
}

function trainingState(params: number): JsonValue {
  return {
    epoch: 3,
    step: 18_230,
    optimizer: { name: 'adam', lr: 0.0003, betas: [0.9, 0.999], eps: 1e-8 },
    weights: Array.from({ length: params }, () => Math.round((rand() - 0.5) * 1e6) / 1e6),
    loss_history: Array.from({ length: 2000 }, (_, i) => Math.round((2 / (1 + i / 100)) * 1e4) / 1e4),
  };
}

function crawlState(urls: number): JsonValue {
  const hosts = ['example.com', 'docs.example.org', 'shop.example.net', 'blog.example.io'];
  const url = () => `https://${hosts[Math.floor(rand() * hosts.length)]}/articles/${Math.floor(rand() * 1e6)}/comments?page=${Math.floor(rand() * 20)}`;
  return {
    visited: Array.from({ length: urls }, () => ({ url: url(), status: rand() < 0.95 ? 200 : 404, fetched_at: new Date(1.76e12 + rand() * 1e9).toISOString() })),
    frontier: Array.from({ length: urls / 2 }, url),
  };
}

const states: Array<[string, JsonValue]> = [
  ['sleep {completed_steps}', { completed_steps: 7 }],
  ['ETL, 20k UUIDs + errors (~1 MB)', etlState(20_000)],
  ['crawl, 30k URLs (~3.5 MB)', crawlState(30_000)],
  ['training, 200k floats (~2 MB)', trainingState(200_000)],
  ['ETL, 250k UUIDs (~12 MB)', etlState(250_000)],
];
const codecs: Array<[string, CheckpointCompression, number | undefined]> = [
  ['none', 'none', undefined],
  ['gzip 1', 'gzip', 1],
  ['gzip 6', 'gzip', 6],
  ['brotli 4', 'brotli', 4],
  ['brotli 5', 'brotli', 5],
];

function median(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

console.log('| state | codec | JSON bytes | stored bytes | ratio | encode ms | decode ms |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, state] of states) {
  for (const [label, compression, level] of codecs) {
    const encoded = encodeCheckpoint(state, { compression, level });
    const runs = encoded.sizeBytes > 5e6 ? 3 : 7;
    const enc = median(() => encodeCheckpoint(state, { compression, level }), runs);
    const dec = median(() => decodeCheckpoint(encoded.data, encoded.codec, encoded.contentHash), runs);
    const ratio = (encoded.storedBytes / encoded.sizeBytes).toFixed(3);
    console.log(`| ${name} | ${label} | ${encoded.sizeBytes} | ${encoded.storedBytes} | ${ratio} | ${enc.toFixed(2)} | ${dec.toFixed(2)} |`);
  }
}

// Event-loop stalls while encoding and decoding a ~50 MiB state: the longest gap between 1 ms timer ticks.
async function longestStall(fn: () => Promise<unknown>): Promise<{ ms: number; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  clearInterval(timer);
  return { ms, stall: Math.max(stall, performance.now() - last) };
}

async function stalls(): Promise<void> {
  const state = etlState(1_250_000);
  const size = Buffer.byteLength(JSON.stringify(state));
  console.log(`\n50 MiB-class state: ${(size / 2 ** 20).toFixed(1)} MiB of JSON`);
  console.log('| operation | codec | total ms | longest event-loop stall ms |');
  console.log('|---|---|---|---|');
  for (const compression of ['brotli', 'gzip'] as const) {
    const encoded = encodeCheckpoint(state, { compression });
    const rows: Array<[string, () => Promise<unknown>]> = [
      ['encodeCheckpoint (sync)', async () => encodeCheckpoint(state, { compression })],
      ['encodeCheckpointAsync', () => encodeCheckpointAsync(state, { compression })],
      ['decodeCheckpoint (sync)', async () => decodeCheckpoint(encoded.data, encoded.codec, encoded.contentHash)],
      ['decodeCheckpointAsync', () => decodeCheckpointAsync(encoded.data, encoded.codec, encoded.contentHash)],
    ];
    for (const [label, fn] of rows) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { ms, stall } = await longestStall(fn);
      console.log(`| ${label} | ${compression} | ${ms.toFixed(0)} | ${stall.toFixed(0)} |`);
    }
  }
}
void stalls();
