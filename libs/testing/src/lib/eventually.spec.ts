import { eventually } from './eventually';

describe('eventually', () => {
  it('returns the first truthy value, after as many polls as it takes', async () => {
    let polls = 0;
    await expect(eventually('the third poll', () => (++polls === 3 ? { polls } : undefined), 5_000, 1)).resolves.toEqual({ polls: 3 });
  });

  it('treats a throwing check as not ready yet', async () => {
    let polls = 0;
    const check = async () => {
      if (++polls < 3) throw new Error('connection refused');
      return 'up';
    };
    await expect(eventually('a server', check, 5_000, 1)).resolves.toBe('up');
  });

  it('fails after the deadline, naming what it waited for and the last error', async () => {
    const check = () => {
      throw new Error('connection refused');
    };
    await expect(eventually('a server that never starts', check, 30, 1)).rejects.toThrow('timed out after 30 ms waiting for a server that never starts: Error: connection refused');
    await expect(eventually('a value', () => false, 30, 1)).rejects.toThrow(/^timed out after 30 ms waiting for a value$/);
  });
});
