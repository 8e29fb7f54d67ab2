import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { requestIdOf } from '../common/request-id';
import { ApiKeyAuthService, type AuthAttempt } from './api-key-auth.service';
import type { AuthenticatedRequest } from './principal';

function attemptOf(req: Request): AuthAttempt {
  return { requestId: requestIdOf(req), method: req.method, path: req.originalUrl ?? req.url };
}

/** Requires a customer API key (`Authorization: Bearer nyk_...`) and attaches the principal. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly auth: ApiKeyAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    req.principal = await this.auth.authenticate(req.headers.authorization, attemptOf(req));
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
