import fc from 'fast-check';
import { canTransition, TERMINAL_STATUSES, type WorkloadStatus } from '@niyanta/models';
import { compareVersions, type WorkloadVersion } from './workload-version';

/**
 * Follows the status state machine: a move back to PENDING starts a new attempt (as every
 * repository that requeues does), RUNNING may report more progress, and a PAUSING workload whose
 * worker died is parked as PAUSED in the same attempt.
 */
function step(from: WorkloadVersion, to: WorkloadStatus, progress: number): WorkloadVersion | null {
  if (to === from.status) {
    return from.status === 'RUNNING' && progress > from.progress ? { ...from, progress } : null;
  }
  if (!canTransition(from.status, to)) return null;
  if (to === 'PENDING') return { attempt: from.attempt + 1, status: to, progress: from.progress };
  return { attempt: from.attempt, status: to, progress: to === 'COMPLETED' ? 1 : Math.max(from.progress, to === 'RUNNING' ? progress : 0) };
}

const STATUSES: WorkloadStatus[] = ['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];

describe(compareVersions.name, () => {
  it('orders every lifecycle the state machine allows: each change is newer than all before it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...STATUSES), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 40 }), (moves) => {
        const history: WorkloadVersion[] = [{ attempt: 1, status: 'PENDING', progress: 0 }];
        for (const [to, progress] of moves) {
          const last = history.at(-1) as WorkloadVersion;
          if (TERMINAL_STATUSES.includes(last.status)) break;
          const next = step(last, to, progress);
          if (next) history.push(next);
        }
        for (let later = 1; later < history.length; later++) {
          for (let earlier = 0; earlier < later; earlier++) {
            expect(compareVersions(history[later] as WorkloadVersion, history[earlier] as WorkloadVersion)).toBeGreaterThan(0);
            expect(compareVersions(history[earlier] as WorkloadVersion, history[later] as WorkloadVersion)).toBeLessThan(0);
          }
        }
      }),
    );
  });

  it('treats the same state as the same version', () => {
    expect(compareVersions({ attempt: 2, status: 'RUNNING', progress: 0.5 }, { attempt: 2, status: 'RUNNING', progress: 0.5 })).toBe(0);
  });
});
