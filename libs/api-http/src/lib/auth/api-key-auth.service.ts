import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DomainError, ErrorCode, RateLimitedError } from '@niyanta/models';
import { ApiKeyRepository, AuditRepository, type AuditActorKind, type AuditEventInput } from '@niyanta/state';
import {
  API_HTTP_OPTIONS,
  DEFAULT_AUTH_CACHE_TTL_MS,
  DEFAULT_AUTH_FAILURE_WINDOW_MS,
  DEFAULT_AUTH_THROTTLE,
  type ApiHttpOptions,
} from '../api-http.options';
import { AuditOutbox } from '../tenancy/audit-outbox';
import { BufferedAuditWriter } from '../tenancy/buffered-audit-writer';
import { bearerToken, digestsEqual, hashApiKey, parseApiKey, secretsEqual } from './api-key.codec';
import { AuthFailureAggregator } from './auth-failure-aggregator';
import { SourceThrottle } from './source-throttle';
import type { CustomerPrincipal } from '../common/principal';

/** Where a request came from, for the `auth.failed` audit event. */
export interface AuthAttempt {
  requestId: string | null;
  method: string;
  /** The request path, credential query parameters already redacted. */
  path: string;
  /** The client's address (the socket's peer, or the proxy-reported one when Express trusts a proxy). */
  source: string;
}

interface CachedKey {
  principal: CustomerPrincipal;
  keyExpiresAt: number | null;
  cachedUntil: number;
}

const MAX_CACHED_KEYS = 10_000;

/**
 * Authenticates customers by API key and the operator by the admin key. Successful customer lookups
 * are cached for `authCacheTtlMs` (keyed by the key's hash, never the key), so the hot path of an
 * authenticated request does not touch PostgreSQL; revocation takes effect on other replicas within
 * that time. Every failure is audited as `auth.failed` without delaying the answer: appended to the
 * local outbox (when `auditOutboxDir` is set) and queued, written in batches, kept and retried while
 * PostgreSQL is unreachable (see {@link BufferedAuditWriter}).
 */
@Injectable()
export class ApiKeyAuthService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeyAuthService.name);
  private readonly cache = new Map<string, CachedKey>();
  private readonly ttlMs: number;
  private readonly failures: BufferedAuditWriter;
  private readonly aggregator: AuthFailureAggregator;
  private readonly throttle: SourceThrottle | null;

  constructor(
    private readonly keys: ApiKeyRepository,
    audit: AuditRepository,
    @Inject(API_HTTP_OPTIONS) private readonly options: ApiHttpOptions,
  ) {
    this.ttlMs = options.authCacheTtlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
    this.failures = new BufferedAuditWriter(audit, this.logger, {
      flushDelayMs: options.auditFlushIntervalMs,
      outbox: options.auditOutboxDir ? new AuditOutbox(options.auditOutboxDir, this.logger) : null,
    });
    this.aggregator = new AuthFailureAggregator(this.failures, options.authFailureWindowMs ?? DEFAULT_AUTH_FAILURE_WINDOW_MS);
    const throttle = options.authThrottle === undefined ? DEFAULT_AUTH_THROTTLE : options.authThrottle;
    this.throttle = throttle === false ? null : new SourceThrottle(throttle);
  }

  /** Queues the auth failures that processes which died left in the outbox directory. */
  onApplicationBootstrap(): void {
    this.failures.recover();
  }

  /** Auth failures still queued for the audit trail (they are written in batches, off the request path). */
  get pendingAuditEvents(): number {
    return this.failures.pending;
  }

  /** Ends the current `auth.failed` aggregation window now: its summaries are queued for writing. */
  flushAuthFailureSummaries(): void {
    this.aggregator.flush();
  }

  /** Writes the queued auth failures before the database pool closes (it closes in the last phase). */
  async beforeApplicationShutdown(): Promise<void> {
    this.aggregator.flush();
    await this.failures.close();
  }

  /** The customer owning the bearer key in `authorization`; 401 `unauthorized` otherwise. */
  async authenticate(authorization: string | undefined, attempt: AuthAttempt): Promise<CustomerPrincipal> {
    const token = bearerToken(authorization);
    const parsed = token === null ? null : parseApiKey(token);
    const hash = parsed === null || token === null ? null : hashApiKey(token);
    const now = Date.now();
    if (hash !== null) {
      const cached = this.cache.get(hash);
      if (cached && cached.cachedUntil > now && (cached.keyExpiresAt === null || cached.keyExpiresAt > now)) {
        return cached.principal;
      }
      this.cache.delete(hash);
    }
    // Not known to work: an address that keeps failing is refused before any lookup.
    this.refuseThrottled('customer', attempt);
    if (token === null) throw this.fail('customer', attempt, authorization ? 'malformed_header' : 'missing');
    if (parsed === null || hash === null) throw this.fail('customer', attempt, 'malformed_key');

    const found = await this.keys.findByPrefix(parsed.prefix);
    if (!found || !digestsEqual(found.key.keyHash, hash)) {
      throw this.fail('customer', attempt, 'unknown_key', { prefix: parsed.prefix });
    }
    const { key, customer } = found;
    const refs = { prefix: key.prefix, keyId: key.id, customerId: customer.id };
    if (key.revokedAt !== null) throw this.fail('customer', attempt, 'revoked', refs);
    if (key.expiresAt !== null && key.expiresAt.getTime() <= now) throw this.fail('customer', attempt, 'expired', refs);
    if (customer.status !== 'active') {
      this.recordFailure('customer', attempt, 'customer_suspended', refs);
      throw new DomainError(ErrorCode.Forbidden, 'the customer is suspended');
    }

    const principal: CustomerPrincipal = { kind: 'customer', customerId: customer.id, keyId: key.id, tier: customer.tier };
    if (this.cache.size >= MAX_CACHED_KEYS) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(hash, { principal, keyExpiresAt: key.expiresAt?.getTime() ?? null, cachedUntil: now + this.ttlMs });
    return principal;
  }

  /** Accepts only the configured admin key (constant-time); 401 when none is configured. */
  authenticateAdmin(authorization: string | undefined, attempt: AuthAttempt): void {
    const expected = this.options.adminApiKey;
    const token = bearerToken(authorization);
    if (expected && token !== null && secretsEqual(token, expected)) return;
    this.refuseThrottled('admin', attempt);
    if (!expected) throw this.fail('admin', attempt, 'admin_key_not_configured');
    if (token === null) throw this.fail('admin', attempt, authorization ? 'malformed_header' : 'missing');
    if (!secretsEqual(token, expected)) throw this.fail('admin', attempt, 'wrong_admin_key');
  }

  /** Drops cached lookups of every key of a customer (its tier or status changed on this replica). */
  forgetCustomer(customerId: string): void {
    for (const [hash, entry] of this.cache) {
      if (entry.principal.customerId === customerId) this.cache.delete(hash);
    }
  }

  /** Drops cached lookups of a key (called when this replica revokes it). */
  forgetKey(keyId: string): void {
    for (const [hash, entry] of this.cache) {
      if (entry.principal.keyId === keyId) this.cache.delete(hash);
    }
  }

  /** 429 with `Retry-After` when `attempt.source` has used up its failed authentications. */
  private refuseThrottled(actorType: AuditActorKind, attempt: AuthAttempt): void {
    const retryAfter = this.throttle?.retryAfterSeconds(attempt.source) ?? 0;
    if (retryAfter === 0) return;
    this.aggregator.throttled(attempt.source, this.failureEvent(actorType, attempt, 'throttled', {}));
    throw new RateLimitedError(retryAfter);
  }

  private fail(
    actorType: AuditActorKind,
    attempt: AuthAttempt,
    reason: string,
    refs: { prefix?: string; keyId?: string; customerId?: string } = {},
  ): DomainError {
    this.recordFailure(actorType, attempt, reason, refs);
    const message =
      reason === 'admin_key_not_configured'
        ? 'the admin API is disabled: no admin key is configured'
        : 'a valid API key is required (Authorization: Bearer <key>)';
    return new DomainError(ErrorCode.Unauthorized, message);
  }

  private recordFailure(
    actorType: AuditActorKind,
    attempt: AuthAttempt,
    reason: string,
    refs: { prefix?: string; keyId?: string; customerId?: string },
  ): void {
    this.throttle?.charge(attempt.source);
    // Queued, never awaited: an audit write must not delay or fail the 401 itself. Repeated failures
    // of one address are counted into one summary row per window.
    this.aggregator.failed(attempt.source, this.failureEvent(actorType, attempt, reason, refs));
  }

  private failureEvent(
    actorType: AuditActorKind,
    attempt: AuthAttempt,
    reason: string,
    refs: { prefix?: string; keyId?: string; customerId?: string },
  ): AuditEventInput {
    return {
      action: 'auth.failed',
      actorType,
      actorId: refs.customerId ?? null,
      keyId: refs.keyId ?? null,
      customerId: refs.customerId ?? null,
      requestId: attempt.requestId,
      details: { reason, prefix: refs.prefix ?? null, method: attempt.method, path: attempt.path },
    };
  }
}
