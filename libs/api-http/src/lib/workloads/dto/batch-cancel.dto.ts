import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WORKLOAD_LIMITS } from '@niyanta/models';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { WorkloadDto } from './workload.dto';

/** Workloads to cancel. */
export class BatchCancelDto {
  @ApiProperty({
    description: `1 to ${WORKLOAD_LIMITS.maxBatchSize} workload ids.`,
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: WORKLOAD_LIMITS.maxBatchSize,
    example: ['0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WORKLOAD_LIMITS.maxBatchSize)
  @IsUUID('all', { each: true, message: 'each value must be a UUID' })
  ids!: string[];
}

/** What happened to one id. */
export class BatchCancelResultDto {
  @ApiProperty({ format: 'uuid', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })
  id!: string;

  @ApiProperty({
    description:
      '`cancelled`: it is now CANCELLED; `invalid_state`: it had already finished and is unchanged; `not_found`: no such workload of yours.',
    enum: ['cancelled', 'invalid_state', 'not_found'],
    enumName: 'BatchCancelOutcome',
    example: 'cancelled',
  })
  status!: 'cancelled' | 'invalid_state' | 'not_found';

  @ApiPropertyOptional({ description: 'The workload after the request (absent when not found).', type: () => WorkloadDto })
  workload?: WorkloadDto;
}

/** One result per requested id, in request order. */
export class BatchCancelResponseDto {
  @ApiProperty({ type: [BatchCancelResultDto] })
  results!: BatchCancelResultDto[];
}
