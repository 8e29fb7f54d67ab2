import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { fromRoot, root } from './workspace';

const execFileAsync = promisify(execFile);

/** A rendered Kubernetes object; `spec` is read through {@link specOf} with the shape a check expects. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[] };
  };
  startupProbe?: object;
  readinessProbe?: object;
  livenessProbe?: object;
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  containers: Container[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  topologySpreadConstraints?: { topologyKey: string; labelSelector?: { matchLabels?: Record<string, string> } }[];
  volumes?: { name: string; emptyDir?: object }[];
}

/** The `spec` of an object, as the shape the caller expects. */
export function specOf<T>(object: K8sObject): T {
  return (object.spec ?? {}) as T;
}

/**
 * Renders a kustomization with `kubectl kustomize` (offline). kubectl comes from the machine
 * (Debian: `apt-get install kubernetes-client`, which .ci/run does when it is missing); without it
 * this throws, so the suite fails instead of skipping.
 */
export async function renderKustomization(dir: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('kubectl', ['kustomize', fromRoot(dir)], { cwd: root, maxBuffer: 32 * 1024 * 1024 }));
  } catch (error) {
    const failed = error as { code?: string; message: string; stderr?: string };
    if (failed.code === 'ENOENT') {
      throw new Error('kubectl is needed to render the kustomizations (Debian: apt-get install kubernetes-client)');
    }
    throw new Error(`kubectl kustomize ${dir} failed: ${failed.message}\n${failed.stderr ?? ''}`);
  }
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

/** Schema validation result of one object (`error` null when valid). */
export interface Validation {
  kind: string;
  name: string;
  error: string | null;
}

/** Validates objects against the Kubernetes and CRD schemas (see validate-manifests.mjs). */
export function validateObjects(objects: readonly unknown[]): Validation[] {
  // kubectl wraps long base64 Secret values over several lines; the API server ignores those line
  // breaks when it decodes, the schema's `byte` format does not.
  const unwrapped = objects.map((object) => {
    const secret = object as K8sObject;
    if (secret.kind !== 'Secret' || !secret.data) return object;
    return { ...secret, data: Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, v.replace(/\s/g, '')])) };
  });
  const result = spawnSync(process.execPath, [fromRoot('tools', 'deploy-check', 'src', 'support', 'validate-manifests.mjs')], {
    cwd: root,
    input: JSON.stringify(unwrapped),
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`schema validation did not run: ${result.stderr}`);
  return JSON.parse(result.stdout) as Validation[];
}

/** The pod template's labels and spec of a Deployment, StatefulSet or Job; undefined for other kinds. */
export function podTemplateOf(object: K8sObject): { labels: Record<string, string>; spec: PodSpec } | undefined {
  if (!['Deployment', 'StatefulSet', 'Job'].includes(object.kind)) return undefined;
  const template = specOf<{ template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }>(object).template;
  return { labels: template.metadata?.labels ?? {}, spec: template.spec };
}
