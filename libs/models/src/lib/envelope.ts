import { randomUUID } from 'node:crypto';

/**
 * Every broker message travels in this envelope. `version` is the payload schema version of
 * `type`; a consumer rejects versions it does not know instead of misreading them.
 */
export interface MessageEnvelope<T = unknown> {
  id: string;
  type: string;
  version: number;
  correlation_id: string;
  sent_at: string;
  payload: T;
}

/** Options of {@link createEnvelope}. */
export interface EnvelopeOptions {
  /** Ties the message to the request or flow that caused it. @default a new UUID */
  correlationId?: string;
  /** @default 1 */
  version?: number;
  /** @default now */
  now?: Date;
}

export function createEnvelope<T>(type: string, payload: T, options: EnvelopeOptions = {}): MessageEnvelope<T> {
  return {
    id: randomUUID(),
    type,
    version: options.version ?? 1,
    correlation_id: options.correlationId ?? randomUUID(),
    sent_at: (options.now ?? new Date()).toISOString(),
    payload,
  };
}

/** True when `value` has the envelope's shape (used on every inbound message before trusting it). */
export function isEnvelope(value: unknown): value is MessageEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['id'] === 'string' &&
    typeof v['type'] === 'string' &&
    typeof v['version'] === 'number' &&
    typeof v['correlation_id'] === 'string' &&
    typeof v['sent_at'] === 'string' &&
    'payload' in v
  );
}
