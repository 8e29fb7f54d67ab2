import type { AffinityRules } from '@niyanta/models';

/**
 * A pair of rules that contradict each other, whatever the fleet:
 * - `required-anti`: a tag is both required and forbidden with the same value — no worker can ever
 *   run the workload;
 * - `preferred-anti`: a preferred tag is also forbidden — it can never count;
 * - `preferred-required`: a preferred tag names another value than the required one for the same
 *   tag — it can never count.
 */
export interface AffinityConflict {
  kind: 'required-anti' | 'preferred-anti' | 'preferred-required';
  /** The rule section the conflict is reported on (`anti` or `preferred`). */
  section: 'anti' | 'preferred';
  tag: string;
  value: string;
  /** One sentence for the caller, e.g. `gpu=a100 is both required and anti`. */
  message: string;
}

const hasOwn = (record: Readonly<Record<string, string>>, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(record, key);

/**
 * The contradictions within one workload's rules, in rule order (anti first, then preferred). Rules
 * without any are satisfiable: a worker whose tags are exactly the required ones (plus the preferred
 * ones) is eligible and matches every preferred tag.
 */
export function findAffinityConflicts(rules: Readonly<Partial<AffinityRules>>): AffinityConflict[] {
  const required = rules.required ?? {};
  const preferred = rules.preferred ?? {};
  const anti = rules.anti ?? {};
  const conflicts: AffinityConflict[] = [];
  for (const [tag, value] of Object.entries(anti)) {
    if (hasOwn(required, tag) && required[tag] === value) {
      conflicts.push({ kind: 'required-anti', section: 'anti', tag, value, message: `${tag}=${value} is both required and anti` });
    }
  }
  for (const [tag, value] of Object.entries(preferred)) {
    if (hasOwn(anti, tag) && anti[tag] === value) {
      conflicts.push({ kind: 'preferred-anti', section: 'preferred', tag, value, message: `${tag}=${value} is both preferred and anti` });
    } else if (hasOwn(required, tag) && required[tag] !== value) {
      conflicts.push({
        kind: 'preferred-required',
        section: 'preferred',
        tag,
        value,
        message: `preferred ${tag}=${value} can never match: ${tag}=${required[tag]} is required`,
      });
    }
  }
  return conflicts;
}
