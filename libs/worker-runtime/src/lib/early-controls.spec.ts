import type { ControlPayload } from '@niyanta/models';
import { EarlyControls } from './early-controls';

const cancel = (workloadId: string): ControlPayload => ({ workload_id: workloadId, attempt: 1, action: 'cancel' });
const pause = (workloadId: string): ControlPayload => ({ workload_id: workloadId, attempt: 1, action: 'pause' });

describe(EarlyControls.name, () => {
  it('hands a held command out once', () => {
    const controls = new EarlyControls();
    controls.hold(cancel('a'));
    expect(controls.take('a')).toEqual(cancel('a'));
    expect(controls.take('a')).toBeUndefined();
  });

  it('keeps the latest command of a workload, apart from other workloads', () => {
    const controls = new EarlyControls();
    controls.hold(cancel('a'));
    controls.hold(pause('a'));
    controls.hold(cancel('b'));
    expect(controls.take('a')).toEqual(pause('a'));
    expect(controls.take('b')).toEqual(cancel('b'));
  });

  it('forgets a dropped workload', () => {
    const controls = new EarlyControls();
    controls.hold(cancel('a'));
    controls.drop('a');
    expect(controls.size).toBe(0);
    expect(controls.take('a')).toBeUndefined();
  });
});
