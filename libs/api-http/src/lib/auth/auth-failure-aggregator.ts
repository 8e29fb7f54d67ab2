import type { AuditEventInput } from '@niyanta/state';

/** Where aggregated events go (the {@link BufferedAuditWriter} in production). */
export interface AuditRecorder {
  record(event: AuditEventInput): void;
}

interface Window {
  startedAt: Date;
  /** Failures after the first one, by reason. */
  reasons: Record<string, number>;
  repeated: number;
  /** Requests answered 429 by the source throttle. */
  throttled: number;
  last: AuditEventInput;
}

/**
 * Turns a flood of `auth.failed` events into one row per source address and window: the first
 * failure of an address in a window is recorded at once, as it is; later ones (and throttled
 * attempts) are only counted, and when the window ends one summary event carries the count, the
 * reasons and the last request. A thousand bad requests from one address thus write two rows, not a
 * thousand. `windowMs` 0 records every failure. Memory is bounded by `maxSources` per window (beyond
 * it, failures are recorded one by one, which the source throttle bounds).
 */
export class AuthFailureAggregator {
  private windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly recorder: AuditRecorder,
    private readonly windowMs: number,
    private readonly maxSources = 50_000,
  ) {}

  /** Records or counts one failed authentication from `source`. */
  failed(source: string, event: AuditEventInput): void {
    const withSource: AuditEventInput = { ...event, details: { ...(event.details as object), source } };
    if (this.windowMs <= 0) return this.recorder.record(withSource);
    const key = `${source}|${event.actorType}`;
    const window = this.windows.get(key);
    if (window === undefined) {
      if (this.windows.size < this.maxSources) {
        this.windows.set(key, { startedAt: new Date(), reasons: {}, repeated: 0, throttled: 0, last: withSource });
        this.schedule();
      }
      return this.recorder.record(withSource);
    }
    const reason = String((event.details as { reason?: unknown } | undefined)?.reason ?? 'unknown');
    window.reasons[reason] = (window.reasons[reason] ?? 0) + 1;
    window.repeated++;
    window.last = withSource;
  }

  /** Counts a request refused by the source throttle (it is not recorded on its own). */
  throttled(source: string, event: AuditEventInput): void {
    const key = `${source}|${event.actorType}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      if (this.windows.size >= this.maxSources) return;
      window = { startedAt: new Date(), reasons: {}, repeated: 0, throttled: 0, last: { ...event, details: { ...(event.details as object), source } } };
      this.windows.set(key, window);
      this.schedule();
    }
    window.throttled++;
  }

  /** Records the summaries of the current window now (also at shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const windows = this.windows;
    this.windows = new Map();
    const endedAt = new Date().toISOString();
    for (const window of windows.values()) {
      if (window.repeated === 0 && window.throttled === 0) continue;
      const last = window.last.details as Record<string, unknown>;
      this.recorder.record({
        ...window.last,
        details: {
          ...last,
          reason: 'repeated',
          aggregated: true,
          count: window.repeated,
          throttled: window.throttled,
          reasons: window.reasons,
          window_start: window.startedAt.toISOString(),
          window_end: endedAt,
        },
      });
    }
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref();
  }
}
