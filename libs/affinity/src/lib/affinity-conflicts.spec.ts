import fc from 'fast-check';
import { AffinityRules } from '@niyanta/models';
import { findAffinityConflicts } from './affinity-conflicts';
import { evaluateAffinity } from './affinity-evaluation';

const tagName = fc.constantFrom('gpu', 'zone', 'disk');
const tagValue = fc.constantFrom('a', 'b');
const tags = fc.dictionary(tagName, tagValue, { maxKeys: 3 });
const rules: fc.Arbitrary<AffinityRules> = fc.record({ required: tags, preferred: tags, anti: tags });
const worker = fc.record({ tags: fc.dictionary(tagName, tagValue, { maxKeys: 3 }), region: fc.constant(null) });

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
    fc.assert(
      fc.property(rules, worker, (r, w) => {
        if (!findAffinityConflicts(r).some((c) => c.kind === 'required-anti')) return;
        expect(evaluateAffinity(r, w, null).eligible).toBe(false);
      }),
    );
  });

  it('rules without conflicts are fully satisfiable: the worker built from them is eligible and matches every preferred tag', () => {
    fc.assert(
      fc.property(rules, (r) => {
        if (findAffinityConflicts(r).length > 0) return;
        const result = evaluateAffinity(r, { tags: { ...r.preferred, ...r.required }, region: null }, null);
        expect(result.eligible).toBe(true);
        expect(result.preferredMatches).toBe(result.preferredTotal);
      }),
    );
  });

  it('a preferred conflict means that preferred tag never counts on an eligible worker', () => {
    fc.assert(
      fc.property(rules, worker, (r, w) => {
        const dead = findAffinityConflicts(r).filter((c) => c.section === 'preferred');
        if (dead.length === 0 || !evaluateAffinity(r, w, null).eligible) return;
        for (const conflict of dead) expect(w.tags[conflict.tag] === conflict.value).toBe(false);
      }),
    );
  });
});
