import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestIdOf } from '../common/request-id';
import { RateLimitService } from '../tenancy/rate-limit.service';
import { ApiKeyAuthService, type AuthAttempt } from './api-key-auth.service';
import type { AuthenticatedRequest } from './principal';

function attemptOf(req: Request): AuthAttempt {
  return { requestId: requestIdOf(req), method: req.method, path: req.originalUrl ?? req.url };
}

/**
 * Requires a customer API key (`Authorization: Bearer nyk_...`), attaches the principal and takes a
 * token from the customer's rate limit (429 when none is left), so every customer route is limited.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly auth: ApiKeyAuthService,
    private readonly rateLimits: RateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const principal = await this.auth.authenticate(req.headers.authorization, attemptOf(req));
    req.principal = principal;
    await this.rateLimits.admit(principal, http.getResponse<Response>());
    return true;
  }
}

/** Requires the operator's admin key (`NIYANTA_ADMIN_API_KEY`). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly auth: ApiKeyAuthService) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    this.auth.authenticateAdmin(req.headers.authorization, attemptOf(req));
    req.principal = { kind: 'admin' };
    return true;
  }
}
