import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, NotFoundError, type Customer, type CustomerState } from '@niyanta/models';
import { ApiKeyRepository, CustomerRepository, type AuditActor } from '@niyanta/state';
import { generateApiKey } from '../auth/api-key.codec';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import type { RequestMeta } from '../common/request-meta.decorator';
import { TierCatalogService } from '../tenancy/tier-catalog.service';
import { isoOrNull } from '../workloads/workload.mapper';
import { decodeCustomerCursor, encodeCustomerCursor } from './admin-cursor';
import { ADMIN_DEFAULT_PAGE } from './dto/admin-query.dto';
import type { ApiKeyListDto, IssueApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto';
import type { CreateCustomerDto, CustomerDto, CustomerListDto, ListCustomersQueryDto, UpdateCustomerDto } from './dto/customer.dto';

export function toCustomerDto(customer: Customer): CustomerDto {
  return {
    id: customer.id,
    name: customer.name,
    tier: customer.tier,
    status: customer.status,
    created_at: customer.createdAt.toISOString(),
    updated_at: customer.updatedAt.toISOString(),
  };
}

/** The audit actor of an operator request. */
export function adminActor(meta: RequestMeta): AuditActor {
  return { actorType: 'admin', actorId: 'operator', requestId: meta.requestId };
}

/** The operator's actions on customers and their API keys. Each change writes an audit event. */
@Injectable()
export class AdminService {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly keys: ApiKeyRepository,
    private readonly auth: ApiKeyAuthService,
    private readonly tiers: TierCatalogService,
  ) {}

  async createCustomer(dto: CreateCustomerDto, meta: RequestMeta): Promise<CustomerDto> {
    await this.requireTier(dto.tier);
    return toCustomerDto(await this.customers.create({ name: dto.name, tier: dto.tier }, adminActor(meta)));
  }

  async listCustomers(query: ListCustomersQueryDto): Promise<CustomerListDto> {
    const page = await this.customers.listPage({
      afterId: query.cursor === undefined ? undefined : decodeCustomerCursor(query.cursor),
      limit: query.limit ?? ADMIN_DEFAULT_PAGE,
    });
    return { items: page.items.map(toCustomerDto), next_cursor: page.next === null ? null : encodeCustomerCursor(page.next) };
  }

  async getCustomer(id: string): Promise<CustomerDto> {
    const customer = await this.customers.findById(id);
    if (!customer) throw new NotFoundError('customer', id);
    return toCustomerDto(customer);
  }

  /** Moves the customer to another defined tier; its cached keys on this replica are re-read at once. */
  async changeTier(id: string, dto: UpdateCustomerDto, meta: RequestMeta): Promise<CustomerDto> {
    await this.requireTier(dto.tier);
    return this.update(id, { tier: dto.tier }, meta);
  }

  /**
   * Suspends or reactivates the customer. Suspended: its keys get 403 (at once here, within the auth
   * cache TTL on other replicas) and its queued workloads stay PENDING, out of the scheduler's sight.
   */
  async setSuspended(id: string, suspended: boolean, meta: RequestMeta): Promise<CustomerDto> {
    return this.update(id, { status: suspended ? 'suspended' : 'active' }, meta);
  }

  async listKeys(customerId: string): Promise<ApiKeyListDto> {
    await this.getCustomer(customerId);
    const keys = await this.keys.listForCustomer(customerId);
    return {
      items: keys.map((key) => ({
        id: key.id,
        customer_id: key.customerId,
        prefix: key.prefix,
        name: key.name,
        created_at: key.createdAt.toISOString(),
        expires_at: isoOrNull(key.expiresAt),
        revoked_at: isoOrNull(key.revokedAt),
      })),
    };
  }

  private async update(id: string, changes: { tier?: string; status?: CustomerState }, meta: RequestMeta): Promise<CustomerDto> {
    const result = await this.customers.update(id, changes, adminActor(meta));
    if (!result) throw new NotFoundError('customer', id);
    this.auth.forgetCustomer(id);
    return toCustomerDto(result.after);
  }

  private async requireTier(tier: string): Promise<void> {
    if (!(await this.tiers.exists(tier))) {
      throw new DomainError(ErrorCode.ValidationFailed, `tier "${tier}" is not defined; GET /v1/admin/tiers lists them`, [
        { path: 'tier', message: 'is not a defined tier' },
      ]);
    }
  }

  /** Issues a key for the customer; the plaintext exists only in the returned object. */
  async issueKey(customerId: string, dto: IssueApiKeyDto, meta: RequestMeta): Promise<IssuedApiKeyDto> {
    const customer = await this.customers.findById(customerId);
    if (!customer) throw new NotFoundError('customer', customerId);
    const expiresAt = dto.expires_at === undefined ? null : new Date(dto.expires_at);
    if (expiresAt !== null && expiresAt.getTime() <= Date.now()) {
      throw new DomainError(ErrorCode.ValidationFailed, 'expires_at must be in the future', [
        { path: 'expires_at', message: 'must be in the future' },
      ]);
    }
    const generated = generateApiKey();
    const stored = await this.keys.issue(
      { customerId, prefix: generated.prefix, keyHash: generated.hash, name: dto.name ?? null, expiresAt },
      adminActor(meta),
    );
    return {
      id: stored.id,
      customer_id: stored.customerId,
      key: generated.key,
      prefix: stored.prefix,
      name: stored.name,
      created_at: stored.createdAt.toISOString(),
      expires_at: isoOrNull(stored.expiresAt),
    };
  }

  /** Revokes a key (idempotent); this replica forgets it at once, others within the auth cache TTL. */
  async revokeKey(keyId: string, meta: RequestMeta): Promise<void> {
    const revoked = await this.keys.revoke(keyId, adminActor(meta));
    if (!revoked) throw new NotFoundError('api key', keyId);
    this.auth.forgetKey(keyId);
  }
}
