import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError, ErrorCode } from '@niyanta/models';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical (hyphenated, any version) UUID. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Rejects a path parameter that is not a UUID with 400 `validation_failed` (before it reaches
 * PostgreSQL, which would otherwise fail the cast with a 500).
 */
@Injectable()
export class UuidParamPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (isUuid(value)) return value.toLowerCase();
    const path = metadata.data ?? 'id';
    throw new DomainError(ErrorCode.ValidationFailed, `${path} must be a UUID`, [{ path, message: 'must be a UUID' }]);
  }
}
