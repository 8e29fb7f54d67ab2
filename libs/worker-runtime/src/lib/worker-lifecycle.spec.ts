import type { WorkerLifecycleState } from '@niyanta/models';
import { InvalidLifecycleTransitionError, WorkerLifecycle } from './worker-lifecycle';

describe(WorkerLifecycle.name, () => {
  it('walks STARTING → RUNNING → DRAINING → STOPPED and tells listeners', () => {
    const lifecycle = new WorkerLifecycle();
    const seen: Array<[WorkerLifecycleState, WorkerLifecycleState]> = [];
    lifecycle.onChange((state, previous) => seen.push([previous, state]));
    expect(lifecycle.accepting).toBe(false);
    lifecycle.moveTo('RUNNING');
    expect(lifecycle.accepting).toBe(true);
    lifecycle.moveTo('DRAINING');
    expect(lifecycle.accepting).toBe(false);
    lifecycle.moveTo('STOPPED');
    expect(seen).toEqual([
      ['STARTING', 'RUNNING'],
      ['RUNNING', 'DRAINING'],
      ['DRAINING', 'STOPPED'],
    ]);
  });

  it('lets a worker that never started drain or stop', () => {
    const drained = new WorkerLifecycle();
    drained.moveTo('DRAINING');
    drained.moveTo('STOPPED');
    expect(drained.state).toBe('STOPPED');
    const stopped = new WorkerLifecycle();
    stopped.moveTo('STOPPED');
    expect(stopped.state).toBe('STOPPED');
  });

  it.each<[WorkerLifecycleState[], WorkerLifecycleState]>([
    [['RUNNING'], 'STOPPED'],
    [['RUNNING'], 'STARTING'],
    [['RUNNING', 'DRAINING'], 'RUNNING'],
    [['STOPPED'], 'RUNNING'],
    [['STOPPED'], 'DRAINING'],
  ])('refuses %j then %s and keeps its state', (path, to) => {
    const lifecycle = new WorkerLifecycle();
    for (const step of path) lifecycle.moveTo(step);
    const before = lifecycle.state;
    expect(lifecycle.canMoveTo(to)).toBe(false);
    expect(() => lifecycle.moveTo(to)).toThrow(InvalidLifecycleTransitionError);
    expect(lifecycle.state).toBe(before);
  });

  it('stops calling a listener once it is removed', () => {
    const lifecycle = new WorkerLifecycle();
    const listener = jest.fn();
    const remove = lifecycle.onChange(listener);
    lifecycle.moveTo('RUNNING');
    remove();
    lifecycle.moveTo('DRAINING');
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
