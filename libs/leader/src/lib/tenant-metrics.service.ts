import { Inject, Injectable, Logger } from '@nestjs/common';
import { TenantUsageRepository, type CustomerUsage } from '@niyanta/state';
import { InjectMetric, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import type { LeaderTerm } from './leader-duty';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';
import { PeriodicDuty } from './periodic-duty';

/** Name of the gauge of running workloads per tier and (top) customer. */
export const TENANT_RUNNING_METRIC = 'niyanta_tenant_running_workloads';
/** `customer` label of the customers outside the top N, summed per tier. */
export const OTHER_CUSTOMERS = 'other';

/** Nest provider of the running-workloads gauge. */
export const TENANT_METRIC_PROVIDER = makeGaugeProvider({
  name: TENANT_RUNNING_METRIC,
  help: 'Workloads occupying worker slots (SCHEDULED, RUNNING, PAUSING) by tier and customer; customers beyond the top N are summed as customer="other"',
  labelNames: ['tier', 'customer'],
});

/**
 * The gauge's series: the `top` busiest customers by id, every other customer summed per tier as
 * `other`, so the label set stays bounded (top + tiers) whatever the number of customers.
 */
export function runningSeries(usage: readonly CustomerUsage[], top: number): Array<{ tier: string; customer: string; value: number }> {
  const sorted = [...usage].sort((a, b) => b.running - a.running || a.customerId.localeCompare(b.customerId));
  const series = sorted.slice(0, top).map((u) => ({ tier: u.tier ?? 'unknown', customer: u.customerId, value: u.running }));
  const others = new Map<string, number>();
  for (const u of sorted.slice(top)) others.set(u.tier ?? 'unknown', (others.get(u.tier ?? 'unknown') ?? 0) + u.running);
  for (const [tier, value] of others) series.push({ tier, customer: OTHER_CUSTOMERS, value });
  return series;
}

/**
 * Exports per-customer running counts while this replica leads (only one replica reports, so sums
 * across replicas stay right); the gauge is emptied when it steps down.
 */
@Injectable()
export class TenantMetricsService extends PeriodicDuty {
  readonly name = 'tenant-metrics';
  protected readonly logger = new Logger(TenantMetricsService.name);

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly usage: TenantUsageRepository,
    @InjectMetric(TENANT_RUNNING_METRIC) private readonly running: Gauge<'tier' | 'customer'>,
  ) {
    super({ baseMs: options.retryBaseDelayMs, maxMs: options.retryMaxDelayMs });
  }

  protected intervalMs(): number {
    return this.options.tenantMetricsIntervalMs;
  }

  protected async round(_term: LeaderTerm): Promise<boolean> {
    const series = runningSeries(await this.usage.runningByCustomer(), this.options.tenantMetricsTopCustomers);
    this.running.reset();
    for (const { tier, customer, value } of series) this.running.set({ tier, customer }, value);
    return false;
  }

  override async stop(): Promise<void> {
    await super.stop();
    this.running.reset();
  }
}
