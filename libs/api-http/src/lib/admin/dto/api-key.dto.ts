import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';

/** A key to issue. */
export class IssueApiKeyDto {
  @ApiPropertyOptional({ description: 'What the key is for (free text).', maxLength: 200, example: 'ci pipeline' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'When the key stops working (RFC 3339, in the future); absent: never.', format: 'date-time', example: '2027-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

/** A newly issued key. `key` is shown only in this response: it is stored hashed. */
export class IssuedApiKeyDto {
  @ApiProperty({ format: 'uuid', description: 'Id of the key (to revoke it).', example: '3e0d7c4b-5a6f-4b21-8c3d-2f1e0a9b8c7d' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  customer_id!: string;

  @ApiProperty({
    description: 'The API key. Store it now: it cannot be shown again.',
    example: 'nyk_k3x9q2ab_Y7dPqL2mZ8vN4rT6wB1cF5hJ0sK3eG9uA2iO7yX4',
  })
  key!: string;

  @ApiProperty({ description: 'Public part of the key, safe to log.', example: 'k3x9q2ab' })
  prefix!: string;

  @ApiProperty({ type: String, nullable: true, example: 'ci pipeline' })
  name!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2027-01-01T00:00:00.000Z' })
  expires_at!: string | null;
}

/** A stored key: its public parts only (the secret was shown once, at issue). */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '3e0d7c4b-5a6f-4b21-8c3d-2f1e0a9b8c7d' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '5d7e3a52-1c1f-4c3b-a0de-9d1b8f1f3a77' })
  customer_id!: string;

  @ApiProperty({ description: 'Public part of the key, safe to log.', example: 'k3x9q2ab' })
  prefix!: string;

  @ApiProperty({ type: String, nullable: true, example: 'ci pipeline' })
  name!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expires_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revoked_at!: string | null;
}

/** A customer's keys, newest first. */
export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items!: ApiKeyDto[];
}
