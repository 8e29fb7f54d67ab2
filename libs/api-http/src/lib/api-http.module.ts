import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  AnalyticsQueryRepository,
  ApiKeyRepository,
  AuditQueryRepository,
  AuditRepository,
  CustomerRepository,
  FleetQueryRepository,
  RateLimitRepository,
  TierRepository,
  WorkerDrainRepository,
  WorkloadCommandRepository,
  WorkloadConfigRepository,
  WorkloadQueryRepository,
  WorkloadStreamRepository,
  WorkloadSubmissionRepository,
} from '@niyanta/state';
import { AdminController } from './admin/admin.controller';
import { AdminAnalyticsController } from './analytics/admin-analytics.controller';
import { AnalyticsController } from './analytics/analytics.controller';
import { AnalyticsService } from './analytics/analytics.service';
import { WorkerDrainController } from './admin/worker-drain.controller';
import { WorkerDrainService } from './admin/worker-drain.service';
import { AdminConfigController } from './admin/admin-config.controller';
import { AdminConfigService } from './admin/admin-config.service';
import { AdminService } from './admin/admin.service';
import { API_HTTP_OPTIONS, type ApiHttpOptions } from './api-http.options';
import { ApiKeyAuthService } from './auth/api-key-auth.service';
import { AdminKeyGuard, ApiKeyGuard } from './auth/api-key.guard';
import { FleetController } from './fleet/fleet.controller';
import { FleetService } from './fleet/fleet.service';
import { DatabaseCircuitBreaker } from './resilience/database-circuit-breaker.service';
import { DatabaseCircuitGuard } from './resilience/database-circuit.guard';
import { RateLimitService } from './tenancy/rate-limit.service';
import { TenantApiMetrics } from './tenancy/tenant-metrics';
import { TierCatalogService } from './tenancy/tier-catalog.service';
import { CustomerEventHub } from './stream/customer-event-hub.service';
import { StreamController } from './stream/stream.controller';
import { StreamGateway } from './stream/stream.gateway';
import { StreamMetrics } from './stream/stream-metrics';
import { WorkloadCommandsService } from './workloads/workload-commands.service';
import { WorkloadNotifier } from './workloads/workload-notifier.service';
import { WorkloadQueriesService } from './workloads/workload-queries.service';
import { WorkloadSubmissionService } from './workloads/workload-submission.service';
import { WorkloadsController } from './workloads/workloads.controller';
import { SCHEDULES_CONTROLLERS, SCHEDULES_PROVIDERS } from './schedules/schedules.module';

/**
 * The REST API (`/v1`): workloads, fleet views and the admin API, with API key auth, and the live
 * stream (`GET /v1/stream`, a WebSocket on the same HTTP server). Needs the
 * global `StateModule` (DataSource) and `BrokerModule` (Broker, Subjects). Pair it with
 * {@link configureHttpApp} on the application for body limits, validation, error shape and docs.
 */
@Module({})
export class ApiHttpModule {
  static forRoot(options: ApiHttpOptions): DynamicModule {
    return {
      module: ApiHttpModule,
      controllers: [WorkloadsController, FleetController, AdminController, AdminConfigController, WorkerDrainController, StreamController, AnalyticsController, AdminAnalyticsController, ...SCHEDULES_CONTROLLERS],
      providers: [
        { provide: API_HTTP_OPTIONS, useValue: options },
        // Global guard: runs before the controllers' auth guards, so an open circuit answers first.
        DatabaseCircuitBreaker,
        { provide: APP_GUARD, useClass: DatabaseCircuitGuard },
        WorkerDrainRepository,
        WorkerDrainService,
        WorkloadSubmissionRepository,
        WorkloadQueryRepository,
        WorkloadCommandRepository,
        FleetQueryRepository,
        CustomerRepository,
        ApiKeyRepository,
        AuditRepository,
        ApiKeyAuthService,
        ApiKeyGuard,
        AdminKeyGuard,
        WorkloadNotifier,
        WorkloadSubmissionService,
        WorkloadQueriesService,
        WorkloadCommandsService,
        FleetService,
        AdminService,
        TierRepository,
        RateLimitRepository,
        WorkloadConfigRepository,
        AuditQueryRepository,
        { provide: TenantApiMetrics, useFactory: () => new TenantApiMetrics() },
        TierCatalogService,
        RateLimitService,
        AdminConfigService,
        WorkloadStreamRepository,
        CustomerEventHub,
        StreamMetrics,
        StreamGateway,
        AnalyticsQueryRepository,
        AnalyticsService,
        ...SCHEDULES_PROVIDERS,
      ],
      // For other API features (streaming, analytics) that authenticate the same way.
      exports: [ApiKeyAuthService, RateLimitService, ApiKeyGuard, AdminKeyGuard],
    };
  }
}
