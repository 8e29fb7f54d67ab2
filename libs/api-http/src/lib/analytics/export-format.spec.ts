import type { ExportRow } from '@niyanta/state';
import { CSV_EXPORT, JSON_EXPORT } from './export-format';

const ROW: ExportRow = {
  id: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f',
  customer_id: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77',
  workload_type: 'sleep',
  status: 'COMPLETED',
  attempt: 1,
  created_at: '2026-01-31T12:00:00.000Z',
  scheduled_at: null,
  started_at: '2026-01-31T12:00:00.010Z',
  completed_at: '2026-01-31T12:00:01.010Z',
  wait_ms: 10,
  run_ms: 1000,
  worker_id: 'w1',
  region: null,
  labels: '{"team": "a, \\"b\\""}',
};

describe('export formats', () => {
  it('CSV quotes what needs quoting and leaves nulls empty', () => {
    const text = CSV_EXPORT.head + CSV_EXPORT.rows([ROW], true);
    const [header, line] = text.split('\r\n');
    expect(header?.split(',')).toHaveLength(14);
    expect(line).toBe(
      '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f,5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77,sleep,COMPLETED,1,2026-01-31T12:00:00.000Z,,' +
        '2026-01-31T12:00:00.010Z,2026-01-31T12:00:01.010Z,10,1000,w1,,"{""team"": ""a, \\""b\\""""}"',
    );
  });

  it('JSON pages join into one parseable list', () => {
    const text = JSON_EXPORT.head + JSON_EXPORT.rows([ROW, ROW], true) + JSON_EXPORT.rows([ROW], false) + JSON_EXPORT.tail;
    const parsed = (JSON.parse(text) as { items: Array<Record<string, unknown>> }).items;
    expect(parsed).toHaveLength(3);
    expect(parsed[2]).toEqual({ ...ROW, labels: { team: 'a, "b"' } });
    expect(JSON.parse(JSON_EXPORT.head + JSON_EXPORT.tail)).toEqual({ items: [] });
  });
});
