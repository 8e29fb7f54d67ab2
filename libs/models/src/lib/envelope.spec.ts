import fc from 'fast-check';
import { createEnvelope, isEnvelope } from './envelope';

describe('message envelope', () => {
  it('createEnvelope output is recognised by isEnvelope and survives a JSON round trip', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), fc.option(fc.string(), { nil: undefined }), (type, payload, correlationId) => {
        const envelope = createEnvelope(type, payload, { correlationId });
        expect(isEnvelope(envelope)).toBe(true);
        const copy: unknown = JSON.parse(JSON.stringify(envelope));
        expect(isEnvelope(copy)).toBe(true);
        expect(envelope.version).toBe(1);
        if (correlationId !== undefined) expect(envelope.correlation_id).toBe(correlationId);
      }),
    );
  });

  it('isEnvelope rejects values missing any field', () => {
    const good = createEnvelope('t', { a: 1 });
    for (const field of Object.keys(good)) {
      const broken: Record<string, unknown> = { ...good };
      delete broken[field];
      expect(isEnvelope(broken)).toBe(false);
    }
    expect(isEnvelope(null)).toBe(false);
    expect(isEnvelope('envelope')).toBe(false);
  });

  it('uses the given clock and version', () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    const envelope = createEnvelope('t', null, { now, version: 3 });
    expect(envelope.sent_at).toBe('2026-01-02T03:04:05.000Z');
    expect(envelope.version).toBe(3);
  });
});
