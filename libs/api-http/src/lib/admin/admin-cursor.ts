import { DomainError, ErrorCode } from '@niyanta/models';
import { isUuid } from '../common/uuid-param.pipe';

function invalid(): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, 'cursor is not a cursor returned by this API', [{ path: 'cursor', message: 'is invalid' }]);
}

function decode(cursor: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw invalid();
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the 400 below.
  }
  throw invalid();
}

/** The opaque cursor after the customer `id` (admin customer listing). */
export function encodeCustomerCursor(id: string): string {
  return Buffer.from(JSON.stringify({ c: id }), 'utf8').toString('base64url');
}

/** The customer id of a cursor made by {@link encodeCustomerCursor}; anything else is 400. */
export function decodeCustomerCursor(cursor: string): string {
  const { c } = decode(cursor);
  if (!isUuid(c)) throw invalid();
  return c.toLowerCase();
}

/** The opaque cursor before the audit event `id` (a bigserial as a string). */
export function encodeAuditCursor(id: string): string {
  return Buffer.from(JSON.stringify({ e: id }), 'utf8').toString('base64url');
}

/** The audit event id of a cursor made by {@link encodeAuditCursor}; anything else is 400. */
export function decodeAuditCursor(cursor: string): string {
  const { e } = decode(cursor);
  if (typeof e !== 'string' || !/^[1-9]\d{0,18}$/.test(e)) throw invalid();
  return e;
}
