// Validates Kubernetes objects against the API schemas of kubernetes-models (Kubernetes 1.36) and
// the KEDA and Prometheus-operator CRD schemas. Those packages are ES modules only, so this runs as
// its own Node process: a JSON array of objects on stdin, a JSON array of
// `{ kind, name, error }` (error null when valid) on stdout.
import { readFileSync } from 'node:fs';

const CRD_PACKAGES = {
  'keda.sh': '@kubernetes-models/keda',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

async function modelOf(apiVersion, kind) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const specifier =
    group in CRD_PACKAGES ? `${CRD_PACKAGES[group]}/${apiVersion}` : `kubernetes-models/${apiVersion}`;
  const module = await import(specifier).catch(() => ({}));
  return module[kind];
}

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const object of objects) {
  const name = object?.metadata?.name ?? '?';
  const Model = await modelOf(String(object?.apiVersion ?? ''), String(object?.kind ?? ''));
  if (typeof Model !== 'function') {
    results.push({ kind: object?.kind, name, error: `no schema for ${object?.apiVersion} ${object?.kind}` });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ kind: object.kind, name, error: null });
  } catch (error) {
    results.push({ kind: object.kind, name, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
