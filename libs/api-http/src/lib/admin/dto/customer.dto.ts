import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_TIER_NAMES } from '@niyanta/models';
import { IsIn, IsString, Length } from 'class-validator';

/** A new customer. */
export class CreateCustomerDto {
  @ApiProperty({ description: 'Display name.', minLength: 1, maxLength: 200, example: 'Acme Corp' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ description: 'Sets rate limit, concurrency and scheduling weight.', enum: DEFAULT_TIER_NAMES, example: 'standard' })
  @IsIn(DEFAULT_TIER_NAMES)
  tier!: string;
}

/** A customer (tenant). */
export class CustomerDto {
  @ApiProperty({ format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  id!: string;

  @ApiProperty({ example: 'Acme Corp' })
  name!: string;

  @ApiProperty({ enum: DEFAULT_TIER_NAMES, example: 'standard' })
  tier!: string;

  @ApiProperty({ enum: ['active', 'suspended'], example: 'active' })
  status!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  updated_at!: string;
}

/** Every customer, oldest first. */
export class CustomerListDto {
  @ApiProperty({ type: [CustomerDto] })
  items!: CustomerDto[];
}
