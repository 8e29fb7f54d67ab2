import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, NotFoundError, WORKLOAD_LIMITS } from '@niyanta/models';
import { AuditRepository, WorkloadQueryRepository, type WorkloadListQuery } from '@niyanta/state';
import { API_HTTP_OPTIONS, DEFAULT_LIST_MAX_BYTES, type ApiHttpOptions } from '../api-http.options';
import type { CustomerPrincipal } from '../common/principal';
import type { CheckpointListDto } from './dto/checkpoint.dto';
import type { ListWorkloadsQueryDto } from './dto/list-workloads.query.dto';
import type { WorkloadEventListDto } from './dto/workload-event.dto';
import type { WorkloadDto, WorkloadListDto, WorkloadListItemDto } from './dto/workload.dto';
import { decodeCursor, encodeCursor } from './list-cursor';
import { toCheckpointDto, toListItemDto, toWorkloadDto, toWorkloadEventDto } from './workload.mapper';

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
  private readonly maxBytes: number;

  constructor(
    private readonly workloads: WorkloadQueryRepository,
    private readonly audit: AuditRepository,
    @Inject(API_HTTP_OPTIONS) options: ApiHttpOptions,
  ) {
    this.maxBytes = options.listMaxBytes ?? DEFAULT_LIST_MAX_BYTES;
  }

  async get(principal: CustomerPrincipal, id: string): Promise<WorkloadDto> {
    const workload = await this.workloads.findForCustomer(principal.customerId, id);
    if (!workload) throw new NotFoundError('workload', id);
    return toWorkloadDto(workload);
  }

  /**
   * One page, newest first. Items leave out `input` and `output` unless `include` names them (they
   * are not even read), and a page stops early, with a `next_cursor`, once its items reach
   * `listMaxBytes`: a page holds at least one item, so paging always advances. With large fields
   * included, PostgreSQL first reports their sizes and only the rows within the budget are read.
   */
  async list(principal: CustomerPrincipal, query: ListWorkloadsQueryDto): Promise<WorkloadListDto> {
    const include = new Set(query.include ?? []);
    const columns = { input: include.has('input'), output: include.has('output') };
    const filter: WorkloadListQuery = {
      customerId: principal.customerId,
      statuses: query.status,
      workloadType: query.workload_type,
      labels: parseLabelFilters(query.label),
      createdAfter: query.created_after === undefined ? undefined : new Date(query.created_after),
      createdBefore: query.created_before === undefined ? undefined : new Date(query.created_before),
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit ?? WORKLOAD_LIMITS.defaultListLimit,
      columns,
    };
    let limit = filter.limit;
    let more = false;
    if (columns.input || columns.output) {
      const sizes = await this.workloads.listSizes(filter);
      let bytes = 0;
      let take = 0;
      for (const size of sizes.slice(0, filter.limit)) {
        if (take > 0 && bytes + size.bytes > this.maxBytes) break;
        bytes += size.bytes;
        take++;
      }
      more = sizes.length > take;
      limit = Math.max(1, take);
    }
    const page = await this.workloads.list({ ...filter, limit });
    const items: WorkloadListItemDto[] = [];
    let bytes = 0;
    for (const workload of page.items) {
      const item = toListItemDto(workload, columns);
      bytes += JSON.stringify(item).length;
      if (items.length > 0 && bytes > this.maxBytes) break;
      items.push(item);
    }
    const cut = items.length < page.items.length;
    const next = cut || (more && items.length > 0) ? page.positions[items.length - 1] : page.next;
    return { items, next_cursor: next ? encodeCursor(next) : null };
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
