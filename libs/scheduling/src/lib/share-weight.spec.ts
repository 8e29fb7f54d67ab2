import { DEFAULT_TIERS } from '@niyanta/models';
import { tierShareWeight } from './share-weight';

describe(tierShareWeight.name, () => {
  it('gives the default tiers shares 1, 2, 3 and 5', () => {
    const shares = Object.fromEntries(Object.values(DEFAULT_TIERS).map((tier) => [tier.name, tierShareWeight(tier)]));
    expect(shares).toEqual({ free: 1, standard: 2, premium: 3, enterprise: 5 });
  });

  it('never goes below 1, even for a negative or invalid weight', () => {
    expect(tierShareWeight({ schedulingWeight: -100 })).toBe(1);
    expect(tierShareWeight({ schedulingWeight: Number.NaN })).toBe(1);
  });
});
