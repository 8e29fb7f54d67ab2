import { Module } from '@nestjs/common';
import { RateLimitRepository, TierRepository } from '@niyanta/state';
import { RateLimitService } from './rate-limit.service';
import { TenantApiMetrics } from './tenant-metrics';
import { TierCatalogService } from './tier-catalog.service';

/** Tiers, per-customer rate limiting and the per-tier API counters. */
@Module({
  providers: [
    TierRepository,
    RateLimitRepository,
    { provide: TenantApiMetrics, useFactory: () => new TenantApiMetrics() },
    TierCatalogService,
    RateLimitService,
  ],
  exports: [TenantApiMetrics, TierCatalogService, RateLimitService],
})
export class TenancyModule {}
