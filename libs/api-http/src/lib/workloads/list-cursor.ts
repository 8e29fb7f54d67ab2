import { DomainError, ErrorCode } from '@niyanta/models';
import type { WorkloadListPosition } from '@niyanta/state';
import { isUuid } from '../common/uuid-param.pipe';

// RFC 3339 UTC with 0–6 fractional digits: what the repository produces (microseconds).
const CURSOR_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;

/**
 * True when `text` is a UTC instant PostgreSQL accepts and means what it says: `Date.parse` rolls
 * `2026-02-30` over to March and accepts year 0, which PostgreSQL refuses (no year zero) — either
 * would reach SQL as an error or as a different position.
 */
export function isRealCursorTime(text: string): boolean {
  const match = CURSOR_TIME.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999; set the full year explicitly.
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Encodes a listing position as an opaque, URL-safe cursor. */
export function encodeCursor(position: WorkloadListPosition): string {
  return Buffer.from(JSON.stringify({ t: position.createdAt, i: position.id }), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}; anything else is 400 `validation_failed`, so a
 * tampered cursor never reaches SQL.
 */
export function decodeCursor(cursor: string): WorkloadListPosition {
  const invalid = () =>
    new DomainError(ErrorCode.ValidationFailed, 'cursor is not a cursor returned by this API', [
      { path: 'cursor', message: 'is invalid' },
    ]);
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof decoded !== 'object' || decoded === null) throw invalid();
  const { t, i } = decoded as { t?: unknown; i?: unknown };
  if (typeof t !== 'string' || !isRealCursorTime(t) || !isUuid(i)) throw invalid();
  return { createdAt: t, id: i.toLowerCase() };
}
