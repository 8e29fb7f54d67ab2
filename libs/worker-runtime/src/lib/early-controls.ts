import type { ControlPayload } from '@niyanta/models';

/**
 * Control commands that overtook the start-write of their workload's attempt: a cancel or pause
 * published right after the assignment can arrive while the attempt is not running yet. The
 * engine keeps the latest one per workload and applies it as soon as the attempt runs.
 */
export class EarlyControls {
  private readonly held = new Map<string, ControlPayload>();

  /** Keeps `control` (replacing an earlier one of the same workload). */
  hold(control: ControlPayload): void {
    this.held.set(control.workload_id, control);
  }

  /** The command held for the workload, if any; it is no longer held. */
  take(workloadId: string): ControlPayload | undefined {
    const control = this.held.get(workloadId);
    this.held.delete(workloadId);
    return control;
  }

  /** Forgets the workload's command (its attempt did not start). */
  drop(workloadId: string): void {
    this.held.delete(workloadId);
  }

  get size(): number {
    return this.held.size;
  }
}
