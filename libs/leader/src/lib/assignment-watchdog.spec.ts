import type { UnacknowledgedAssignment } from '@niyanta/state';
import { assignmentKey, triageOverdue } from './assignment-watchdog.service';

function overdue(id: string, ageMs: number, attempt = 1): UnacknowledgedAssignment {
  return { id, attempt, ageMs, customerId: 'c', workloadType: 'sleep', workerId: 'w', input: {}, inputBytes: 2, progress: 0 };
}

describe(triageOverdue.name, () => {
  const ACK = 1_000;

  it('re-sends once per elapsed ack timeout, up to the limit, then reclaims', () => {
    const resent = new Map<string, number>();
    const first = triageOverdue([overdue('a', 1_100)], resent, ACK, 2);
    expect(first).toEqual({ resend: [{ assignment: overdue('a', 1_100), count: 1 }], reclaim: [] });

    resent.set(assignmentKey(overdue('a', 0)), 1);
    expect(triageOverdue([overdue('a', 1_900)], resent, ACK, 2).resend).toEqual([]);
    expect(triageOverdue([overdue('a', 2_000)], resent, ACK, 2).resend.map((r) => r.count)).toEqual([2]);

    resent.set(assignmentKey(overdue('a', 0)), 2);
    expect(triageOverdue([overdue('a', 2_999)], resent, ACK, 2)).toEqual({ resend: [], reclaim: [] });
    expect(triageOverdue([overdue('a', 3_000)], resent, ACK, 2).reclaim.map((a) => a.id)).toEqual(['a']);
  });

  it('catches up with a single re-send after taking office, and reclaims at once with no re-sends allowed', () => {
    expect(triageOverdue([overdue('a', 2_500)], new Map(), ACK, 2).resend.map((r) => r.count)).toEqual([2]);
    expect(triageOverdue([overdue('a', 1_000)], new Map(), ACK, 0).reclaim).toHaveLength(1);
  });

  it('treats a new attempt of the same workload as a new assignment', () => {
    const resent = new Map([[assignmentKey(overdue('a', 0, 1)), 2]]);
    expect(triageOverdue([overdue('a', 1_200, 2)], resent, ACK, 2).resend).toHaveLength(1);
  });
});
