import type { LoggerService } from '@nestjs/common';

/**
 * Nest's start-up chatter: one line per module (InstanceLoader) and per route (RoutesResolver,
 * RouterExplorer). Dozens of lines that say nothing an operator acts on, so they go to `debug`.
 */
export const FRAMEWORK_DEBUG_CONTEXTS: ReadonlySet<string> = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest passes the context as the last argument of a log call. */
function contextOf(params: unknown[]): unknown {
  return params[params.length - 1];
}

/** A logger that writes Nest's start-up chatter at `debug` and everything else as `inner` would. */
export class FrameworkQuietLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    if (typeof context === 'string' && FRAMEWORK_DEBUG_CONTEXTS.has(context)) {
      this.inner.debug?.(message, ...params);
      return;
    }
    this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...params);
  }
}
