import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsStringMap } from '../../common/string-map.validator';

const TAG_MAP = { maxEntries: 32, maxKeyLength: 128, maxValueLength: 128 };

/** Tag rules for placement (SPEC §5). Keys are worker tag names. */
export class AffinityDto {
  @ApiPropertyOptional({
    description: 'Tags a worker must have, each with exactly this value.',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { gpu: 'a100' },
  })
  @IsOptional()
  @IsStringMap(TAG_MAP)
  required?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Tags that make a worker more attractive (more matches win).',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { zone: 'eu-west-1a' },
  })
  @IsOptional()
  @IsStringMap(TAG_MAP)
  preferred?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Tags a worker must not have with this value.',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { pool: 'spot' },
  })
  @IsOptional()
  @IsStringMap(TAG_MAP)
  anti?: Record<string, string>;
}

/** Affinity as returned: every rule set present, possibly empty. */
export class AffinityResponseDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Tags a worker must have.', example: { gpu: 'a100' } })
  required!: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: {} })
  preferred!: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: {} })
  anti!: Record<string, string>;
}
