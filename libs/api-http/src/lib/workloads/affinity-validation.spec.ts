import { DomainError } from '@niyanta/models';
import { assertConsistentAffinity } from './affinity-validation';

describe(assertConsistentAffinity.name, () => {
  it('accepts consistent or missing rules', () => {
    expect(() => assertConsistentAffinity([{}, { affinity: { required: { gpu: 'a100' }, anti: { pool: 'spot' } } }], () => '')).not.toThrow();
  });

  it('names every contradiction with its path', () => {
    let error: unknown;
    try {
      assertConsistentAffinity(
        [{ affinity: { required: { gpu: 'a100' } } }, { affinity: { required: { gpu: 'a100' }, anti: { gpu: 'a100' }, preferred: { gpu: 'v100' } } }],
        (index) => `items.${index}.`,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).details).toEqual([
      { path: 'items.1.affinity.anti.gpu', message: 'gpu=a100 is both required and anti' },
      { path: 'items.1.affinity.preferred.gpu', message: 'preferred gpu=v100 can never match: gpu=a100 is required' },
    ]);
  });
});
