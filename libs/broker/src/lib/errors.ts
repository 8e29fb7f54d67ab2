import { DomainError, ErrorCode } from '@niyanta/models';

/** Base of every error the broker adapters throw, so callers can catch them as one family. */
export class BrokerError extends DomainError {
  constructor(code: ErrorCode, message: string, cause?: unknown) {
    super(code, message);
    this.name = 'BrokerError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** The broker is disconnected, closed, or did not confirm a durable publish. Nothing was applied. */
export class BrokerUnavailableError extends BrokerError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.DependencyUnavailable, message, cause);
    this.name = 'BrokerUnavailableError';
  }
}

/** A request got no reply in time. The responder may still have acted on it. */
export class BrokerTimeoutError extends BrokerError {
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
  ) {
    super(ErrorCode.DependencyUnavailable, `no reply on ${subject} within ${timeoutMs} ms`);
    this.name = 'BrokerTimeoutError';
  }
}

/** A request was sent to a subject nothing subscribes to. Nobody acted on it. */
export class BrokerNoRespondersError extends BrokerError {
  constructor(readonly subject: string) {
    super(ErrorCode.DependencyUnavailable, `no responders on ${subject}`);
    this.name = 'BrokerNoRespondersError';
  }
}

/** The responder's handler failed (its message is carried here) or answered with a non-envelope. */
export class BrokerReplyError extends BrokerError {
  constructor(
    readonly subject: string,
    readonly remoteMessage: string,
  ) {
    super(ErrorCode.Internal, `the responder on ${subject} failed: ${remoteMessage}`);
    this.name = 'BrokerReplyError';
  }
}

/**
 * An argument the broker cannot accept: a malformed subject, queue or consumer name, a subject
 * not declared durable, a consumer in conflict with an existing one, a bad option value. A
 * programming or configuration mistake, never a transient failure.
 */
export class BrokerArgumentError extends BrokerError {
  constructor(message: string) {
    super(ErrorCode.Internal, message);
    this.name = 'BrokerArgumentError';
  }
}
