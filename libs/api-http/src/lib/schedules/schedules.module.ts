import { Module } from '@nestjs/common';
import { ScheduleRepository } from '@niyanta/state';
import { AuthModule } from '../auth/auth.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { WorkloadsModule } from '../workloads/workloads.module';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/**
 * `/v1/schedules`: cron schedules of a customer's workloads. A schedule's workload body is checked
 * by the workloads resource's own submission rules, and a manual trigger is announced by its notifier.
 */
@Module({
  imports: [AuthModule, TenancyModule, WorkloadsModule],
  controllers: [SchedulesController],
  providers: [ScheduleRepository, SchedulesService],
})
export class SchedulesModule {}
