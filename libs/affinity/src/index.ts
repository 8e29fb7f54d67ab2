export type { AffinityEvaluation, AffinityTarget } from './lib/affinity-evaluation';
export {
  PREFERRED_MATCH_SCORE,
  REGION_MATCH_SCORE,
  antiViolation,
  describeAffinity,
  evaluateAffinity,
  requiredViolation,
} from './lib/affinity-evaluation';
export type { AffinityConflict } from './lib/affinity-conflicts';
export { findAffinityConflicts } from './lib/affinity-conflicts';
