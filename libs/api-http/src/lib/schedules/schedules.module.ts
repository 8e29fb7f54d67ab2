import { ScheduleRepository } from '@niyanta/state';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/**
 * `/v1/schedules`: the controller and providers of the schedules resource. Uses the workloads
 * resource's submission checks and notifier, and the API key guard.
 */
export const SCHEDULES_CONTROLLERS = [SchedulesController];
export const SCHEDULES_PROVIDERS = [ScheduleRepository, SchedulesService];
