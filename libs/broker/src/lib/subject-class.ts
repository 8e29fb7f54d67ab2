/**
 * What a subject carries, as a metric label: a fixed handful of values whatever the prefix, worker
 * id or customer id inside the subject (those would mint a series per worker or customer).
 */
export type SubjectClass = 'leader_wake' | 'assignment' | 'control' | 'heartbeat' | 'events' | 'other';

/** Classifies a concrete subject of the product's layout (`<prefix>.worker.<id>.assign`, ...). */
export function subjectClass(subject: string): SubjectClass {
  if (subject.endsWith('.assign')) return 'assignment';
  if (subject.endsWith('.worker.heartbeat')) return 'heartbeat';
  if (subject.endsWith('.control')) return 'control';
  if (subject.endsWith('.leader.wake')) return 'leader_wake';
  if (subject.includes('.events.')) return 'events';
  return 'other';
}
