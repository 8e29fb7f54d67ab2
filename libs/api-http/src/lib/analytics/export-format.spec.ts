import { EXPORT_FRAMING } from './export-format';

const ROW = '{"id": "0b6f8e0e", "labels": {"team": "a, \\"b\\""}}';

describe('export framing', () => {
  it('CSV starts with the column header and ends every line with CRLF', () => {
    const csv = EXPORT_FRAMING.csv;
    const text = csv.head + csv.page(['a,b', 'c,"d ""e"""'], true) + csv.page([], false) + csv.tail;
    expect(text).toBe(
      'id,customer_id,workload_type,status,attempt,created_at,scheduled_at,started_at,completed_at,wait_ms,run_ms,worker_id,region,labels\r\n' +
        'a,b\r\nc,"d ""e"""\r\n',
    );
  });

  it('JSON pages join into one parseable object, empty or not', () => {
    const json = EXPORT_FRAMING.json;
    const text = json.head + json.page([ROW, ROW], true) + json.page([], false) + json.page([ROW], false) + json.tail;
    const parsed = JSON.parse(text) as { items: unknown[] };
    expect(parsed.items).toHaveLength(3);
    expect(parsed.items[2]).toEqual({ id: '0b6f8e0e', labels: { team: 'a, "b"' } });
    expect(JSON.parse(json.head + json.tail)).toEqual({ items: [] });
  });
});
