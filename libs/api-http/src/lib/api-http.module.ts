import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { ApiHttpOptionsModule } from './api-http-options.module';
import type { ApiHttpOptions } from './api-http.options';
import { AuthModule } from './auth/auth.module';
import { FleetModule } from './fleet/fleet.module';
import { ResilienceModule } from './resilience/resilience.module';
import { StreamModule } from './stream/stream.module';
import { TenancyModule } from './tenancy/tenancy.module';
import { WorkloadsModule } from './workloads/workloads.module';

/**
 * The REST API (`/v1`): workloads, fleet views and the admin API, with API key auth, and the live
 * stream (`GET /v1/stream`, a WebSocket on the same HTTP server). Needs the
 * global `StateModule` (DataSource) and `BrokerModule` (Broker, Subjects). Pair it with
 * {@link configureHttpApp} on the application for body limits, validation, error shape and docs.
 *
 * Only a composition: each resource is a module of its own folder (see docs/architecture.md for
 * which folder may use which).
 */
@Module({})
export class ApiHttpModule {
  static forRoot(options: ApiHttpOptions): DynamicModule {
    return {
      module: ApiHttpModule,
      imports: [
        ApiHttpOptionsModule.forRoot(options),
        ResilienceModule,
        WorkloadsModule,
        FleetModule,
        AdminModule,
        StreamModule,
        AnalyticsModule,
        AuthModule,
        TenancyModule,
      ],
      // For other API features that authenticate and rate-limit the same way.
      exports: [AuthModule, TenancyModule],
    };
  }
}
