import { Injectable, Logger } from '@nestjs/common';
import { Broker } from '@niyanta/broker';
import {
  createEnvelope,
  InvalidStateError,
  MessageType,
  NotFoundError,
  Subjects,
  type WorkerDrainPayload,
} from '@niyanta/models';
import { WorkerDrainRepository } from '@niyanta/state';
import type { RequestMeta } from '../common/request-meta.decorator';
import type { WorkerDto } from '../fleet/dto/worker.dto';
import { toWorkerDto } from '../fleet/fleet.service';

/**
 * The operator's drain of one worker without stopping its process: the row becomes DRAINING (the
 * scheduler stops placing work there at once), then the worker is told on its control subject and
 * checkpoints and hands back what it runs. The message is a shortcut: a worker that misses it
 * reads DRAINING at its next heartbeat and drains then.
 */
@Injectable()
export class WorkerDrainService {
  private readonly logger = new Logger(WorkerDrainService.name);

  constructor(
    private readonly drains: WorkerDrainRepository,
    private readonly broker: Broker,
    private readonly subjects: Subjects,
  ) {}

  /**
   * @throws NotFoundError when no worker has this id
   * @throws InvalidStateError when the worker is DEAD (it must register again first)
   */
  async drain(workerId: string, meta: RequestMeta): Promise<WorkerDto> {
    const outcome = await this.drains.requestDrain(workerId, { actorType: 'admin', actorId: null, requestId: meta.requestId });
    if (outcome.kind === 'not_found') throw new NotFoundError('worker', workerId);
    if (outcome.kind === 'dead') throw new InvalidStateError(`worker ${workerId} is DEAD: nothing to drain`);
    if (outcome.worker.status === 'DRAINING') {
      const payload: WorkerDrainPayload = { worker_id: workerId, requested_by: 'admin' };
      const message = createEnvelope(MessageType.WorkerDrain, payload, { correlationId: meta.correlationId ?? meta.requestId ?? undefined });
      // Not awaited: the row is committed and is what the worker ultimately obeys.
      this.broker.publish(this.subjects.workerControl(workerId), message).catch((error: unknown) => {
        this.logger.warn(
          `telling worker ${workerId} to drain failed (it drains at its next heartbeat): ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
    return toWorkerDto(outcome.worker);
  }
}
