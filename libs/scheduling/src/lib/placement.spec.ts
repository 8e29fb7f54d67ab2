import fc from 'fast-check';
import { evaluateAffinity } from '@niyanta/affinity';
import { PlacementRequest, WorkerSlots, chooseWorker, isPlaced } from './placement';

function worker(id: string, overrides: Partial<WorkerSlots> = {}): WorkerSlots {
  return { id, tags: {}, region: null, capacity: 4, running: 0, workloadTypes: ['sleep'], accepting: true, ...overrides };
}
const sleep = (overrides: Partial<PlacementRequest> = {}): PlacementRequest => ({
  workloadType: 'sleep',
  affinity: { required: {}, preferred: {}, anti: {} },
  region: null,
  ...overrides,
});

describe(chooseWorker.name, () => {
  it('explains that there are no live workers', () => {
    expect(chooseWorker(sleep(), [])).toEqual({ workerId: null, reason: 'no live workers' });
    expect(chooseWorker(sleep(), [worker('w1', { accepting: false })])).toEqual({ workerId: null, reason: 'no live workers' });
  });

  it('explains that no worker supports the type', () => {
    const decision = chooseWorker(sleep({ workloadType: 'gpu-train' }), [worker('w1'), worker('w2')]);
    expect(decision).toEqual({ workerId: null, reason: 'no live worker supports type "gpu-train"' });
  });

  it('names the required tag no worker has', () => {
    const request = sleep({ affinity: { required: { gpu: 'a100' }, preferred: {}, anti: {} } });
    const decision = chooseWorker(request, [worker('w1', { tags: { gpu: 'v100' } }), worker('w2')]);
    expect(decision).toEqual({ workerId: null, reason: 'no live worker has gpu=a100' });
  });

  it('names the anti tag every worker has', () => {
    const request = sleep({ affinity: { required: {}, preferred: {}, anti: { zone: 'a' } } });
    const decision = chooseWorker(request, [worker('w1', { tags: { zone: 'a' } })]);
    expect(decision).toEqual({ workerId: null, reason: 'every live worker for type "sleep" has zone=a (anti-affinity)' });
  });

  it('lists the rules when no single rule is to blame', () => {
    const request = sleep({ affinity: { required: { gpu: 'a100', disk: 'ssd' }, preferred: {}, anti: {} } });
    const decision = chooseWorker(request, [worker('w1', { tags: { gpu: 'a100' } }), worker('w2', { tags: { disk: 'ssd' } })]);
    expect(decision).toEqual({
      workerId: null,
      reason: 'no live worker for type "sleep" satisfies all of: requires gpu=a100, requires disk=ssd',
    });
  });

  it('reports full workers only when they would otherwise fit', () => {
    const full = (id: string) => worker(id, { running: 4 });
    expect(chooseWorker(sleep(), [full('w1'), full('w2'), worker('w3', { accepting: false })])).toEqual({
      workerId: null,
      reason: 'all 2 fitting workers are full',
    });
    expect(chooseWorker(sleep(), [full('w1')])).toEqual({ workerId: null, reason: 'the 1 fitting worker is full' });
  });

  it('prefers preferred matches, then the region, then lower load, then the smaller id', () => {
    const request = sleep({ affinity: { required: {}, preferred: { ssd: 'yes' }, anti: {} }, region: 'eu' });
    const busyMatch = worker('w-z', { tags: { ssd: 'yes' }, running: 3 });
    const idleEu = worker('w-a', { region: 'eu' });
    expect(chooseWorker(request, [idleEu, busyMatch])).toMatchObject({ workerId: 'w-z', preferredMatches: 1, regionMatch: false, score: 2 });
    expect(chooseWorker(request, [worker('w-b', { running: 0 }), idleEu])).toMatchObject({ workerId: 'w-a', regionMatch: true, score: 1 });
    expect(chooseWorker(request, [worker('w-b', { running: 1 }), worker('w-c', { running: 1, capacity: 8 })])).toMatchObject({
      workerId: 'w-c',
    });
    expect(chooseWorker(request, [worker('w-b'), worker('w-a')])).toMatchObject({ workerId: 'w-a' });
  });

  const tagValue = fc.constantFrom('a', 'b');
  const tagMap = fc.dictionary(fc.constantFrom('gpu', 'zone', 'ssd'), tagValue, { maxKeys: 2 });
  const arbWorker = fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    tags: tagMap,
    region: fc.option(fc.constantFrom('eu', 'us'), { nil: null }),
    capacity: fc.integer({ min: 0, max: 4 }),
    running: fc.integer({ min: 0, max: 5 }),
    workloadTypes: fc.subarray(['sleep', 'flaky']),
    accepting: fc.boolean(),
  });
  const arbRequest = fc.record({
    workloadType: fc.constantFrom('sleep', 'flaky'),
    affinity: fc.record({ required: tagMap, preferred: tagMap, anti: tagMap }),
    region: fc.option(fc.constantFrom('eu', 'us'), { nil: null }),
  });
  const fits = (r: PlacementRequest, w: WorkerSlots) =>
    w.accepting && w.running < w.capacity && w.workloadTypes.includes(r.workloadType) && evaluateAffinity(r.affinity, w, r.region).eligible;

  it('places exactly when some worker fits, always on a fitting worker no other fitting worker beats', () => {
    fc.assert(
      fc.property(arbRequest, fc.uniqueArray(arbWorker, { selector: (w) => w.id, maxLength: 8 }), (request, workers) => {
        const decision = chooseWorker(request, workers);
        const fitting = workers.filter((w) => fits(request, w));
        expect(isPlaced(decision)).toBe(fitting.length > 0);
        if (!isPlaced(decision)) {
          expect(decision.reason.length).toBeGreaterThan(0);
          return;
        }
        const chosen = workers.find((w) => w.id === decision.workerId) as WorkerSlots;
        expect(fits(request, chosen)).toBe(true);
        const mine = evaluateAffinity(request.affinity, chosen, request.region);
        for (const other of fitting) {
          const theirs = evaluateAffinity(request.affinity, other, request.region);
          expect(theirs.preferredMatches).toBeLessThanOrEqual(mine.preferredMatches);
          if (theirs.preferredMatches === mine.preferredMatches && theirs.regionMatch !== mine.regionMatch) {
            expect(mine.regionMatch).toBe(true);
          }
        }
      }),
    );
  });

  it('does not depend on the order of the workers', () => {
    fc.assert(
      fc.property(arbRequest, fc.uniqueArray(arbWorker, { selector: (w) => w.id, maxLength: 8 }), (request, workers) => {
        expect(chooseWorker(request, [...workers].reverse())).toEqual(chooseWorker(request, workers));
      }),
    );
  });
});
