import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiErrors } from '../errors/api-errors.decorator';
import { WorkerDto, WorkerListDto } from './dto/worker.dto';
import { WorkloadTypeListDto } from './dto/workload-type.dto';
import { FleetService } from './fleet.service';

/** Workers and workload types (read-only). */
@ApiTags('fleet')
@ApiBearerAuth('api_key')
@ApiErrors(401, 403, 429, 503)
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class FleetController {
  constructor(private readonly fleet: FleetService) {}

  @Get('workers')
  @ApiOperation({
    operationId: 'listWorkers',
    summary: 'List workers',
    description: 'Every known worker with its status, tags, region, capacity, running count and last heartbeat (dead ones included).',
  })
  @ApiOkResponse({ description: 'Workers by id.', type: WorkerListDto })
  listWorkers(): Promise<WorkerListDto> {
    return this.fleet.listWorkers();
  }

  @Get('workers/:id')
  @ApiOperation({ operationId: 'getWorker', summary: 'Get a worker', description: 'One worker by its id.' })
  @ApiParam({ name: 'id', description: 'Worker id.', example: 'worker-7f3a' })
  @ApiOkResponse({ description: 'The worker.', type: WorkerDto })
  @ApiErrors(404)
  getWorker(@Param('id') id: string): Promise<WorkerDto> {
    return this.fleet.getWorker(id);
  }

  @Get('workload-types')
  @ApiOperation({
    operationId: 'listWorkloadTypes',
    summary: 'List workload types',
    description: 'Types registered by workers, with the defaults and checkpoint policy a submission of each gets.',
  })
  @ApiOkResponse({ description: 'Types by name.', type: WorkloadTypeListDto })
  listWorkloadTypes(): Promise<WorkloadTypeListDto> {
    return this.fleet.listWorkloadTypes();
  }
}
