import { Module, type DynamicModule } from '@nestjs/common';
import {
  ApiKeyRepository,
  AuditRepository,
  CustomerRepository,
  FleetQueryRepository,
  WorkloadCommandRepository,
  WorkloadQueryRepository,
  WorkloadSubmissionRepository,
} from '@niyanta/state';
import { AdminController } from './admin/admin.controller';
import { AdminService } from './admin/admin.service';
import { API_HTTP_OPTIONS, type ApiHttpOptions } from './api-http.options';
import { ApiKeyAuthService } from './auth/api-key-auth.service';
import { AdminKeyGuard, ApiKeyGuard } from './auth/api-key.guard';
import { FleetController } from './fleet/fleet.controller';
import { FleetService } from './fleet/fleet.service';
import { WorkloadCommandsService } from './workloads/workload-commands.service';
import { WorkloadNotifier } from './workloads/workload-notifier.service';
import { WorkloadQueriesService } from './workloads/workload-queries.service';
import { WorkloadSubmissionService } from './workloads/workload-submission.service';
import { WorkloadsController } from './workloads/workloads.controller';

/**
 * The REST API (`/v1`): workloads, fleet views and the admin API, with API key auth. Needs the
 * global `StateModule` (DataSource) and `BrokerModule` (Broker, Subjects). Pair it with
 * {@link configureHttpApp} on the application for body limits, validation, error shape and docs.
 */
@Module({})
export class ApiHttpModule {
  static forRoot(options: ApiHttpOptions): DynamicModule {
    return {
      module: ApiHttpModule,
      controllers: [WorkloadsController, FleetController, AdminController],
      providers: [
        { provide: API_HTTP_OPTIONS, useValue: options },
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
      ],
      // For other API features (streaming, analytics) that authenticate the same way.
      exports: [ApiKeyAuthService, ApiKeyGuard, AdminKeyGuard],
    };
  }
}
