import { Injectable } from '@nestjs/common';
import { NotFoundError, TIER_LIMIT_DEFAULTS, type TierDefinition } from '@niyanta/models';
import { AuditQueryRepository, FleetQueryRepository, TierRepository, WorkloadConfigRepository, type StoredTier } from '@niyanta/state';
import type { RequestMeta } from '../common/request-meta.decorator';
import { toWorkloadTypeDto } from '../fleet/fleet.service';
import type { WorkloadTypeDto, WorkloadTypeListDto } from '../fleet/dto/workload-type.dto';
import { TierCatalogService } from '../tenancy/tier-catalog.service';
import { toWorkloadEventDto } from '../workloads/workload.mapper';
import { adminActor } from './admin.service';
import { decodeAuditCursor, encodeAuditCursor } from './admin-cursor';
import { ADMIN_DEFAULT_PAGE } from './dto/admin-query.dto';
import type { AuditEventListDto, ListAuditEventsQueryDto } from './dto/audit-event.dto';
import type { PutTierDto, TierDto, TierListDto } from './dto/tier.dto';
import type { UpdateWorkloadTypeDto } from './dto/workload-type-update.dto';

export function toTierDto(tier: StoredTier): TierDto {
  return {
    name: tier.name,
    requests_per_second: tier.requestsPerSecond,
    burst: tier.burst,
    max_running: tier.maxRunning,
    scheduling_weight: tier.schedulingWeight,
    max_priority: tier.maxPriority,
    max_pending: tier.maxPending,
    max_fleet_share: tier.maxFleetShare,
    max_schedules: tier.maxSchedules,
    created_at: tier.createdAt.toISOString(),
    updated_at: tier.updatedAt.toISOString(),
  };
}

/** The operator's configuration (tiers, workload type configs) and the audit query. */
@Injectable()
export class AdminConfigService {
  constructor(
    private readonly tiers: TierRepository,
    private readonly catalog: TierCatalogService,
    private readonly configs: WorkloadConfigRepository,
    private readonly fleet: FleetQueryRepository,
    private readonly audit: AuditQueryRepository,
  ) {}

  async listTiers(): Promise<TierListDto> {
    return { items: (await this.tiers.list()).map(toTierDto) };
  }

  /**
   * Creates or replaces a tier. Rate limits use it from the next request on every replica, the
   * scheduler from its next sweep; other API checks (highest priority) within seconds.
   */
  async putTier(name: string, dto: PutTierDto, meta: RequestMeta): Promise<{ tier: TierDto; created: boolean }> {
    const definition: TierDefinition = {
      name,
      requestsPerSecond: dto.requests_per_second,
      burst: dto.burst,
      maxRunning: dto.max_running,
      schedulingWeight: dto.scheduling_weight,
      maxPriority: dto.max_priority,
      maxPending: dto.max_pending ?? TIER_LIMIT_DEFAULTS.maxPending,
      maxFleetShare: dto.max_fleet_share ?? TIER_LIMIT_DEFAULTS.maxFleetShare,
      maxSchedules: dto.max_schedules ?? TIER_LIMIT_DEFAULTS.maxSchedules,
    };
    const { tier, created } = await this.tiers.upsert(definition, adminActor(meta));
    this.catalog.invalidate();
    return { tier: toTierDto(tier), created };
  }

  async listWorkloadTypes(): Promise<WorkloadTypeListDto> {
    return { items: (await this.fleet.listWorkloadTypes()).map(toWorkloadTypeDto) };
  }

  async updateWorkloadType(workloadType: string, dto: UpdateWorkloadTypeDto, meta: RequestMeta): Promise<WorkloadTypeDto> {
    const updated = await this.configs.update(
      workloadType,
      {
        defaultPriority: dto.default_priority,
        maxRetries: dto.max_retries,
        timeoutSeconds: dto.timeout_seconds,
        checkpointIntervalSeconds: dto.checkpoint_interval_seconds,
        checkpointProgressStep: dto.checkpoint_progress_step,
        maxConcurrent: dto.max_concurrent,
      },
      adminActor(meta),
    );
    if (!updated) throw new NotFoundError('workload type', workloadType);
    return toWorkloadTypeDto(updated);
  }

  async listAuditEvents(query: ListAuditEventsQueryDto): Promise<AuditEventListDto> {
    const page = await this.audit.search({
      customerId: query.customer_id?.toLowerCase(),
      actorType: query.actor_type,
      actorId: query.actor_id,
      action: query.action,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      beforeId: query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor),
      limit: query.limit ?? ADMIN_DEFAULT_PAGE,
    });
    return {
      items: page.items.map((event) => ({
        ...toWorkloadEventDto(event),
        customer_id: event.customerId,
        workload_id: event.workloadId,
        key_id: event.keyId,
      })),
      next_cursor: page.next === null ? null : encodeAuditCursor(page.next),
    };
  }
}
