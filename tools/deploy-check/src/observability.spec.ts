// The alert rules (deploy/prometheus) and Grafana dashboards (deploy/grafana), checked offline:
// promtool checks and unit-tests the rules (each alert firing and not firing), the Kubernetes
// PrometheusRule is generated from them, every query parses as PromQL and reads only metrics the
// code defines, and every alert has a runbook and is documented.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { exportedMetricNames, metricsIn } from './support/metrics';
import { fromRoot } from './support/workspace';

interface AlertRule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}
interface Target {
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string }[] };
}

const RULES = fromRoot('deploy', 'prometheus', 'rules.yaml');
const RULE_TESTS = fromRoot('deploy', 'prometheus', 'rules.test.yaml');
const DASHBOARDS = fromRoot('deploy', 'grafana', 'dashboards');

/** Runs promtool; a missing binary or a non-zero exit fails the test with its output. */
function promtool(args: string[], cwd?: string): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failed = error as { code?: string; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT') throw new Error('promtool is needed to check the alert rules (Debian: the prometheus package; .ci/run installs it)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

const alerts = (): AlertRule[] => (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);

function dashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as Dashboard }));
}
const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);

/** Grafana's variables replaced by values Prometheus accepts, so a query parses as it will run. */
const asPromql = (expr: string): string => expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');

describe('alert rules (deploy/prometheus/rules.yaml)', () => {
  it('pass promtool check rules', () => {
    expect(promtool(['check', 'rules', RULES])).toContain(`SUCCESS: ${alerts().length} rules found`);
  });

  it('pass their promtool unit tests', () => {
    expect(promtool(['test', 'rules', RULE_TESTS])).toContain('SUCCESS');
  });

  it('are each unit-tested firing and not firing', () => {
    const tests = (parse(readFileSync(RULE_TESTS, 'utf8')) as { rule_files: string[]; tests: RuleTest[] });
    expect(tests.rule_files).toEqual(['rules.yaml']);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts()) {
      const firing = cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length > 0);
      const silent = cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length === 0);
      expect({ alert, firing, silent }).toEqual({ alert, firing: true, silent: true });
    }
  });

  it('read only metrics the code defines, and each has a severity and a runbook that exists', () => {
    const exported = exportedMetricNames();
    expect(alerts().length).toBeGreaterThan(0);
    for (const { alert, expr, labels, annotations } of alerts()) {
      expect({ alert, metrics: metricsIn(expr).length > 0 }).toEqual({ alert, metrics: true });
      for (const metric of metricsIn(expr)) expect({ alert, metric, exported: exported.has(metric) }).toEqual({ alert, metric, exported: true });
      expect({ alert, severity: ['critical', 'warning'].includes(labels?.['severity'] ?? '') }).toEqual({ alert, severity: true });
      const runbook = annotations?.['runbook_url'] ?? '';
      expect({ alert, runbook, exists: /^docs\/runbooks\/[a-z-]+\.md$/.test(runbook) && existsSync(fromRoot(runbook)) }).toEqual({ alert, runbook, exists: true });
    }
  });

  it('are what the Kubernetes base deploys (its PrometheusRule is generated from them)', () => {
    execFileSync(process.execPath, [fromRoot('tools', 'scripts', 'prometheus-rule.mjs'), '--check'], { stdio: 'pipe' });
    const manifest = parse(readFileSync(fromRoot('deploy', 'kubernetes', 'base', 'prometheus-rule.yaml'), 'utf8')) as { spec: unknown };
    expect(manifest.spec).toEqual({ groups: (parse(readFileSync(RULES, 'utf8')) as { groups: unknown }).groups });
    expect(readFileSync(fromRoot('deploy', 'kubernetes', 'base', 'kustomization.yaml'), 'utf8')).toMatch(/^\s+- prometheus-rule\.yaml$/m);
  });

  it('are each listed with their runbook in docs/observability.md and docs/operations.md', () => {
    for (const doc of ['observability.md', 'operations.md']) {
      const text = readFileSync(fromRoot('docs', doc), 'utf8');
      for (const { alert, annotations } of alerts()) {
        const runbook = (annotations?.['runbook_url'] ?? '').replace(/^docs\//, '');
        const row = text.split('\n').find((line) => line.includes(`\`${alert}\``));
        expect({ doc, alert, row: row !== undefined && row.includes(runbook) }).toEqual({ doc, alert, row: true });
      }
    }
  });
});

describe('Grafana dashboards (deploy/grafana)', () => {
  it('are the overview, workers, leader and tenants, with unique uids and a Prometheus data source variable', () => {
    const all = dashboards();
    expect(all.map((d) => d.dashboard.uid)).toEqual(['niyanta-leader', 'niyanta-overview', 'niyanta-tenants', 'niyanta-workers']);
    for (const { file, dashboard } of all) {
      expect(file).toBe(`${dashboard.uid}.json`);
      expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
      const panels = panelsOf(dashboard.panels).filter((p) => p.type !== 'row');
      expect(panels.length).toBeGreaterThan(0);
      for (const panel of panels) {
        const where = `${dashboard.uid}: ${panel.title}`;
        expect({ where, datasource: panel.datasource?.uid, targets: (panel.targets ?? []).length > 0 }).toEqual({ where, datasource: '${datasource}', targets: true });
      }
    }
  });

  it('query only metrics the code defines', () => {
    const exported = exportedMetricNames();
    for (const { dashboard } of dashboards()) {
      for (const panel of panelsOf(dashboard.panels)) {
        for (const { expr } of panel.targets ?? []) {
          const where = `${dashboard.uid}: ${panel.title}`;
          expect({ where, expr, metrics: metricsIn(expr).length > 0 }).toEqual({ where, expr, metrics: true });
          for (const metric of metricsIn(expr)) expect({ where, metric, exported: exported.has(metric) }).toEqual({ where, metric, exported: true });
        }
      }
    }
  });

  it('have queries that parse as PromQL (promtool)', () => {
    const rules = dashboards()
      .flatMap(({ dashboard }) => panelsOf(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((t) => ({ uid: dashboard.uid, expr: t.expr }))))
      .map(({ uid, expr }, i) => ({ record: `dashboard:${uid.replace(/-/g, '_')}:${i}`, expr: asPromql(expr) }));
    const dir = mkdtempSync(join(tmpdir(), 'niyanta-dashboards-'));
    try {
      const file = join(dir, 'queries.yaml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
      expect(promtool(['check', 'rules', file])).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are provisioned from one folder by the provisioning file', () => {
    const provider = parse(readFileSync(fromRoot('deploy', 'grafana', 'provisioning', 'dashboards', 'niyanta.yaml'), 'utf8')) as {
      apiVersion: number;
      providers: { type: string; folder: string; options: { path: string } }[];
    };
    expect(provider.apiVersion).toBe(1);
    expect(provider.providers).toEqual([expect.objectContaining({ type: 'file', folder: 'Niyanta', options: expect.objectContaining({ path: expect.stringMatching(/^\//) }) })]);
    const datasources = parse(readFileSync(fromRoot('deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8')) as {
      datasources: { type: string }[];
    };
    expect(datasources.datasources.map((d) => d.type)).toEqual(['prometheus']);
  });
});
