import { currentRequestContext } from '@niyanta/observability';
import type { Request } from 'express';

/**
 * The id of the current request as the observability middleware assigned it (request context, or
 * the id it stored on the request). Null when the middleware has not run (a request that failed
 * before routing).
 */
export function requestIdOf(req?: Request): string | null {
  const context = currentRequestContext();
  if (context) return context.requestId;
  const id = (req as (Request & { id?: unknown }) | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

/** The correlation id messages caused by this request carry (the request id unless the caller chose one). */
export function correlationIdOf(req?: Request): string | undefined {
  return currentRequestContext()?.correlationId ?? requestIdOf(req) ?? undefined;
}
