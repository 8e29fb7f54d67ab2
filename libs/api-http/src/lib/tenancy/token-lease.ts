/** How long tokens taken ahead stay usable; what is left then lapses (it was taken from the bucket). */
export const LEASE_TTL_MS = 200;

/** A lease holds at most this share of the bucket (1/20 of the burst: 500 tokens of 10,000). */
const MAX_SHARE_OF_BURST = 20;

/**
 * Tokens one API process took from a customer's shared bucket ahead of its next requests, so a
 * busy customer costs one bucket statement per lease instead of one per request (or group). The
 * lease adapts to the customer's pace: it starts once requests queue behind a bucket statement
 * (a group of two or more), doubles when used up before it lapses and halves when tokens lapse
 * unused, up to 1/20 of the bucket; a customer whose requests never overlap takes nothing ahead and costs
 * what it did before. Tokens taken ahead are gone from the shared bucket, so replicas together never
 * admit more than the bucket allows; at most one lease of tokens per replica may lapse unused.
 */
export class TokenLease {
  private tokens = 0;
  private expiresAt = 0;
  /** Tokens the next statement takes ahead. */
  private nextSize = 0;
  /** `X-RateLimit-Remaining` after the last token of the lease was taken. */
  private remainingAfter = 0;
  private limit = 0;
  private resetAtMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes a token from the lease; null when none is left (take from the bucket, with {@link ahead} more). */
  take(): { limit: number; remaining: number; resetMs: number } | null {
    const now = this.now();
    if (this.tokens > 0 && now >= this.expiresAt) {
      // Lapsed with tokens left: the customer is slower than the lease assumed.
      this.tokens = 0;
      this.nextSize = Math.floor(this.nextSize / 2);
    }
    if (this.tokens === 0) return null;
    this.tokens--;
    if (this.tokens === 0 && now < this.expiresAt) this.nextSize = Math.min(this.maxSize(), Math.max(1, this.nextSize * 2));
    return { limit: this.limit, remaining: this.remainingAfter + this.tokens, resetMs: Math.max(0, this.resetAtMs - now) };
  }

  /** How many tokens to take ahead with the next bucket statement. */
  get ahead(): number {
    return this.nextSize;
  }

  /**
   * Stores what a bucket statement for `requests` waiting requests admitted beyond them (`extra`),
   * with the bucket's state after them. Requests that queued (two or more) start or grow the lease;
   * a bucket that could not give the extra tokens asked for shrinks it.
   */
  fill(requests: number, extra: number, state: { limit: number; remaining: number; resetMs: number }): void {
    const asked = this.nextSize;
    this.tokens = Math.max(0, extra);
    this.expiresAt = this.now() + LEASE_TTL_MS;
    this.remainingAfter = state.remaining;
    this.limit = state.limit;
    this.resetAtMs = this.now() + state.resetMs;
    if (extra < asked) this.nextSize = Math.floor(asked / 2);
    else if (requests >= 2) this.nextSize = Math.min(this.maxSize(), Math.max(asked * 2, requests));
  }

  private maxSize(): number {
    return Math.floor(this.limit / MAX_SHARE_OF_BURST);
  }
}
