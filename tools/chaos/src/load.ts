import { randomUUID } from 'node:crypto';

/** One submission the load generator made, by idempotency key. */
export interface Submission {
  key: string;
  /** The workload id, once an API acknowledged it (201 or a 200 repeat). */
  id: string | null;
  submittedAt: number;
  tries: number;
}

/** Options of {@link LoadGenerator}. */
export interface LoadOptions {
  /** Base URLs of the APIs to spread submissions over (asked again before every try). */
  apis: () => string[];
  key: string;
  /** Submissions started per second. @default 8 */
  ratePerSecond?: number;
  /** Sleep duration range of each workload. @default [500, 2500] */
  durationMs?: [number, number];
  /** @default 5 */
  steps?: number;
  /** A submission is given up (left unacknowledged) after this long. @default 120000 */
  giveUpAfterMs?: number;
}

/** What the API answered, counted over the whole run. */
export interface LoadStats {
  acknowledged: number;
  repeats: number;
  unavailable: number;
  networkErrors: number;
  otherErrors: number;
  rateLimited: number;
  /** Submissions never acknowledged within `giveUpAfterMs` (they may still have been committed). */
  givenUp: number;
}

/**
 * A steady stream of `sleep` submissions, each with an idempotency key and retried — on another
 * API when one fails — until acknowledged, the way a careful client behaves. A 503 or a dropped
 * connection may hide a commit (the answer was lost), so the key, not the answer, identifies each
 * submission; the invariants look the unacknowledged keys up in the database.
 */
export class LoadGenerator {
  readonly submissions = new Map<string, Submission>();
  readonly stats: LoadStats = { acknowledged: 0, repeats: 0, unavailable: 0, networkErrors: 0, otherErrors: 0, rateLimited: 0, givenUp: 0 };
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private next = 0;

  constructor(private readonly options: LoadOptions) {}

  start(): void {
    if (this.timer !== null) return;
    const rate = this.options.ratePerSecond ?? 8;
    this.timer = setInterval(() => this.submitOne(), 1_000 / rate);
  }

  /** Stops starting submissions; resolves when those in flight are acknowledged or given up. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Ids of acknowledged submissions made up to `until` (epoch ms). */
  acknowledgedIds(until = Infinity): string[] {
    return [...this.submissions.values()].filter((s) => s.id !== null && s.submittedAt <= until).map((s) => s.id as string);
  }

  /** Keys of submissions never acknowledged (they may or may not have been committed). */
  unacknowledgedKeys(): string[] {
    return [...this.submissions.values()].filter((s) => s.id === null).map((s) => s.key);
  }

  private submitOne(): void {
    const [min, max] = this.options.durationMs ?? [500, 2_500];
    const submission: Submission = { key: `chaos-${randomUUID()}`, id: null, submittedAt: Date.now(), tries: 0 };
    this.submissions.set(submission.key, submission);
    const body = {
      workload_type: 'sleep',
      input: { duration_ms: Math.round(min + Math.random() * (max - min)), steps: this.options.steps ?? 5 },
      labels: { source: 'chaos' },
    };
    const task = this.deliver(submission, body).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async deliver(submission: Submission, body: unknown): Promise<void> {
    const giveUpAt = submission.submittedAt + (this.options.giveUpAfterMs ?? 120_000);
    while (Date.now() < giveUpAt) {
      const apis = this.options.apis();
      const url = apis[this.next++ % Math.max(1, apis.length)];
      submission.tries++;
      let retryAfterMs = 200 + Math.random() * 200;
      if (url !== undefined) {
        try {
          const res = await fetch(`${url}/v1/workloads`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${this.options.key}`,
              'content-type': 'application/json',
              'idempotency-key': submission.key,
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
          const json = (await res.json().catch(() => null)) as { id?: string } | null;
          if ((res.status === 201 || res.status === 200) && typeof json?.id === 'string') {
            submission.id = json.id;
            this.stats.acknowledged++;
            if (res.status === 200) this.stats.repeats++;
            return;
          }
          if (res.status === 503) this.stats.unavailable++;
          else if (res.status === 429) {
            this.stats.rateLimited++;
            retryAfterMs = 1_000 * Number(res.headers.get('retry-after') ?? 1);
          } else this.stats.otherErrors++;
        } catch {
          this.stats.networkErrors++;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    }
    this.stats.givenUp++;
  }
}
