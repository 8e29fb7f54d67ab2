export type { RetryBackoffOptions } from './lib/retry-backoff';
export { DEFAULT_RETRY_BACKOFF, retryDelayMs, retryEnvelopeMs } from './lib/retry-backoff';
export type { AgingOptions, PriorityInput } from './lib/effective-priority';
export { DEFAULT_AGING_PER_MINUTE, effectivePriority } from './lib/effective-priority';
export type { PlacementDecision, PlacementMade, PlacementRefused, PlacementRequest, WorkerSlots } from './lib/placement';
export { chooseWorker, explainRefusal, fullWorkersReason, isPlaced } from './lib/placement';
export type { PlacementIndexOptions } from './lib/placement-index';
export { PlacementIndex, placementClassKey } from './lib/placement-index';
export type { OfferDecision, PendingEntry, PendingQueueOptions, TakeBatchOptions } from './lib/pending-queue';
export { DEFAULT_SHARE_COST, PendingQueue } from './lib/pending-queue';
export { SCHEDULING_WEIGHT_PER_SHARE, tierShareWeight } from './lib/share-weight';
export type { AssignmentKey, OrphanedAttempt, PendingKey, PendingWorkload, PlacedWorkload, Placement, WorkerSnapshot } from './lib/planning-types';
export type { GraphItem, GraphParent, GraphProblem, InvalidGraph, ValidGraph } from './lib/dependency-graph';
export {
  hasDependencies,
  validateDependencyGraph,
  WAITING_FOR_DEPENDENCIES,
  waitingForDependenciesReason,
} from './lib/dependency-graph';
