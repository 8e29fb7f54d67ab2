import fc from 'fast-check';
import { AffinityRules } from '@niyanta/models';
import { findAffinityConflicts } from './affinity-conflicts';
import { evaluateAffinity } from './affinity-evaluation';

const tagName = fc.constantFrom('gpu', 'zone', 'disk');
const tagValue = fc.constantFrom('a', 'b');
const tags = fc.dictionary(tagName, tagValue, { maxKeys: 3 });
const rules: fc.Arbitrary<AffinityRules> = fc.record({ required: tags, preferred: tags, anti: tags });
const worker = fc.record({ tags: fc.dictionary(tagName, tagValue, { maxKeys: 3 }), region: fc.constant(null) });
const other = (value: string): string => (value === 'a' ? 'b' : 'a');
const RUNS = 200;

// Arbitrary rules rarely hold the case a property is about, so each property draws from rules built
// to hold it, mixed with arbitrary ones, and checks that most runs reached its assertion.

/** Four draws in five from `shaped`, the rest from `arbitrary`. */
function mostly<A, B>(shaped: fc.Arbitrary<A>, arbitrary: fc.Arbitrary<B>): fc.Arbitrary<A | B> {
  return fc.oneof({ arbitrary: shaped, weight: 4 }, { arbitrary, weight: 1 });
}

/** Rules with a tag both required and anti. */
const withRequiredAnti = fc
  .tuple(rules, tagName, tagValue)
  .map(([r, tag, value]): AffinityRules => ({ ...r, required: { ...r.required, [tag]: value }, anti: { ...r.anti, [tag]: value } }));

/** Rules with no conflict: each tag in at most one section, or required and preferred agreeing. */
const consistentRules = fc
  .dictionary(tagName, fc.tuple(tagValue, fc.constantFrom('required', 'preferred', 'both', 'anti')), { maxKeys: 3 })
  .map((picks): AffinityRules => {
    const r: AffinityRules = { required: {}, preferred: {}, anti: {} };
    for (const [tag, [value, where]] of Object.entries(picks)) {
      if (where === 'required' || where === 'both') r.required[tag] = value;
      if (where === 'preferred' || where === 'both') r.preferred[tag] = value;
      if (where === 'anti') r.anti[tag] = value;
    }
    return r;
  });

/**
 * Otherwise consistent rules with a preferred tag that can never count: another value required, or
 * the same value anti.
 */
const withDeadPreferred = fc.tuple(consistentRules, tagName, tagValue, fc.boolean()).map(([r, tag, value, viaAnti]): AffinityRules => {
  const without = (section: Record<string, string>) => Object.fromEntries(Object.entries(section).filter(([t]) => t !== tag));
  return viaAnti
    ? { required: without(r.required), preferred: { ...r.preferred, [tag]: value }, anti: { ...r.anti, [tag]: value } }
    : { required: { ...r.required, [tag]: value }, preferred: { ...r.preferred, [tag]: other(value) }, anti: without(r.anti) };
});

/**
 * A worker that tries its best to fit `r`: arbitrary tags, then every preferred and required tag,
 * then nothing that is anti. Eligible unless the rules contradict themselves.
 */
const workerFor = tags.map((extra) => (r: AffinityRules) => {
  const fitted: Record<string, string> = { ...extra, ...r.preferred, ...r.required };
  for (const [tag, value] of Object.entries(r.anti)) if (fitted[tag] === value) delete fitted[tag];
  return { tags: fitted, region: null };
});

describe(findAffinityConflicts.name, () => {
  it('names a tag that is both required and anti', () => {
    expect(findAffinityConflicts({ required: { gpu: 'a100' }, anti: { gpu: 'a100' } })).toEqual([
      { kind: 'required-anti', section: 'anti', tag: 'gpu', value: 'a100', message: 'gpu=a100 is both required and anti' },
    ]);
  });

  it('names preferred tags that can never count', () => {
    expect(findAffinityConflicts({ required: { gpu: 'a100' }, preferred: { gpu: 'v100', zone: 'a' }, anti: { zone: 'a' } }).map((c) => c.message)).toEqual([
      'preferred gpu=v100 can never match: gpu=a100 is required',
      'zone=a is both preferred and anti',
    ]);
  });

  it('finds no conflict in consistent or partial rules', () => {
    expect(findAffinityConflicts({})).toEqual([]);
    expect(findAffinityConflicts({ required: { gpu: 'a100' }, preferred: { gpu: 'a100' }, anti: { gpu: 'v100' } })).toEqual([]);
  });

  it('a required-anti conflict means no worker is ever eligible', () => {
    let reached = 0;
    fc.assert(
      fc.property(mostly(withRequiredAnti, rules), mostly(workerFor, worker), (r, w) => {
        if (!findAffinityConflicts(r).some((c) => c.kind === 'required-anti')) return;
        reached++;
        expect(evaluateAffinity(r, typeof w === 'function' ? w(r) : w, null).eligible).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(reached).toBeGreaterThan(RUNS / 2);
  });

  it('rules without conflicts are fully satisfiable: the worker built from them is eligible and matches every preferred tag', () => {
    let reached = 0;
    fc.assert(
      fc.property(mostly(consistentRules, rules), (r) => {
        if (findAffinityConflicts(r).length > 0) return;
        reached++;
        const result = evaluateAffinity(r, { tags: { ...r.preferred, ...r.required }, region: null }, null);
        expect(result.eligible).toBe(true);
        expect(result.preferredMatches).toBe(result.preferredTotal);
      }),
      { numRuns: RUNS },
    );
    expect(reached).toBeGreaterThan(RUNS / 2);
  });

  it('a preferred conflict means that preferred tag never counts on an eligible worker', () => {
    let reached = 0;
    fc.assert(
      fc.property(mostly(withDeadPreferred, rules), mostly(workerFor, worker), (r, candidate) => {
        const w = typeof candidate === 'function' ? candidate(r) : candidate;
        const dead = findAffinityConflicts(r).filter((c) => c.section === 'preferred');
        if (dead.length === 0 || !evaluateAffinity(r, w, null).eligible) return;
        reached++;
        for (const conflict of dead) expect(w.tags[conflict.tag] === conflict.value).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(reached).toBeGreaterThan(RUNS / 2);
  });
});
