import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DependencyUnavailableError, DomainError, ErrorCode, InvalidStateError, NotFoundError } from '@niyanta/models';
import { translateBodyParserError } from './api-exception.filter';
import { errorAnswer, HTTP_STATUS_BY_CODE } from './error-status';

describe(errorAnswer.name, () => {
  it.each([
    [new DomainError(ErrorCode.ValidationFailed, 'x'), 400, ErrorCode.ValidationFailed],
    [new DomainError(ErrorCode.UnknownWorkloadType, 'x'), 400, ErrorCode.UnknownWorkloadType],
    [new DomainError(ErrorCode.Unauthorized, 'x'), 401, ErrorCode.Unauthorized],
    [new DomainError(ErrorCode.Forbidden, 'x'), 403, ErrorCode.Forbidden],
    [new NotFoundError('workload', 'a'), 404, ErrorCode.NotFound],
    [new InvalidStateError('x'), 409, ErrorCode.InvalidState],
    [new DomainError(ErrorCode.Conflict, 'x'), 409, ErrorCode.Conflict],
    [new DomainError(ErrorCode.PayloadTooLarge, 'x'), 413, ErrorCode.PayloadTooLarge],
    [new DomainError(ErrorCode.RateLimited, 'x'), 429, ErrorCode.RateLimited],
    [new DependencyUnavailableError('postgresql'), 503, ErrorCode.DependencyUnavailable],
    [new NotFoundException('Cannot GET /nope'), 404, ErrorCode.NotFound],
    [new BadRequestException('bad'), 400, ErrorCode.ValidationFailed],
  ])('maps %p to %i %s', (exception, status, code) => {
    expect(errorAnswer(exception)).toMatchObject({ status, code });
  });

  it('covers every error code', () => {
    for (const code of Object.values(ErrorCode)) expect(HTTP_STATUS_BY_CODE[code]).toBeGreaterThanOrEqual(400);
  });

  it('answers unreachable PostgreSQL with 503, however the driver wraps it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('terminating connection'), { code: '57P01' }) });
    const poolTimeout = new Error('timeout exceeded when trying to connect');
    for (const exception of [refused, wrapped, poolTimeout]) {
      expect(errorAnswer(exception)).toMatchObject({ status: 503, code: ErrorCode.DependencyUnavailable });
    }
  });

  it('hides the message of anything unexpected behind a generic 500', () => {
    const described = errorAnswer(new TypeError('secret internals at /srv/app.js:12'));
    expect(described.status).toBe(500);
    expect(described.code).toBe(ErrorCode.Internal);
    expect(described.message).not.toContain('secret');
    expect(errorAnswer(Object.assign(new Error('duplicate key'), { code: '23505' })).status).toBe(500);
  });

  it('passes Retry-After seconds of a rate-limit error through', () => {
    const limited = Object.assign(new DomainError(ErrorCode.RateLimited, 'slow down'), { retryAfterSeconds: 3 });
    expect(errorAnswer(limited)).toMatchObject({ status: 429, retryAfterSeconds: 3 });
  });
});

describe(translateBodyParserError.name, () => {
  it('turns body-parser failures into domain errors and leaves the rest alone', () => {
    const tooLarge = translateBodyParserError(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit: 1024 }));
    expect(tooLarge).toMatchObject({ code: ErrorCode.PayloadTooLarge, message: 'the request body exceeds the limit of 1024 bytes' });
    const malformed = translateBodyParserError(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed' }));
    expect(malformed).toMatchObject({ code: ErrorCode.ValidationFailed, message: 'the request body is not valid JSON' });
    const other = new Error('other');
    expect(translateBodyParserError(other)).toBe(other);
  });
});
