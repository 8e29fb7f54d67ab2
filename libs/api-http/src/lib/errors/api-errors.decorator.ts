import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request (`validation_failed` with field paths, `unknown_workload_type`), malformed JSON or id, text PostgreSQL cannot store (NUL, lone surrogates) or a `__proto__`/`constructor`/`prototype` key anywhere in the request.',
  401: 'Missing, unknown, revoked or expired key (`unauthorized`).',
  403: 'The customer is suspended (`forbidden`).',
  404: 'No such resource for this caller (`not_found`).',
  409: 'The workload\'s status does not allow this (`invalid_state`); nothing changed.',
  413: 'Body over the size limit (`payload_too_large`).',
  415: 'A body that is not `application/json`, or a Content-Encoding the server does not decode (`unsupported_media_type`).',
  429: 'Rate limited (`rate_limited`): the customer\'s tier allows no request now, or the client address failed authentication too often; see Retry-After. Every customer response carries X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset.',
  503: 'A dependency is down (`dependency_unavailable`); nothing was applied.',
};

/** Documents the error responses a route can give, all in the one error shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error.', type: ErrorResponseDto }),
    ),
  );
}
