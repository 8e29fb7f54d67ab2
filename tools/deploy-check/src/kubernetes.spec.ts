// The kustomize base and overlays, rendered offline and checked the way a cluster and a reviewer
// would: schema validation (Kubernetes 1.36 API, KEDA and Prometheus-operator CRDs), hardening
// and availability rules, the apps' own configuration loaders on each container's environment,
// and the alert and scaling queries against the metrics the code exports.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadApiConfig, loadLeaderConfig, loadWorkerConfig, parseDuration, type Env } from '@niyanta/config';
import { podTemplateOf, renderKustomization, specOf, validateObjects, type Container, type K8sObject } from './support/kubernetes';
import { exportedMetricNames, metricsIn } from './support/metrics';
import { fromRoot } from './support/workspace';

const NAMESPACE = 'niyanta';
const APPS = ['coordinator-api', 'coordinator-leader', 'worker'] as const;
type App = (typeof APPS)[number];
const LOADERS: Record<App, (env: Env) => unknown> = {
  'coordinator-api': loadApiConfig,
  'coordinator-leader': loadLeaderConfig,
  worker: loadWorkerConfig,
};
/** Keys of the Secret the production overlay expects to exist (docs/operations.md), with sample values. */
const EXTERNAL_SECRET_SAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgres://niyanta:secret@db.example.internal:5432/niyanta',
  NATS_URL: 'nats://nats.example.internal:4222',
  NIYANTA_ADMIN_API_KEY: 'an-admin-key-of-32-characters-xx',
  S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  S3_SECRET_ACCESS_KEY: 'example-secret',
};
const CLUSTER_SCOPED = new Set(['Namespace']);

const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The environment a container starts with: ConfigMaps, Secrets (or the production samples) and fields. */
function containerEnv(objects: K8sObject[], container: Container, podName: string): { env: Env; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  const configMap = (name: string): Record<string, string> | undefined => named(objects, 'ConfigMap', name)?.data;
  const secret = (name: string): Record<string, string> | undefined => {
    const found = named(objects, 'Secret', name) as (K8sObject & { stringData?: Record<string, string> }) | undefined;
    if (!found) return undefined;
    const decoded = Object.fromEntries(Object.entries(found.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    return { ...decoded, ...found.stringData };
  };
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name ?? source.secretRef?.name ?? '';
    const data = source.configMapRef ? configMap(name) : secret(name);
    if (!data) problems.push(`${container.name}: envFrom ${name} is not rendered`);
    Object.assign(env, data);
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (from?.fieldRef) env[variable.name] = from.fieldRef.fieldPath === 'metadata.name' ? podName : 'field';
    else if (from?.configMapKeyRef) {
      const value = configMap(from.configMapKeyRef.name)?.[from.configMapKeyRef.key];
      if (value === undefined) problems.push(`${container.name}: ${variable.name} refers to a missing ConfigMap key`);
      else env[variable.name] = value;
    } else if (from?.secretKeyRef) {
      const { name, key, optional } = from.secretKeyRef;
      const rendered = secret(name);
      const value = rendered ? rendered[key] : name === 'niyanta-secrets' ? EXTERNAL_SECRET_SAMPLES[key] : undefined;
      if (value !== undefined) env[variable.name] = value;
      else if (!optional) problems.push(`${container.name}: ${variable.name} refers to ${name}/${key}, which nothing provides`);
    }
  }
  return { env, problems };
}

let renderedBase: Promise<K8sObject[]> | undefined;
const base = (): Promise<K8sObject[]> => (renderedBase ??= renderKustomization('deploy/kubernetes/base'));

describe('kustomize base', () => {
  it('renders, and every object validates against its schema', async () => {
    const objects = await base();
    expect(objects.length).toBeGreaterThan(10);
    expect(validateObjects(objects).filter((v) => v.error !== null)).toEqual([]);
  });

  it('the schema validation rejects a broken field and an unknown kind', () => {
    const broken = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'x', image: 'x', ports: [{ containerPort: 'http' }] }] } } } },
      { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'y' }, spec: { scaleTargetRef: { name: 'y' }, triggers: [{ type: 'prometheus', metadata: { threshold: 8 } }] } },
      { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'z' } },
    ];
    const errors = validateObjects(broken).map((v) => v.error);
    expect(errors[0]).toMatch(/containerPort must be integer/);
    expect(errors[1]).toMatch(/threshold must be string/);
    expect(errors[2]).toMatch(/no schema/);
  });
});

describe.each(['dev', 'production'])('overlay %s', (overlay) => {
  let objects: K8sObject[] = [];
  const workloads = (): { object: K8sObject; labels: Record<string, string>; spec: NonNullable<ReturnType<typeof podTemplateOf>>['spec'] }[] =>
    objects.flatMap((object) => {
      const template = podTemplateOf(object);
      return template ? [{ object, ...template }] : [];
    });
  const appDeployment = (app: App): K8sObject => {
    const found = named(objects, 'Deployment', app);
    if (!found) throw new Error(`Deployment ${app} is not rendered`);
    return found;
  };

  beforeAll(async () => {
    objects = await renderKustomization(`deploy/kubernetes/overlays/${overlay}`);
  });

  it('renders, and every object validates against the Kubernetes, KEDA and Prometheus-operator schemas', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['Namespace', 'ServiceAccount', 'ConfigMap', 'Deployment', 'Service', 'Job', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'ScaledObject', 'ServiceMonitor', 'PrometheusRule']) {
      expect({ kind, rendered: kinds.has(kind) }).toEqual({ kind, rendered: true });
    }
    expect(validateObjects(objects).filter((v) => v.error !== null)).toEqual([]);
  });

  it('puts everything in the niyanta namespace, whose pods must meet the restricted standard', () => {
    for (const object of objects.filter((o) => !CLUSTER_SCOPED.has(o.kind))) {
      expect({ object: `${object.kind}/${object.metadata.name}`, namespace: object.metadata.namespace }).toEqual({
        object: `${object.kind}/${object.metadata.name}`,
        namespace: NAMESPACE,
      });
    }
    expect(named(objects, 'Namespace', NAMESPACE)?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('hardens every pod: non-root, read-only root filesystem, no privilege escalation, ALL capabilities dropped, no token', () => {
    expect(workloads().length).toBeGreaterThanOrEqual(4);
    for (const { object, spec } of workloads()) {
      const where = `${object.kind}/${object.metadata.name}`;
      expect({ where, automount: spec.automountServiceAccountToken }).toEqual({ where, automount: false });
      expect({ where, runAsNonRoot: spec.securityContext?.runAsNonRoot }).toEqual({ where, runAsNonRoot: true });
      expect({ where, uidNotRoot: (spec.securityContext?.runAsUser ?? 0) > 0 }).toEqual({ where, uidNotRoot: true });
      expect({ where, seccomp: spec.securityContext?.seccompProfile?.type }).toEqual({ where, seccomp: 'RuntimeDefault' });
      for (const container of spec.containers) {
        const context = container.securityContext ?? {};
        expect({ container: `${where}/${container.name}`, ...context, drop: context.capabilities?.drop }).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          drop: ['ALL'],
        });
        expect(context.privileged).not.toBe(true);
      }
    }
    expect(named(objects, 'ServiceAccount', 'niyanta')).toMatchObject({ automountServiceAccountToken: false });
  });

  it('gives every container resource requests and limits, and every long-running container all three probes', () => {
    for (const { object, spec } of workloads()) {
      for (const container of spec.containers) {
        const where = `${object.kind}/${object.metadata.name}/${container.name}`;
        expect({ where, requests: Object.keys(container.resources?.requests ?? {}).sort() }).toEqual({ where, requests: ['cpu', 'memory'] });
        expect({ where, limits: Object.keys(container.resources?.limits ?? {}).sort() }).toEqual({ where, limits: ['cpu', 'memory'] });
        if (object.kind !== 'Job') {
          const probes = { startup: !!container.startupProbe, readiness: !!container.readinessProbe, liveness: !!container.livenessProbe };
          expect({ where, probes }).toEqual({ where, probes: { startup: true, readiness: true, liveness: true } });
        }
      }
    }
  });

  it('pins every image to a tag or digest, never latest', () => {
    for (const { spec } of workloads()) {
      for (const container of spec.containers) {
        expect(container.image).toMatch(/^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$/);
        expect(container.image).toMatch(/:[A-Za-z0-9._-]+$|@sha256:/);
        expect(container.image).not.toMatch(/:latest$/);
      }
    }
  });

  it('starts each app with an environment its configuration loader accepts, migrations left to the Job', () => {
    for (const app of APPS) {
      const spec = podTemplateOf(appDeployment(app))?.spec;
      const container = spec?.containers.find((c) => c.name === app) as Container;
      expect(container.command).toEqual(['node', `dist/apps/${app}/main.js`]);
      const { env, problems } = containerEnv(objects, container, `${app}-5d8f7c9b6-x7k2p`);
      expect(problems).toEqual([]);
      const config = LOADERS[app](env) as { runMigrations?: boolean };
      if (app !== 'worker') expect({ app, runMigrations: config.runMigrations }).toEqual({ app, runMigrations: false });
    }
    const job = named(objects, 'Job', 'niyanta-migrate') as K8sObject;
    const migrate = podTemplateOf(job)?.spec.containers[0] as Container;
    expect(migrate.command).toEqual(['migrate', 'up']);
    const { env, problems } = containerEnv(objects, migrate, 'niyanta-migrate-abcde');
    expect(problems).toEqual([]);
    expect(env['DATABASE_URL']).toMatch(/^postgres:\/\//);
  });

  it('gives each process time to stop: the grace period covers the shutdown and drain timeouts', () => {
    for (const app of APPS) {
      const spec = podTemplateOf(appDeployment(app))?.spec;
      const container = spec?.containers[0] as Container;
      const { env } = containerEnv(objects, container, `${app}-0`);
      const grace = (spec?.terminationGracePeriodSeconds ?? 30) * 1000;
      const shutdown = parseDuration(env['SHUTDOWN_TIMEOUT'] ?? '30s');
      const drain = parseDuration(env['DRAIN_TIMEOUT'] ?? '30s');
      expect({ app, graceCoversShutdown: grace > shutdown }).toEqual({ app, graceCoversShutdown: true });
      if (app === 'worker') expect(shutdown).toBeGreaterThan(drain);
    }
  });

  it('spreads every app over zones and nodes and covers it with a PodDisruptionBudget', () => {
    for (const app of APPS) {
      const template = podTemplateOf(appDeployment(app));
      const labels = template?.labels ?? {};
      const spread = template?.spec.topologySpreadConstraints ?? [];
      expect(spread.map((c) => c.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const constraint of spread) expect(matches(constraint.labelSelector?.matchLabels, labels)).toBe(true);
      const budgets = byKind(objects, 'PodDisruptionBudget').filter((pdb) =>
        matches(specOf<{ selector: { matchLabels: Record<string, string> } }>(pdb).selector.matchLabels, labels),
      );
      expect({ app, budgets: budgets.length }).toEqual({ app, budgets: 1 });
    }
  });

  it('lets only the API take traffic from anywhere, behind a default deny; workers reach the stores', () => {
    type Rule = { from?: unknown[]; to?: unknown[]; ports?: { port: number }[] };
    type Policy = { podSelector: { matchLabels?: Record<string, string>; matchExpressions?: { values: string[] }[] }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };
    const policies = byKind(objects, 'NetworkPolicy').map((p) => ({ name: p.metadata.name, spec: specOf<Policy>(p) }));
    const selects = (policy: Policy, app: string): boolean =>
      Object.keys(policy.podSelector).length === 0 ||
      policy.podSelector.matchLabels?.['app.kubernetes.io/name'] === app ||
      (policy.podSelector.matchExpressions ?? []).some((e) => e.values.includes(app));
    const denyAll = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
    expect(denyAll?.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    const openIngress = policies.filter((p) => (p.spec.ingress ?? []).some((rule) => !rule.from || rule.from.length === 0));
    expect(openIngress.map((p) => p.spec.podSelector.matchLabels)).toEqual([{ 'app.kubernetes.io/name': 'coordinator-api' }]);
    const workerEgressPorts = policies
      .filter((p) => selects(p.spec, 'worker'))
      .flatMap((p) => (p.spec.egress ?? []).flatMap((rule) => (rule.ports ?? []).map((port) => port.port)));
    expect(workerEgressPorts).toEqual(expect.arrayContaining([53, 5432, 4222, 443]));
  });

  it('scales the API on CPU and the workers on the leader queue depth through KEDA', () => {
    const hpa = specOf<{ scaleTargetRef: { name: string }; minReplicas: number; metrics: { resource?: { name: string } }[] }>(
      named(objects, 'HorizontalPodAutoscaler', 'coordinator-api') as K8sObject,
    );
    expect(hpa.scaleTargetRef.name).toBe('coordinator-api');
    expect(hpa.metrics.map((m) => m.resource?.name)).toEqual(['cpu']);
    const scaled = specOf<{ scaleTargetRef: { name: string }; triggers: { type: string; metadata: { query: string; threshold: string } }[] }>(
      named(objects, 'ScaledObject', 'worker') as K8sObject,
    );
    expect(scaled.scaleTargetRef.name).toBe('worker');
    const query = scaled.triggers.find((t) => t.type === 'prometheus')?.metadata.query ?? '';
    expect(metricsIn(query)).toContain('niyanta_scheduler_queue_depth');
    const exported = exportedMetricNames();
    for (const metric of metricsIn(query)) expect({ metric, exported: exported.has(metric) }).toEqual({ metric, exported: true });
  });

  it('scrapes every app through the ServiceMonitor', () => {
    const monitor = specOf<{ selector: { matchExpressions: { values: string[] }[] }; endpoints: { port: string; path: string }[] }>(
      named(objects, 'ServiceMonitor', 'niyanta') as K8sObject,
    );
    expect(monitor.selector.matchExpressions[0]?.values.sort()).toEqual([...APPS].sort());
    for (const app of APPS) {
      const service = specOf<{ ports: { name: string }[] }>(named(objects, 'Service', app) as K8sObject);
      expect(service.ports.map((p) => p.name)).toContain(monitor.endpoints[0]?.port);
    }
    expect(monitor.endpoints[0]?.path).toBe('/metrics');
  });

  if (overlay === 'dev') {
    it('runs one replica of each process, PostgreSQL and NATS with JetStream in the cluster', () => {
      for (const app of APPS) expect({ app, replicas: specOf<{ replicas: number }>(appDeployment(app)).replicas }).toEqual({ app, replicas: 1 });
      expect(specOf<{ minReplicas: number }>(named(objects, 'HorizontalPodAutoscaler', 'coordinator-api') as K8sObject).minReplicas).toBe(1);
      expect(specOf<{ minReplicaCount: number }>(named(objects, 'ScaledObject', 'worker') as K8sObject).minReplicaCount).toBe(1);
      expect(byKind(objects, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['nats', 'postgres']);
      const nats = podTemplateOf(named(objects, 'StatefulSet', 'nats') as K8sObject)?.spec.containers[0];
      expect(nats?.args).toContain('--jetstream');
      expect(byKind(objects, 'Service').map((s) => s.metadata.name)).toEqual(expect.arrayContaining(['postgres', 'nats']));
    });
  } else {
    it('runs 2+ API replicas, 2 leaders and 2+ workers on external stores, with a registry image', () => {
      expect(specOf<{ replicas: number }>(appDeployment('coordinator-api')).replicas).toBeGreaterThanOrEqual(2);
      expect(specOf<{ minReplicas: number }>(named(objects, 'HorizontalPodAutoscaler', 'coordinator-api') as K8sObject).minReplicas).toBeGreaterThanOrEqual(2);
      expect(specOf<{ replicas: number }>(appDeployment('coordinator-leader')).replicas).toBe(2);
      expect(specOf<{ replicas: number }>(appDeployment('worker')).replicas).toBeGreaterThanOrEqual(2);
      expect(specOf<{ minReplicaCount: number }>(named(objects, 'ScaledObject', 'worker') as K8sObject).minReplicaCount).toBeGreaterThanOrEqual(2);
      expect(byKind(objects, 'StatefulSet')).toEqual([]);
      // Credentials are never rendered: the Secret is created in the cluster (docs/operations.md).
      expect(byKind(objects, 'Secret')).toEqual([]);
      const guide = readFileSync(fromRoot('docs', 'operations.md'), 'utf8');
      for (const key of Object.keys(EXTERNAL_SECRET_SAMPLES)) expect({ key, documented: guide.includes(key) }).toEqual({ key, documented: true });
      for (const { spec } of workloads()) for (const c of spec.containers) expect(c.image).toMatch(/^[a-z0-9.-]+\.[a-z]+\/.+:\d+\.\d+\.\d+$|@sha256:/);
    });
  }
});

describe('PrometheusRule', () => {
  let rules: { groups: { name: string; rules: { alert: string; expr: string; annotations?: Record<string, string> }[] }[] };

  beforeAll(async () => {
    const objects = await base();
    rules = specOf<typeof rules>(named(objects, 'PrometheusRule', 'niyanta') as K8sObject);
  });

  it('passes promtool check rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'niyanta-rules-'));
    try {
      const file = join(dir, 'rules.yaml');
      writeFileSync(file, stringify(rules));
      let output: string;
      try {
        output = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      } catch (error) {
        const failed = error as { code?: string; message: string; stdout?: string; stderr?: string };
        if (failed.code === 'ENOENT') throw new Error('promtool is needed to check the alert rules (Debian: apt-get install prometheus)');
        throw new Error(`promtool check rules failed: ${failed.stdout ?? ''}${failed.stderr ?? ''}`);
      }
      const count = rules.groups.reduce((n, g) => n + g.rules.length, 0);
      expect(output).toContain(`SUCCESS: ${count} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('alerts only on metrics the code exports, each with a runbook that exists', () => {
    const exported = exportedMetricNames();
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(metricsIn(alert.expr).length).toBeGreaterThan(0);
      for (const metric of metricsIn(alert.expr)) expect({ alert: alert.alert, metric, exported: exported.has(metric) }).toEqual({ alert: alert.alert, metric, exported: true });
      const runbook = alert.annotations?.['runbook_url'] ?? '';
      expect({ alert: alert.alert, runbook, exists: runbook !== '' && existsSync(fromRoot(runbook)) }).toEqual({ alert: alert.alert, runbook, exists: true });
    }
  });
});
