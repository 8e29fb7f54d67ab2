import type { ChaosCluster } from './cluster';
import type { InvariantReport } from './invariants';
import type { LoadGenerator } from './load';

/** One measured duration, with the SPEC §7 target it answers to (if any). */
export interface Measure {
  name: string;
  ms: number;
  /** The SPEC §7 bound for this measure in this configuration, in ms. */
  targetMs?: number;
}

/** What one fault injection showed. */
export interface ScenarioResult {
  scenario: string;
  measures: Measure[];
  /** Other observations (counts, states) worth printing. */
  facts: Record<string, string | number | boolean>;
  invariants: InvariantReport;
}

/** What a scenario acts on. */
export interface ChaosContext {
  cluster: ChaosCluster;
  load: LoadGenerator;
  log: (line: string) => void;
  /** Which SPEC targets apply: `short` timings prove behaviour; `default` timings are measured against §7. */
  profile: 'short' | 'default';
  /** WORKER_TIMEOUT in effect, ms. */
  workerTimeoutMs: number;
  /** DRAIN_TIMEOUT in effect, ms. */
  drainTimeoutMs: number;
}

/** A fault injection: acts on the running cluster and reports what it measured. */
export type Scenario = (ctx: ChaosContext) => Promise<ScenarioResult>;

/** SPEC §7 targets with the default configuration. */
export const SPEC_TARGET_MS = {
  failover: 5_000,
  detection: 15_000,
  resume: 20_000,
} as const;

/** Formats results as a Markdown table (one row per measure). */
export function resultsTable(results: readonly ScenarioResult[]): string {
  const lines = ['| fault | measure | ms | target | ok | workloads checked | lost | double-committed |', '|---|---|---:|---:|---|---:|---:|---:|'];
  for (const result of results) {
    const { invariants } = result;
    const rows = result.measures.length > 0 ? result.measures : [{ name: '—', ms: Number.NaN }];
    for (const measure of rows) {
      const target = measure.targetMs === undefined ? '' : `≤ ${measure.targetMs}`;
      const ok = measure.targetMs === undefined ? '' : measure.ms <= measure.targetMs ? 'yes' : '**no**';
      lines.push(
        `| ${result.scenario} | ${measure.name} | ${Number.isNaN(measure.ms) ? '' : Math.round(measure.ms)} | ${target} | ${ok} | ` +
          `${invariants.checked} | ${invariants.lost.length} | ${invariants.doubleCommitted.length} |`,
      );
    }
  }
  return lines.join('\n');
}
