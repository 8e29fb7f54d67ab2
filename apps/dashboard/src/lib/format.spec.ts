import { duration, pendingReasonText } from './format';

describe(pendingReasonText.name, () => {
  it('says a code in words', () => {
    expect(pendingReasonText('no_capacity')).toBe('Every worker that fits is full; it runs when a slot frees up.');
  });

  it('says a code with its detail in words, the detail kept', () => {
    expect(pendingReasonText('waiting_for_dependencies: 1 of 2 parents not completed yet')).toBe(
      'Waiting for the workloads it depends on to complete (1 of 2 parents not completed yet).',
    );
  });

  it('keeps prose as it is, capitalised', () => {
    expect(pendingReasonText('customer at concurrency limit 2')).toBe('Customer at concurrency limit 2');
  });

  it('says an unknown code in plain words, and no reason as waiting for placement', () => {
    expect(pendingReasonText('some_new_reason')).toBe('Some new reason');
    expect(pendingReasonText(null)).toBe('Waiting for the scheduler to place it.');
  });
});

describe(duration.name, () => {
  it('picks the unit by size', () => {
    expect([duration(null), duration(250), duration(1_500), duration(90_000)]).toEqual(['—', '250 ms', '1.5 s', '1.5 min']);
  });
});
