import { attemptKey, SlotReservations } from './slot-reservations';

describe(SlotReservations.name, () => {
  let running: Map<string, unknown>;
  let slots: SlotReservations;

  beforeEach(() => {
    running = new Map();
    slots = new SlotReservations(2, running);
    slots.accepting = true;
  });

  afterEach(() => jest.useRealTimers());

  it('reserves up to capacity, counting running and starting attempts', async () => {
    running.set(attemptKey('a', 1), {});
    expect(await slots.reserve(attemptKey('b', 1), 0)).toBe('reserved');
    expect(await slots.reserve(attemptKey('c', 1), 0)).toBe('timeout');
  });

  it('refuses an attempt that already holds a slot, running or starting', async () => {
    running.set(attemptKey('a', 1), {});
    expect(await slots.reserve(attemptKey('a', 1), 0)).toBe('duplicate');
    expect(await slots.reserve(attemptKey('b', 1), 0)).toBe('reserved');
    expect(await slots.reserve(attemptKey('b', 1), 0)).toBe('duplicate');
  });

  it('refuses every reservation while not accepting', async () => {
    slots.accepting = false;
    expect(await slots.reserve(attemptKey('a', 1), 1_000)).toBe('not_accepting');
  });

  it('knows which workloads are between reservation and start-write', async () => {
    await slots.reserve(attemptKey('a', 2), 0);
    expect(slots.isStarting('a')).toBe(true);
    expect(slots.isStarting('b')).toBe(false);
    slots.started(attemptKey('a', 2));
    expect(slots.isStarting('a')).toBe(false);
  });

  it('gives a freed slot to a waiting reservation, and to one only; reports the waiting count as it changes', async () => {
    const reported: number[] = [];
    slots = new SlotReservations(2, running, (count) => reported.push(count));
    slots.accepting = true;
    await slots.reserve(attemptKey('a', 1), 0);
    await slots.reserve(attemptKey('b', 1), 0);
    const first = slots.reserve(attemptKey('c', 1), 60_000);
    const second = slots.reserve(attemptKey('d', 1), 60_000);
    expect(slots.waiting).toBe(2);
    expect(reported).toEqual([1, 2]);
    // The start-write of `a` found the attempt no longer this worker's: its slot is free again.
    slots.started(attemptKey('a', 1));
    expect(await first).toBe('reserved');
    expect(slots.isStarting('c')).toBe(true);
    expect(slots.waiting).toBe(1);
    expect(reported.at(-1)).toBe(1);
    slots.accepting = false;
    slots.wakeWaiters();
    expect(await second).toBe('not_accepting');
    expect(slots.waiting).toBe(0);
    expect(reported.at(-1)).toBe(0);
  });

  it('gives up after the timeout when no slot frees', async () => {
    jest.useFakeTimers();
    await slots.reserve(attemptKey('a', 1), 0);
    await slots.reserve(attemptKey('b', 1), 0);
    const waiting = slots.reserve(attemptKey('c', 1), 2_000);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(slots.isStarting('c')).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await waiting).toBe('timeout');
  });
});
