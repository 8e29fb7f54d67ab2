import { Injectable } from '@nestjs/common';
import { InvalidStateError, NotFoundError, type WorkloadCommand } from '@niyanta/models';
import { WorkloadCommandRepository, type CommandOutcome } from '@niyanta/state';
import type { CustomerPrincipal } from '../common/principal';
import type { RequestMeta } from '../common/request-meta.decorator';
import type { BatchCancelResultDto } from './dto/batch-cancel.dto';
import type { BatchCommandResponseDto } from './dto/batch-command.dto';
import type { WorkloadDto } from './dto/workload.dto';
import { WorkloadNotifier, type AppliedChange } from './workload-notifier.service';
import { toWorkloadDto } from './workload.mapper';

/** Cancel, pause and resume: state changes in PostgreSQL first, then the messages they imply. */
@Injectable()
export class WorkloadCommandsService {
  constructor(
    private readonly repository: WorkloadCommandRepository,
    private readonly notifier: WorkloadNotifier,
  ) {}

  /**
   * Applies `command` to one workload of the customer: 404 when it is not theirs, 409
   * `invalid_state` (nothing changed) when its status does not allow the command.
   */
  async apply(principal: CustomerPrincipal, id: string, command: WorkloadCommand, meta: RequestMeta): Promise<WorkloadDto> {
    const [outcome] = await this.run(principal, [id], command, meta);
    if (!outcome || outcome.outcome === 'not_found') throw new NotFoundError('workload', id);
    if (outcome.outcome === 'invalid_state') {
      throw new InvalidStateError(`cannot ${command} a ${outcome.workload.status} workload`);
    }
    return toWorkloadDto(outcome.workload);
  }

  /** Cancels each id independently and reports each result (never fails as a whole for one id). */
  async cancelMany(principal: CustomerPrincipal, ids: readonly string[], meta: RequestMeta): Promise<BatchCancelResultDto[]> {
    const outcomes = await this.run(principal, ids, 'cancel', meta);
    return outcomes.map((outcome) => {
      switch (outcome.outcome) {
        case 'applied':
          return { id: outcome.id, status: 'cancelled', workload: toWorkloadDto(outcome.workload) };
        case 'invalid_state':
          return { id: outcome.id, status: 'invalid_state', workload: toWorkloadDto(outcome.workload) };
        case 'not_found':
          return { id: outcome.id, status: 'not_found' };
      }
    });
  }

  /** Pauses or resumes each id independently and reports each result. */
  async applyMany(
    principal: CustomerPrincipal,
    ids: readonly string[],
    command: 'pause' | 'resume',
    meta: RequestMeta,
  ): Promise<BatchCommandResponseDto> {
    const outcomes = await this.run(principal, ids, command, meta);
    return {
      results: outcomes.map((outcome) =>
        outcome.outcome === 'not_found'
          ? { id: outcome.id, status: 'not_found' }
          : { id: outcome.id, status: outcome.outcome, workload: toWorkloadDto(outcome.workload) },
      ),
    };
  }

  private async run(
    principal: CustomerPrincipal,
    ids: readonly string[],
    command: WorkloadCommand,
    meta: RequestMeta,
  ): Promise<CommandOutcome[]> {
    const outcomes = await this.repository.apply(principal.customerId, ids, command, {
      actorType: 'customer',
      actorId: principal.customerId,
      keyId: principal.keyId,
      requestId: meta.requestId,
    });
    const applied = new Map<string, AppliedChange>();
    for (const outcome of outcomes) {
      if (outcome.outcome === 'applied') applied.set(outcome.id, { before: outcome.before, workload: outcome.workload });
    }
    this.notifier.changed(command, [...applied.values()], meta.correlationId);
    return outcomes;
  }
}
