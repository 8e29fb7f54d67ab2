/** A column of {@link renderTable}: a header and how to get the cell text from a row. */
export interface Column<T> {
  header: string;
  cell: (row: T) => string;
}

/** Renders rows as a plain aligned text table (no colours, so it pipes and greps well). */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (values: readonly string[]): string =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** Renders one object as `key  value` lines; nested values as compact JSON. */
export function renderRecord(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return (
    Object.entries(record)
      .map(([key, value]) => `${key.padEnd(width)}  ${formatValue(value)}`)
      .join('\n') + '\n'
  );
}

/** A value as table text: `-` for null/undefined, strings as is, anything else as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Progress 0–1 as a percentage. */
export function formatProgress(progress: number): string {
  return `${Math.round(progress * 100)}%`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
