import { ApiProperty } from '@nestjs/swagger';
import { ANY_JSON_VALUE } from '../../common/json-value.schema';

/** One entry of a workload's audit trail. */
export class WorkloadEventDto {
  @ApiProperty({ description: 'Increasing id of the audit event.', example: '1042' })
  id!: string;

  @ApiProperty({ description: 'What happened.', example: 'workload.submitted' })
  action!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T12:00:00.000Z' })
  occurred_at!: string;

  @ApiProperty({ enum: ['customer', 'admin', 'worker', 'coordinator', 'system'], enumName: 'AuditActorType', example: 'customer' })
  actor_type!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Customer, worker or coordinator id.', example: 'worker-7f3a' })
  actor_id!: string | null;

  @ApiProperty({
    ...ANY_JSON_VALUE,
    description: 'State before the change: `{status, attempt, worker_id}`.',
    example: { status: 'PENDING', attempt: 1, worker_id: null },
  })
  before!: unknown;

  @ApiProperty({
    ...ANY_JSON_VALUE,
    description: 'State after the change: `{status, attempt, worker_id}`.',
    example: { status: 'SCHEDULED', attempt: 1, worker_id: 'worker-7f3a' },
  })
  after!: unknown;

  @ApiProperty({ type: String, nullable: true, example: '6f1c2a1e-8f7b-4d0e-9a52-2b1f0f5f7c11' })
  request_id!: string | null;

  @ApiProperty({ ...ANY_JSON_VALUE, description: 'Extra facts of the event.', example: null })
  details!: unknown;
}

/** A workload's audit trail, oldest first. */
export class WorkloadEventListDto {
  @ApiProperty({ type: [WorkloadEventDto] })
  items!: WorkloadEventDto[];
}
