import type { AuditEventInput } from '@niyanta/state';
import { eventually } from '@niyanta/testing';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditOutbox } from './audit-outbox';
import { BufferedAuditWriter, type AuditSink } from './buffered-audit-writer';

const event = (n: number): AuditEventInput => ({ action: 'auth.failed', actorType: 'customer', actorId: null, details: { n } });
const quiet = { warn: () => undefined, log: () => undefined };

class FlakySink implements AuditSink {
  written: AuditEventInput[][] = [];
  down = false;
  attempts = 0;
  async append(events: AuditEventInput[]): Promise<void> {
    this.attempts++;
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.written.push([...events]);
  }
}

describe(BufferedAuditWriter.name, () => {
  it('writes a burst in one batch, after returning at once', async () => {
    const sink = new FlakySink();
    const writer = new BufferedAuditWriter(sink, quiet, { flushDelayMs: 10 });
    for (let i = 0; i < 50; i++) writer.record(event(i));
    expect(sink.written).toEqual([]);
    await eventually('the burst to be written', () => writer.pending === 0 && sink.written.length > 0);
    expect(sink.written).toHaveLength(1);
    expect(sink.written[0]?.map((e) => (e.details as { n: number }).n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps events through a database outage and writes them, in order, once it is back', async () => {
    const sink = new FlakySink();
    sink.down = true;
    const writer = new BufferedAuditWriter(sink, quiet, { flushDelayMs: 1, maxRetryDelayMs: 20 });
    for (let i = 0; i < 10; i++) writer.record(event(i));
    // Tried and failed, then tried again: still holding every event.
    await eventually('three write attempts', () => sink.attempts >= 3);
    expect(writer.pending).toBe(10);
    sink.down = false;
    writer.record(event(10));
    await eventually('every held event to be written', () => writer.pending === 0);
    expect(sink.written.flat().map((e) => (e.details as { n: number }).n)).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it('drops the oldest beyond its bound and counts them', async () => {
    const sink = new FlakySink();
    sink.down = true;
    const writer = new BufferedAuditWriter(sink, quiet, { maxBuffered: 5, flushDelayMs: 1_000 });
    for (let i = 0; i < 8; i++) writer.record(event(i));
    expect(writer.dropped).toBe(3);
    sink.down = false;
    await writer.close();
    expect(sink.written.flat().map((e) => (e.details as { n: number }).n)).toEqual([3, 4, 5, 6, 7]);
  });

  it('writes the backlog in batches on close', async () => {
    const sink = new FlakySink();
    const writer = new BufferedAuditWriter(sink, quiet, { batchSize: 4, flushDelayMs: 10_000 });
    for (let i = 0; i < 10; i++) writer.record(event(i));
    await writer.close();
    expect(sink.written.map((batch) => batch.length)).toEqual([4, 4, 2]);
  });
});

describe('BufferedAuditWriter with an outbox', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-outbox-spec-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = (): string[] =>
    readdirSync(dir).flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== ''));

  it('has each event on disk when record returns, and empties the file once they are written', async () => {
    const sink = new FlakySink();
    const writer = new BufferedAuditWriter(sink, quiet, { flushDelayMs: 10_000, outbox: new AuditOutbox(dir, quiet) });
    for (let i = 0; i < 3; i++) writer.record(event(i));
    const onDisk = lines().map((line) => JSON.parse(line) as { eventId: string; details: { n: number } });
    expect(onDisk.map((e) => e.details.n)).toEqual([0, 1, 2]);
    expect(new Set(onDisk.map((e) => e.eventId)).size).toBe(3);
    await writer.flush();
    expect(sink.written.flat().map((e) => e.eventId)).toEqual(onDisk.map((e) => e.eventId));
    expect(lines()).toEqual([]);
    await writer.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lets a later process write, once each and in order, what a killed one left, then deletes its file', async () => {
    const down = new FlakySink();
    down.down = true;
    // Never closed: the process "dies" with its events unwritten.
    const dead = new BufferedAuditWriter(down, quiet, { flushDelayMs: 10_000, outbox: new AuditOutbox(dir, quiet) });
    for (let i = 0; i < 5; i++) dead.record(event(i));
    // A torn last line: the process died in the middle of a write.
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file ?? ''), '{"action":"auth.fa', { flag: 'a' });

    const sink = new FlakySink();
    const next = new BufferedAuditWriter(sink, quiet, { flushDelayMs: 1, outbox: new AuditOutbox(dir, quiet) });
    next.record(event(5));
    expect(next.recover()).toBe(5);
    await eventually('the recovered events to be written', () => next.pending === 0);
    const written = sink.written.flat();
    expect(written.map((e) => (e.details as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(written.every((e) => typeof e.eventId === 'string' && e.occurredAt instanceof Date)).toBe(true);
    expect(readdirSync(dir)).not.toContain(file);
    await next.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves the files of live processes alone', () => {
    // pid 1 is always alive.
    writeFileSync(join(dir, 'audit-1-abcdef01-0.jsonl'), `${JSON.stringify(event(0))}\n`);
    const writer = new BufferedAuditWriter(new FlakySink(), quiet, { outbox: new AuditOutbox(dir, quiet) });
    expect(writer.recover()).toBe(0);
    expect(readdirSync(dir)).toEqual(['audit-1-abcdef01-0.jsonl']);
  });

  it('seals a full file and deletes it once its events are written', async () => {
    const sink = new FlakySink();
    const writer = new BufferedAuditWriter(sink, quiet, {
      flushDelayMs: 10_000,
      outbox: new AuditOutbox(dir, quiet, { maxSegmentBytes: 300 }),
    });
    for (let i = 0; i < 10; i++) writer.record(event(i));
    expect(readdirSync(dir).length).toBeGreaterThan(1);
    await writer.close();
    expect(sink.written.flat()).toHaveLength(10);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('has every event in the outbox file by the time record() returns', () => {
    const writer = new BufferedAuditWriter(new FlakySink(), quiet, { flushDelayMs: 60_000, outbox: new AuditOutbox(dir, quiet) });
    const n = 5_000;
    for (let i = 0; i < n; i++) writer.record(event(i));
    // Synchronous appends, no flush needed (how fast they are is a benchmark's business, not a test's).
    expect(lines()).toHaveLength(n);
  });
});
