import type { JsonObject } from '@niyanta/models';
import { chunkByWorker, MAX_BATCH_ASSIGNMENTS, MAX_BATCH_BYTES, type AssignmentSource } from './leader-messages';

function assignment(id: number, workerId: string, input: JsonObject = {}): AssignmentSource {
  return { id: `w-${id}`, customerId: 'c', workloadType: 'sleep', attempt: 1, workerId, input, inputBytes: JSON.stringify(input).length };
}

describe(chunkByWorker.name, () => {
  it('groups a pass\'s assignments by worker, keeping their order', () => {
    const chunks = chunkByWorker([assignment(1, 'a'), assignment(2, 'b'), assignment(3, 'a')]);
    expect(chunks.map((c) => [c.workerId, c.items.map((i) => i.id)])).toEqual([
      ['a', ['w-1', 'w-3']],
      ['b', ['w-2']],
    ]);
  });

  it('bounds each message by count and by input size, and sends an oversized input alone', () => {
    const many = Array.from({ length: MAX_BATCH_ASSIGNMENTS + 1 }, (_, i) => assignment(i, 'a'));
    expect(chunkByWorker(many).map((c) => c.items.length)).toEqual([MAX_BATCH_ASSIGNMENTS, 1]);
    const big = { blob: 'x'.repeat(MAX_BATCH_BYTES / 2) };
    const sized = chunkByWorker([assignment(1, 'a', big), assignment(2, 'a', big), assignment(3, 'a', { blob: 'y'.repeat(MAX_BATCH_BYTES * 2) })]);
    expect(sized.map((c) => c.items.map((i) => i.id))).toEqual([['w-1'], ['w-2'], ['w-3']]);
  });
});
