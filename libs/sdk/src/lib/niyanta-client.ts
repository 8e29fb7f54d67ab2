import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/niyanta-api';
import { NiyantaApiError, NiyantaBatchError, NiyantaTimeoutError } from './errors';
import { retryingFetch, type RetryOptions } from './retrying-fetch';
import {
  TERMINAL_STATUSES,
  type BatchCancelResult,
  type Checkpoint,
  type ListWorkloadsQuery,
  type TypedSubmitRequest,
  type UntypedWorkloadInputs,
  type WorkloadInputs,
  type Worker,
  type Workload,
  type WorkloadListItem,
  type WorkloadEvent,
  type WorkloadPage,
  type WorkloadType,
} from './types';
import { WorkloadStream, type StreamFilter, type StreamOptions } from './workload-stream';
import { abortableDelay } from './abortable-delay';

/** The request body as the generated client types it. */
type SubmitWorkloadBody = import('./types').SubmitWorkloadRequest;

/** Most workloads the API accepts in one batch request. */
export const MAX_BATCH_SIZE = 1000;

/** Options of {@link createNiyantaClient}. */
export interface NiyantaClientOptions {
  /** Where the API is, e.g. `http://localhost:8080` (no trailing `/v1`). */
  baseUrl: string;
  /** A customer API key (`nyk_...`), or the operator key for the admin routes. */
  apiKey: string;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: (input: Request) => Promise<Response>;
  /** Retries of 429 and 503 answers. @default { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 30000 } */
  retry?: RetryOptions;
  /** Extra headers on every request (for example `X-Correlation-Id`). @default {} */
  headers?: Record<string, string>;
}

/** Options of {@link NiyantaClient.waitForCompletion}. */
export interface WaitOptions {
  /** Give up after this long with {@link NiyantaTimeoutError}. @default 300000 */
  timeoutMs?: number;
  /** Time between polls. @default 1000 */
  pollMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Options of {@link NiyantaClient.submitBatch}. */
export interface SubmitBatchOptions {
  /** Workloads per request (each request is all-or-none). @default 1000 */
  chunkSize?: number;
}

/** What `openapi-fetch` returns for one call. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the body of a successful call, or throws the API's error as {@link NiyantaApiError}. */
async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw NiyantaApiError.fromResponse(response, error ?? null);
  return data;
}

/**
 * A typed client of the Niyanta API. The convenience methods cover the customer routes and throw
 * {@link NiyantaApiError} on any error answer; `api` is the generated client for every route of the
 * published OpenAPI document (admin routes included), returning `{ data, error, response }`.
 */
export class NiyantaClient<TInputs extends WorkloadInputs = UntypedWorkloadInputs> {
  /** The generated client: `client.api.GET('/v1/workers/{id}', { params: { path: { id } } })`. */
  readonly api: Client<paths>;

  constructor(private readonly options: NiyantaClientOptions) {
    const fetchImpl = options.fetch ?? ((input: Request) => globalThis.fetch(input));
    this.api = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      fetch: retryingFetch(fetchImpl, options.retry),
      headers: { ...options.headers, Authorization: `Bearer ${options.apiKey}` },
    });
  }

  /**
   * Submits one workload. With `idempotencyKey`, repeating the call returns the first workload
   * instead of creating another — safe to retry after a network error.
   */
  submit(request: TypedSubmitRequest<TInputs>, options: { idempotencyKey?: string } = {}): Promise<Workload> {
    const headers = options.idempotencyKey === undefined ? undefined : { 'Idempotency-Key': options.idempotencyKey };
    return unwrap(this.api.POST('/v1/workloads', { body: request as SubmitWorkloadBody, params: { header: headers } }));
  }

  /**
   * Submits any number of workloads in requests of up to {@link MAX_BATCH_SIZE}, in order. Each
   * request is all-or-none; if one fails, {@link NiyantaBatchError} carries the workloads the earlier
   * requests created (give items idempotency keys to make resubmitting the rest safe).
   */
  async submitBatch(items: readonly TypedSubmitRequest<TInputs>[], options: SubmitBatchOptions = {}): Promise<Workload[]> {
    const size = options.chunkSize ?? MAX_BATCH_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
      throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
    }
    const created: Workload[] = [];
    for (let start = 0, chunk = 0; start < items.length; start += size, chunk++) {
      try {
        const page = await unwrap(this.api.POST('/v1/workloads/batch', { body: { items: items.slice(start, start + size) as SubmitWorkloadBody[] } }));
        created.push(...page.items);
      } catch (error: unknown) {
        throw new NiyantaBatchError(`batch chunk ${chunk} (items ${start}–${Math.min(items.length, start + size) - 1}) failed: ${String(error)}`, created, chunk, error);
      }
    }
    return created;
  }

  /** One workload. */
  get(id: string): Promise<Workload> {
    return unwrap(this.api.GET('/v1/workloads/{id}', { params: { path: { id } } }));
  }

  /**
   * One page of workloads, newest first (`next_cursor` continues). Items carry `input`/`output` only
   * with `include: ['input', 'output']`; a page may stop before `limit` at the server's byte budget.
   */
  list(query: ListWorkloadsQuery = {}): Promise<WorkloadPage> {
    return unwrap(this.api.GET('/v1/workloads', { params: { query } }));
  }

  /** Every matching workload, newest first, fetching pages as the loop advances. */
  async *listAll(query: Omit<ListWorkloadsQuery, 'cursor'> = {}): AsyncGenerator<WorkloadListItem> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor === undefined ? {} : { cursor }) });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Cancels a workload that has not finished (409 `invalid_state` otherwise). */
  cancel(id: string): Promise<Workload> {
    return unwrap(this.api.POST('/v1/workloads/{id}/cancel', { params: { path: { id } } }));
  }

  /** Pauses a workload (a running one checkpoints first: PAUSING, then PAUSED). */
  pause(id: string): Promise<Workload> {
    return unwrap(this.api.POST('/v1/workloads/{id}/pause', { params: { path: { id } } }));
  }

  /** Queues a paused workload again; it continues from its latest checkpoint. */
  resume(id: string): Promise<Workload> {
    return unwrap(this.api.POST('/v1/workloads/{id}/resume', { params: { path: { id } } }));
  }

  /** Cancels several workloads; one result per id (`cancelled`, `invalid_state`, `not_found`). */
  async cancelMany(ids: readonly string[]): Promise<BatchCancelResult[]> {
    return (await unwrap(this.api.POST('/v1/workloads/batch/cancel', { body: { ids: [...ids] } }))).results;
  }

  /** Checkpoint metadata of a workload, newest first. */
  async checkpoints(id: string): Promise<Checkpoint[]> {
    return (await unwrap(this.api.GET('/v1/workloads/{id}/checkpoints', { params: { path: { id } } }))).items;
  }

  /** The audit trail of a workload, oldest first. */
  async events(id: string): Promise<WorkloadEvent[]> {
    return (await unwrap(this.api.GET('/v1/workloads/{id}/events', { params: { path: { id } } }))).items;
  }

  /** The fleet. */
  async workers(): Promise<Worker[]> {
    return (await unwrap(this.api.GET('/v1/workers'))).items;
  }

  /** One worker. */
  worker(id: string): Promise<Worker> {
    return unwrap(this.api.GET('/v1/workers/{id}', { params: { path: { id } } }));
  }

  /** Registered workload types and their defaults. */
  async workloadTypes(): Promise<WorkloadType[]> {
    return (await unwrap(this.api.GET('/v1/workload-types'))).items;
  }

  /**
   * Polls until the workload is COMPLETED, FAILED or CANCELLED and returns it (a failure is a
   * result, not an exception: check `status` and `error`). Throws {@link NiyantaTimeoutError} after
   * `timeoutMs`.
   */
  async waitForCompletion(id: string, options: WaitOptions = {}): Promise<Workload> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    const pollMs = options.pollMs ?? 1000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const workload = await this.get(id);
      if (TERMINAL_STATUSES.includes(workload.status)) return workload;
      const left = deadline - Date.now();
      if (left <= 0) throw new NiyantaTimeoutError(`workload ${id} was still ${workload.status} after ${timeoutMs} ms`, workload);
      await abortableDelay(Math.min(pollMs, left), options.signal);
    }
  }

  /**
   * Live updates of your workloads over a WebSocket: `for await (const message of client.stream())`.
   * The first message is a `snapshot`, then an `update` per change (see {@link WorkloadStream}).
   */
  stream(filter: StreamFilter = {}, options: StreamOptions = {}): WorkloadStream {
    const url = `${this.options.baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/v1/stream`;
    return new WorkloadStream({ url, apiKey: this.options.apiKey, headers: this.options.headers }, filter, options);
  }
}

/**
 * A client of the Niyanta API at `baseUrl` authenticating with `apiKey`. `TInputs` types `submit`'s
 * `input` per workload type (see {@link WorkloadInputs}); without it any type and object go.
 */
export function createNiyantaClient<TInputs extends WorkloadInputs = UntypedWorkloadInputs>(options: NiyantaClientOptions): NiyantaClient<TInputs> {
  return new NiyantaClient<TInputs>(options);
}
