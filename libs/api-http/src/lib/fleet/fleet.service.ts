import { Injectable } from '@nestjs/common';
import { NotFoundError, type WorkerInfo, type WorkloadTypeConfig } from '@niyanta/models';
import { FleetQueryRepository } from '@niyanta/state';
import type { WorkerDto, WorkerListDto } from './dto/worker.dto';
import type { WorkloadTypeListDto, WorkloadTypeDto } from './dto/workload-type.dto';

export function toWorkerDto(worker: WorkerInfo): WorkerDto {
  return {
    id: worker.id,
    status: worker.status,
    tags: worker.tags,
    region: worker.region,
    capacity: worker.capacity,
    workload_types: worker.workloadTypes,
    running_count: worker.runningCount,
    last_heartbeat_at: worker.lastHeartbeatAt.toISOString(),
    registered_at: worker.registeredAt.toISOString(),
  };
}

export function toWorkloadTypeDto(config: WorkloadTypeConfig): WorkloadTypeDto {
  return {
    workload_type: config.workloadType,
    default_priority: config.defaultPriority,
    max_retries: config.maxRetries,
    timeout_seconds: config.timeoutSeconds,
    checkpoint_interval_seconds: config.checkpointIntervalSeconds,
    checkpoint_progress_step: config.checkpointProgressStep,
    max_concurrent: config.maxConcurrent ?? null,
    input_schema: config.inputSchema ?? null,
    created_at: config.createdAt.toISOString(),
    updated_at: config.updatedAt.toISOString(),
  };
}

/** The fleet as customers may see it: workers and the workload types they registered. */
@Injectable()
export class FleetService {
  constructor(private readonly fleet: FleetQueryRepository) {}

  async listWorkers(): Promise<WorkerListDto> {
    return { items: (await this.fleet.listWorkers()).map(toWorkerDto) };
  }

  async getWorker(id: string): Promise<WorkerDto> {
    const worker = await this.fleet.findWorker(id);
    if (!worker) throw new NotFoundError('worker', id);
    return toWorkerDto(worker);
  }

  async listWorkloadTypes(): Promise<WorkloadTypeListDto> {
    return { items: (await this.fleet.listWorkloadTypes()).map(toWorkloadTypeDto) };
  }
}
