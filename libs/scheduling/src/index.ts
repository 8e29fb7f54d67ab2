export type { RetryBackoffOptions } from './lib/retry-backoff';
export { DEFAULT_RETRY_BACKOFF, retryDelayMs, retryEnvelopeMs } from './lib/retry-backoff';
export type { AgingOptions, PriorityInput } from './lib/effective-priority';
export { DEFAULT_AGING_PER_MINUTE, effectivePriority } from './lib/effective-priority';
export type { PlacementDecision, PlacementMade, PlacementRefused, PlacementRequest, WorkerSlots } from './lib/placement';
export { chooseWorker, isPlaced } from './lib/placement';
export type { OfferDecision, PendingEntry, PendingQueueOptions, TakeBatchOptions } from './lib/pending-queue';
export { PendingQueue } from './lib/pending-queue';
