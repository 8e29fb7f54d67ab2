/** Short relative age, e.g. "4 s", "3 min", "2 h". */
export function age(from: string | Date, now = Date.now()): string {
  const ms = Math.max(0, now - new Date(from).getTime());
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** A date-time in the viewer's locale. */
export function when(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : '—';
}

/** Milliseconds as a short duration. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

const REASON_WORDS: Record<string, string> = {
  waiting_for_dependencies: 'Waiting for the workloads it depends on to complete',
  no_worker_supports_type: 'No live worker runs this workload type',
  no_capacity: 'Every worker that fits is full; it runs when a slot frees up',
};

/**
 * A pending reason as a sentence. Reasons are prose already, a snake_case code, or a code with its
 * detail (`waiting_for_dependencies: 1 of 2 parents not completed yet`).
 */
export function pendingReasonText(reason: string | null | undefined): string {
  if (!reason) return 'Waiting for the scheduler to place it.';
  const [, code = reason, detail] = /^([a-z_]+)(?::\s*(.+))?$/.exec(reason) ?? [];
  const words = REASON_WORDS[code];
  if (words) return detail ? `${words} (${detail}).` : `${words}.`;
  return reason.charAt(0).toUpperCase() + reason.slice(1).replace(/_/g, ' ');
}

/** The first 8 characters of an id, for tables. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
