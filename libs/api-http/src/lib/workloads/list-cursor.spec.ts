import { DomainError, ErrorCode } from '@niyanta/models';
import fc from 'fast-check';
import { decodeCursor, encodeCursor, isRealCursorTime } from './list-cursor';

describe('list cursor', () => {
  it('round-trips any position with microsecond timestamps', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        fc.uuid(),
        (date, micros, id) => {
          const createdAt = date.toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
          const cursor = encodeCursor({ createdAt, id });
          expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(decodeCursor(cursor)).toEqual({ createdAt, id: id.toLowerCase() });
        },
      ),
    );
  });

  it.each([
    ['not base64url', '***'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['missing id', Buffer.from(JSON.stringify({ t: '2026-01-01T00:00:00.000000Z' })).toString('base64url')],
    ['bad time', Buffer.from(JSON.stringify({ t: "now'; DROP TABLE workloads", i: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })).toString('base64url')],
    ['bad id', Buffer.from(JSON.stringify({ t: '2026-01-01T00:00:00Z', i: 'x' })).toString('base64url')],
    ['February 30th', Buffer.from(JSON.stringify({ t: '2026-02-30T00:00:00Z', i: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })).toString('base64url')],
    ['year 0000', Buffer.from(JSON.stringify({ t: '0000-01-01T00:00:00Z', i: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })).toString('base64url')],
    ['hour 24', Buffer.from(JSON.stringify({ t: '2026-01-01T24:00:00Z', i: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' })).toString('base64url')],
  ])('rejects a cursor that is %s with 400 validation_failed', (_case, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe(ErrorCode.ValidationFailed);
    expect((thrown as DomainError).details).toEqual([{ path: 'cursor', message: 'is invalid' }]);
  });

  it('accepts real instants from year 0001 to 9999, leap days included', () => {
    expect(['0001-01-01T00:00:00Z', '2024-02-29T23:59:59.999999Z', '9999-12-31T00:00:00Z'].filter((t) => !isRealCursorTime(t))).toEqual([]);
    expect(['2025-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T00:60:00Z'].filter(isRealCursorTime)).toEqual([]);
  });
});
