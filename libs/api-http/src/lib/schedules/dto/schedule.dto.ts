import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ALL_WORKLOAD_STATUSES, WorkloadStatus } from '@niyanta/models';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { SubmitWorkloadDto } from '../../workloads/dto/submit-workload.dto';

/** What a tick does while the previous tick's workload has not finished. */
export const OVERLAP_VALUES = ['skip', 'allow', 'cancel_previous'] as const;
export type OverlapValue = (typeof OVERLAP_VALUES)[number];

const EXAMPLE_ID = '6f1c2a9e-8d3b-4b8e-9f0a-1c2d3e4f5a6b';

/** The workload a schedule submits at every tick: a submit body without an idempotency key (the tick is the key) and without dependencies (each tick's workload stands alone). */
export class ScheduledWorkloadDto extends OmitType(SubmitWorkloadDto, ['idempotency_key', 'depends_on', 'ref'] as const) {}

/** `POST /v1/schedules`. */
export class CreateScheduleDto {
  @ApiProperty({ description: 'Unique among the caller\'s schedules.', example: 'nightly-report', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    description:
      'Cron expression: 5 fields `minute hour day-of-month month day-of-week` (minute granularity) or 6 with seconds first. Ranges, lists, steps and names (`MON`, `JAN`) are accepted; a day-of-month and a day-of-week both set fire on either.',
    example: '30 2 * * *',
  })
  @IsString()
  @Length(1, 200)
  cron!: string;

  @ApiPropertyOptional({
    description: 'IANA time zone the expression is read in; ticks follow its daylight-saving changes (a time skipped by spring-forward fires at the jump, a time repeated by fall-back fires once).',
    default: 'UTC',
    example: 'Europe/London',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  timezone?: string;

  @ApiProperty({ type: ScheduledWorkloadDto, description: 'What each tick submits, as `POST /v1/workloads` takes it (validated now against the type\'s config).' })
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduledWorkloadDto)
  workload!: ScheduledWorkloadDto;

  @ApiPropertyOptional({
    enum: OVERLAP_VALUES,
    enumName: 'ScheduleOverlap',
    default: 'skip',
    description: 'While the previous tick\'s workload has not finished: `skip` creates nothing for this tick, `allow` creates it anyway, `cancel_previous` cancels the previous one and creates this one.',
    example: 'skip',
  })
  @IsOptional()
  @IsIn(OVERLAP_VALUES)
  overlap?: OverlapValue;

  @ApiPropertyOptional({ description: 'Create it paused (no ticks until resumed).', default: false, example: false })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;
}

/** `PATCH /v1/schedules/{id}`: any field of the create body; a new `cron` or `timezone` recomputes `next_run_at`. */
export class UpdateScheduleDto extends PartialType(CreateScheduleDto) {}

/** One recent run of a schedule. */
export class ScheduleRunDto {
  @ApiProperty({ format: 'uuid', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })
  workload_id!: string;

  @ApiProperty({ enum: ALL_WORKLOAD_STATUSES, enumName: 'WorkloadStatus', example: WorkloadStatus.Completed })
  status!: WorkloadStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The tick it was created for; null for a manual trigger.', example: '2026-01-31T02:30:00.000Z' })
  tick!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T02:30:00.041Z' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-01-31T02:31:12.512Z' })
  completed_at!: string | null;
}

/** A schedule. */
export class ScheduleDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ example: 'nightly-report' })
  name!: string;

  @ApiProperty({ example: '30 2 * * *' })
  cron!: string;

  @ApiProperty({ example: 'Europe/London' })
  timezone!: string;

  @ApiProperty({ type: ScheduledWorkloadDto })
  workload!: ScheduledWorkloadDto;

  @ApiProperty({ enum: OVERLAP_VALUES, enumName: 'ScheduleOverlap', example: 'skip' })
  overlap!: OverlapValue;

  @ApiProperty({ example: false })
  paused!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The next tick; null while paused.', example: '2026-02-01T02:30:00.000Z' })
  next_run_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The latest tick fired or skipped.', example: '2026-01-31T02:30:00.000Z' })
  last_tick_at!: string | null;

  @ApiPropertyOptional({ type: [ScheduleRunDto], description: 'The latest runs, newest first (on `GET /v1/schedules/{id}` only).' })
  last_runs?: ScheduleRunDto[];

  @ApiProperty({ format: 'date-time', example: '2026-01-30T09:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-30T09:00:00.000Z' })
  updated_at!: string;
}

export class ScheduleListDto {
  @ApiProperty({ type: [ScheduleDto] })
  items!: ScheduleDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page.', example: EXAMPLE_ID })
  next_cursor!: string | null;
}

/** `GET /v1/schedules` query. */
export class ListSchedulesQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page (opaque).', example: EXAMPLE_ID })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  cursor?: string;
}

/** What `POST /v1/schedules/{id}/trigger` did. */
export class TriggerScheduleResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The workload created now.', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })
  workload_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The previous run, cancelled by `cancel_previous`.', example: null })
  cancelled_workload_id!: string | null;
}
