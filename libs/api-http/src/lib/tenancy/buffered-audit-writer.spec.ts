import type { AuditEventInput } from '@niyanta/state';
import { BufferedAuditWriter, type AuditSink } from './buffered-audit-writer';

const event = (n: number): AuditEventInput => ({ action: 'auth.failed', actorType: 'customer', actorId: null, details: { n } });
const quiet = { warn: () => undefined };

class FlakySink implements AuditSink {
  written: AuditEventInput[][] = [];
  down = false;
  async append(events: AuditEventInput[]): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.written.push([...events]);
  }
}

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe(BufferedAuditWriter.name, () => {
  it('writes a burst in one batch, after returning at once', async () => {
    const sink = new FlakySink();
    const writer = new BufferedAuditWriter(sink, quiet, { flushDelayMs: 10 });
    for (let i = 0; i < 50; i++) writer.record(event(i));
    expect(sink.written).toEqual([]);
    await until(() => writer.pending === 0 && sink.written.length > 0);
    expect(sink.written).toHaveLength(1);
    expect(sink.written[0]?.map((e) => (e.details as { n: number }).n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps events through a database outage and writes them, in order, once it is back', async () => {
    const sink = new FlakySink();
    sink.down = true;
    const writer = new BufferedAuditWriter(sink, quiet, { flushDelayMs: 1, maxRetryDelayMs: 20 });
    for (let i = 0; i < 10; i++) writer.record(event(i));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writer.pending).toBe(10);
    sink.down = false;
    writer.record(event(10));
    await until(() => writer.pending === 0);
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
