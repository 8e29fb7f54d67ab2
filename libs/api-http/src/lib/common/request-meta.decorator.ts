import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { correlationIdOf, requestIdOf } from './request-id';

/** Where a request came from, for audit events and message correlation. */
export interface RequestMeta {
  requestId: string | null;
  correlationId?: string;
}

/** Injects the request and correlation ids that audit events and messages carry. */
export const CurrentRequestMeta = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return { requestId: requestIdOf(req), correlationId: correlationIdOf(req) };
});
