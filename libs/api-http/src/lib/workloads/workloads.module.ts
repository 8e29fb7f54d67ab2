import { Module } from '@nestjs/common';
import { AuditRepository, WorkloadCommandRepository, WorkloadQueryRepository, WorkloadSubmissionRepository } from '@niyanta/state';
import { AuthModule } from '../auth/auth.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { WorkloadCommandsService } from './workload-commands.service';
import { WorkloadNotifier } from './workload-notifier.service';
import { WorkloadQueriesService } from './workload-queries.service';
import { WorkloadSubmissionService } from './workload-submission.service';
import { WorkloadsController } from './workloads.controller';

/** `/v1/workloads`: submission, queries and commands of a customer's workloads. */
@Module({
  imports: [AuthModule, TenancyModule],
  controllers: [WorkloadsController],
  providers: [
    WorkloadSubmissionRepository,
    WorkloadQueryRepository,
    WorkloadCommandRepository,
    AuditRepository,
    WorkloadNotifier,
    WorkloadSubmissionService,
    WorkloadQueriesService,
    WorkloadCommandsService,
  ],
})
export class WorkloadsModule {}
