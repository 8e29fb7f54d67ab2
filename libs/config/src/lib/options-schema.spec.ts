import { z } from 'zod';
import { leaseRenewalFits, nonNegativeInteger, parseOptions, positiveInteger, positiveNumber } from './options-schema';

describe(parseOptions.name, () => {
  const schema = z.object({ a: positiveNumber(), b: positiveInteger().default(3), c: nonNegativeInteger().optional() });

  it('returns the parsed options with defaults filled in', () => {
    expect(parseOptions(schema, { a: 0.5 }, 'Opts')).toEqual({ a: 0.5, b: 3 });
  });

  it('names every bad field with its value', () => {
    expect(() => parseOptions(schema, { a: 0, b: 1.5, c: -1 }, 'Opts')).toThrow(
      new RangeError(
        'Opts.a must be a positive number, got 0; Opts.b must be a positive integer, got 1.5; Opts.c must be an integer >= 0, got -1',
      ),
    );
    expect(() => parseOptions(schema, { a: Number.NaN }, 'Opts')).toThrow('Opts.a must be a positive number, got NaN');
  });
});

describe(leaseRenewalFits.name, () => {
  it('wants at least two renewals per lease', () => {
    expect(leaseRenewalFits(1_000, 500)).toBe(true);
    expect(leaseRenewalFits(1_000, 501)).toBe(false);
  });
});
