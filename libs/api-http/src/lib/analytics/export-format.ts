import { EXPORT_COLUMNS, type ExportFormat } from '@niyanta/state';

/** How one export format frames the lines the database renders. */
export interface ExportFraming {
  contentType: string;
  extension: string;
  head: string;
  /** `first` is true for the first page of the whole export. */
  page(lines: string[], first: boolean): string;
  tail: string;
}

/** RFC 4180 CSV: a header line, then one line per workload (CRLF line ends). */
const CSV_FRAMING: ExportFraming = {
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  head: `${EXPORT_COLUMNS.join(',')}\r\n`,
  page: (lines) => (lines.length ? `${lines.join('\r\n')}\r\n` : ''),
  tail: '',
};

/** `{"items": [row, ...]}`, one row object per line. */
const JSON_FRAMING: ExportFraming = {
  contentType: 'application/json; charset=utf-8',
  extension: 'json',
  head: '{"items":[',
  page: (lines, first) => (lines.length ? `${first ? '\n' : ',\n'}${lines.join(',\n')}` : ''),
  tail: '\n]}\n',
};

/** The framing of `format`. */
export const EXPORT_FRAMING: Record<ExportFormat, ExportFraming> = { csv: CSV_FRAMING, json: JSON_FRAMING };
