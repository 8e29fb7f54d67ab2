import { ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_WORKLOAD_STATUSES, TERMINAL_STATUSES, type WorkloadStatus } from '@niyanta/models';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

/** RFC 3339 date-time with a zone (`Z` or `±hh:mm`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const RFC3339_MESSAGE = 'must be an RFC 3339 date-time with a zone, e.g. 2026-01-31T00:00:00Z';

/** Bucket sizes of a summary. */
export const SUMMARY_BUCKETS = ['minute', 'hour', 'day'] as const;
/** A bucket size of a summary. */
export type SummaryBucket = (typeof SUMMARY_BUCKETS)[number];
/** Dimensions a customer's summary may be split by. */
export const CUSTOMER_GROUP_BY = ['workload_type', 'tier'] as const;
/** Dimensions an operator's summary may be split by. */
export const ADMIN_GROUP_BY = ['workload_type', 'tier', 'customer_id'] as const;
/** Formats of an export. */
export const EXPORT_FORMATS = ['csv', 'json'] as const;

/** Query values that may be repeated or comma-separated become one array. */
function toList({ value }: { value: unknown }): unknown {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((item) => (typeof item === 'string' ? item.split(',') : [item])).filter((item) => item !== '');
}

/** `from`/`to` of every analytics query. */
export class AnalyticsRangeQueryDto {
  @ApiPropertyOptional({ description: 'Start of the range, inclusive (RFC 3339). Default: 24 hours before `to`.', format: 'date-time', example: '2026-01-30T00:00:00Z' })
  @IsOptional()
  @IsString()
  @Matches(RFC3339, { message: RFC3339_MESSAGE })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the range, exclusive (RFC 3339). Default: now.', format: 'date-time', example: '2026-01-31T00:00:00Z' })
  @IsOptional()
  @IsString()
  @Matches(RFC3339, { message: RFC3339_MESSAGE })
  to?: string;
}

/** Bucket and filters of a summary. */
export class SummaryFiltersDto extends AnalyticsRangeQueryDto {
  @ApiPropertyOptional({
    description: 'Bucket size. Ranges reach back at most 2 days for `minute`, 35 days for `hour`, 400 days for `day`.',
    enum: SUMMARY_BUCKETS,
    enumName: 'AnalyticsBucket',
    default: 'hour',
    example: 'hour',
  })
  @IsOptional()
  @IsIn(SUMMARY_BUCKETS)
  bucket?: SummaryBucket;

  @ApiPropertyOptional({ description: 'Only these workload types (repeat or separate with commas).', type: [String], example: ['sleep'] })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  workload_type?: string[];

  @ApiPropertyOptional({
    description: 'Restrict the outcome counts and latencies to workloads that ended in these statuses (submitted and retried are not affected).',
    enum: TERMINAL_STATUSES,
    enumName: 'TerminalWorkloadStatus',
    isArray: true,
    example: ['FAILED'],
  })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(TERMINAL_STATUSES, { each: true, message: `each value must be one of ${TERMINAL_STATUSES.join(', ')}` })
  status?: WorkloadStatus[];
}

/** `GET /v1/analytics/summary`. */
export class SummaryQueryDto extends SummaryFiltersDto {
  @ApiPropertyOptional({ description: 'Split each bucket by these dimensions.', enum: CUSTOMER_GROUP_BY, enumName: 'AnalyticsDimension', isArray: true, example: ['workload_type'] })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(CUSTOMER_GROUP_BY, { each: true, message: `each value must be one of ${CUSTOMER_GROUP_BY.join(', ')}` })
  group_by?: Array<(typeof CUSTOMER_GROUP_BY)[number]>;
}

/** `GET /v1/admin/analytics/summary`: every customer, `customer_id` as a dimension. */
export class AdminSummaryQueryDto extends SummaryFiltersDto {
  @ApiPropertyOptional({ description: 'Only this customer.', format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  @IsOptional()
  @IsUUID()
  customer_id?: string;

  @ApiPropertyOptional({ description: 'Split each bucket by these dimensions (`customer_id` too).', enum: ADMIN_GROUP_BY, enumName: 'AdminAnalyticsDimension', isArray: true, example: ['customer_id'] })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(ADMIN_GROUP_BY, { each: true, message: `each value must be one of ${ADMIN_GROUP_BY.join(', ')}` })
  group_by?: Array<(typeof ADMIN_GROUP_BY)[number]>;
}

/** `GET /v1/admin/analytics/workers`. */
export class AdminWorkersQueryDto extends AnalyticsRangeQueryDto {
  @ApiPropertyOptional({ description: 'Count only this customer\'s busy time.', format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  @IsOptional()
  @IsUUID()
  customer_id?: string;
}

/** `GET /v1/analytics/export`. */
export class ExportQueryDto extends AnalyticsRangeQueryDto {
  @ApiPropertyOptional({ description: 'Output format.', enum: EXPORT_FORMATS, enumName: 'ExportFormat', default: 'json', example: 'csv' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: (typeof EXPORT_FORMATS)[number];

  @ApiPropertyOptional({ description: 'Only these workload types.', type: [String], example: ['sleep'] })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  workload_type?: string[];

  @ApiPropertyOptional({ description: 'Only workloads now in these statuses.', enum: ALL_WORKLOAD_STATUSES, enumName: 'WorkloadStatus', isArray: true, example: ['COMPLETED'] })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(ALL_WORKLOAD_STATUSES, { each: true, message: `each value must be one of ${ALL_WORKLOAD_STATUSES.join(', ')}` })
  status?: WorkloadStatus[];
}

/** `GET /v1/admin/analytics/export`. */
export class AdminExportQueryDto extends ExportQueryDto {
  @ApiPropertyOptional({ description: 'Only this customer.', format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  @IsOptional()
  @IsUUID()
  customer_id?: string;
}
