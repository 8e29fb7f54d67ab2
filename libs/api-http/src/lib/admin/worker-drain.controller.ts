import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../auth/api-key.guard';
import { ApiErrors } from '../errors/api-errors.decorator';
import { CurrentRequestMeta, type RequestMeta } from '../common/request-meta.decorator';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { WorkerDto } from '../fleet/dto/worker.dto';
import { WorkerDrainService } from './worker-drain.service';

/** Operator API: drain a worker (SPEC §6, graceful drain without stopping the process). */
@ApiTags('admin')
@ApiBearerAuth('admin_key')
@ApiErrors(401, 503)
@UseGuards(AdminKeyGuard)
@Controller('v1/admin/workers')
export class WorkerDrainController {
  constructor(private readonly drains: WorkerDrainService) {}

  @Post(':id/drain')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'adminDrainWorker',
    summary: 'Drain a worker',
    description:
      'The worker stops taking work at once (DRAINING), checkpoints and hands back what it runs (each resumes elsewhere ' +
      'from its checkpoint), then stays up as STOPPED until its process is restarted. Asking again is harmless.',
  })
  @ApiParam({ name: 'id', description: 'Worker id.', example: 'worker-7f3a' })
  @ApiAcceptedResponse({ description: 'Drain under way (or already done): the worker as it is now.', type: WorkerDto })
  @ApiErrors(404)
  @ApiResponse({ status: 409, description: 'The worker is DEAD (`invalid_state`): nothing to drain.', type: ErrorResponseDto })
  adminDrainWorker(@Param('id') id: string, @CurrentRequestMeta() meta: RequestMeta): Promise<WorkerDto> {
    return this.drains.drain(id, meta);
  }
}
