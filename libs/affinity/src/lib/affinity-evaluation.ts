import { AffinityRules } from '@niyanta/models';

/** What affinity looks at on a worker: its tags and its region. */
export interface AffinityTarget {
  tags: Readonly<Record<string, string>>;
  region: string | null;
}

/** How well one worker fits one workload's affinity rules and region preference. */
export interface AffinityEvaluation {
  /** True when every `required` tag matches and no `anti` tag matches. */
  eligible: boolean;
  /**
   * Why the worker is not eligible, one entry per broken rule, in rule order:
   * `requires <tag>=<value>` for a required tag the worker lacks or has with another value,
   * `anti <tag>=<value>` for an anti tag the worker has. Empty when eligible.
   */
  violations: string[];
  /** How many `preferred` tags the worker matches. */
  preferredMatches: number;
  /** How many `preferred` tags the rules list. */
  preferredTotal: number;
  /** True when a preferred region is given and the worker is in it. */
  regionMatch: boolean;
  /**
   * Attractiveness of the worker, higher is better: `preferredMatches * PREFERRED_MATCH_SCORE`
   * plus `REGION_MATCH_SCORE` on a region match. One more preferred match always outweighs the
   * region. Computed whether or not the worker is eligible; compare only eligible workers.
   */
  score: number;
}

/** Score of one matching preferred tag. */
export const PREFERRED_MATCH_SCORE = 2;
/** Score of a region match; below {@link PREFERRED_MATCH_SCORE} so that tags rank first. */
export const REGION_MATCH_SCORE = 1;

/** The text of a violated `required` rule, as listed in {@link AffinityEvaluation.violations}. */
export function requiredViolation(tag: string, value: string): string {
  return `requires ${tag}=${value}`;
}

/** The text of a violated `anti` rule, as listed in {@link AffinityEvaluation.violations}. */
export function antiViolation(tag: string, value: string): string {
  return `anti ${tag}=${value}`;
}

const hasOwn = (record: Readonly<Record<string, string>>, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(record, key);

/**
 * Evaluates a workload's affinity rules against one worker (SPEC §5).
 *
 * Rules may be partial (a stored workload may lack a section); a missing section means no rule.
 * Tag names and values compare exactly (case-sensitive). Own properties only, so a tag named
 * `constructor` or `__proto__` is an ordinary tag.
 */
export function evaluateAffinity(
  rules: Readonly<Partial<AffinityRules>>,
  worker: AffinityTarget,
  preferredRegion: string | null,
): AffinityEvaluation {
  const violations: string[] = [];
  const tags = worker.tags;

  for (const [tag, value] of Object.entries(rules.required ?? {})) {
    if (!hasOwn(tags, tag) || tags[tag] !== value) violations.push(requiredViolation(tag, value));
  }
  for (const [tag, value] of Object.entries(rules.anti ?? {})) {
    if (hasOwn(tags, tag) && tags[tag] === value) violations.push(antiViolation(tag, value));
  }

  let preferredMatches = 0;
  const preferred = Object.entries(rules.preferred ?? {});
  for (const [tag, value] of preferred) {
    if (hasOwn(tags, tag) && tags[tag] === value) preferredMatches++;
  }

  const regionMatch = preferredRegion !== null && worker.region === preferredRegion;
  return {
    eligible: violations.length === 0,
    violations,
    preferredMatches,
    preferredTotal: preferred.length,
    regionMatch,
    score: preferredMatches * PREFERRED_MATCH_SCORE + (regionMatch ? REGION_MATCH_SCORE : 0),
  };
}

/**
 * One line for a person: why a worker is or is not a candidate for a workload, and how well it fits.
 * E.g. `eligible: 1/2 preferred tags, region eu matches` or `not eligible: requires gpu=a100, anti zone=a`.
 */
export function describeAffinity(evaluation: AffinityEvaluation, preferredRegion: string | null): string {
  if (!evaluation.eligible) return `not eligible: ${evaluation.violations.join(', ')}`;
  const parts: string[] = [];
  if (evaluation.preferredTotal > 0) parts.push(`${evaluation.preferredMatches}/${evaluation.preferredTotal} preferred tags`);
  if (preferredRegion !== null) parts.push(`region ${preferredRegion} ${evaluation.regionMatch ? 'matches' : 'does not match'}`);
  return parts.length === 0 ? 'eligible' : `eligible: ${parts.join(', ')}`;
}
