import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCustomer, type CustomerPrincipal } from '../common/principal';
import { ApiErrors } from '../errors/api-errors.decorator';
import { AnalyticsService } from './analytics.service';
import { AnalyticsRangeQueryDto, ExportQueryDto, SummaryQueryDto } from './dto/analytics-query.dto';
import { AnalyticsSummaryDto, WorkerAnalyticsDto, WorkloadExportDto } from './dto/analytics.dto';

/** The response of an export, in either format. */
export const EXPORT_RESPONSE = {
  description: 'One row per workload created in the range, streamed.',
  content: {
    'application/json': { schema: { $ref: getSchemaPath(WorkloadExportDto) } },
    'text/csv': { schema: { $ref: getSchemaPath('WorkloadExportCsv') } },
  },
};

/** The caller's analytics: throughput, latency, utilization, and an export of its workloads. */
@ApiTags('analytics')
@ApiBearerAuth('api_key')
@ApiErrors(400, 401, 403, 429, 503)
@UseGuards(ApiKeyGuard)
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('summary')
  @ApiOperation({
    operationId: 'getAnalyticsSummary',
    summary: 'Throughput and latency per time bucket',
    description:
      'Per bucket: submitted, completed, failed, cancelled and retried workloads, and wait (submitted → running) and run (running → completed) time percentiles, optionally split by workload type and tier. Read from rollups the leader keeps current (a few seconds behind).',
  })
  @ApiOkResponse({ description: 'Buckets with activity, oldest first.', type: AnalyticsSummaryDto })
  getAnalyticsSummary(@CurrentCustomer() customer: CustomerPrincipal, @Query() query: SummaryQueryDto): Promise<AnalyticsSummaryDto> {
    return this.analytics.summary({ customerId: customer.customerId }, query);
  }

  @Get('workers')
  @ApiOperation({
    operationId: 'getAnalyticsWorkers',
    summary: 'Worker utilization',
    description: 'Per worker and region: busy slot-seconds of the caller\'s workloads ÷ slot-seconds (capacity × time alive) over the range (at most 35 days back).',
  })
  @ApiOkResponse({ description: 'Utilization by worker and region.', type: WorkerAnalyticsDto })
  getAnalyticsWorkers(@CurrentCustomer() customer: CustomerPrincipal, @Query() query: AnalyticsRangeQueryDto): Promise<WorkerAnalyticsDto> {
    return this.analytics.workers({ customerId: customer.customerId }, query);
  }

  @Get('export')
  @ApiOperation({
    operationId: 'exportAnalytics',
    summary: 'Export workloads as CSV or JSON',
    description: 'Streams one row per workload of the caller created in the range (newest first): id, type, status, attempt, timestamps, wait and run ms, worker, region, labels.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiExtraModels(WorkloadExportDto)
  @ApiOkResponse(EXPORT_RESPONSE)
  exportAnalytics(@CurrentCustomer() customer: CustomerPrincipal, @Query() query: ExportQueryDto, @Res() res: Response): Promise<void> {
    return this.analytics.export({ customerId: customer.customerId }, query, res);
  }
}
