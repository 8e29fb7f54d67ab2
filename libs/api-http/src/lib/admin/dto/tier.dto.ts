import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TIER_LIMIT_DEFAULTS } from '@niyanta/models';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

/** What a tier grants; the name is the path parameter. */
export class PutTierDto {
  @ApiProperty({ description: 'Sustained requests per second (token refill).', minimum: 0.001, maximum: 1_000_000, example: 100 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(1_000_000)
  requests_per_second!: number;

  @ApiProperty({ type: 'integer', description: 'Bucket size: requests that may arrive at once.', minimum: 1, maximum: 1_000_000, example: 200 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  burst!: number;

  @ApiProperty({ type: 'integer', description: 'Workloads one customer may have SCHEDULED, RUNNING or PAUSING at once.', minimum: 0, maximum: 1_000_000, example: 100 })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  max_running!: number;

  @ApiProperty({ type: 'integer', description: 'Added to the effective priority when scheduling.', minimum: 0, maximum: 1000, example: 50 })
  @IsInt()
  @Min(0)
  @Max(1000)
  scheduling_weight!: number;

  @ApiProperty({ type: 'integer', description: 'Highest priority a submission may ask for.', minimum: 0, maximum: 1000, example: 800 })
  @IsInt()
  @Min(0)
  @Max(1000)
  max_priority!: number;

  @ApiPropertyOptional({
    type: 'integer',
    description:
      'Workloads one customer may have waiting (PENDING or PAUSED) at once; a submission beyond it is 429 `quota_exceeded`.',
    minimum: 0,
    maximum: 100_000_000,
    default: TIER_LIMIT_DEFAULTS.maxPending,
    example: 100_000,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  max_pending?: number;

  @ApiPropertyOptional({
    description:
      'Largest share of the live fleet\'s slots one customer may hold at once (at least one slot), so a small fleet is shared with other customers.',
    minimum: 0.01,
    maximum: 1,
    default: TIER_LIMIT_DEFAULTS.maxFleetShare,
    example: 0.75,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(1)
  max_fleet_share?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Cron schedules one customer may keep (`/v1/schedules`); creating one more is 429 `quota_exceeded`.',
    minimum: 0,
    maximum: 1_000_000,
    default: TIER_LIMIT_DEFAULTS.maxSchedules,
    example: 100,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  max_schedules?: number;
}

/** A tier definition. */
export class TierDto extends PutTierDto {
  @ApiProperty({ example: 'standard' })
  name!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  updated_at!: string;
}

/** Every tier, by name. */
export class TierListDto {
  @ApiProperty({ type: [TierDto] })
  items!: TierDto[];
}
