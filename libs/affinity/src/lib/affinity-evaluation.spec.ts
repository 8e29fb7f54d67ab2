import fc from 'fast-check';
import { AffinityRules } from '@niyanta/models';
import { AffinityTarget, PREFERRED_MATCH_SCORE, REGION_MATCH_SCORE, describeAffinity, evaluateAffinity } from './affinity-evaluation';

// Small alphabets so that random rules and random workers actually overlap.
const tagName = fc.constantFrom('gpu', 'zone', 'disk', 'arch', 'team');
const tagValue = fc.constantFrom('a', 'b', 'c');
const tags = fc.dictionary(tagName, tagValue, { maxKeys: 5 });
const region = fc.option(fc.constantFrom('eu', 'us', 'ap'), { nil: null });
const rules: fc.Arbitrary<AffinityRules> = fc.record({ required: tags, preferred: tags, anti: tags });
const worker: fc.Arbitrary<AffinityTarget> = fc.record({ tags, region });

describe(evaluateAffinity.name, () => {
  it('is eligible exactly when every required tag matches and no anti tag matches', () => {
    fc.assert(
      fc.property(rules, worker, region, (r, w, preferredRegion) => {
        const result = evaluateAffinity(r, w, preferredRegion);
        const requiredOk = Object.entries(r.required).every(([k, v]) => w.tags[k] === v);
        const antiHit = Object.entries(r.anti).some(([k, v]) => w.tags[k] === v);
        expect(result.eligible).toBe(requiredOk && !antiHit);
        expect(result.violations.length === 0).toBe(result.eligible);
      }),
    );
  });

  it('is never eligible when a required tag mismatches, and names the rule', () => {
    fc.assert(
      fc.property(rules, worker, tagName, tagValue, fc.boolean(), (r, w, tag, value, otherValue) => {
        const target = { ...w, tags: { ...w.tags } };
        delete target.tags[tag];
        if (otherValue) target.tags[tag] = value === 'a' ? 'b' : 'a';
        const result = evaluateAffinity({ ...r, required: { ...r.required, [tag]: value } }, target, null);
        expect(result.eligible).toBe(false);
        expect(result.violations).toContain(`requires ${tag}=${value}`);
      }),
    );
  });

  it('is never eligible when an anti tag matches, and names the rule', () => {
    fc.assert(
      fc.property(rules, worker, tagName, tagValue, (r, w, tag, value) => {
        const target = { ...w, tags: { ...w.tags, [tag]: value } };
        const result = evaluateAffinity({ ...r, anti: { ...r.anti, [tag]: value } }, target, null);
        expect(result.eligible).toBe(false);
        expect(result.violations).toContain(`anti ${tag}=${value}`);
      }),
    );
  });

  it('counts preferred matches and scores them ahead of the region', () => {
    fc.assert(
      fc.property(rules, worker, region, (r, w, preferredRegion) => {
        const result = evaluateAffinity(r, w, preferredRegion);
        const expected = Object.entries(r.preferred).filter(([k, v]) => w.tags[k] === v).length;
        expect(result.preferredMatches).toBe(expected);
        expect(result.preferredTotal).toBe(Object.keys(r.preferred).length);
        expect(result.regionMatch).toBe(preferredRegion !== null && w.region === preferredRegion);
        expect(result.score).toBe(expected * PREFERRED_MATCH_SCORE + (result.regionMatch ? REGION_MATCH_SCORE : 0));
      }),
    );
  });

  it('score is monotone in preferred matches: matching one more preferred tag never lowers it', () => {
    fc.assert(
      fc.property(rules, worker, region, tagName, (r, w, preferredRegion, tag) => {
        fc.pre(r.preferred[tag] !== undefined && w.tags[tag] !== r.preferred[tag]);
        const before = evaluateAffinity(r, w, preferredRegion);
        const after = evaluateAffinity(r, { ...w, tags: { ...w.tags, [tag]: r.preferred[tag] } }, preferredRegion);
        expect(after.preferredMatches).toBe(before.preferredMatches + 1);
        expect(after.score).toBeGreaterThan(before.score);
      }),
    );
  });

  it('one more preferred match outweighs a region match', () => {
    fc.assert(
      fc.property(fc.nat(10), (matches) => {
        expect((matches + 1) * PREFERRED_MATCH_SCORE).toBeGreaterThan(matches * PREFERRED_MATCH_SCORE + REGION_MATCH_SCORE);
      }),
    );
  });

  it('a region match raises the score; no preferred region gives no region bonus', () => {
    fc.assert(
      fc.property(rules, tags, fc.constantFrom('eu', 'us'), (r, t, wanted) => {
        const inRegion = evaluateAffinity(r, { tags: t, region: wanted }, wanted);
        const elsewhere = evaluateAffinity(r, { tags: t, region: wanted === 'eu' ? 'us' : 'eu' }, wanted);
        const noRegion = evaluateAffinity(r, { tags: t, region: null }, wanted);
        const noPreference = evaluateAffinity(r, { tags: t, region: wanted }, null);
        expect(inRegion.regionMatch).toBe(true);
        expect(inRegion.score).toBeGreaterThan(elsewhere.score);
        expect(inRegion.score).toBeGreaterThan(noRegion.score);
        expect(noPreference.regionMatch).toBe(false);
        expect(noPreference.score).toBe(elsewhere.score);
      }),
    );
  });

  it('treats missing rule sections as empty', () => {
    const result = evaluateAffinity({ required: { gpu: 'a100' } }, { tags: { gpu: 'a100' }, region: null }, null);
    expect(result).toEqual({ eligible: true, violations: [], preferredMatches: 0, preferredTotal: 0, regionMatch: false, score: 0 });
  });

  it('compares tags exactly and only as own properties', () => {
    const w = { tags: { gpu: 'A100' }, region: null };
    expect(evaluateAffinity({ required: { gpu: 'a100' } }, w, null).eligible).toBe(false);
    expect(evaluateAffinity({ required: { constructor: 'x' } }, { tags: {}, region: null }, null).violations).toEqual([
      'requires constructor=x',
    ]);
  });
});

describe(describeAffinity.name, () => {
  it('explains a pair in one line, from the evaluation', () => {
    const rules = { required: { gpu: 'a100' }, preferred: { ssd: 'yes', zone: 'a' }, anti: { pool: 'spot' } };
    expect(describeAffinity(evaluateAffinity(rules, { tags: { gpu: 'a100', ssd: 'yes' }, region: 'eu' }, 'eu'), 'eu')).toBe(
      'eligible: 1/2 preferred tags, region eu matches',
    );
    expect(describeAffinity(evaluateAffinity(rules, { tags: { pool: 'spot' }, region: null }, null), null)).toBe(
      'not eligible: requires gpu=a100, anti pool=spot',
    );
    expect(describeAffinity(evaluateAffinity({}, { tags: {}, region: 'us' }, 'eu'), 'eu')).toBe('eligible: region eu does not match');
    expect(describeAffinity(evaluateAffinity({}, { tags: {}, region: null }, null), null)).toBe('eligible');
  });

  it('says "not eligible" exactly for ineligible pairs and names every violation', () => {
    fc.assert(
      fc.property(rules, worker, region, (r, w, preferredRegion) => {
        const evaluation = evaluateAffinity(r, w, preferredRegion);
        const text = describeAffinity(evaluation, preferredRegion);
        expect(text.startsWith('not eligible')).toBe(!evaluation.eligible);
        for (const violation of evaluation.violations) expect(text).toContain(violation);
      }),
    );
  });
});
