import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { DomainError, ErrorCode, type ErrorDetail } from '@niyanta/models';
import { validationFailed } from '../../errors/validation-errors';
import { BatchCancelDto } from './batch-cancel.dto';
import { ListWorkloadsQueryDto } from './list-workloads.query.dto';
import { SubmitWorkloadBatchDto } from './submit-batch.dto';
import { SubmitWorkloadDto } from './submit-workload.dto';

const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: validationFailed });

async function validate<T>(metatype: new () => T, value: unknown, type: ArgumentMetadata['type'] = 'body'): Promise<T> {
  return pipe.transform(value, { type, metatype }) as Promise<T>;
}

async function details(metatype: new () => unknown, value: unknown, type: ArgumentMetadata['type'] = 'body'): Promise<ErrorDetail[]> {
  try {
    await validate(metatype, value, type);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.ValidationFailed);
    return (error as DomainError).details;
  }
  throw new Error('expected validation to fail');
}

describe(SubmitWorkloadDto.name, () => {
  it('accepts a full submission and keeps free-form input and label keys', async () => {
    const dto = await validate(SubmitWorkloadDto, {
      workload_type: 'sleep',
      input: { duration_ms: 5, nested: { list: [1, 2] } },
      priority: 1000,
      max_retries: 0,
      affinity: { required: { gpu: 'a100' }, preferred: {}, anti: { pool: 'spot' } },
      region: 'eu-west-1',
      labels: { team: 'search' },
      idempotency_key: 'k1',
    });
    expect(dto).toBeInstanceOf(SubmitWorkloadDto);
    expect(dto.input).toEqual({ duration_ms: 5, nested: { list: [1, 2] } });
    expect(dto.affinity?.required).toEqual({ gpu: 'a100' });
    expect(dto.labels).toEqual({ team: 'search' });
  });

  it('accepts the minimal submission', async () => {
    await expect(validate(SubmitWorkloadDto, { workload_type: 'sleep' })).resolves.toMatchObject({ workload_type: 'sleep' });
  });

  it('reports each invalid field by its path', async () => {
    const found = await details(SubmitWorkloadDto, {
      input: [1, 2],
      priority: 1001,
      max_retries: -1,
      affinity: { required: { gpu: 1 }, bogus: {} },
      labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])),
      unknown_field: true,
    });
    const paths = found.map((detail) => detail.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'workload_type',
        'input',
        'priority',
        'max_retries',
        'affinity.required',
        'affinity.bogus',
        'labels',
        'unknown_field',
      ]),
    );
    expect(found.find((detail) => detail.path === 'unknown_field')?.message).toBe('should not exist');
  });

  it('refuses a workload type a worker could not register (same rule as the registry)', async () => {
    for (const workloadType of ['-x', '.x', 'x'.repeat(129)]) {
      expect(await details(SubmitWorkloadDto, { workload_type: workloadType })).toEqual([
        { path: 'workload_type', message: expect.stringContaining('starting with a letter or digit') },
      ]);
    }
    await expect(validate(SubmitWorkloadDto, { workload_type: 'x-' })).resolves.toMatchObject({ workload_type: 'x-' });
  });

  it('rejects a non-integer priority and a malformed type name', async () => {
    const found = await details(SubmitWorkloadDto, { workload_type: 'has space', priority: 1.5 });
    expect(found.map((detail) => detail.path).sort()).toEqual(['priority', 'workload_type']);
  });
});

describe(SubmitWorkloadBatchDto.name, () => {
  it('names the failing item by index', async () => {
    const found = await details(SubmitWorkloadBatchDto, { items: [{ workload_type: 'sleep' }, { workload_type: 'sleep', priority: -1 }] });
    expect(found).toEqual([{ path: 'items.1.priority', message: 'must not be less than 0' }]);
  });

  it('rejects an empty batch and one over 1,000 items', async () => {
    expect((await details(SubmitWorkloadBatchDto, { items: [] }))[0]?.path).toBe('items');
    const tooMany = Array.from({ length: 1001 }, () => ({ workload_type: 'sleep' }));
    expect((await details(SubmitWorkloadBatchDto, { items: tooMany }))[0]?.path).toBe('items');
  });
});

describe(BatchCancelDto.name, () => {
  it('requires UUIDs', async () => {
    expect(await details(BatchCancelDto, { ids: ['nope'] })).toEqual([{ path: 'ids', message: 'each value must be a UUID' }]);
  });
});

describe(ListWorkloadsQueryDto.name, () => {
  it('parses query strings: repeated and comma-separated statuses, labels, limit', async () => {
    const query = await validate(
      ListWorkloadsQueryDto,
      { status: ['PENDING,RUNNING', 'PAUSED'], label: 'team:search', limit: '20', created_after: '2026-01-01T00:00:00Z' },
      'query',
    );
    expect(query.status).toEqual(['PENDING', 'RUNNING', 'PAUSED']);
    expect(query.label).toEqual(['team:search']);
    expect(query.limit).toBe(20);
  });

  it('rejects bad filters', async () => {
    const found = await details(ListWorkloadsQueryDto, { status: 'DONE', label: 'nocolon', limit: '501', created_before: 'yesterday' }, 'query');
    expect(found.map((detail) => detail.path).sort()).toEqual(['created_before', 'label', 'limit', 'status']);
  });
});
