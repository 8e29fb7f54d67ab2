import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
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

interface QueryPanel {
  title: string;
  targets?: { expr: string }[];
  panels?: QueryPanel[];
}

/** Every metric the alert rules (deploy/prometheus/rules.yaml) and Grafana dashboards (deploy/grafana) query, with where. */
export function queriedMetrics(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (expr: string, where: string): void => {
    for (const metric of metricsIn(expr)) found.set(metric, [...(found.get(metric) ?? []), where]);
  };
  const rules = parse(readFileSync(fromRoot('deploy', 'prometheus', 'rules.yaml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  for (const rule of rules.groups.flatMap((g) => g.rules)) add(rule.expr, `alert ${rule.alert}`);
  const dir = fromRoot('deploy', 'grafana', 'dashboards');
  const walk = (uid: string, panels: QueryPanel[]): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) add(target.expr, `${uid}: ${panel.title}`);
      walk(uid, panel.panels ?? []);
    }
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { uid: string; panels: QueryPanel[] };
    walk(dashboard.uid, dashboard.panels);
  }
  return found;
}
