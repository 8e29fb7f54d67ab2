import { EXPORT_COLUMNS, type ExportFormat } from '@niyanta/state';

/** How one export format frames the rows the database renders. */
export interface ExportFraming {
  contentType: string;
  extension: string;
  head: string;
  tail: string;
}

/** RFC 4180 CSV: a header line, then one line per workload (the database ends each with CRLF). */
const CSV_FRAMING: ExportFraming = {
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  head: `${EXPORT_COLUMNS.join(',')}\r\n`,
  tail: '',
};

/** `{"items": [row, ...]}`, one row object per line (every row but the first led by a comma). */
const JSON_FRAMING: ExportFraming = {
  contentType: 'application/json; charset=utf-8',
  extension: 'json',
  head: '{"items":[\n',
  tail: ']}\n',
};

/** The framing of `format`. */
export const EXPORT_FRAMING: Record<ExportFormat, ExportFraming> = { csv: CSV_FRAMING, json: JSON_FRAMING };
