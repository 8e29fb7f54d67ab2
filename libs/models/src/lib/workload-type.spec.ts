import { isWorkloadTypeName } from './workload-type';

describe(isWorkloadTypeName.name, () => {
  it.each(['sleep', 'a', 'report.v2', 'etl_daily-1', '9lives', 'x'.repeat(128)])('accepts %j', (name) => {
    expect(isWorkloadTypeName(name)).toBe(true);
  });

  it.each(['', '-x', '.hidden', '_x', 'has space', 'a/b', 'x'.repeat(129), 'é'])('refuses %j', (name) => {
    expect(isWorkloadTypeName(name)).toBe(false);
  });
});
