import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from '@niyanta/models';

/** One problem with one field. */
export class ErrorDetailDto {
  @ApiProperty({ description: 'Dotted path of the field (array elements by index).', example: 'affinity.required' })
  path!: string;

  @ApiProperty({ description: 'What is wrong with it.', example: 'must be an object of string values' })
  message!: string;
}

/** The body of every error. */
export class ErrorBodyDto {
  @ApiProperty({ description: 'Stable machine-readable code.', enum: ErrorCode, enumName: 'ErrorCode', example: ErrorCode.ValidationFailed })
  code!: ErrorCode;

  @ApiProperty({ description: 'Human-readable explanation.', example: 'the request is invalid: priority' })
  message!: string;

  @ApiProperty({ description: 'Field-level problems (validation errors); empty otherwise.', type: [ErrorDetailDto] })
  details!: ErrorDetailDto[];

  @ApiPropertyOptional({
    description: 'The request id, also in the X-Request-Id header; quote it when reporting a problem.',
    type: String,
    nullable: true,
    example: '6f1c2a1e-8f7b-4d0e-9a52-2b1f0f5f7c11',
  })
  request_id!: string | null;
}

/** `{"error": {...}}` — the one shape of every error response. */
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorBodyDto })
  error!: ErrorBodyDto;
}
