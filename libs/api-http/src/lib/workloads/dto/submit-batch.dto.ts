import { ApiProperty } from '@nestjs/swagger';
import { WORKLOAD_LIMITS } from '@niyanta/models';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { SubmitWorkloadDto } from './submit-workload.dto';

/** Up to 1,000 workloads submitted in one transaction: all are accepted or none. */
export class SubmitWorkloadBatchDto {
  @ApiProperty({
    description: `1 to ${WORKLOAD_LIMITS.maxBatchSize} submissions.`,
    type: [SubmitWorkloadDto],
    minItems: 1,
    maxItems: WORKLOAD_LIMITS.maxBatchSize,
    example: [{ workload_type: 'sleep', input: { duration_ms: 100 } }, { workload_type: 'sleep', priority: 900 }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WORKLOAD_LIMITS.maxBatchSize)
  @ValidateNested({ each: true })
  @Type(() => SubmitWorkloadDto)
  items!: SubmitWorkloadDto[];
}
