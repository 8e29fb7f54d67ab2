import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { ALL_WORKLOAD_STATUSES, WorkloadStatus } from '@niyanta/models';
import { ANY_JSON_VALUE } from '../../common/json-value.schema';
import { AffinityResponseDto } from './affinity.dto';

const EXAMPLE_TIME = '2026-01-31T12:00:00.000Z';

/** Why a workload failed. */
export class WorkloadErrorDto {
  @ApiProperty({ example: 'handler_failed' })
  code!: string;

  @ApiProperty({ example: 'connection reset by upstream' })
  message!: string;
}

/** The newest checkpoint of a workload. */
export class LastCheckpointDto {
  @ApiProperty({ type: 'integer', description: 'Increases with every checkpoint of the workload.', example: 3 })
  sequence!: number;

  @ApiProperty({ type: 'integer', format: 'int64', description: 'Encoded state size before compression.', example: 2048 })
  size_bytes!: number;

  @ApiProperty({ format: 'date-time', example: EXAMPLE_TIME })
  created_at!: string;
}

/** A workload (SPEC §2); timestamps are RFC 3339 UTC. */
export class WorkloadDto {
  @ApiProperty({ format: 'uuid', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  customer_id!: string;

  @ApiProperty({ example: 'sleep' })
  workload_type!: string;

  @ApiProperty({ enum: ALL_WORKLOAD_STATUSES, enumName: 'WorkloadStatus', example: WorkloadStatus.Pending })
  status!: WorkloadStatus;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 1000, example: 500 })
  priority!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { duration_ms: 1000 } })
  input!: Record<string, unknown>;

  @ApiProperty({ ...ANY_JSON_VALUE, description: 'What the workload returned (when COMPLETED): any JSON value.', example: { slept_ms: 1000 } })
  output!: unknown;

  @ApiProperty({ type: WorkloadErrorDto, nullable: true, description: 'Why it failed (when FAILED).' })
  error!: WorkloadErrorDto | null;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.25 })
  progress!: number;

  @ApiProperty({ type: String, nullable: true, example: 'step 1 of 4' })
  progress_message!: string | null;

  @ApiProperty({ type: AffinityResponseDto })
  affinity!: AffinityResponseDto;

  @ApiProperty({ type: String, nullable: true, example: 'eu-west-1' })
  region!: string | null;

  @ApiProperty({ type: 'integer', example: 3 })
  max_retries!: number;

  @ApiProperty({ type: 'integer', description: '1 on the first run, +1 on every reassignment or retry.', example: 1 })
  attempt!: number;

  @ApiProperty({ type: 'integer', description: 'Failed attempts so far.', example: 0 })
  failure_count!: number;

  @ApiProperty({ type: String, nullable: true, example: 'worker-7f3a' })
  worker_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'nightly-2026-01-31' })
  idempotency_key!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The schedule whose tick created this workload (its idempotency key names the tick); null when submitted directly.',
    example: null,
  })
  schedule_id!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'search' } })
  labels!: Record<string, string>;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Why it waits (PENDING only; null otherwise): a reason the scheduler found (`no live worker has gpu=a100`, `customer at concurrency limit 10`, `all 4 fitting workers are full`), or `queued: waiting for its turn to be scheduled`.',
    example: 'all 4 fitting workers are full',
  })
  pending_reason!: string | null;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Ids of the workloads it depends on (SPEC §8); present only on a workload submitted with `depends_on`. `GET /v1/workloads/{id}/dependents` lists the other direction.',
    example: ['7f1c2a9e-1d1b-4f38-9a55-0a1b2c3d4e5f'],
  })
  depends_on?: string[];

  @ApiProperty({ type: LastCheckpointDto, nullable: true })
  last_checkpoint!: LastCheckpointDto | null;

  @ApiProperty({ format: 'date-time', example: EXAMPLE_TIME })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  scheduled_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  started_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  completed_at!: string | null;

  @ApiProperty({ format: 'date-time', example: EXAMPLE_TIME })
  updated_at!: string;
}

/** A workload as listed: `input` and `output` only when the listing's `include` names them. */
export class WorkloadListItemDto extends OmitType(WorkloadDto, ['input', 'output'] as const) {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Present only with `include=input`.',
    example: { duration_ms: 1000 },
  })
  input?: Record<string, unknown>;

  @ApiPropertyOptional({ ...ANY_JSON_VALUE, description: 'Present only with `include=output`: what the workload returned (when COMPLETED).', example: { slept_ms: 1000 } })
  output?: unknown;
}

/** A page of workloads, newest first. */
export class WorkloadListDto {
  @ApiProperty({ type: [WorkloadListItemDto] })
  items!: WorkloadListItemDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` to get the next page; null on the last page.',
    example: 'eyJ0IjoiMjAyNi0wMS0zMVQxMjowMDowMC4wMDAwMDBaIiwiaSI6IjBiNmY4ZTBlIn0',
  })
  next_cursor!: string | null;
}

/** The workloads of a batch submission, in request order. */
export class WorkloadBatchDto {
  @ApiProperty({ type: [WorkloadDto] })
  items!: WorkloadDto[];
}
