import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_TIER_NAMES } from '@niyanta/models';
import { IsString, Length, Matches } from 'class-validator';
import { AdminPageQueryDto } from './admin-query.dto';

/** Tier names: lower-case words (`free`, `gold-2`), as stored in the `tiers` table. */
export const TIER_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** A new customer. */
export class CreateCustomerDto {
  @ApiProperty({ description: 'Display name.', minLength: 1, maxLength: 200, example: 'Acme Corp' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    description: `A defined tier (GET /v1/admin/tiers); the defaults are ${DEFAULT_TIER_NAMES.join(', ')}. Sets rate limit, concurrency and scheduling weight.`,
    pattern: TIER_NAME.source,
    example: 'standard',
  })
  @IsString()
  @Matches(TIER_NAME, { message: 'tier must be a tier name (lower-case letters, digits, - and _)' })
  tier!: string;
}

/** A change of a customer's tier. */
export class UpdateCustomerDto {
  @ApiProperty({ description: 'A defined tier; takes effect within seconds on every replica and at the scheduler\'s next sweep.', pattern: TIER_NAME.source, example: 'premium' })
  @IsString()
  @Matches(TIER_NAME, { message: 'tier must be a tier name (lower-case letters, digits, - and _)' })
  tier!: string;
}

/** A customer (tenant). */
export class CustomerDto {
  @ApiProperty({ format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  id!: string;

  @ApiProperty({ example: 'Acme Corp' })
  name!: string;

  @ApiProperty({ description: 'Tier name.', example: 'standard' })
  tier!: string;

  @ApiProperty({ enum: ['active', 'suspended'], enumName: 'CustomerStatus', example: 'active' })
  status!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  updated_at!: string;
}

/** One page of customers, oldest first. */
export class CustomerListDto {
  @ApiProperty({ type: [CustomerDto] })
  items!: CustomerDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page; null on the last.', example: null })
  next_cursor!: string | null;
}

/** Paging of `GET /v1/admin/customers`. */
export class ListCustomersQueryDto extends AdminPageQueryDto {}
