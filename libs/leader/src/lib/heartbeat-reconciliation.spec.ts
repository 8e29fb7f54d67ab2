import fc from 'fast-check';
import type { PlacedWorkload } from '@niyanta/scheduling';
import { HeartbeatReconciliation, type HeartbeatReport } from './heartbeat-reconciliation';

const A = '0b7f6f9e-2c1a-4d3e-9f00-000000000001';
const B = '0b7f6f9e-2c1a-4d3e-9f00-000000000002';

const placed = (id: string, status: PlacedWorkload['status'], attempt: number, workerId: string | null): PlacedWorkload => ({
  id,
  status,
  attempt,
  workerId,
});
const beat = (workerId: string, ...running: Array<[string, number]>): HeartbeatReport => ({
  workerId,
  running: running.map(([workload_id, attempt]) => ({ workload_id, attempt })),
});

describe(HeartbeatReconciliation.name, () => {
  it('accepts a listed attempt the database holds on that worker with that attempt', () => {
    const r = new HeartbeatReconciliation(3);
    for (const status of ['SCHEDULED', 'RUNNING', 'PAUSING'] as const) {
      expect(r.reconcile([beat('w1', [A, 2])], [placed(A, status, 2, 'w1')])).toEqual({ aborts: [], orphans: [] });
    }
  });

  it.each([
    ['placed on another worker', placed(A, 'RUNNING', 2, 'w2')],
    ['at a newer attempt', placed(A, 'RUNNING', 3, 'w1')],
    ['completed', placed(A, 'COMPLETED', 2, 'w1')],
    ['cancelled', placed(A, 'CANCELLED', 2, 'w1')],
    ['back in PENDING', placed(A, 'PENDING', 3, null)],
  ])('aborts a listed attempt the database has %s', (_, row) => {
    const r = new HeartbeatReconciliation(3);
    expect(r.reconcile([beat('w1', [A, 2])], [row])).toEqual({
      aborts: [{ workerId: 'w1', workloadId: A, attempt: 2 }],
      orphans: [],
    });
  });

  it('aborts a listed attempt of a workload that does not exist, once per round', () => {
    const r = new HeartbeatReconciliation(3);
    const decision = r.reconcile([beat('w1', [A, 1]), beat('w1', [A, 1])], []);
    expect(decision.aborts).toEqual([{ workerId: 'w1', workloadId: A, attempt: 1 }]);
  });

  it('takes back a RUNNING attempt only after `threshold` later heartbeats leave it out', () => {
    const r = new HeartbeatReconciliation(3);
    const rows = [placed(A, 'RUNNING', 1, 'w1'), placed(B, 'RUNNING', 1, 'w1')];
    // Round 1 first sees A unlisted: it may have started right after this heartbeat was composed.
    expect(r.reconcile([beat('w1', [B, 1])], rows).orphans).toEqual([]);
    expect(r.reconcile([beat('w1', [B, 1])], rows).orphans).toEqual([]);
    expect(r.reconcile([beat('w1', [B, 1])], rows).orphans).toEqual([]);
    expect(r.reconcile([beat('w1', [B, 1])], rows).orphans).toEqual([{ id: A, attempt: 1, workerId: 'w1' }]);
    expect(r.suspectCount).toBe(0);
  });

  it('counts every heartbeat of a round, but none of the round that first saw the row', () => {
    const r = new HeartbeatReconciliation(2);
    const rows = [placed(A, 'RUNNING', 1, 'w1')];
    expect(r.reconcile([beat('w1'), beat('w1'), beat('w1')], rows).orphans).toEqual([]);
    expect(r.reconcile([beat('w1'), beat('w1')], rows).orphans).toEqual([{ id: A, attempt: 1, workerId: 'w1' }]);
  });

  it('clears a suspicion when the attempt is listed again, or when the database settles it', () => {
    const r = new HeartbeatReconciliation(2);
    r.reconcile([beat('w1')], [placed(A, 'RUNNING', 1, 'w1')]);
    r.reconcile([beat('w1')], [placed(A, 'RUNNING', 1, 'w1')]);
    // Listed again (a heartbeat raced its start): the count starts over.
    r.reconcile([beat('w1', [A, 1])], [placed(A, 'RUNNING', 1, 'w1')]);
    expect(r.suspectCount).toBe(0);
    r.reconcile([beat('w1')], [placed(A, 'RUNNING', 1, 'w1')]);
    // Completed meanwhile: nothing to take back.
    r.reconcile([beat('w1')], [placed(A, 'COMPLETED', 1, 'w1')]);
    expect(r.suspectCount).toBe(0);
  });

  it('ignores SCHEDULED rows (not started yet: the assignment watchdog owns them) and other workers’ rows', () => {
    const r = new HeartbeatReconciliation(1);
    const rows = [placed(A, 'SCHEDULED', 1, 'w1'), placed(B, 'RUNNING', 1, 'w2')];
    for (let i = 0; i < 5; i++) expect(r.reconcile([beat('w1')], rows)).toEqual({ aborts: [], orphans: [] });
  });

  it('keeps counting across rounds in which the worker did not report', () => {
    const r = new HeartbeatReconciliation(2);
    const rows = [placed(A, 'RUNNING', 1, 'w1')];
    r.reconcile([beat('w1')], rows);
    r.reconcile([beat('w1')], rows);
    r.reconcile([beat('w2')], []);
    expect(r.reconcile([beat('w1')], rows).orphans).toEqual([{ id: A, attempt: 1, workerId: 'w1' }]);
  });

  it('never aborts nor takes back an attempt that every heartbeat lists consistently (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(A, B), fc.integer({ min: 1, max: 4 })), { maxLength: 2 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        (running, threshold, rounds) => {
          const unique = new Map(running);
          const rows = [...unique].map(([id, attempt]) => placed(id, 'RUNNING', attempt, 'w1'));
          const report = beat('w1', ...unique);
          const r = new HeartbeatReconciliation(threshold);
          for (let i = 0; i < rounds; i++) {
            expect(r.reconcile([report], rows)).toEqual({ aborts: [], orphans: [] });
          }
        },
      ),
    );
  });
});
