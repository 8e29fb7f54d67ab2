import { ApiProperty } from '@nestjs/swagger';
import { WorkerStatus } from '@niyanta/models';

/** A worker of the fleet. */
export class WorkerDto {
  @ApiProperty({ example: 'worker-7f3a' })
  id!: string;

  @ApiProperty({ enum: Object.values(WorkerStatus), enumName: 'WorkerStatus', example: WorkerStatus.Active })
  status!: WorkerStatus;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { gpu: 'a100', pool: 'on-demand' } })
  tags!: Record<string, string>;

  @ApiProperty({ type: String, nullable: true, example: 'eu-west-1' })
  region!: string | null;

  @ApiProperty({ type: 'integer', description: 'Concurrent slots.', example: 8 })
  capacity!: number;

  @ApiProperty({ description: 'Workload types it runs.', type: [String], example: ['sleep'] })
  workload_types!: string[];

  @ApiProperty({ type: 'integer', description: 'Workloads it runs now (as of its last heartbeat).', example: 3 })
  running_count!: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T12:00:05.000Z' })
  last_heartbeat_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  registered_at!: string;
}

/** Every known worker. */
export class WorkerListDto {
  @ApiProperty({ type: [WorkerDto] })
  items!: WorkerDto[];
}
