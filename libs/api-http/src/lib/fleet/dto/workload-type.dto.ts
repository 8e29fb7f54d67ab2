import { ApiProperty } from '@nestjs/swagger';

/** A registered workload type and its config. */
export class WorkloadTypeDto {
  @ApiProperty({ example: 'sleep' })
  workload_type!: string;

  @ApiProperty({ type: 'integer', description: 'Priority of a submission that gives none.', example: 100 })
  default_priority!: number;

  @ApiProperty({ type: 'integer', description: 'Retries of a submission that gives none.', example: 3 })
  max_retries!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Limit of one attempt; null: none.', example: null })
  timeout_seconds!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Checkpoint every N seconds; null: never by time.', example: 30 })
  checkpoint_interval_seconds!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Checkpoint every time progress advances by this fraction; null: never by progress.', example: 0.25 })
  checkpoint_progress_step!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Most workloads of this type running at once across the fleet; null: no cap.', example: null })
  max_concurrent!: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'JSON Schema (draft-07) of the input, as the type\'s workers declared it; submissions that do not match are refused with 400 `validation_failed` naming the fields. null: any JSON object.',
    example: { type: 'object', properties: { duration_ms: { type: 'number', minimum: 0 }, steps: { type: 'integer', minimum: 1 } }, required: ['duration_ms'] },
  })
  input_schema!: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  updated_at!: string;
}

/** Every registered workload type. */
export class WorkloadTypeListDto {
  @ApiProperty({ type: [WorkloadTypeDto] })
  items!: WorkloadTypeDto[];
}
