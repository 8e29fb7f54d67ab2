import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError, ErrorCode, type Principal } from '@niyanta/models';
import type { Request } from 'express';

/** The authenticated customer of a `/v1` request. */
export type CustomerPrincipal = Extract<Principal, { kind: 'customer' }>;

/** A request after one of the API guards accepted it. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** The principal the guards attached to `req`, if any (used by rate limiting and logging too). */
export function principalOf(req: Request): Principal | undefined {
  return (req as AuthenticatedRequest).principal;
}

/** Injects the customer that authenticated the request (the route must use {@link ApiKeyGuard}). */
export const CurrentCustomer = createParamDecorator((_data: unknown, ctx: ExecutionContext): CustomerPrincipal => {
  const principal = principalOf(ctx.switchToHttp().getRequest<Request>());
  if (principal?.kind !== 'customer') {
    // A route wired without the guard: fail closed.
    throw new DomainError(ErrorCode.Unauthorized, 'authentication required');
  }
  return principal;
});
