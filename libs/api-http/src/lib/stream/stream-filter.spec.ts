import { DomainError, ErrorCode } from '@niyanta/models';
import { matchesFilter, MAX_STREAM_IDS, parseStreamFilter, snapshotStatuses } from './stream-filter';

const ID_A = '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f';
const ID_B = '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77';

function parse(query: string) {
  return parseStreamFilter(new URLSearchParams(query));
}

function details(query: string): Array<{ path: string; message: string }> {
  try {
    parse(query);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.ValidationFailed);
    return (error as DomainError).details;
  }
  throw new Error(`expected ${query} to be rejected`);
}

describe(parseStreamFilter.name, () => {
  it('has no filter without parameters', () => {
    expect(parse('')).toEqual({});
  });

  it('reads ids, statuses and the type, repeated or comma-separated', () => {
    const filter = parse(`ids=${ID_A},${ID_B.toUpperCase()}&status=PENDING,RUNNING&status=PAUSED&workload_type=sleep`);
    expect([...(filter.ids ?? [])]).toEqual([ID_A, ID_B]);
    expect([...(filter.statuses ?? [])]).toEqual(['PENDING', 'RUNNING', 'PAUSED']);
    expect(filter.workloadType).toBe('sleep');
  });

  it('names every bad parameter', () => {
    expect(details('ids=nope&status=DONE&workload_type=a&workload_type=b&api_key=x').map((d) => d.path)).toEqual([
      'api_key',
      'ids',
      'status',
      'workload_type',
    ]);
  });

  it('rejects empty lists and too many ids', () => {
    expect(details('ids=').map((d) => d.path)).toEqual(['ids']);
    expect(details('status=,').map((d) => d.path)).toEqual(['status']);
    const many = Array.from({ length: MAX_STREAM_IDS + 1 }, () => ID_A).join(',');
    expect(details(`ids=${many}`)[0]?.message).toContain(`at most ${MAX_STREAM_IDS}`);
    expect(details(`workload_type=${'x'.repeat(129)}`)[0]?.path).toBe('workload_type');
  });
});

describe(matchesFilter.name, () => {
  const state = { id: ID_A, workloadType: 'sleep', status: 'RUNNING' as const };

  it('matches everything without a filter', () => {
    expect(matchesFilter({}, state)).toBe(true);
  });

  it('requires every given field to match', () => {
    expect(matchesFilter(parse(`ids=${ID_A.toUpperCase()}`), state)).toBe(true);
    expect(matchesFilter(parse(`ids=${ID_B}`), state)).toBe(false);
    expect(matchesFilter(parse('status=RUNNING,PENDING'), state)).toBe(true);
    expect(matchesFilter(parse('status=COMPLETED'), state)).toBe(false);
    expect(matchesFilter(parse('workload_type=sleep&status=RUNNING'), state)).toBe(true);
    expect(matchesFilter(parse('workload_type=flaky&status=RUNNING'), state)).toBe(false);
  });
});

describe(snapshotStatuses.name, () => {
  it('reads unfinished workloads by default, all statuses for named ids, and the filter when given', () => {
    expect(snapshotStatuses({})).toEqual(['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSING', 'PAUSED']);
    expect(snapshotStatuses(parse(`ids=${ID_A}`))).toBeUndefined();
    expect(snapshotStatuses(parse(`ids=${ID_A}&status=COMPLETED`))).toEqual(['COMPLETED']);
  });
});
