import { ApiProperty } from '@nestjs/swagger';

/** Latency percentiles in milliseconds, estimated from fixed histogram buckets (null when none was measured). */
export class LatencyPercentilesDto {
  @ApiProperty({ type: Number, nullable: true, example: 12 })
  p50!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 85 })
  p95!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 190 })
  p99!: number | null;
}

/** One bucket of a summary (one per dimension combination when split with `group_by`). */
export class SummaryBucketDto {
  @ApiProperty({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' })
  bucket_start!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Set when split by `workload_type`.', example: 'sleep' })
  workload_type!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Set when split by `tier`.', example: 'standard' })
  tier!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'Set when split by `customer_id` (admin only).', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  customer_id!: string | null;

  @ApiProperty({ type: 'integer', example: 120 })
  submitted!: number;

  @ApiProperty({ type: 'integer', example: 110 })
  completed!: number;

  @ApiProperty({ type: 'integer', example: 3 })
  failed!: number;

  @ApiProperty({ type: 'integer', example: 1 })
  cancelled!: number;

  @ApiProperty({ type: 'integer', description: 'Failed attempts scheduled for another try.', example: 4 })
  retried!: number;

  @ApiProperty({ type: LatencyPercentilesDto, description: 'Submitted → running, of the workloads that ended in the bucket.' })
  wait_ms!: LatencyPercentilesDto;

  @ApiProperty({ type: LatencyPercentilesDto, description: 'Running → completed, of the workloads that completed in the bucket.' })
  run_ms!: LatencyPercentilesDto;
}

/** Throughput and latency over a range, from the rollups. */
export class AnalyticsSummaryDto {
  @ApiProperty({ format: 'date-time', example: '2026-01-30T12:00:00.000Z' })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' })
  to!: string;

  @ApiProperty({ enum: ['minute', 'hour', 'day'], enumName: 'AnalyticsBucket', example: 'hour' })
  bucket!: string;

  @ApiProperty({ type: [String], description: 'Dimensions the buckets are split by.', example: ['workload_type'] })
  group_by!: string[];

  @ApiProperty({ type: [SummaryBucketDto], description: 'Buckets with activity, oldest first.' })
  items!: SummaryBucketDto[];
}

/** Utilization of one worker. */
export class WorkerUtilizationDto {
  @ApiProperty({ example: 'worker-7f3a' })
  worker_id!: string;

  @ApiProperty({ type: String, nullable: true, example: 'eu-west-1' })
  region!: string | null;

  @ApiProperty({ example: 'ACTIVE' })
  status!: string;

  @ApiProperty({ type: 'integer', example: 8 })
  capacity!: number;

  @ApiProperty({ description: 'Seconds of workload execution in the range (the caller\'s workloads only, for a customer).', example: 5400 })
  busy_slot_seconds!: number;

  @ApiProperty({ description: 'Capacity × seconds the worker was registered and alive in the range.', example: 28800 })
  slot_seconds!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'busy_slot_seconds ÷ slot_seconds; null when slot_seconds is 0.', example: 0.1875 })
  utilization!: number | null;
}

/** Utilization summed over the workers of one region. */
export class RegionUtilizationDto {
  @ApiProperty({ type: String, nullable: true, example: 'eu-west-1' })
  region!: string | null;

  @ApiProperty({ type: 'integer', example: 3 })
  workers!: number;

  @ApiProperty({ example: 9000 })
  busy_slot_seconds!: number;

  @ApiProperty({ example: 86400 })
  slot_seconds!: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.104 })
  utilization!: number | null;
}

/** Worker utilization over a range. */
export class WorkerAnalyticsDto {
  @ApiProperty({ format: 'date-time', example: '2026-01-30T12:00:00.000Z' })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' })
  to!: string;

  @ApiProperty({ type: [WorkerUtilizationDto] })
  workers!: WorkerUtilizationDto[];

  @ApiProperty({ type: [RegionUtilizationDto] })
  regions!: RegionUtilizationDto[];
}

/** One workload of an export (`format=json`; the CSV has the same columns, labels as JSON text). */
export class ExportRowDto {
  @ApiProperty({ format: 'uuid', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  customer_id!: string;

  @ApiProperty({ example: 'sleep' })
  workload_type!: string;

  @ApiProperty({ example: 'COMPLETED' })
  status!: string;

  @ApiProperty({ type: 'integer', example: 1 })
  attempt!: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-01-31T12:00:00.004Z' })
  scheduled_at!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-01-31T12:00:00.012Z' })
  started_at!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-01-31T12:00:02.012Z' })
  completed_at!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Submitted → running (ms).', example: 12 })
  wait_ms!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Running → completed (ms), for completed workloads.', example: 2000 })
  run_ms!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'worker-7f3a' })
  worker_id!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Region of the worker.', example: 'eu-west-1' })
  region!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'search' } })
  labels!: Record<string, string>;
}

/** An export as JSON (`format=json`), streamed. */
export class WorkloadExportDto {
  @ApiProperty({ type: [ExportRowDto], description: 'One row per workload created in the range.' })
  items!: ExportRowDto[];
}

/** Named schemas without a class: the CSV body of an export. */
export const ANALYTICS_SCHEMAS = {
  WorkloadExportCsv: {
    type: 'string',
    description: 'RFC 4180 CSV: a header line, then one line per workload; columns as in ExportRowDto, labels as JSON text.',
    example: 'id,customer_id,workload_type,status,attempt,created_at,scheduled_at,started_at,completed_at,wait_ms,run_ms,worker_id,region,labels\r\n',
  },
} as const;
