import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

/** Changes to a workload type's config: absent fields stay, `null` clears a nullable one. */
export class UpdateWorkloadTypeDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1000, example: 200 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  default_priority?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, example: 5 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  max_retries?: number;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 31_536_000, description: 'null: no limit.', example: 3600 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31_536_000)
  timeout_seconds?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 86_400, description: 'null: no time-based checkpoints.', example: 30 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  checkpoint_interval_seconds?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0.001, maximum: 1, description: 'null: no progress-based checkpoints.', example: 0.25 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(1)
  checkpoint_progress_step?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Most workloads of this type running at once across the fleet (the rest wait with a pending_reason); null: no cap.',
    example: 50,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_concurrent?: number | null;
}
