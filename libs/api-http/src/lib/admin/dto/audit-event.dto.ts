import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { WorkloadEventDto } from '../../workloads/dto/workload-event.dto';
import { AdminPageQueryDto } from './admin-query.dto';

/** Kinds of actors an audit event names. */
export const AUDIT_ACTOR_TYPES = ['customer', 'admin', 'worker', 'coordinator', 'system'] as const;

/** Filters and paging of `GET /v1/admin/audit-events`; every filter narrows. */
export class ListAuditEventsQueryDto extends AdminPageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  @IsOptional()
  @IsUUID('all')
  customer_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTOR_TYPES, enumName: 'AuditActorType', example: 'admin' })
  @IsOptional()
  @IsIn(AUDIT_ACTOR_TYPES)
  actor_type?: string;

  @ApiPropertyOptional({ description: 'Customer id, worker id, leader id or `operator`.', example: 'worker-7f3a' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  actor_id?: string;

  @ApiPropertyOptional({ description: 'Exact action, e.g. `auth.failed`.', example: 'auth.failed' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  action?: string;

  @ApiPropertyOptional({ description: 'Occurred at or after (RFC 3339).', format: 'date-time', example: '2026-01-31T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Occurred before (RFC 3339).', format: 'date-time', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** An audit event with everything it names. */
export class AuditEventDto extends WorkloadEventDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  customer_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: null })
  workload_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API key used, when the actor is a customer.', example: null })
  key_id!: string | null;
}

/** One page of audit events, newest first. */
export class AuditEventListDto {
  @ApiProperty({ type: [AuditEventDto] })
  items!: AuditEventDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next (older) page; null on the last.', example: null })
  next_cursor!: string | null;
}
