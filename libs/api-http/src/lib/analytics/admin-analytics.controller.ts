import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminKeyGuard } from '../auth/api-key.guard';
import { ApiErrors } from '../errors/api-errors.decorator';
import { EXPORT_RESPONSE } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import { AdminExportQueryDto, AdminSummaryQueryDto, AdminWorkersQueryDto } from './dto/analytics-query.dto';
import { AnalyticsSummaryDto, WorkerAnalyticsDto, WorkloadExportDto } from './dto/analytics.dto';

/** Operator analytics across every customer, with `customer_id` as a dimension and a filter. */
@ApiTags('admin')
@ApiBearerAuth('admin_key')
@ApiErrors(400, 401, 503)
@UseGuards(AdminKeyGuard)
@Controller('v1/admin/analytics')
export class AdminAnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('summary')
  @ApiOperation({
    operationId: 'adminGetAnalyticsSummary',
    summary: 'Throughput and latency per time bucket, every customer',
    description: 'As `GET /v1/analytics/summary` across customers; `group_by` may include `customer_id`, `customer_id` filters to one.',
  })
  @ApiOkResponse({ description: 'Buckets with activity, oldest first.', type: AnalyticsSummaryDto })
  adminGetAnalyticsSummary(@Query() query: AdminSummaryQueryDto): Promise<AnalyticsSummaryDto> {
    return this.analytics.summary({ customerId: query.customer_id }, query);
  }

  @Get('workers')
  @ApiOperation({ operationId: 'adminGetAnalyticsWorkers', summary: 'Worker utilization, every customer', description: 'Busy slot-seconds of all workloads (or one customer\'s) ÷ slot-seconds, per worker and region.' })
  @ApiOkResponse({ description: 'Utilization by worker and region.', type: WorkerAnalyticsDto })
  adminGetAnalyticsWorkers(@Query() query: AdminWorkersQueryDto): Promise<WorkerAnalyticsDto> {
    return this.analytics.workers({ customerId: query.customer_id }, query);
  }

  @Get('export')
  @ApiOperation({
    operationId: 'adminExportAnalytics',
    summary: 'Export workloads of every customer as CSV or JSON',
    description: 'Streams one row per workload created in the range, customer by customer, each newest first.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiExtraModels(WorkloadExportDto)
  @ApiOkResponse(EXPORT_RESPONSE)
  adminExportAnalytics(@Query() query: AdminExportQueryDto, @Res() res: Response): Promise<void> {
    return this.analytics.export({ customerId: query.customer_id }, query, res);
  }
}
