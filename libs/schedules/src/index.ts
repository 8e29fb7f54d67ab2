export { cronProblems, latestTickAtOrBefore, nextTick, ticksBetween, type CronProblem, type CronSpec } from './lib/cron';
export { planFires, tickIdempotencyKey, type FirePlan, type FirePlanOptions } from './lib/fire-plan';
export { OVERLAP_POLICIES, overlapDecision, type OverlapDecision, type OverlapPolicy } from './lib/overlap';
