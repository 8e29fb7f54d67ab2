import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  EMPTY_AFFINITY,
  ErrorCode,
  type CheckpointPolicy,
  type ErrorDetail,
  type JsonObject,
  type WorkloadTypeConfig,
} from '@niyanta/models';
import { hasDependencies, validateDependencyGraph } from '@niyanta/scheduling';
import {
  WorkloadDependencyRepository,
  WorkloadSubmissionRepository,
  type GraphParentRef,
  type NewWorkload,
  type SubmissionResult,
} from '@niyanta/state';
import { SpanKind, workloadTracer } from '@niyanta/observability';
import { API_HTTP_OPTIONS, DEFAULT_TYPE_CONFIG_CACHE_TTL_MS, type ApiHttpOptions } from '../api-http.options';
import type { CustomerPrincipal } from '../common/principal';
import type { RequestMeta } from '../common/request-meta.decorator';
import type { SubmitWorkloadDto } from './dto/submit-workload.dto';
import type { WorkloadDto } from './dto/workload.dto';
import { TenantApiMetrics } from '../tenancy/tenant-metrics';
import { TierCatalogService } from '../tenancy/tier-catalog.service';
import { assertConsistentAffinity } from './affinity-validation';
import { assertInputsMatchSchemas } from './input-schema-validation';
import { isDependencyFailure } from '../errors/error-status';
import { PendingQuota } from './pending-quota';
import { SubmissionCoalescer } from '../common/submission-coalescer';
import { WorkloadNotifier } from './workload-notifier.service';
import { toWorkloadDto } from './workload.mapper';

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Validates submissions against their type's config, stores them, and wakes the leader. */
@Injectable()
export class WorkloadSubmissionService {
  private readonly configCache = new Map<string, { config: WorkloadTypeConfig; until: number }>();
  private readonly configTtlMs: number;
  private readonly coalescer: SubmissionCoalescer<NewWorkload, SubmissionResult>;
  private readonly pendingQuota: PendingQuota;

  constructor(
    private readonly repository: WorkloadSubmissionRepository,
    private readonly notifier: WorkloadNotifier,
    private readonly tiers: TierCatalogService,
    private readonly metrics: TenantApiMetrics,
    @Inject(API_HTTP_OPTIONS) options: ApiHttpOptions,
    private readonly dependencies: WorkloadDependencyRepository,
  ) {
    this.configTtlMs = options.typeConfigCacheTtlMs ?? DEFAULT_TYPE_CONFIG_CACHE_TTL_MS;
    this.coalescer = new SubmissionCoalescer((items) => this.repository.submit(items), {
      retryItemsAfter: (error) => !isDependencyFailure(error),
    });
    this.pendingQuota = new PendingQuota((customerId) => this.repository.countWaiting(customerId));
  }

  /**
   * Submits one workload. The `Idempotency-Key` header wins over the body's `idempotency_key`;
   * a repeat returns the first workload with `created: false`.
   */
  async submit(
    principal: CustomerPrincipal,
    dto: SubmitWorkloadDto,
    idempotencyHeader: string | undefined,
    meta: RequestMeta,
  ): Promise<{ workload: WorkloadDto; created: boolean }> {
    const idempotencyKey = this.idempotencyKey(idempotencyHeader, dto.idempotency_key);
    const configs = await this.typeConfigs([dto.workload_type]);
    const config = configs.get(dto.workload_type);
    if (!config) throw unknownTypes([{ path: 'workload_type', message: `workload type "${dto.workload_type}" is not registered` }]);
    assertInputsMatchSchemas([dto], configs, () => '');

    const tier = await this.tiers.tier(principal.tier);
    const maxPriority = tier.maxPriority;
    const tooHigh = priorityProblems([dto], maxPriority, () => 'priority');
    if (tooHigh.length > 0) throw priorityTooHigh(tooHigh, maxPriority);
    assertConsistentAffinity([dto], () => '');
    // With depends_on the submission takes the graph path (its own transaction); without, nothing changes.
    const graph = dto.depends_on !== undefined && dto.depends_on.length > 0 ? graphParents([dto], () => '') : null;
    const tracer = workloadTracer();
    const span = tracer?.start('workload.submit', null, { kind: SpanKind.SERVER, attributes: submitAttributes(principal, dto) });
    const result = await this.admitted(principal.customerId, tier.maxPending, 1, async () => {
      const item = this.newWorkload(principal, dto, config, idempotencyKey, meta, maxPriority);
      if (span) item.traceContext = tracer?.traceparent(span) ?? null;
      const submitted =
        graph === null
          ? await this.coalescer.submit(item)
          : ((await this.dependencies.submitGraph({ customerId: principal.customerId, items: [item], parents: graph, pathOf: () => '' }))[0] as SubmissionResult);
      return { value: submitted, created: submitted.created ? 1 : 0 };
    }).catch(async (error: unknown) => {
      // A repeat of an admitted submission is not a new waiting workload: it gets the first one
      // back (200), as it would below the quota. Looked up only when the quota refused.
      const repeat =
        error instanceof DomainError && error.code === ErrorCode.QuotaExceeded && idempotencyKey !== null
          ? await this.repository.findByIdempotencyKey(principal.customerId, idempotencyKey)
          : null;
      if (repeat === null) {
        if (span) tracer?.end(span, error);
        throw error;
      }
      return { workload: repeat, created: false };
    });
    if (span) {
      span.setAttributes({ 'niyanta.workload_id': result.workload.id, 'niyanta.created': result.created });
      tracer?.end(span);
    }
    if (result.created) {
      this.notifier.submitted([result.workload], meta.correlationId);
      this.metrics.submissions.inc({ tier: principal.tier });
    }
    const workload = toWorkloadDto(result.workload);
    if (graph !== null) workload.depends_on = dependsOnIds(graph[0] ?? [], []);
    return { workload, created: result.created };
  }

  /**
   * Checks a submit body as {@link submit} would (registered type, input schema, the tier's highest
   * priority, consistent affinity) without storing anything: for bodies stored to be submitted
   * later, such as a schedule's workload. Error paths start with `prefix` (e.g. `workload.`).
   */
  async assertSubmittable(principal: CustomerPrincipal, dto: Omit<SubmitWorkloadDto, 'idempotency_key'>, prefix: string): Promise<void> {
    const configs = await this.typeConfigs([dto.workload_type]);
    if (!configs.has(dto.workload_type)) {
      throw unknownTypes([{ path: `${prefix}workload_type`, message: `workload type "${dto.workload_type}" is not registered` }]);
    }
    assertInputsMatchSchemas([dto], configs, () => prefix);
    const tier = await this.tiers.tier(principal.tier);
    const tooHigh = priorityProblems([dto], tier.maxPriority, () => `${prefix}priority`);
    if (tooHigh.length > 0) throw priorityTooHigh(tooHigh, tier.maxPriority);
    assertConsistentAffinity([dto], () => prefix);
  }

  /** Submits all items in one statement, or none (any invalid item rejects the whole batch). */
  async submitBatch(principal: CustomerPrincipal, items: readonly SubmitWorkloadDto[], meta: RequestMeta): Promise<WorkloadDto[]> {
    const duplicates: ErrorDetail[] = [];
    const firstIndexByKey = new Map<string, number>();
    items.forEach((item, index) => {
      if (item.idempotency_key === undefined) return;
      const first = firstIndexByKey.get(item.idempotency_key);
      if (first === undefined) firstIndexByKey.set(item.idempotency_key, index);
      else duplicates.push({ path: `items.${index}.idempotency_key`, message: `repeats items.${first}.idempotency_key` });
    });
    if (duplicates.length > 0) {
      throw new DomainError(ErrorCode.ValidationFailed, 'idempotency keys must be unique within a batch', duplicates);
    }

    const configs = await this.typeConfigs(items.map((item) => item.workload_type));
    const unknown: ErrorDetail[] = [];
    items.forEach((item, index) => {
      if (!configs.has(item.workload_type)) {
        unknown.push({ path: `items.${index}.workload_type`, message: `workload type "${item.workload_type}" is not registered` });
      }
    });
    if (unknown.length > 0) throw unknownTypes(unknown);
    assertInputsMatchSchemas(items, configs, (index) => `items.${index}.`);
    const tier = await this.tiers.tier(principal.tier);
    const maxPriority = tier.maxPriority;
    const tooHigh = priorityProblems(items, maxPriority, (index) => `items.${index}.priority`);
    if (tooHigh.length > 0) throw priorityTooHigh(tooHigh, maxPriority);
    assertConsistentAffinity(items, (index) => `items.${index}.`);
    const graph = hasDependencies(items.map(graphItem)) ? graphParents(items, (index) => `items.${index}.`) : null;

    // One trace per workload: each item of a batch gets a submission span of its own.
    const tracer = workloadTracer();
    const spans = tracer ? items.map((item) => tracer.start('workload.submit', null, { kind: SpanKind.SERVER, attributes: submitAttributes(principal, item) })) : null;
    const results = await this.admitted(principal.customerId, tier.maxPending, items.length, async () => {
      const newItems = items.map((item, index) => {
        const workload = this.newWorkload(principal, item, configs.get(item.workload_type) as WorkloadTypeConfig, item.idempotency_key ?? null, meta, maxPriority);
        const span = spans?.[index];
        if (span) workload.traceContext = tracer?.traceparent(span) ?? null;
        return workload;
      });
      const submitted =
        graph === null
          ? await this.repository.submit(newItems)
          : await this.dependencies.submitGraph({
              customerId: principal.customerId,
              items: newItems,
              parents: graph,
              pathOf: (index) => `items.${index}.`,
            });
      return { value: submitted, created: submitted.filter((result) => result.created).length };
    }).catch((error: unknown) => {
      for (const span of spans ?? []) tracer?.end(span, error);
      throw error;
    });
    spans?.forEach((span, index) => {
      const result = results[index];
      if (result) span.setAttributes({ 'niyanta.workload_id': result.workload.id, 'niyanta.created': result.created });
      tracer?.end(span);
    });
    const created = results.filter((result) => result.created).map((result) => result.workload);
    this.notifier.submitted(created, meta.correlationId);
    if (created.length > 0) this.metrics.submissions.inc({ tier: principal.tier }, created.length);
    const ids = results.map((result) => result.workload.id);
    return results.map((result, index) => {
      const workload = toWorkloadDto(result.workload);
      const parents = graph?.[index] ?? [];
      if (parents.length > 0) workload.depends_on = dependsOnIds(parents, ids);
      return workload;
    });
  }

  /**
   * Runs `write` within the customer's pending quota: `count` waiting workloads are reserved first
   * (429 `quota_exceeded` when over), and what the write did not create is given back.
   */
  private async admitted<T>(
    customerId: string,
    maxPending: number,
    count: number,
    write: () => Promise<{ value: T; created: number }>,
  ): Promise<T> {
    await this.pendingQuota.admit(customerId, maxPending, count);
    let created = 0;
    try {
      const result = await write();
      created = result.created;
      return result.value;
    } finally {
      this.pendingQuota.release(customerId, count - created);
    }
  }

  private newWorkload(
    principal: CustomerPrincipal,
    dto: SubmitWorkloadDto,
    config: WorkloadTypeConfig,
    idempotencyKey: string | null,
    meta: RequestMeta,
    maxPriority: number,
  ): NewWorkload {
    return {
      customerId: principal.customerId,
      workloadType: dto.workload_type,
      // A type's default above the tier's ceiling is not the caller's doing: it is lowered, not refused.
      priority: dto.priority ?? Math.min(config.defaultPriority, maxPriority),
      input: (dto.input ?? {}) as JsonObject,
      affinity: {
        required: dto.affinity?.required ?? EMPTY_AFFINITY.required,
        preferred: dto.affinity?.preferred ?? EMPTY_AFFINITY.preferred,
        anti: dto.affinity?.anti ?? EMPTY_AFFINITY.anti,
      },
      region: dto.region ?? null,
      labels: dto.labels ?? {},
      maxRetries: dto.max_retries ?? config.maxRetries,
      idempotencyKey,
      timeoutSeconds: config.timeoutSeconds,
      checkpointPolicy: checkpointPolicyOverride(dto),
      actor: { actorType: 'customer', actorId: principal.customerId, keyId: principal.keyId, requestId: meta.requestId },
    };
  }

  private idempotencyKey(header: string | undefined, body: string | undefined): string | null {
    if (header === undefined) return body ?? null;
    if (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new DomainError(ErrorCode.ValidationFailed, `the Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, [
        { path: 'Idempotency-Key', message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` },
      ]);
    }
    return header;
  }

  /** Configs of the types, from the cache when fresh; unknown types are looked up every time. */
  private async typeConfigs(types: readonly string[]): Promise<Map<string, WorkloadTypeConfig>> {
    const now = Date.now();
    const found = new Map<string, WorkloadTypeConfig>();
    const missing: string[] = [];
    for (const type of new Set(types)) {
      const cached = this.configCache.get(type);
      if (cached && cached.until > now) found.set(type, cached.config);
      else missing.push(type);
    }
    if (missing.length > 0) {
      for (const [type, config] of await this.repository.findTypeConfigs(missing)) {
        this.configCache.set(type, { config, until: now + this.configTtlMs });
        found.set(type, config);
      }
    }
    return found;
  }
}

function graphItem(dto: SubmitWorkloadDto): { ref?: string; dependsOn?: readonly string[] } {
  return { ref: dto.ref, dependsOn: dto.depends_on };
}

/** Validates the submission's graph (400 `validation_failed` with the field paths) and resolves its parents. */
function graphParents(items: readonly SubmitWorkloadDto[], pathOf: (index: number) => string): GraphParentRef[][] {
  const graph = validateDependencyGraph(items.map(graphItem), pathOf);
  if (!graph.ok) {
    const cycle = graph.problems.some((problem) => problem.message.includes('cycle'));
    throw new DomainError(
      ErrorCode.ValidationFailed,
      cycle ? 'depends_on makes a cycle: no workload on it could ever start' : 'depends_on names workloads that are not in the submission or not ids',
      graph.problems,
    );
  }
  return graph.parents.map((parents) =>
    parents.map((parent): GraphParentRef =>
      parent.kind === 'item' ? { kind: 'item', index: parent.index, ref: items[parent.index]?.ref ?? null } : parent,
    ),
  );
}

/** The parent ids of an item, with in-batch parents resolved to the ids the batch created. */
function dependsOnIds(parents: readonly GraphParentRef[], batchIds: readonly string[]): string[] {
  return parents.map((parent) => (parent.kind === 'item' ? (batchIds[parent.index] as string) : parent.id));
}

function unknownTypes(details: ErrorDetail[]): DomainError {
  const message =
    details.length === 1
      ? `${details[0]?.message}; GET /v1/workload-types lists the registered ones`
      : `${details.length} items have a workload type that is not registered`;
  return new DomainError(ErrorCode.UnknownWorkloadType, message, details);
}

/** The items asking for a priority above the tier's highest, as error details. */
function priorityProblems(items: ReadonlyArray<{ priority?: number }>, maxPriority: number, path: (index: number) => string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  items.forEach((item, index) => {
    if (item.priority !== undefined && item.priority > maxPriority) problems.push({ path: path(index), message: `must be at most ${maxPriority} on this tier` });
  });
  return problems;
}

function priorityTooHigh(details: ErrorDetail[], maxPriority: number): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `priority above ${maxPriority}, the highest the customer's tier allows`, details);
}

/** The fields of the submitted policy that override the type's (an absent field is not stored, so the type's applies). */
function checkpointPolicyOverride(dto: SubmitWorkloadDto): Partial<CheckpointPolicy> | null {
  const policy = dto.checkpoint_policy;
  if (policy === undefined) return null;
  const override: Partial<CheckpointPolicy> = {};
  if (policy.interval_seconds !== undefined) override.intervalSeconds = policy.interval_seconds;
  if (policy.progress_step !== undefined) override.progressStep = policy.progress_step;
  return Object.keys(override).length === 0 ? null : override;
}

/** What a submission span says about the request (ids and type: nothing from the input). */
function submitAttributes(principal: CustomerPrincipal, dto: SubmitWorkloadDto): Record<string, string> {
  return { 'niyanta.customer_id': principal.customerId, 'niyanta.workload_type': dto.workload_type, 'niyanta.tier': principal.tier };
}
