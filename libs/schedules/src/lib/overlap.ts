/** What a tick does when the workload of the schedule's previous tick is still active. */
export const OVERLAP_POLICIES = ['skip', 'allow', 'cancel_previous'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** The decision for one tick. */
export type OverlapDecision = 'fire' | 'skip' | 'cancel_previous_and_fire';

/**
 * `skip`: the tick creates nothing while the previous workload is active; `allow`: it always fires;
 * `cancel_previous`: the previous workload is cancelled and the tick fires.
 */
export function overlapDecision(policy: OverlapPolicy, previousActive: boolean): OverlapDecision {
  if (!previousActive || policy === 'allow') return 'fire';
  return policy === 'skip' ? 'skip' : 'cancel_previous_and_fire';
}
