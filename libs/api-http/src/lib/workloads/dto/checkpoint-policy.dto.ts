import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

/**
 * A workload's own checkpoint policy. A field left out keeps the type's setting; `null` turns that
 * trigger off for this workload (`IsOptional` lets null through unvalidated, which is what null means here).
 */
export class CheckpointPolicyDto {
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 86_400,
    description: 'Checkpoint every this many seconds of running; null: never by time.',
    example: 60,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  interval_seconds?: number | null;

  @ApiPropertyOptional({
    type: 'number',
    nullable: true,
    minimum: 0.001,
    maximum: 1,
    description: 'Checkpoint whenever progress has advanced by this fraction since the last one; null: never by progress.',
    example: 0.1,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(1)
  progress_step?: number | null;
}
