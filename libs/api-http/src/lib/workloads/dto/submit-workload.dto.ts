import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WORKLOAD_LIMITS, WORKLOAD_TYPE_PATTERN, WORKLOAD_TYPE_RULE } from '@niyanta/models';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { describeJsonLimits, INPUT_LIMITS, IsBoundedJson } from '../../common/bounded-json';
import { OpaqueJson } from '../../common/opaque-json';
import { IsStringMap } from '../../common/string-map.validator';
import { AffinityDto } from './affinity.dto';
import { CheckpointPolicyDto } from './checkpoint-policy.dto';

/** A workload to run (SPEC §2). Anything not given comes from the type's config. */
export class SubmitWorkloadDto {
  @ApiProperty({ description: 'A registered workload type (see GET /v1/workload-types).', example: 'sleep' })
  @IsString()
  @Matches(WORKLOAD_TYPE_PATTERN, { message: WORKLOAD_TYPE_RULE })
  workload_type!: string;

  @ApiPropertyOptional({
    description: `Input handed to the workload, a JSON object. ${describeJsonLimits(INPUT_LIMITS)}`,
    type: 'object',
    additionalProperties: true,
    default: {},
    example: { duration_ms: 1000 },
  })
  @IsOptional()
  @OpaqueJson()
  @IsObject()
  @IsBoundedJson(INPUT_LIMITS)
  input?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Higher runs first. Defaults to the type\'s default priority.',
    minimum: WORKLOAD_LIMITS.minPriority,
    maximum: WORKLOAD_LIMITS.maxPriority,
    example: 500,
  })
  @IsOptional()
  @IsInt()
  @Min(WORKLOAD_LIMITS.minPriority)
  @Max(WORKLOAD_LIMITS.maxPriority)
  priority?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Retries after a failed attempt before the workload is FAILED. Defaults to the type\'s.',
    minimum: 0,
    maximum: 100,
    example: 3,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  max_retries?: number;

  @ApiPropertyOptional({ description: 'Which workers may run it and which are preferred.', type: AffinityDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AffinityDto)
  affinity?: AffinityDto;

  @ApiPropertyOptional({
    description:
      'This workload\'s own checkpoint policy; a field left out keeps the type\'s (GET /v1/workload-types), null turns that trigger off.',
    type: CheckpointPolicyDto,
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CheckpointPolicyDto)
  checkpoint_policy?: CheckpointPolicyDto;

  @ApiPropertyOptional({ description: 'Preferred region (a worker elsewhere may still run it).', example: 'eu-west-1' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  region?: string;

  @ApiPropertyOptional({
    description: `Free-form string labels for the caller (at most ${WORKLOAD_LIMITS.maxLabels}); filter lists by them.`,
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { team: 'search', run: 'nightly' },
  })
  @IsOptional()
  @IsStringMap({ maxEntries: WORKLOAD_LIMITS.maxLabels, maxKeyLength: 128, maxValueLength: 256 })
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    description:
      'Makes the submission safe to retry: a repeat with the same key returns the first workload (200). The Idempotency-Key header takes precedence.',
    example: 'nightly-2026-01-31',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  idempotency_key?: string;
}
