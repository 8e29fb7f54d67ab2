import { EXPORT_COLUMNS, type ExportRow } from '@niyanta/state';

/** How one export format frames and encodes rows. */
export interface ExportFormat {
  contentType: string;
  extension: string;
  head: string;
  /** `first` is true for the first row of the whole export. */
  rows(rows: ExportRow[], first: boolean): string;
  tail: string;
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header line; labels are their JSON text. */
export const CSV_EXPORT: ExportFormat = {
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  head: `${EXPORT_COLUMNS.join(',')}\r\n`,
  rows: (rows) => {
    let out = '';
    for (const row of rows) out += `${EXPORT_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`;
    return out;
  },
  tail: '',
};

/** `{"items": [row, ...]}`; labels stay the stored JSON object. */
export const JSON_EXPORT: ExportFormat = {
  contentType: 'application/json; charset=utf-8',
  extension: 'json',
  head: '{"items":[',
  rows: (rows, first) => {
    let out = '';
    rows.forEach((row, i) => {
      const { labels, ...rest } = row;
      // labels is the database's own JSON text: spliced in rather than parsed and re-encoded.
      out += `${first && i === 0 ? '\n' : ',\n'}${JSON.stringify(rest).slice(0, -1)},"labels":${labels}}`;
    });
    return out;
  },
  tail: '\n]}\n',
};
