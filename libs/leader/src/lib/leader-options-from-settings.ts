import type { LeaderSettings } from '@niyanta/config';
import type { LeaderOptions } from './leader-options';

/**
 * The leader feature's options from validated settings — one mapping for every process that runs
 * the leader (coordinator-leader and standalone).
 */
export function leaderOptionsFromSettings(settings: LeaderSettings): LeaderOptions {
  return {
    leaderId: settings.leaderId,
    workerTimeoutMs: settings.workerTimeoutMs,
    leaseTtlMs: settings.leaseTtlMs,
    leaseRenewIntervalMs: settings.leaseRenewIntervalMs,
    sweepIntervalMs: settings.schedulerSweepIntervalMs,
    assignmentAckTimeoutMs: settings.assignmentAckTimeoutMs,
    retryBaseDelayMs: settings.retryBaseDelayMs,
    retryMaxDelayMs: settings.retryMaxDelayMs,
    auditRetentionMs: settings.auditRetentionMs,
  };
}
