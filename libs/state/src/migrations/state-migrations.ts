import { InitialSchema1795843810986 } from './1795843810986-InitialSchema';
import { Tenancy1795900000000 } from './1795900000000-Tenancy';
import { WorkloadTypeConcurrency1796000000000 } from './1796000000000-WorkloadTypeConcurrency';
import { AuditEventId1796100000000 } from './1796100000000-AuditEventId';
import { AnalyticsRollups1796200000000 } from './1796200000000-AnalyticsRollups';

/**
 * Every migration, oldest first. A landed migration is never edited: add a new one and append it.
 */
export const STATE_MIGRATIONS = [
  InitialSchema1795843810986,
  Tenancy1795900000000,
  WorkloadTypeConcurrency1796000000000,
  AuditEventId1796100000000,
  AnalyticsRollups1796200000000,
] as const;
