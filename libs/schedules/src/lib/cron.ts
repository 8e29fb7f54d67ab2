import { Cron } from 'croner';

/** A cron expression that parsed, with the zone its ticks are computed in. */
export interface CronSpec {
  cron: string;
  timezone: string;
}

/** Why an expression or a zone was refused, for a `validation_failed` detail. */
export interface CronProblem {
  path: 'cron' | 'timezone';
  message: string;
}

/**
 * Checks a schedule's expression and zone: 5 fields (minute granularity) or 6 (seconds first),
 * and an IANA zone name. Returns the problems, none when the pair is usable.
 */
export function cronProblems(cron: string, timezone: string): CronProblem[] {
  const problems: CronProblem[] = [];
  if (!isTimeZone(timezone)) problems.push({ path: 'timezone', message: `must be an IANA time zone such as UTC or Europe/London, not "${timezone}"` });
  const fields = cron.trim().split(/\s+/).filter((field) => field.length > 0);
  if (fields.length !== 5 && fields.length !== 6) {
    problems.push({ path: 'cron', message: `must have 5 fields (minute hour day month weekday) or 6 (seconds first), not ${fields.length}` });
    return problems;
  }
  try {
    const parsed = compile({ cron, timezone: problems.length === 0 ? timezone : 'UTC' });
    // An expression like "0 0 30 2 *" parses but never fires: refuse it rather than store a dead schedule.
    if (parsed.nextRun(new Date(0)) === null) problems.push({ path: 'cron', message: 'never fires' });
  } catch (error: unknown) {
    problems.push({ path: 'cron', message: error instanceof Error ? error.message : String(error) });
  }
  return problems;
}

/** The first tick strictly after `after`, or null when the expression never fires again. */
export function nextTick(spec: CronSpec, after: Date): Date | null {
  return compile(spec).nextRun(after);
}

/** Ticks strictly after `after` up to and including `until`, oldest first, at most `limit`. */
export function ticksBetween(spec: CronSpec, after: Date, until: Date, limit: number): Date[] {
  const cron = compile(spec);
  const ticks: Date[] = [];
  let cursor: Date | null = after;
  while (ticks.length < limit) {
    cursor = cursor === null ? null : cron.nextRun(cursor);
    if (cursor === null || cursor.getTime() > until.getTime()) break;
    ticks.push(cursor);
  }
  return ticks;
}

/**
 * The latest tick at or before `at` and strictly after `after`, or null when there is none. Uses the
 * library's backward search, so a long gap (a per-second schedule after a day of downtime) costs one
 * call, not one per missed tick.
 */
export function latestTickAtOrBefore(spec: CronSpec, after: Date, at: Date): Date | null {
  // Ticks fall on whole seconds and previousRuns looks strictly before a whole-second reference.
  const reference = new Date(Math.floor(at.getTime() / 1000) * 1000 + 1000);
  const [latest] = compile(spec).previousRuns(1, reference);
  if (!latest || latest.getTime() <= after.getTime() || latest.getTime() > at.getTime()) return null;
  return latest;
}

const compiled = new Map<string, Cron>();

function compile(spec: CronSpec): Cron {
  const key = `${spec.timezone}\u0000${spec.cron}`;
  let cron = compiled.get(key);
  if (!cron) {
    // 5 or 6 fields only (no year field); a day-of-month and a weekday both set fire on either, as in classic cron.
    cron = new Cron(spec.cron, { timezone: spec.timezone, paused: true, mode: '5-or-6-parts' });
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, cron);
  }
  return cron;
}

function isTimeZone(timezone: string): boolean {
  if (timezone.length === 0 || timezone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
