import { ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_WORKLOAD_STATUSES, WORKLOAD_LIMITS, type WorkloadStatus } from '@niyanta/models';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** Query values that may be repeated or comma-separated become one array. */
function toList({ value }: { value: unknown }): unknown {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((item) => (typeof item === 'string' ? item.split(',') : [item])).filter((item) => item !== '');
}

function toArray({ value }: { value: unknown }): unknown {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** Large fields a listing leaves out unless `include` names them. */
export const LIST_INCLUDE_FIELDS = ['input', 'output'] as const;
/** One of {@link LIST_INCLUDE_FIELDS}. */
export type ListIncludeField = (typeof LIST_INCLUDE_FIELDS)[number];

/** Filters and paging of `GET /v1/workloads`. */
export class ListWorkloadsQueryDto {
  @ApiPropertyOptional({
    description: 'Only these statuses (repeat the parameter or separate with commas).',
    enum: ALL_WORKLOAD_STATUSES,
    enumName: 'WorkloadStatus',
    isArray: true,
    example: ['PENDING', 'RUNNING'],
  })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(ALL_WORKLOAD_STATUSES, { each: true, message: `each value must be one of ${ALL_WORKLOAD_STATUSES.join(', ')}` })
  status?: WorkloadStatus[];

  @ApiPropertyOptional({ description: 'Only this workload type.', example: 'sleep' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  workload_type?: string;

  @ApiPropertyOptional({
    description: 'Only workloads carrying this label, as `key:value`; repeat to require several.',
    type: [String],
    example: ['team:search'],
  })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(WORKLOAD_LIMITS.maxLabels)
  @Matches(/^[^:]{1,128}:.{0,256}$/s, { each: true, message: 'each value must be key:value' })
  label?: string[];

  @ApiPropertyOptional({ description: 'Created strictly after this instant (RFC 3339).', format: 'date-time', example: '2026-01-31T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  created_after?: string;

  @ApiPropertyOptional({ description: 'Created strictly before this instant (RFC 3339).', format: 'date-time', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  created_before?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Page size.',
    minimum: 1,
    maximum: WORKLOAD_LIMITS.maxListLimit,
    default: WORKLOAD_LIMITS.defaultListLimit,
    example: 50,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(WORKLOAD_LIMITS.maxListLimit)
  limit?: number;

  @ApiPropertyOptional({
    description:
      'Large fields to include in each item: `input`, `output` (repeat the parameter or separate with commas). Without it items carry neither; `GET /v1/workloads/{id}` always does. A page stops early (with a `next_cursor`) once its items reach the response byte budget.',
    enum: LIST_INCLUDE_FIELDS,
    enumName: 'WorkloadListInclude',
    isArray: true,
    example: ['output'],
  })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(LIST_INCLUDE_FIELDS.length)
  @IsIn(LIST_INCLUDE_FIELDS, { each: true, message: `each value must be one of ${LIST_INCLUDE_FIELDS.join(', ')}` })
  include?: ListIncludeField[];

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page (opaque).', example: 'eyJ0IjoiMjAyNi0wMS0zMVQxMjowMDowMC4wMDAwMDBaIiwiaSI6IjBiNmY4ZTBlIn0' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}

/** Paging of `GET /v1/workloads/{id}/dependents`. */
export class DependentsQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Most items in the page.',
    minimum: 1,
    maximum: WORKLOAD_LIMITS.maxListLimit,
    default: WORKLOAD_LIMITS.defaultListLimit,
    example: 50,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(WORKLOAD_LIMITS.maxListLimit)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page (opaque).', example: 'eyJ0IjoiMjAyNi0wMS0zMVQxMjowMDowMC4wMDAwMDBaIiwiaSI6IjBiNmY4ZTBlIn0' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}
