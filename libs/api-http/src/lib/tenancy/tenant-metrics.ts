import { Counter, register } from 'prom-client';

/** Names of the per-tenant API metrics. */
export const TENANT_API_METRIC = {
  submissions: 'niyanta_api_submissions_total',
  rejected: 'niyanta_api_rejected_total',
  throttled: 'niyanta_api_throttled_total',
} as const;

type TierLabel = 'tier';

function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  // prom-client's registry is process-global: a second app in one process reuses the metric.
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames: [...labelNames] });
}

/**
 * Per-tenant counters of the API, labelled by tier only: the label set is bounded by the number of
 * tiers, however many customers there are. (Per-customer running counts come from the leader, top
 * N customers by name and the rest summed per tier.)
 */
export class TenantApiMetrics {
  readonly submissions = counter<TierLabel>(TENANT_API_METRIC.submissions, 'Workloads accepted by the API, by the customer\'s tier', ['tier']);
  readonly rejected = counter<TierLabel | 'code'>(
    TENANT_API_METRIC.rejected,
    'Customer requests answered with a 4xx other than 429, by tier and error code',
    ['tier', 'code'],
  );
  readonly throttled = counter<TierLabel>(TENANT_API_METRIC.throttled, 'Customer requests refused with 429 rate_limited, by tier', ['tier']);
}
