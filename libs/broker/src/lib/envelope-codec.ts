import { isEnvelope, type MessageEnvelope } from '@niyanta/models';

/** Wire form of an envelope: UTF-8 JSON text. */
export function encodeEnvelope(message: MessageEnvelope<unknown>): string {
  return JSON.stringify(message);
}

/** The envelope in `text`, or `undefined` when it is not JSON or not an envelope. */
export function decodeEnvelope<T>(text: string): MessageEnvelope<T> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isEnvelope(value) ? (value as MessageEnvelope<T>) : undefined;
}
