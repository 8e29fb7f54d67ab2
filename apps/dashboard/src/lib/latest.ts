import { useState } from 'react';

/** What becomes of one read: its value, its failure, and (either way) its end. */
export interface ReadOutcome<T> {
  value(value: T): void;
  error(error: unknown): void;
  settled?(): void;
}

/**
 * Reads of one view may overlap (a stream update starts one while another is in flight), and their
 * answers arrive in any order. Only the read started last may change the view: an older answer, or
 * an older failure, arriving late is dropped, or it would replace what a newer one showed with
 * nothing left to correct it.
 */
export class LatestRead {
  private started = 0;

  async run<T>(read: () => Promise<T>, outcome: ReadOutcome<T>): Promise<void> {
    const request = ++this.started;
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: await read() };
    } catch (error) {
      result = { ok: false, error };
    }
    if (request !== this.started) return;
    if (result.ok) outcome.value(result.value);
    else outcome.error(result.error);
    outcome.settled?.();
  }
}

/** One {@link LatestRead} for the life of a component. */
export function useLatestRead(): LatestRead {
  return useState(() => new LatestRead())[0];
}
