import { Module } from '@nestjs/common';
import {
  ApiKeyRepository,
  AuditQueryRepository,
  CustomerRepository,
  FleetQueryRepository,
  TierRepository,
  WorkerDrainRepository,
  WorkloadConfigRepository,
} from '@niyanta/state';
import { AuthModule } from '../auth/auth.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AdminConfigController } from './admin-config.controller';
import { AdminConfigService } from './admin-config.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { WorkerDrainController } from './worker-drain.controller';
import { WorkerDrainService } from './worker-drain.service';

/** `/v1/admin`: customers and keys, tiers and workload type config, the audit log, worker drains. */
@Module({
  imports: [AuthModule, TenancyModule],
  controllers: [AdminController, AdminConfigController, WorkerDrainController],
  providers: [
    CustomerRepository,
    ApiKeyRepository,
    TierRepository,
    WorkloadConfigRepository,
    FleetQueryRepository,
    AuditQueryRepository,
    WorkerDrainRepository,
    AdminService,
    AdminConfigService,
    WorkerDrainService,
  ],
})
export class AdminModule {}
