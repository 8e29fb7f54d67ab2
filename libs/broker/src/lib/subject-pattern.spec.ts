import fc from 'fast-check';
import { BrokerArgumentError } from './errors';
import { assertConcreteSubject, assertSubjectPattern, patternCovers, patternsOverlap, subjectMatches } from './subject-pattern';

describe('subject patterns', () => {
  it.each([
    ['a.b.c', 'a.b.c', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*', 'a.b.c', false],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['>', 'a', true],
    ['a.b', 'a.b.c', false],
    ['a.b.c', 'a.b', false],
    ['*.b', 'a.b', true],
  ])('subjectMatches(%s, %s) is %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it.each([
    ['a.>', 'a.*.c', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.>', false],
    ['a.b.c', 'a.*.c', false],
    ['a.*', 'a.*.c', false],
    ['>', 'x.>', true],
  ])('patternCovers(%s, %s) is %s', (general, specific, expected) => {
    expect(patternCovers(general, specific)).toBe(expected);
  });

  it.each([
    ['a.*.c', 'a.b.*', true],
    ['a.b.c', 'a.x.c', false],
    ['a.>', 'a.b', true],
    ['a.>', 'a', false],
    ['a.b.>', 'a.*', false],
    ['a.*', 'a.b.c', false],
  ])('patternsOverlap(%s, %s) is %s', (a, b, expected) => {
    expect(patternsOverlap(a, b)).toBe(expected);
    expect(patternsOverlap(b, a)).toBe(expected);
  });

  it.each(['', 'a..b', '.a', 'a.', 'a b', 'a.*', 'a.>', 'a.b*'])('refuses %j as a concrete subject', (subject) => {
    expect(() => assertConcreteSubject(subject)).toThrow(BrokerArgumentError);
  });

  it.each(['a.>.b', 'a.b>', 'a..*'])('refuses %j as a pattern', (pattern) => {
    expect(() => assertSubjectPattern(pattern)).toThrow(BrokerArgumentError);
  });

  describe('agree with each other on random subjects', () => {
    const token = fc.constantFrom('a', 'b', 'c');
    const concrete = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join('.'));
    const pattern = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', '*'), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([t, tail]) => (tail ? [...t, '>'] : t).join('.'));

    it('a subject matched by a covered pattern is matched by the covering one', () => {
      fc.assert(
        fc.property(pattern, pattern, concrete, (general, specific, subject) => {
          if (patternCovers(general, specific) && subjectMatches(specific, subject)) {
            expect(subjectMatches(general, subject)).toBe(true);
          }
        }),
      );
    });

    it('two patterns matching one subject overlap', () => {
      fc.assert(
        fc.property(pattern, pattern, concrete, (a, b, subject) => {
          if (subjectMatches(a, subject) && subjectMatches(b, subject)) {
            expect(patternsOverlap(a, b)).toBe(true);
          }
        }),
      );
    });
  });
});
