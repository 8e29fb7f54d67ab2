import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_WORKLOAD_STATUSES, WorkloadStatus } from '@niyanta/models';
import { ANY_JSON_VALUE } from '../common/json-value.schema';
import { WorkloadErrorDto } from '../workloads/dto/workload.dto';

/** A schedule fire, on the stream: which schedule created the workload, for which tick. */
export class StreamScheduleFireDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2a9e-8d3b-4b8e-9f0a-1c2d3e4f5a6b' })
  id!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The tick; null for a manual trigger.', example: '2026-01-31T02:30:00.000Z' })
  tick!: string | null;
}

/** The state of one workload in a stream message (a workload without its input and settings). */
export class WorkloadUpdateDto {
  @ApiProperty({ format: 'uuid', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })
  id!: string;

  @ApiProperty({ example: 'sleep' })
  workload_type!: string;

  @ApiProperty({ enum: ALL_WORKLOAD_STATUSES, enumName: 'WorkloadStatus', example: WorkloadStatus.Running })
  status!: WorkloadStatus;

  @ApiProperty({ type: 'integer', format: 'int32', description: '1 on the first run, +1 on every reassignment or retry.', example: 1 })
  attempt!: number;

  @ApiProperty({ type: 'number', format: 'double', minimum: 0, maximum: 1, example: 0.5 })
  progress!: number;

  @ApiProperty({ type: String, nullable: true, example: 'worker-7f3a' })
  worker_id!: string | null;

  @ApiProperty({ ...ANY_JSON_VALUE, description: 'What the workload returned (when COMPLETED): any JSON value.', example: null })
  output!: unknown;

  @ApiProperty({ type: WorkloadErrorDto, nullable: true, description: 'Why it failed (when FAILED).' })
  error!: WorkloadErrorDto | null;

  @ApiProperty({ format: 'date-time', description: 'When the workload reached this state.', example: '2026-01-31T12:00:00.000Z' })
  updated_at!: string;

  @ApiPropertyOptional({
    type: StreamScheduleFireDto,
    description: 'Present on the update of a workload a schedule just created (a schedule fire): the schedule and its tick.',
  })
  schedule?: StreamScheduleFireDto;
}

/** The first message of every connection: the matching workloads as they are now. */
export class StreamSnapshotMessageDto {
  @ApiProperty({ enum: ['snapshot'], enumName: 'StreamSnapshotMessageType', example: 'snapshot' })
  type!: 'snapshot';

  @ApiProperty({ type: [WorkloadUpdateDto], description: 'Newest first, at most `limit`, and at most 4 MiB of JSON (at least one workload).' })
  workloads!: WorkloadUpdateDto[];

  @ApiProperty({ description: 'True when more workloads matched than were sent (`limit` or the byte budget).', example: false })
  truncated!: boolean;

  @ApiProperty({ type: 'integer', format: 'int32', description: 'The most workloads a snapshot carries.', example: 1000 })
  limit!: number;
}

/** A workload changed state after the snapshot (every change is sent once, oldest first per workload). */
export class StreamUpdateMessageDto {
  @ApiProperty({ enum: ['update'], enumName: 'StreamUpdateMessageType', example: 'update' })
  type!: 'update';

  @ApiProperty({ type: WorkloadUpdateDto })
  workload!: WorkloadUpdateDto;
}
