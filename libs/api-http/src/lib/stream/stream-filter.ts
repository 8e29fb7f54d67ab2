import { ALL_WORKLOAD_STATUSES, DomainError, ErrorCode, TERMINAL_STATUSES, type ErrorDetail, type WorkloadStatus } from '@niyanta/models';

import { isStorableText, printable, unstorableReason } from '../edge/storable-text';

/** Most ids one connection may watch. */
export const MAX_STREAM_IDS = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_PARAMETERS = new Set(['ids', 'status', 'workload_type']);

/** What one stream connection wants to see; absent fields do not filter. */
export interface StreamFilter {
  ids?: ReadonlySet<string>;
  statuses?: ReadonlySet<WorkloadStatus>;
  workloadType?: string;
}

/** Values of a repeatable parameter, also split on commas (`?status=PENDING,RUNNING&status=PAUSED`). */
function listOf(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/**
 * Reads the filter of a `/v1/stream` request: `ids` (workload UUIDs, at most {@link MAX_STREAM_IDS}),
 * `status` and `workload_type`, with the list conventions of `GET /v1/workloads`. Anything else is a
 * 400 `validation_failed` naming the parameter, like the REST routes.
 */
export function parseStreamFilter(params: URLSearchParams): StreamFilter {
  const details: ErrorDetail[] = [];
  for (const [name, value] of params) {
    // Text PostgreSQL cannot store would fail the snapshot query: refuse it here, like the REST routes.
    if (!isStorableText(name)) details.push({ path: printable(name), message: `name ${unstorableReason(name)}` });
    else if (!isStorableText(value)) details.push({ path: name, message: unstorableReason(value) });
  }
  if (details.length > 0) throw new DomainError(ErrorCode.ValidationFailed, 'invalid stream filter', details);
  for (const name of new Set(params.keys())) {
    if (!KNOWN_PARAMETERS.has(name)) details.push({ path: name, message: 'is not a known parameter' });
  }
  const filter: StreamFilter = {};

  if (params.has('ids')) {
    const ids = listOf(params, 'ids');
    const malformed = ids.filter((id) => !UUID.test(id));
    if (malformed.length > 0) details.push({ path: 'ids', message: `each value must be a UUID (got ${JSON.stringify(malformed[0])})` });
    else if (ids.length === 0) details.push({ path: 'ids', message: 'must list at least one id' });
    else if (ids.length > MAX_STREAM_IDS) details.push({ path: 'ids', message: `must list at most ${MAX_STREAM_IDS} ids` });
    else filter.ids = new Set(ids.map((id) => id.toLowerCase()));
  }

  if (params.has('status')) {
    const statuses = listOf(params, 'status');
    const unknown = statuses.filter((status) => !(ALL_WORKLOAD_STATUSES as readonly string[]).includes(status));
    if (unknown.length > 0 || statuses.length === 0) {
      details.push({ path: 'status', message: `each value must be one of ${ALL_WORKLOAD_STATUSES.join(', ')}` });
    } else {
      filter.statuses = new Set(statuses as WorkloadStatus[]);
    }
  }

  const types = params.getAll('workload_type');
  if (types.length > 1) details.push({ path: 'workload_type', message: 'must be given once' });
  else if (types.length === 1) {
    const type = types[0] as string;
    if (type.length < 1 || type.length > 128) details.push({ path: 'workload_type', message: 'must be 1 to 128 characters' });
    else filter.workloadType = type;
  }

  if (details.length > 0) {
    throw new DomainError(ErrorCode.ValidationFailed, 'invalid stream filter', details);
  }
  return filter;
}

/** True when a workload in this state is one the filter asks for. */
export function matchesFilter(filter: StreamFilter, item: { id: string; workloadType: string; status: WorkloadStatus }): boolean {
  if (filter.ids && !filter.ids.has(item.id.toLowerCase())) return false;
  if (filter.statuses && !filter.statuses.has(item.status)) return false;
  if (filter.workloadType !== undefined && filter.workloadType !== item.workloadType) return false;
  return true;
}

/**
 * The statuses the opening snapshot reads: the filter's, or — when the caller names neither
 * statuses nor ids — only unfinished workloads (finished ones are history, not live state).
 */
export function snapshotStatuses(filter: StreamFilter): WorkloadStatus[] | undefined {
  if (filter.statuses) return [...filter.statuses];
  if (filter.ids) return undefined;
  return ALL_WORKLOAD_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status));
}
