import { abortableDelay, throwIfAborted } from './abortable-delay';
import { WorkloadCancelledError } from './errors';

describe(abortableDelay.name, () => {
  it('resolves after the delay', async () => {
    const started = Date.now();
    await abortableDelay(20, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('rejects promptly with WorkloadCancelledError when aborted, carrying the reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = abortableDelay(10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('pause')), 10);
    await expect(pending).rejects.toThrow(WorkloadCancelledError);
    await expect(pending).rejects.toThrow('workload attempt was aborted: pause');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects at once on an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort('cancel');
    await expect(abortableDelay(10_000, controller.signal)).rejects.toThrow('aborted: cancel');
    expect(() => throwIfAborted(controller.signal)).toThrow(WorkloadCancelledError);
    expect(() => throwIfAborted(new AbortController().signal)).not.toThrow();
  });
});
