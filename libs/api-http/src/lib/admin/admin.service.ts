import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, NotFoundError, type Customer } from '@niyanta/models';
import { ApiKeyRepository, CustomerRepository, type AuditActor } from '@niyanta/state';
import { generateApiKey } from '../auth/api-key.codec';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import type { RequestMeta } from '../common/request-meta.decorator';
import { isoOrNull } from '../workloads/workload.mapper';
import type { IssueApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto';
import type { CreateCustomerDto, CustomerDto, CustomerListDto } from './dto/customer.dto';

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

function adminActor(meta: RequestMeta): AuditActor {
  return { actorType: 'admin', actorId: 'operator', requestId: meta.requestId };
}

/** The operator's actions: customers and their API keys. Each writes an audit event. */
@Injectable()
export class AdminService {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly keys: ApiKeyRepository,
    private readonly auth: ApiKeyAuthService,
  ) {}

  async createCustomer(dto: CreateCustomerDto, meta: RequestMeta): Promise<CustomerDto> {
    return toCustomerDto(await this.customers.create({ name: dto.name, tier: dto.tier }, adminActor(meta)));
  }

  async listCustomers(): Promise<CustomerListDto> {
    return { items: (await this.customers.list()).map(toCustomerDto) };
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
