import { describeError } from './error-text';

/** One dependency's state in the `/ready` response. */
export interface CheckResult {
  ok: boolean;
  /** Why the check failed (the error's message; never a stack). */
  error?: string;
}

/** Body of `GET /ready`. */
export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, CheckResult>;
  /** Process facts worth seeing next to readiness (e.g. leadership and generation). */
  details?: Record<string, unknown>;
}

/** A readiness check resolves when the dependency is usable and rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<void>;

/**
 * Collects the dependency checks behind `GET /ready`. Feature and app modules register their
 * checks (`postgres`, `broker`, ...) at start; the leader publishes its state with `setDetails`.
 */
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly details = new Map<string, unknown>();

  /** @param checkTimeoutMs a check slower than this fails, so `/ready` answers even when a socket hangs. */
  constructor(private readonly checkTimeoutMs = 2_000) {}

  /** Adds (or replaces) the check reported under `name`. */
  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Sets a fact reported under `details.<key>`; `undefined` removes it. */
  setDetails(key: string, value: unknown): void {
    if (value === undefined) this.details.delete(key);
    else this.details.set(key, value);
  }

  /** Runs every check concurrently; the process is ready when all pass. */
  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, CheckResult]> => [name, await this.run(check)]),
    );
    const checks = Object.fromEntries(entries);
    const report: ReadinessReport = {
      status: entries.every(([, result]) => result.ok) ? 'ok' : 'unavailable',
      checks,
    };
    if (this.details.size > 0) report.details = Object.fromEntries(this.details);
    return report;
  }

  private async run(check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${this.checkTimeoutMs}ms`)), this.checkTimeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(check), timeout]);
      return { ok: true };
    } catch (error: unknown) {
      return { ok: false, error: describeError(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
