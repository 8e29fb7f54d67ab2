import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, NotFoundError } from '@niyanta/models';
import { cronProblems, nextTick } from '@niyanta/schedules';
import { ScheduleRepository, type Schedule, type ScheduleChange, type ScheduledWorkloadBody, type ScheduleRun } from '@niyanta/state';
import type { CustomerPrincipal } from '../common/principal';
import type { RequestMeta } from '../common/request-meta.decorator';
import { isUuid } from '../common/uuid-param.pipe';
import { WorkloadNotifier } from '../workloads/workload-notifier.service';
import { WorkloadSubmissionService } from '../workloads/workload-submission.service';
import type { CreateScheduleDto, ListSchedulesQueryDto, ScheduleDto, ScheduleListDto, ScheduleRunDto, TriggerScheduleResponseDto, UpdateScheduleDto } from './dto/schedule.dto';

/** Runs shown on `GET /v1/schedules/{id}`. */
const LAST_RUNS = 10;
const DEFAULT_LIST_LIMIT = 100;

/**
 * Schedules of the caller (SPEC §8): validation (cron, time zone, and the workload body as a
 * submission would be checked), `next_run_at` from the expression, and the changes the leader's
 * firing reads. The leader fires ticks; this service only writes the schedule and manual triggers.
 */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly repository: ScheduleRepository,
    private readonly submissions: WorkloadSubmissionService,
    private readonly notifier: WorkloadNotifier,
  ) {}

  async create(principal: CustomerPrincipal, dto: CreateScheduleDto, meta: RequestMeta): Promise<ScheduleDto> {
    const timezone = dto.timezone ?? 'UTC';
    assertCron(dto.cron, timezone);
    await this.submissions.assertSubmittable(principal, dto.workload, 'workload.');
    const paused = dto.paused ?? false;
    const created = await this.repository.create(
      {
        customerId: principal.customerId,
        name: dto.name,
        cron: dto.cron.trim(),
        timezone,
        workload: body(dto.workload),
        overlap: dto.overlap ?? 'skip',
        paused,
        nextRunAt: paused ? null : nextTick({ cron: dto.cron, timezone }, new Date()),
      },
      actorOf(principal, meta),
    );
    return toScheduleDto(created);
  }

  async list(principal: CustomerPrincipal, query: ListSchedulesQueryDto): Promise<ScheduleListDto> {
    if (query.cursor !== undefined && !isUuid(query.cursor)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'cursor is not a cursor returned by this API', [{ path: 'cursor', message: 'is invalid' }]);
    }
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    const page = await this.repository.list(principal.customerId, limit + 1, query.cursor ?? null);
    const items = page.slice(0, limit);
    return { items: items.map((schedule) => toScheduleDto(schedule)), next_cursor: page.length > limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  async get(principal: CustomerPrincipal, id: string): Promise<ScheduleDto> {
    const schedule = await this.repository.find(principal.customerId, id);
    if (!schedule) throw notFound(id);
    return toScheduleDto(schedule, await this.repository.lastRuns(id, LAST_RUNS));
  }

  async update(principal: CustomerPrincipal, id: string, dto: UpdateScheduleDto, meta: RequestMeta): Promise<ScheduleDto> {
    if (dto.workload !== undefined) await this.submissions.assertSubmittable(principal, dto.workload, 'workload.');
    const updated = await this.repository.update(
      principal.customerId,
      id,
      'schedule.updated',
      (current) => {
        const cron = dto.cron?.trim() ?? current.cron;
        const timezone = dto.timezone ?? current.timezone;
        assertCron(cron, timezone);
        const paused = dto.paused ?? current.paused;
        const timing = cron !== current.cron || timezone !== current.timezone || paused !== current.paused;
        const change: ScheduleChange = { cron, timezone, paused };
        if (dto.name !== undefined) change.name = dto.name;
        if (dto.overlap !== undefined) change.overlap = dto.overlap;
        if (dto.workload !== undefined) change.workload = body(dto.workload);
        // Unchanged timing keeps the due tick (an edit of the workload must not skip or repeat one).
        if (timing) change.nextRunAt = paused ? null : nextTick({ cron, timezone }, new Date());
        return change;
      },
      actorOf(principal, meta),
    );
    if (!updated) throw notFound(id);
    return toScheduleDto(updated);
  }

  async delete(principal: CustomerPrincipal, id: string, meta: RequestMeta): Promise<void> {
    if (!(await this.repository.delete(principal.customerId, id, actorOf(principal, meta)))) throw notFound(id);
  }

  /** Pausing clears `next_run_at`; resuming sets it to the next tick from now (ticks while paused are not fired). */
  async setPaused(principal: CustomerPrincipal, id: string, paused: boolean, meta: RequestMeta): Promise<ScheduleDto> {
    const updated = await this.repository.update(
      principal.customerId,
      id,
      paused ? 'schedule.paused' : 'schedule.resumed',
      (current) => {
        if (current.paused === paused) return {};
        return { paused, nextRunAt: paused ? null : nextTick(current, new Date()) };
      },
      actorOf(principal, meta),
    );
    if (!updated) throw notFound(id);
    return toScheduleDto(updated);
  }

  async trigger(principal: CustomerPrincipal, id: string, idempotencyKey: string | undefined, meta: RequestMeta): Promise<TriggerScheduleResponseDto> {
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'the Idempotency-Key header must be 1 to 200 characters', [{ path: 'Idempotency-Key', message: 'must be 1 to 200 characters' }]);
    }
    const result = await this.repository.trigger(principal.customerId, id, idempotencyKey ?? randomUUID(), actorOf(principal, meta));
    if (!result) throw notFound(id);
    this.notifier.submitted([result.workload], meta.correlationId);
    if (result.cancelled) this.notifier.changed('cancel', [{ before: result.cancelled, workload: { ...result.cancelled, status: 'CANCELLED' } }], meta.correlationId);
    return { workload_id: result.workload.id, cancelled_workload_id: result.cancelled?.id ?? null };
  }
}

function assertCron(cron: string, timezone: string): void {
  const problems = cronProblems(cron, timezone);
  if (problems.length > 0) {
    throw new DomainError(ErrorCode.ValidationFailed, `invalid schedule: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError('schedule', id);
}

function actorOf(principal: CustomerPrincipal, meta: RequestMeta) {
  return { actorType: 'customer' as const, actorId: principal.customerId, keyId: principal.keyId, requestId: meta.requestId };
}

/** The stored body: the validated DTO as plain JSON, fields left out staying out (defaults apply at each tick). */
function body(dto: CreateScheduleDto['workload']): ScheduledWorkloadBody {
  return JSON.parse(JSON.stringify(dto)) as ScheduledWorkloadBody;
}

const TICK_KEY = /^schedule:[0-9a-f-]{36}:(\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/;

function toRunDto(run: ScheduleRun): ScheduleRunDto {
  const tick = run.idempotencyKey ? TICK_KEY.exec(run.idempotencyKey)?.[1] ?? null : null;
  return { workload_id: run.workloadId, status: run.status, tick, created_at: run.createdAt.toISOString(), completed_at: run.completedAt?.toISOString() ?? null };
}

export function toScheduleDto(schedule: Schedule, runs?: ScheduleRun[]): ScheduleDto {
  return {
    id: schedule.id,
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    workload: schedule.workload as ScheduleDto['workload'],
    overlap: schedule.overlap,
    paused: schedule.paused,
    next_run_at: schedule.nextRunAt?.toISOString() ?? null,
    last_tick_at: schedule.lastTickAt?.toISOString() ?? null,
    ...(runs ? { last_runs: runs.map(toRunDto) } : {}),
    created_at: schedule.createdAt.toISOString(),
    updated_at: schedule.updatedAt.toISOString(),
  };
}
