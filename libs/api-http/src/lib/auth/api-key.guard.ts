import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { redactUrl } from '@niyanta/observability';
import type { Request, Response } from 'express';
import { requestIdOf } from '../common/request-id';
import { RateLimitService } from '../tenancy/rate-limit.service';
import { ApiKeyAuthService, type AuthAttempt } from './api-key-auth.service';
import type { AuthenticatedRequest } from '../common/principal';

/** The client's address: Express's `req.ip` (honours `trust proxy` when set), else the socket's peer. */
export function sourceAddressOf(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

function attemptOf(req: Request): AuthAttempt {
  // A key put in the query string (`?api_key=`) must not be stored in the audit trail.
  return { requestId: requestIdOf(req), method: req.method, path: redactUrl(req.originalUrl ?? req.url), source: sourceAddressOf(req) };
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
