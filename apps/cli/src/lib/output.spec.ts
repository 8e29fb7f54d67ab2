import { formatProgress, formatValue, renderRecord, renderTable } from './output';

describe(renderTable.name, () => {
  it('aligns columns under their headers, without trailing spaces', () => {
    const rows = [
      { id: 'a1', status: 'RUNNING', note: 'x' },
      { id: 'b22222', status: 'PENDING', note: 'multi\nline' },
    ];
    expect(
      renderTable(rows, [
        { header: 'ID', cell: (r) => r.id },
        { header: 'STATUS', cell: (r) => r.status },
        { header: 'NOTE', cell: (r) => r.note },
      ]),
    ).toBe('ID      STATUS   NOTE\na1      RUNNING  x\nb22222  PENDING  multi line\n');
  });

  it('prints only the header for no rows', () => {
    expect(renderTable([], [{ header: 'ID', cell: () => '' }])).toBe('ID\n');
  });
});

describe(renderRecord.name, () => {
  it('prints keys aligned, nulls as -, objects as JSON', () => {
    expect(renderRecord({ id: 'w1', output: { words: 3 }, error: null })).toBe('id      w1\noutput  {"words":3}\nerror   -\n');
    expect(formatValue(undefined)).toBe('-');
    expect(formatProgress(0.426)).toBe('43%');
  });
});
