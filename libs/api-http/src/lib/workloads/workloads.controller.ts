import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCustomer, type CustomerPrincipal } from '../common/principal';
import { ApiErrors } from '../errors/api-errors.decorator';
import { CurrentRequestMeta, type RequestMeta } from '../common/request-meta.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { BatchCancelDto, BatchCancelResponseDto } from './dto/batch-cancel.dto';
import { BatchCommandResponseDto, BatchWorkloadIdsDto } from './dto/batch-command.dto';
import { CheckpointListDto } from './dto/checkpoint.dto';
import { ListWorkloadsQueryDto } from './dto/list-workloads.query.dto';
import { SubmitWorkloadBatchDto } from './dto/submit-batch.dto';
import { SubmitWorkloadDto } from './dto/submit-workload.dto';
import { WorkloadEventListDto } from './dto/workload-event.dto';
import { WorkloadBatchDto, WorkloadDto, WorkloadListDto } from './dto/workload.dto';
import { WorkloadCommandsService } from './workload-commands.service';
import { WorkloadQueriesService } from './workload-queries.service';
import { WorkloadSubmissionService } from './workload-submission.service';

const ID_PARAM = { name: 'id', format: 'uuid', description: 'Workload id.', example: '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f' };

/** Submit, read, list and control the caller's workloads. */
@ApiTags('workloads')
@ApiBearerAuth('api_key')
@ApiErrors(401, 403, 429, 503)
@UseGuards(ApiKeyGuard)
@Controller('v1/workloads')
export class WorkloadsController {
  constructor(
    private readonly submissions: WorkloadSubmissionService,
    private readonly queries: WorkloadQueriesService,
    private readonly commands: WorkloadCommandsService,
  ) {}

  @Post()
  @ApiOperation({
    operationId: 'submitWorkload',
    summary: 'Submit a workload',
    description:
      'Queues a workload as PENDING. Defaults (priority, max_retries) come from the type\'s config. With an Idempotency-Key header (or `idempotency_key`), a repeat returns the first workload with 200 instead of creating another.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the submission safe to retry (1–255 characters).', example: 'nightly-2026-01-31' })
  @ApiCreatedResponse({ description: 'Created.', type: WorkloadDto })
  @ApiOkResponse({ description: 'A repeat of an earlier submission with the same idempotency key; the first workload.', type: WorkloadDto })
  @ApiErrors(400, 413, 415)
  async submitWorkload(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Body() body: SubmitWorkloadDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentRequestMeta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WorkloadDto> {
    const { workload, created } = await this.submissions.submit(customer, body, idempotencyKey, meta);
    res.status(created ? 201 : 200);
    return workload;
  }

  @Post('batch')
  @ApiOperation({
    operationId: 'submitWorkloadBatch',
    summary: 'Submit up to 1,000 workloads at once',
    description:
      'All items are validated first and inserted in one transaction: either every workload is created or none is. Items are returned in request order; an item whose idempotency key was used before returns that earlier workload.',
  })
  @ApiCreatedResponse({ description: 'All created.', type: WorkloadBatchDto })
  @ApiErrors(400, 413, 415)
  async submitWorkloadBatch(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Body() body: SubmitWorkloadBatchDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<WorkloadBatchDto> {
    return { items: await this.submissions.submitBatch(customer, body.items, meta) };
  }

  @Post('batch/cancel')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'cancelWorkloadBatch',
    summary: 'Cancel several workloads',
    description:
      'Cancels each listed workload that has not finished, in one transaction, and reports per id: `cancelled`, `invalid_state` (already finished, unchanged) or `not_found`.',
  })
  @ApiOkResponse({ description: 'One result per id, in request order.', type: BatchCancelResponseDto })
  @ApiErrors(400)
  async cancelWorkloadBatch(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Body() body: BatchCancelDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<BatchCancelResponseDto> {
    return { results: await this.commands.cancelMany(customer, body.ids, meta) };
  }

  @Post('batch/pause')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'pauseWorkloadBatch',
    summary: 'Pause several workloads',
    description:
      'Pauses each listed workload in one transaction, as `POST /v1/workloads/{id}/pause` would, and reports per id: `applied` (now PAUSED, or PAUSING while its worker checkpoints), `invalid_state` (unchanged) or `not_found`.',
  })
  @ApiOkResponse({ description: 'One result per id, in request order.', type: BatchCommandResponseDto })
  @ApiErrors(400)
  pauseWorkloadBatch(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Body() body: BatchWorkloadIdsDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<BatchCommandResponseDto> {
    return this.commands.applyMany(customer, body.ids, 'pause', meta);
  }

  @Post('batch/resume')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'resumeWorkloadBatch',
    summary: 'Resume several paused workloads',
    description:
      'Resumes each listed PAUSED workload in one transaction (PENDING, attempt + 1, continuing from its latest checkpoint) and reports per id: `applied`, `invalid_state` (not PAUSED, unchanged) or `not_found`.',
  })
  @ApiOkResponse({ description: 'One result per id, in request order.', type: BatchCommandResponseDto })
  @ApiErrors(400)
  resumeWorkloadBatch(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Body() body: BatchWorkloadIdsDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<BatchCommandResponseDto> {
    return this.commands.applyMany(customer, body.ids, 'resume', meta);
  }

  @Get()
  @ApiOperation({
    operationId: 'listWorkloads',
    summary: 'List workloads',
    description:
      'The caller\'s workloads, newest first, filtered by status, type, labels and creation time. Page with `limit` and the opaque `next_cursor`; pages stay stable while new workloads are submitted. Items leave out `input` and `output` unless `include` names them (`GET /v1/workloads/{id}` always has both), and a page stops early, with a `next_cursor`, once its items reach the response byte budget (4 MiB by default), so a page may hold fewer than `limit` items.',
  })
  @ApiOkResponse({ description: 'One page.', type: WorkloadListDto })
  @ApiErrors(400)
  listWorkloads(@CurrentCustomer() customer: CustomerPrincipal, @Query() query: ListWorkloadsQueryDto): Promise<WorkloadListDto> {
    return this.queries.list(customer, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWorkload', summary: 'Get a workload', description: 'One of the caller\'s workloads with its current status, progress and result.' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'The workload.', type: WorkloadDto })
  @ApiErrors(400, 404)
  getWorkload(@CurrentCustomer() customer: CustomerPrincipal, @Param('id', UuidParamPipe) id: string): Promise<WorkloadDto> {
    return this.queries.get(customer, id);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'cancelWorkload',
    summary: 'Cancel a workload',
    description:
      'Moves a workload that has not finished to CANCELLED at once; a worker running it is told to abort. A finished workload answers 409 `invalid_state` and is unchanged.',
  })
  @ApiParam(ID_PARAM)
  @ApiAcceptedResponse({ description: 'Cancelled.', type: WorkloadDto })
  @ApiErrors(400, 404, 409)
  cancelWorkload(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<WorkloadDto> {
    return this.commands.apply(customer, id, 'cancel', meta);
  }

  @Post(':id/pause')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'pauseWorkload',
    summary: 'Pause a workload',
    description:
      'A PENDING or SCHEDULED workload becomes PAUSED at once; a RUNNING one becomes PAUSING while its worker checkpoints and stops, then PAUSED. Other statuses answer 409 `invalid_state`.',
  })
  @ApiParam(ID_PARAM)
  @ApiAcceptedResponse({ description: 'Paused or pausing.', type: WorkloadDto })
  @ApiErrors(400, 404, 409)
  pauseWorkload(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<WorkloadDto> {
    return this.commands.apply(customer, id, 'pause', meta);
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'resumeWorkload',
    summary: 'Resume a paused workload',
    description:
      'A PAUSED workload goes back to PENDING with attempt + 1 and continues from its latest checkpoint. Other statuses answer 409 `invalid_state`.',
  })
  @ApiParam(ID_PARAM)
  @ApiAcceptedResponse({ description: 'Queued again.', type: WorkloadDto })
  @ApiErrors(400, 404, 409)
  resumeWorkload(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<WorkloadDto> {
    return this.commands.apply(customer, id, 'resume', meta);
  }

  @Get(':id/checkpoints')
  @ApiOperation({
    operationId: 'listWorkloadCheckpoints',
    summary: 'List a workload\'s checkpoints',
    description: 'Metadata of the stored checkpoints (sequence, sizes, codec, time), newest first; never the state itself.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'Checkpoints, newest first.', type: CheckpointListDto })
  @ApiErrors(400, 404)
  listWorkloadCheckpoints(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CheckpointListDto> {
    return this.queries.checkpoints(customer, id);
  }

  @Get(':id/events')
  @ApiOperation({
    operationId: 'listWorkloadEvents',
    summary: 'Get a workload\'s audit trail',
    description: 'Every recorded state change of the workload (who, what, when, before → after), oldest first.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'Events, oldest first.', type: WorkloadEventListDto })
  @ApiErrors(400, 404)
  listWorkloadEvents(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<WorkloadEventListDto> {
    return this.queries.events(customer, id);
  }
}
