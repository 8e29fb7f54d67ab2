import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCustomer, type CustomerPrincipal } from '../common/principal';
import { ApiErrors } from '../errors/api-errors.decorator';
import { CurrentRequestMeta, type RequestMeta } from '../common/request-meta.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreateScheduleDto, ListSchedulesQueryDto, ScheduleDto, ScheduleListDto, TriggerScheduleResponseDto, UpdateScheduleDto } from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';

const ID_PARAM = { name: 'id', format: 'uuid', description: 'Schedule id.', example: '6f1c2a9e-8d3b-4b8e-9f0a-1c2d3e4f5a6b' };

/** Cron schedules that submit a workload at every tick (SPEC §8). */
@ApiTags('schedules')
@ApiBearerAuth('api_key')
@ApiErrors(401, 403, 429, 503)
@UseGuards(ApiKeyGuard)
@Controller('v1/schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @ApiOperation({
    operationId: 'createSchedule',
    summary: 'Create a schedule',
    description:
      'Stores a cron schedule; the leader submits `workload` at every tick, exactly once per tick (the tick is the idempotency key of the workload it creates, and the workload carries `schedule_id`). A tick missed while no leader ran fires once on recovery. The tier bounds how many schedules a customer keeps (`quota_exceeded`, 429); a taken name is 409 `conflict`. An invalid expression, time zone or workload is 400 and creates nothing.',
  })
  @ApiCreatedResponse({ description: 'Created, with `next_run_at`.', type: ScheduleDto })
  @ApiErrors(400, 409, 413, 415)
  create(@CurrentCustomer() customer: CustomerPrincipal, @Body() body: CreateScheduleDto, @CurrentRequestMeta() meta: RequestMeta): Promise<ScheduleDto> {
    return this.schedules.create(customer, body, meta);
  }

  @Get()
  @ApiOperation({ operationId: 'listSchedules', summary: 'List schedules', description: 'The caller\'s schedules, newest first; page with `limit` and `next_cursor`.' })
  @ApiOkResponse({ description: 'One page.', type: ScheduleListDto })
  @ApiErrors(400)
  list(@CurrentCustomer() customer: CustomerPrincipal, @Query() query: ListSchedulesQueryDto): Promise<ScheduleListDto> {
    return this.schedules.list(customer, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getSchedule', summary: 'Get a schedule', description: 'One schedule with `next_run_at` and its latest runs (`last_runs`, newest first).' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'The schedule.', type: ScheduleDto })
  @ApiErrors(400, 404)
  get(@CurrentCustomer() customer: CustomerPrincipal, @Param('id', UuidParamPipe) id: string): Promise<ScheduleDto> {
    return this.schedules.get(customer, id);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateSchedule',
    summary: 'Change a schedule',
    description: 'Changes the given fields. A new `cron`, `timezone` or `paused` recomputes `next_run_at` from now; other changes keep the due tick.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'The schedule after the change.', type: ScheduleDto })
  @ApiErrors(400, 404, 409, 413, 415)
  update(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateScheduleDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<ScheduleDto> {
    return this.schedules.update(customer, id, body, meta);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteSchedule', summary: 'Delete a schedule', description: 'No more ticks fire. Workloads it created stay, with their `schedule_id`.' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(400, 404)
  async delete(@CurrentCustomer() customer: CustomerPrincipal, @Param('id', UuidParamPipe) id: string, @CurrentRequestMeta() meta: RequestMeta): Promise<void> {
    await this.schedules.delete(customer, id, meta);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ operationId: 'pauseSchedule', summary: 'Pause a schedule', description: 'No tick fires while paused (`next_run_at` is null); pausing a paused schedule changes nothing.' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'The paused schedule.', type: ScheduleDto })
  @ApiErrors(400, 404)
  pause(@CurrentCustomer() customer: CustomerPrincipal, @Param('id', UuidParamPipe) id: string, @CurrentRequestMeta() meta: RequestMeta): Promise<ScheduleDto> {
    return this.schedules.setPaused(customer, id, true, meta);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ operationId: 'resumeSchedule', summary: 'Resume a schedule', description: 'Ticks resume from the next one after now; ticks that passed while paused are not fired.' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'The resumed schedule, with `next_run_at`.', type: ScheduleDto })
  @ApiErrors(400, 404)
  resume(@CurrentCustomer() customer: CustomerPrincipal, @Param('id', UuidParamPipe) id: string, @CurrentRequestMeta() meta: RequestMeta): Promise<ScheduleDto> {
    return this.schedules.setPaused(customer, id, false, meta);
  }

  @Post(':id/trigger')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'triggerSchedule',
    summary: 'Run a schedule now',
    description:
      'Submits the schedule\'s workload now, outside its ticks (also while paused). `cancel_previous` cancels an unfinished previous run first; `skip` does not hold back an explicit trigger. With an Idempotency-Key header a retried request creates nothing more.',
  })
  @ApiParam(ID_PARAM)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the trigger safe to retry (1–200 characters).', example: 'backfill-2026-01-31' })
  @ApiCreatedResponse({ description: 'The workload created (or, for a repeated key, the first one).', type: TriggerScheduleResponseDto })
  @ApiErrors(400, 404)
  trigger(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<TriggerScheduleResponseDto> {
    return this.schedules.trigger(customer, id, idempotencyKey, meta);
  }
}
