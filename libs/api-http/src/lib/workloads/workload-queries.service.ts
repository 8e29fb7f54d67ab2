import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, NotFoundError, WORKLOAD_LIMITS } from '@niyanta/models';
import { AuditRepository, WorkloadQueryRepository } from '@niyanta/state';
import type { CustomerPrincipal } from '../auth/principal';
import type { CheckpointListDto } from './dto/checkpoint.dto';
import type { ListWorkloadsQueryDto } from './dto/list-workloads.query.dto';
import type { WorkloadEventListDto } from './dto/workload-event.dto';
import type { WorkloadDto, WorkloadListDto } from './dto/workload.dto';
import { decodeCursor, encodeCursor } from './list-cursor';
import { toCheckpointDto, toWorkloadDto, toWorkloadEventDto } from './workload.mapper';

/** Parses repeated `label=key:value` filters into one map; a key given twice with two values is a 400. */
export function parseLabelFilters(labels: readonly string[] | undefined): Record<string, string> | undefined {
  if (!labels || labels.length === 0) return undefined;
  const parsed: Record<string, string> = {};
  labels.forEach((label, index) => {
    const separator = label.indexOf(':');
    const key = label.slice(0, separator);
    const value = label.slice(separator + 1);
    if (key in parsed && parsed[key] !== value) {
      throw new DomainError(ErrorCode.ValidationFailed, `label "${key}" is filtered with two different values`, [
        { path: `label.${index}`, message: `repeats label "${key}" with another value` },
      ]);
    }
    parsed[key] = value;
  });
  return parsed;
}

/** Reads of a customer's workloads; another customer's workload is indistinguishable from none (404). */
@Injectable()
export class WorkloadQueriesService {
  constructor(
    private readonly workloads: WorkloadQueryRepository,
    private readonly audit: AuditRepository,
  ) {}

  async get(principal: CustomerPrincipal, id: string): Promise<WorkloadDto> {
    const workload = await this.workloads.findForCustomer(principal.customerId, id);
    if (!workload) throw new NotFoundError('workload', id);
    return toWorkloadDto(workload);
  }

  async list(principal: CustomerPrincipal, query: ListWorkloadsQueryDto): Promise<WorkloadListDto> {
    const createdAfter = query.created_after === undefined ? undefined : new Date(query.created_after);
    const createdBefore = query.created_before === undefined ? undefined : new Date(query.created_before);
    const page = await this.workloads.list({
      customerId: principal.customerId,
      statuses: query.status,
      workloadType: query.workload_type,
      labels: parseLabelFilters(query.label),
      createdAfter,
      createdBefore,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit ?? WORKLOAD_LIMITS.defaultListLimit,
    });
    return { items: page.items.map(toWorkloadDto), next_cursor: page.next ? encodeCursor(page.next) : null };
  }

  async checkpoints(principal: CustomerPrincipal, id: string): Promise<CheckpointListDto> {
    await this.get(principal, id);
    const checkpoints = await this.workloads.listCheckpoints(id);
    return { items: checkpoints.map(toCheckpointDto) };
  }

  async events(principal: CustomerPrincipal, id: string): Promise<WorkloadEventListDto> {
    await this.get(principal, id);
    const events = await this.audit.listForWorkload(id);
    return { items: events.map(toWorkloadEventDto) };
  }
}
