import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from './workspace';

/** Metric names the libraries define outside `niyanta_*`: the HTTP histogram of @niyanta/observability. */
const OTHER_METRICS = ['http_request_duration_seconds'] as const;
const DEFINED = new RegExp(`'(niyanta_[a-z0-9_]+|${OTHER_METRICS.join('|')})'`, 'g');
const QUERIED = new RegExp(`\\b(?:niyanta_[a-z0-9_]+|(?:${OTHER_METRICS.join('|')})(?:_bucket|_count|_sum)?)\\b`, 'g');

/** Every metric name the libraries define (`'niyanta_…'` string literals and the HTTP histogram; spec files excluded). */
export function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry)) {
        for (const match of readFileSync(path, 'utf8').matchAll(DEFINED)) names.add(match[1] ?? '');
      }
    }
  };
  for (const lib of readdirSync(fromRoot('libs'))) if (existsSync(fromRoot('libs', lib, 'src'))) walk(fromRoot('libs', lib, 'src'));
  return names;
}

/** The Niyanta metrics a PromQL expression reads, histogram suffixes folded onto their metric. */
export const metricsIn = (expr: string): string[] =>
  [...expr.matchAll(QUERIED)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));
