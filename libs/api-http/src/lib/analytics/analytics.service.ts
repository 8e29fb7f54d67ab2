import { Injectable } from '@nestjs/common';
import {
  AnalyticsQueryRepository,
  ROLLUP_RETENTION_MS,
  WORKER_ROLLUP_RETENTION_MS,
  type SummaryDimension,
  type SummaryRow,
  type WorkerUtilizationRow,
} from '@niyanta/state';
import { once } from 'node:events';
import type { Response } from 'express';
import { resolveRange } from './analytics-range';
import type { AdminExportQueryDto, AdminSummaryQueryDto, ExportQueryDto, SummaryQueryDto } from './dto/analytics-query.dto';
import type { AnalyticsSummaryDto, RegionUtilizationDto, SummaryBucketDto, WorkerAnalyticsDto, WorkerUtilizationDto } from './dto/analytics.dto';
import { EXPORT_FRAMING } from './export-format';

/** Whose data a query covers: one customer's, or (operator) every customer's or one chosen. */
export interface AnalyticsScope {
  customerId?: string;
}

/** Exports read the workloads table itself; they may reach back as far as the longest rollup. */
const EXPORT_RETENTION_MS = ROLLUP_RETENTION_MS.day;

function toBucketDto(row: SummaryRow): SummaryBucketDto {
  return {
    bucket_start: row.bucketStart.toISOString(),
    workload_type: row.workloadType,
    tier: row.tier,
    customer_id: row.customerId,
    submitted: row.submitted,
    completed: row.completed,
    failed: row.failed,
    cancelled: row.cancelled,
    retried: row.retried,
    wait_ms: row.waitMs,
    run_ms: row.runMs,
  };
}

const ratio = (busy: number, slots: number) => (slots > 0 ? busy / slots : null);

function toWorkerDto(row: WorkerUtilizationRow): WorkerUtilizationDto {
  return {
    worker_id: row.workerId,
    region: row.region,
    status: row.status,
    capacity: row.capacity,
    busy_slot_seconds: row.busySlotSeconds,
    slot_seconds: row.slotSeconds,
    utilization: ratio(row.busySlotSeconds, row.slotSeconds),
  };
}

function byRegion(workers: WorkerUtilizationRow[]): RegionUtilizationDto[] {
  const regions = new Map<string | null, RegionUtilizationDto>();
  for (const worker of workers) {
    const region = regions.get(worker.region) ?? { region: worker.region, workers: 0, busy_slot_seconds: 0, slot_seconds: 0, utilization: null };
    region.workers++;
    region.busy_slot_seconds += worker.busySlotSeconds;
    region.slot_seconds += worker.slotSeconds;
    regions.set(worker.region, region);
  }
  return [...regions.values()]
    .map((region) => ({ ...region, utilization: ratio(region.busy_slot_seconds, region.slot_seconds) }))
    .sort((a, b) => String(a.region ?? '').localeCompare(String(b.region ?? '')));
}

/** Resolves when `res` can take more, or has closed (then the caller stops writing). */
async function drained(res: Response): Promise<void> {
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
}

/** Analytics (SPEC §9): summaries and utilization from the rollups, streamed workload exports. */
@Injectable()
export class AnalyticsService {
  constructor(private readonly analytics: AnalyticsQueryRepository) {}

  async summary(scope: AnalyticsScope, query: SummaryQueryDto | AdminSummaryQueryDto): Promise<AnalyticsSummaryDto> {
    const bucket = query.bucket ?? 'hour';
    const range = resolveRange(query.from, query.to, ROLLUP_RETENTION_MS[bucket]);
    const groupBy = [...new Set<SummaryDimension>(query.group_by ?? [])];
    const rows = await this.analytics.summary({
      ...range,
      bucket,
      customerId: scope.customerId,
      workloadTypes: query.workload_type,
      statuses: query.status,
      groupBy,
    });
    return { from: range.from.toISOString(), to: range.to.toISOString(), bucket, group_by: groupBy, items: rows.map(toBucketDto) };
  }

  async workers(scope: AnalyticsScope, query: { from?: string; to?: string }): Promise<WorkerAnalyticsDto> {
    const range = resolveRange(query.from, query.to, WORKER_ROLLUP_RETENTION_MS);
    const rows = await this.analytics.workerUtilization(range.from, range.to, scope.customerId);
    return { from: range.from.toISOString(), to: range.to.toISOString(), workers: rows.map(toWorkerDto), regions: byRegion(rows) };
  }

  /**
   * Streams the export to `res` as the database renders it, waiting for the client to take each
   * chunk before reading the next (memory stays flat). Validation and the first chunk come before
   * any byte is sent, so their errors still get the error shape; a failure later cuts the response.
   */
  async export(scope: AnalyticsScope, query: ExportQueryDto | AdminExportQueryDto, res: Response): Promise<void> {
    const range = resolveRange(query.from, query.to, EXPORT_RETENTION_MS);
    const format = EXPORT_FRAMING[query.format ?? 'json'];
    const body = await this.analytics.exportStream(
      { ...range, customerId: scope.customerId, workloadTypes: query.workload_type, statuses: query.status },
      query.format ?? 'json',
    );
    const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    try {
      let next = await chunks.next();
      res.status(200);
      res.setHeader('Content-Type', format.contentType);
      res.setHeader('Content-Disposition', `attachment; filename="workloads-${range.from.toISOString()}-${range.to.toISOString()}.${format.extension}"`);
      res.write(format.head);
      while (!next.done && !closed) {
        if (!res.write(next.value)) await drained(res);
        next = await chunks.next();
      }
      if (!closed) res.end(format.tail);
    } catch (error) {
      if (!res.headersSent) throw error;
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      // Stops the copy (and closes its connection) if it did not run to the end.
      await chunks.return?.();
    }
  }
}
