import { EXPORT_FRAMING } from './export-format';

const ROW = '{"id": "0b6f8e0e", "labels": {"team": "a, \\"b\\""}}';

describe('export framing', () => {
  it('CSV starts with the column header line (CRLF)', () => {
    expect(EXPORT_FRAMING.csv.head).toBe(
      'id,customer_id,workload_type,status,attempt,created_at,scheduled_at,started_at,completed_at,wait_ms,run_ms,worker_id,region,labels\r\n',
    );
    expect(EXPORT_FRAMING.csv.tail).toBe('');
  });

  it('JSON frames the database lines (each but the first led by a comma) into one parseable object, empty or not', () => {
    const json = EXPORT_FRAMING.json;
    const parsed = JSON.parse(`${json.head}${ROW}\n,${ROW}\n,${ROW}\n${json.tail}`) as { items: unknown[] };
    expect(parsed.items).toHaveLength(3);
    expect(parsed.items[2]).toEqual({ id: '0b6f8e0e', labels: { team: 'a, "b"' } });
    expect(JSON.parse(json.head + json.tail)).toEqual({ items: [] });
  });
});
