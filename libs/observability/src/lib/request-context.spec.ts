import { acceptOrCreateId, currentRequestContext, runWithContext } from './request-context';

describe(runWithContext.name, () => {
  it('exposes the context to everything the function awaits, and nothing outside it', async () => {
    expect(currentRequestContext()).toBeUndefined();
    const seen = await runWithContext({ requestId: 'r1', correlationId: 'c1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentRequestContext();
    });
    expect(seen).toEqual({ requestId: 'r1', correlationId: 'c1' });
    expect(currentRequestContext()).toBeUndefined();
  });

  it('lets an inner context (a message handled within a request) shadow the outer one', () => {
    runWithContext({ requestId: 'outer', correlationId: 'c' }, () => {
      runWithContext({ requestId: 'inner', correlationId: 'c' }, () => {
        expect(currentRequestContext()?.requestId).toBe('inner');
      });
      expect(currentRequestContext()?.requestId).toBe('outer');
    });
  });

  it('keeps concurrent flows apart', async () => {
    const flow = (id: string) =>
      runWithContext({ requestId: id, correlationId: id }, async () => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        return currentRequestContext()?.requestId;
      });
    expect(await Promise.all(['a', 'b', 'c', 'd'].map(flow))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe(acceptOrCreateId.name, () => {
  it('keeps a sane id, including the first of repeated headers', () => {
    expect(acceptOrCreateId('abc-123_x.y')).toBe('abc-123_x.y');
    expect(acceptOrCreateId(['first', 'second'])).toBe('first');
  });

  it.each([undefined, '', 'a'.repeat(129), 'has space', 'new\nline', 'ünïcode', 42])('replaces %j with a UUID', (value) => {
    expect(acceptOrCreateId(value)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
