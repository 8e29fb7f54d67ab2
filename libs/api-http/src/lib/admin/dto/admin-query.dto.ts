import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** Largest page of the admin listings. */
export const ADMIN_MAX_PAGE = 500;
/** Page size when none is asked for. */
export const ADMIN_DEFAULT_PAGE = 100;

/** Paging of an admin listing. */
export class AdminPageQueryDto {
  @ApiPropertyOptional({ type: 'integer', description: 'Page size.', minimum: 1, maximum: ADMIN_MAX_PAGE, default: ADMIN_DEFAULT_PAGE, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ADMIN_MAX_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page (opaque).', example: 'eyJhIjoiNWQ3ZTNhNTIifQ' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}
