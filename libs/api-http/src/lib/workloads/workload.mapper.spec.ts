import type { Workload } from '@niyanta/models';
import { toWorkloadDto } from './workload.mapper';

const SPEC_FIELDS = [
  'id', 'customer_id', 'workload_type', 'status', 'priority', 'input', 'output', 'error', 'progress', 'progress_message',
  'affinity', 'region', 'max_retries', 'attempt', 'worker_id', 'idempotency_key', 'schedule_id', 'labels', 'last_checkpoint',
  'created_at', 'scheduled_at', 'started_at', 'completed_at', 'updated_at',
];

function workload(overrides: Partial<Workload> = {}): Workload {
  const at = new Date('2026-01-31T12:00:00.123Z');
  return {
    id: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f',
    customerId: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77',
    workloadType: 'sleep',
    status: 'RUNNING',
    priority: 100,
    input: { duration_ms: 5 },
    output: null,
    error: null,
    progress: 0.5,
    progressMessage: 'half',
    affinity: { required: { gpu: 'a100' }, preferred: {}, anti: {} },
    region: null,
    maxRetries: 3,
    attempt: 2,
    failureCount: 1,
    workerId: 'w1',
    idempotencyKey: null,
    scheduleId: null,
    labels: { team: 'x' },
    pendingReason: null,
    lastCheckpoint: { sequence: 4, sizeBytes: 100, createdAt: at },
    timeoutSeconds: 60,
    notBefore: null,
    createdAt: at,
    scheduledAt: at,
    startedAt: at,
    completedAt: null,
    updatedAt: at,
    ...overrides,
  };
}

describe(toWorkloadDto.name, () => {
  it('has exactly the SPEC §2 fields plus pending_reason and failure_count, in snake_case', () => {
    const dto = toWorkloadDto(workload());
    expect(Object.keys(dto).sort()).toEqual([...SPEC_FIELDS, 'pending_reason', 'failure_count'].sort());
    expect(dto).toMatchObject({
      customer_id: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77',
      failure_count: 1,
      last_checkpoint: { sequence: 4, size_bytes: 100, created_at: '2026-01-31T12:00:00.123Z' },
      completed_at: null,
      created_at: '2026-01-31T12:00:00.123Z',
    });
  });

  it('writes timestamps as RFC 3339 UTC', () => {
    const dto = toWorkloadDto(workload({ completedAt: new Date(Date.UTC(2026, 0, 31, 23, 59, 59)) }));
    expect(dto.completed_at).toBe('2026-01-31T23:59:59.000Z');
    expect(dto.last_checkpoint).not.toBeNull();
    expect(toWorkloadDto(workload({ lastCheckpoint: null })).last_checkpoint).toBeNull();
  });
});
