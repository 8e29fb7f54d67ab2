import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DatabaseCircuitBreaker } from './database-circuit-breaker.service';

/**
 * Global guard (it runs before the controllers' auth guards): a `/v1` request meets the
 * {@link DatabaseCircuitBreaker} first, and its answer feeds the breaker's success count.
 */
@Injectable()
export class DatabaseCircuitGuard implements CanActivate {
  constructor(private readonly breaker: DatabaseCircuitBreaker) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!(req.path ?? req.url).startsWith('/v1')) return true;
    this.breaker.check();
    const res = context.switchToHttp().getResponse<Response>();
    res.once('finish', () => {
      if (res.statusCode < 500) this.breaker.recordSuccess();
    });
    return true;
  }
}
