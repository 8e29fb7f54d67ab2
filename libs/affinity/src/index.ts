export type { AffinityEvaluation, AffinityTarget } from './lib/affinity-evaluation';
export {
  PREFERRED_MATCH_SCORE,
  REGION_MATCH_SCORE,
  antiViolation,
  evaluateAffinity,
  requiredViolation,
} from './lib/affinity-evaluation';
