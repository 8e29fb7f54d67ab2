import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BatchCancelDto } from './batch-cancel.dto';
import { WorkloadDto } from './workload.dto';

/** Workloads to pause or resume (1 to 1,000 ids). */
export class BatchWorkloadIdsDto extends BatchCancelDto {}

/** What a batch pause or resume did to one id. */
export class BatchCommandResultDto {
  @ApiProperty({ format: 'uuid', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })
  id!: string;

  @ApiProperty({
    description:
      '`applied`: the command took effect (see the workload\'s status); `invalid_state`: its status does not allow the command and it is unchanged; `not_found`: no such workload of yours.',
    enum: ['applied', 'invalid_state', 'not_found'],
    enumName: 'BatchCommandOutcome',
    example: 'applied',
  })
  status!: 'applied' | 'invalid_state' | 'not_found';

  @ApiPropertyOptional({ description: 'The workload after the request (absent when not found).', type: () => WorkloadDto })
  workload?: WorkloadDto;
}

/** One result per requested id, in request order. */
export class BatchCommandResponseDto {
  @ApiProperty({ type: [BatchCommandResultDto] })
  results!: BatchCommandResultDto[];
}
