import { Body, Controller, Get, Param, Patch, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode, WORKLOAD_TYPE_PATTERN } from '@niyanta/models';
import type { Response } from 'express';
import { AdminKeyGuard } from '../auth/api-key.guard';
import { ApiErrors } from '../errors/api-errors.decorator';
import { CurrentRequestMeta, type RequestMeta } from '../common/request-meta.decorator';
import { WorkloadTypeDto, WorkloadTypeListDto } from '../fleet/dto/workload-type.dto';
import { AdminConfigService } from './admin-config.service';
import { AuditEventListDto, ListAuditEventsQueryDto } from './dto/audit-event.dto';
import { TIER_NAME } from './dto/customer.dto';
import { PutTierDto, TierDto, TierListDto } from './dto/tier.dto';
import { UpdateWorkloadTypeDto } from './dto/workload-type-update.dto';


function pathName(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) {
    throw new DomainError(ErrorCode.ValidationFailed, `${what} is not a valid name`, [{ path: what, message: `must match ${pattern.source}` }]);
  }
  return value;
}

/** Operator API (NIYANTA_ADMIN_API_KEY): tier definitions, workload type configs and the audit trail. */
@ApiTags('admin')
@ApiBearerAuth('admin_key')
@ApiErrors(401, 503)
@UseGuards(AdminKeyGuard)
@Controller('v1/admin')
export class AdminConfigController {
  constructor(private readonly config: AdminConfigService) {}

  @Get('tiers')
  @ApiOperation({ operationId: 'adminListTiers', summary: 'List tiers', description: 'Every tier definition: request rate and burst, running limit, scheduling weight, highest priority.' })
  @ApiOkResponse({ description: 'Tiers by name.', type: TierListDto })
  adminListTiers(): Promise<TierListDto> {
    return this.config.listTiers();
  }

  @Put('tiers/:name')
  @ApiOperation({
    operationId: 'adminPutTier',
    summary: 'Define or change a tier',
    description: 'Creates the tier (201) or replaces its definition (200), audited as `tier.updated` with before and after. Rate limits apply it from the next request, the scheduler from its next sweep.',
  })
  @ApiParam({ name: 'name', description: 'Tier name (lower-case letters, digits, - and _).', example: 'standard' })
  @ApiOkResponse({ description: 'Replaced.', type: TierDto })
  @ApiCreatedResponse({ description: 'Created.', type: TierDto })
  @ApiErrors(400)
  async adminPutTier(
    @Param('name') name: string,
    @Body() body: PutTierDto,
    @CurrentRequestMeta() meta: RequestMeta,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TierDto> {
    const { tier, created } = await this.config.putTier(pathName(name, TIER_NAME, 'name'), body, meta);
    res.status(created ? 201 : 200);
    return tier;
  }

  @Get('workload-types')
  @ApiOperation({ operationId: 'adminListWorkloadTypes', summary: 'List workload type configs', description: 'Every registered workload type with its defaults and checkpoint policy.' })
  @ApiOkResponse({ description: 'Types by name.', type: WorkloadTypeListDto })
  adminListWorkloadTypes(): Promise<WorkloadTypeListDto> {
    return this.config.listWorkloadTypes();
  }

  @Patch('workload-types/:type')
  @ApiOperation({
    operationId: 'adminUpdateWorkloadType',
    summary: 'Change a workload type\'s config',
    description: 'Changes the given fields (null clears a nullable one), audited as `workload_config.updated`. New submissions use it within seconds; queued workloads keep what they were submitted with.',
  })
  @ApiParam({ name: 'type', description: 'Workload type.', example: 'sleep' })
  @ApiOkResponse({ description: 'The config after the change.', type: WorkloadTypeDto })
  @ApiErrors(400, 404)
  adminUpdateWorkloadType(
    @Param('type') type: string,
    @Body() body: UpdateWorkloadTypeDto,
    @CurrentRequestMeta() meta: RequestMeta,
  ): Promise<WorkloadTypeDto> {
    return this.config.updateWorkloadType(pathName(type, WORKLOAD_TYPE_PATTERN, 'type'), body, meta);
  }

  @Get('audit-events')
  @ApiOperation({
    operationId: 'adminListAuditEvents',
    summary: 'Query the audit trail',
    description: 'State changes, admin actions and auth failures, newest first, filtered by customer, actor, action and time; page with `limit` and `next_cursor`.',
  })
  @ApiOkResponse({ description: 'One page of events.', type: AuditEventListDto })
  @ApiErrors(400)
  adminListAuditEvents(@Query() query: ListAuditEventsQueryDto): Promise<AuditEventListDto> {
    return this.config.listAuditEvents(query);
  }
}
