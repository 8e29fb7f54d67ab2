import { InitialSchema1795843810986 } from './1795843810986-InitialSchema';
import { Tenancy1795900000000 } from './1795900000000-Tenancy';
import { WorkloadTypeConcurrency1796000000000 } from './1796000000000-WorkloadTypeConcurrency';
import { AuditEventId1796100000000 } from './1796100000000-AuditEventId';
import { TierWorkloadLimits1796200000000 } from './1796200000000-TierWorkloadLimits';
import { WorkloadInputSchema1796250000000 } from './1796250000000-WorkloadInputSchema';
import { WorkloadsFillfactor1796300000000 } from './1796300000000-WorkloadsFillfactor';
import { AnalyticsRollups1796400000000 } from './1796400000000-AnalyticsRollups';
import { AnalyticsOperatorRollups1796500000000 } from './1796500000000-AnalyticsOperatorRollups';
import { WorkloadDependencies1796600000000 } from './1796600000000-WorkloadDependencies';
import { Schedules1796700000000 } from './1796700000000-Schedules';
import { WorkloadTraceContext1796800000000 } from './1796800000000-WorkloadTraceContext';

/**
 * Every migration, oldest first. A landed migration is never edited: add a new one and append it.
 */
export const STATE_MIGRATIONS = [
  InitialSchema1795843810986,
  Tenancy1795900000000,
  WorkloadTypeConcurrency1796000000000,
  AuditEventId1796100000000,
  TierWorkloadLimits1796200000000,
  WorkloadInputSchema1796250000000,
  WorkloadsFillfactor1796300000000,
  AnalyticsRollups1796400000000,
  AnalyticsOperatorRollups1796500000000,
  WorkloadDependencies1796600000000,
  Schedules1796700000000,
  WorkloadTraceContext1796800000000,
] as const;
