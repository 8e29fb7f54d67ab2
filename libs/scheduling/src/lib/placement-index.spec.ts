import fc from 'fast-check';
import { PlacementIndex, placementClassKey } from './placement-index';
import { PlacementRequest, WorkerSlots, chooseWorker } from './placement';

const tagMap = fc.dictionary(fc.constantFrom('gpu', 'zone', 'ssd'), fc.constantFrom('a', 'b'), { maxKeys: 2 });
const arbWorker = fc.record({
  id: fc.constantFrom('w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'),
  tags: tagMap,
  region: fc.option(fc.constantFrom('eu', 'us'), { nil: null }),
  capacity: fc.integer({ min: 0, max: 4 }),
  running: fc.integer({ min: 0, max: 5 }),
  workloadTypes: fc.subarray(['sleep', 'flaky']),
  accepting: fc.boolean(),
});
const arbRequest: fc.Arbitrary<PlacementRequest> = fc.record({
  workloadType: fc.constantFrom('sleep', 'flaky'),
  affinity: fc.record({ required: tagMap, preferred: tagMap, anti: tagMap }),
  region: fc.option(fc.constantFrom('eu', 'us'), { nil: null }),
});

type Op =
  | { kind: 'choose'; request: PlacementRequest; reserve: boolean }
  | { kind: 'upsert'; worker: WorkerSlots }
  | { kind: 'release' | 'remove'; id: string }
  | { kind: 'accepting'; id: string; accepting: boolean }
  | { kind: 'running'; id: string; running: number };

const id = fc.constantFrom('w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('choose' as const), request: arbRequest, reserve: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('upsert' as const), worker: arbWorker }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('release' as const, 'remove' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('accepting' as const), id, accepting: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('running' as const), id, running: fc.integer({ min: 0, max: 5 }) }) },
);

describe(PlacementIndex.name, () => {
  it('answers exactly as chooseWorker over the same workers, through reservations and fleet changes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbWorker, { selector: (w) => w.id, maxLength: 8 }),
        fc.array(op, { maxLength: 80 }),
        fc.integer({ min: 1, max: 4 }),
        (initial, ops, maxClasses) => {
          const index = new PlacementIndex({ maxClasses });
          index.replaceAll(initial);
          for (const o of ops) {
            if (o.kind === 'choose') {
              const expected = chooseWorker(o.request, index.workers());
              const actual = index.choose(o.request);
              expect(actual).toEqual(expected);
              if (o.reserve && actual.workerId !== null) index.reserve(actual.workerId);
            } else if (o.kind === 'upsert') index.upsert(o.worker);
            else if (o.kind === 'release') index.release(o.id);
            else if (o.kind === 'remove') index.remove(o.id);
            else if (o.kind === 'accepting') index.setAccepting(o.id, o.accepting);
            else if (o.kind === 'running') {
              const current = index.get(o.id);
              if (current) index.upsert({ ...current, running: o.running });
            }
            expect(index.classCount).toBeLessThanOrEqual(maxClasses);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('words the wait at saturation as the full fitting workers, or why none would ever fit', () => {
    const index = new PlacementIndex();
    const worker = (wid: string, tags: Record<string, string>): WorkerSlots => ({
      id: wid, tags, region: null, capacity: 1, running: 1, workloadTypes: ['sleep'], accepting: true,
    });
    index.replaceAll([worker('a', { gpu: 'a100' }), worker('b', { gpu: 'a100' }), worker('c', {})]);
    const request = (required: Record<string, string>): PlacementRequest => ({
      workloadType: 'sleep', affinity: { required, preferred: {}, anti: {} }, region: null,
    });
    expect(index.saturatedReason(request({ gpu: 'a100' }))).toBe('all 2 fitting workers are full');
    expect(index.saturatedReason(request({}))).toBe('all 3 fitting workers are full');
    expect(index.saturatedReason(request({ gpu: 'h100' }))).toBe('no live worker has gpu=h100');
    expect(index.choose(request({ gpu: 'a100' }))).toEqual({ workerId: null, reason: 'all 2 fitting workers are full' });
  });

  it('keys placement classes by content, not by the order of tags', () => {
    const a: PlacementRequest = { workloadType: 't', affinity: { required: { x: '1', y: '2' }, preferred: {}, anti: {} }, region: null };
    const b: PlacementRequest = { workloadType: 't', affinity: { required: { y: '2', x: '1' }, preferred: {}, anti: {} }, region: null };
    const c: PlacementRequest = { workloadType: 't', affinity: { required: {}, preferred: { x: '1', y: '2' }, anti: {} }, region: null };
    expect(placementClassKey(a)).toBe(placementClassKey(b));
    expect(placementClassKey(a)).not.toBe(placementClassKey(c));
  });

  it('keeps to chooseWorker over 100,000 decisions on 1,000 workers, never past capacity', () => {
    const workers: WorkerSlots[] = Array.from({ length: 1000 }, (_, i) => ({
      id: `w${String(i).padStart(4, '0')}`,
      tags: { pool: i % 2 === 0 ? 'ssd' : 'hdd', gpu: i % 10 === 0 ? 'a100' : 'none' },
      region: i % 3 === 0 ? 'eu' : 'us',
      capacity: 100,
      running: 0,
      workloadTypes: ['sleep'],
      accepting: true,
    }));
    const index = new PlacementIndex();
    index.replaceAll(workers);
    const requests: PlacementRequest[] = [
      { workloadType: 'sleep', affinity: { required: {}, preferred: { pool: 'ssd' }, anti: {} }, region: 'eu' },
      { workloadType: 'sleep', affinity: { required: { gpu: 'a100' }, preferred: {}, anti: {} }, region: null },
      { workloadType: 'sleep', affinity: { required: {}, preferred: {}, anti: { pool: 'hdd' } }, region: 'us' },
    ];
    let placed = 0;
    for (let i = 0; i < 100_000; i++) {
      const request = requests[i % 3];
      const expected = i % 997 === 0 ? chooseWorker(request, index.workers()) : undefined;
      const decision = index.choose(request);
      if (expected) expect(decision).toEqual(expected);
      if (decision.workerId !== null) {
        index.reserve(decision.workerId);
        placed++;
      }
    }
    const running = index.workers().map((w) => w.running);
    expect(Math.max(...running)).toBe(100);
    expect(placed).toBe(running.reduce((a, b) => a + b, 0));
    // The gpu class is the one that runs out: 100 a100 workers, shared with the other classes.
    expect(chooseWorker(requests[1], index.workers()).workerId).toBeNull();
  });
});
