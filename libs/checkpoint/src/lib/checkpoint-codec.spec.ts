import fc from 'fast-check';
import { JsonValue } from '@niyanta/models';
import {
  CheckpointCompression,
  checkpointCodecName,
  checkpointContentHash,
  decodeCheckpoint,
  decodeCheckpointAsync,
  encodeCheckpoint,
  encodeCheckpointAsync,
  parseCheckpointCodec,
} from './checkpoint-codec';
import { CheckpointCorruptError, CheckpointStateError, UnsupportedCodecError } from './errors';

const compressions: CheckpointCompression[] = ['gzip', 'brotli', 'none'];
// JSON.parse(JSON.stringify(v)) turns -0 into 0, which is JSON's own semantics, not a codec bug.
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as JsonValue);
const bigState = (n: number): JsonValue => ({
  step: n,
  rows: Array.from({ length: n }, (_, i) => ({ id: `row-${i}`, done: i % 3 === 0, score: i / 7 })),
});

describe('checkpoint codec', () => {
  it('round-trips any JSON value with every compression, sync and async', async () => {
    await fc.assert(
      fc.asyncProperty(json, fc.constantFrom(...compressions), async (state, compression) => {
        const encoded = encodeCheckpoint(state, { compression });
        expect(decodeCheckpoint(encoded.data, encoded.codec, encoded.contentHash)).toEqual(state);
        const asyncEncoded = await encodeCheckpointAsync(state, { compression });
        expect(await decodeCheckpointAsync(asyncEncoded.data, asyncEncoded.codec, asyncEncoded.contentHash)).toEqual(state);
        expect(asyncEncoded.contentHash).toBe(checkpointContentHash(asyncEncoded.data));
      }),
      { numRuns: 60 },
    );
  });

  it('reports sizes, a sha-256 of the stored bytes and the codec label', () => {
    const state = bigState(2000);
    const json = Buffer.from(JSON.stringify(state));
    for (const compression of compressions) {
      const encoded = encodeCheckpoint(state, { compression });
      expect(encoded.codec).toBe(checkpointCodecName(compression));
      expect(encoded.sizeBytes).toBe(json.length);
      expect(encoded.storedBytes).toBe(encoded.data.length);
      expect(encoded.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(encoded.contentHash).toBe(checkpointContentHash(encoded.data));
      if (compression !== 'none') expect(encoded.storedBytes).toBeLessThan(encoded.sizeBytes / 3);
    }
    // Without options: brotli, byte for byte what asking for it gives.
    const byDefault = encodeCheckpoint(state);
    expect(byDefault.codec).toBe('json.v1+br');
    expect(byDefault.data.equals(encodeCheckpoint(state, { compression: 'brotli' }).data)).toBe(true);
  });

  it('stores tiny states raw because compression would make them bigger', () => {
    const encoded = encodeCheckpoint({ completed_steps: 3 }, { compression: 'gzip' });
    expect(encoded.codec).toBe('json.v1');
    expect(encoded.data.toString()).toBe('{"completed_steps":3}');
    expect(decodeCheckpoint(encoded.data, encoded.codec)).toEqual({ completed_steps: 3 });
  });

  it('detects any flipped byte through the hash', () => {
    const encoded = encodeCheckpoint(bigState(200));
    fc.assert(
      fc.property(fc.nat(encoded.data.length - 1), fc.integer({ min: 1, max: 255 }), (index, xor) => {
        const damaged = Buffer.from(encoded.data);
        damaged[index] ^= xor;
        expect(() => decodeCheckpoint(damaged, encoded.codec, encoded.contentHash)).toThrow(CheckpointCorruptError);
      }),
      { numRuns: 50 },
    );
  });

  it('reports undecodable bytes as corrupt even without a hash', async () => {
    const garbage = Buffer.from('definitely not compressed');
    expect(() => decodeCheckpoint(garbage, 'json.v1+gzip')).toThrow(CheckpointCorruptError);
    expect(() => decodeCheckpoint(garbage, 'json.v1+br')).toThrow(CheckpointCorruptError);
    expect(() => decodeCheckpoint(garbage, 'json.v1')).toThrow(CheckpointCorruptError);
    await expect(decodeCheckpointAsync(garbage, 'json.v1+gzip')).rejects.toThrow(CheckpointCorruptError);
  });

  it('rejects unknown codecs and versions', () => {
    const encoded = encodeCheckpoint({ a: 1 });
    for (const codec of ['json.v2+gzip', 'json.v0', 'msgpack.v1', 'json.v1+zstd', 'json.v1+gzip+br', '']) {
      expect(() => decodeCheckpoint(encoded.data, codec)).toThrow(UnsupportedCodecError);
    }
    expect(parseCheckpointCodec('json.v1+br')).toBe('brotli');
    expect(parseCheckpointCodec('json.v1+gzip')).toBe('gzip');
    expect(parseCheckpointCodec('json.v1')).toBe('none');
  });

  it('refuses to inflate beyond the size limit', async () => {
    const bomb = encodeCheckpoint({ zeros: '0'.repeat(1_000_000) }, { compression: 'gzip' });
    expect(bomb.storedBytes).toBeLessThan(10_000);
    expect(() => decodeCheckpoint(bomb.data, bomb.codec, bomb.contentHash, { maxSizeBytes: 100_000 })).toThrow(/inflates beyond/);
    await expect(decodeCheckpointAsync(bomb.data, bomb.codec, undefined, { maxSizeBytes: 100_000 })).rejects.toThrow(CheckpointCorruptError);
    const raw = encodeCheckpoint({ s: 'x'.repeat(200) }, { compression: 'none' });
    expect(() => decodeCheckpoint(raw.data, raw.codec, undefined, { maxSizeBytes: 100 })).toThrow(CheckpointCorruptError);
  });

  it('rejects states that are not JSON or too large', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(() => encodeCheckpoint(circular as JsonValue)).toThrow(CheckpointStateError);
    expect(() => encodeCheckpoint(undefined as unknown as JsonValue)).toThrow(CheckpointStateError);
    expect(() => encodeCheckpoint({ big: 1n } as unknown as JsonValue)).toThrow(CheckpointStateError);
    expect(() => encodeCheckpoint({ s: 'x'.repeat(100) }, { maxSizeBytes: 50 })).toThrow(/above the 50-byte limit/);
  });

  it('compresses large states off the event loop in the async variant', async () => {
    const state = bigState(200_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const encoded = await encodeCheckpointAsync(state, { compression: 'brotli' });
    const decoded = await decodeCheckpointAsync(encoded.data, encoded.codec, encoded.contentHash);
    clearInterval(timer);
    expect(decoded).toEqual(state);
    // The interval kept firing while zlib worked on the thread pool.
    expect(ticks).toBeGreaterThan(0);
  });
});
