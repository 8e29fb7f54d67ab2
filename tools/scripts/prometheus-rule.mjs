#!/usr/bin/env node
// Writes the Kubernetes base's PrometheusRule from deploy/prometheus/rules.yaml, the one source of
// the alert rules: `node tools/scripts/prometheus-rule.mjs` after editing the rules;
// `--check` exits 1 when the PrometheusRule is out of date (npm test runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const source = fileURLToPath(new URL('../../deploy/prometheus/rules.yaml', import.meta.url));
const target = fileURLToPath(new URL('../../deploy/kubernetes/base/prometheus-rule.yaml', import.meta.url));

/** The PrometheusRule manifest for the rules in `rulesText` (a Prometheus rule file). */
export function renderPrometheusRule(rulesText) {
  const { groups } = parse(rulesText);
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'niyanta', labels: { 'app.kubernetes.io/part-of': 'niyanta' } },
    spec: { groups },
  };
  return [
    '# Generated from deploy/prometheus/rules.yaml by tools/scripts/prometheus-rule.mjs: edit that file,',
    '# then run the script. Needs the Prometheus operator (monitoring.coreos.com CRDs).',
    stringify(manifest, { lineWidth: 0 }),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = renderPrometheusRule(readFileSync(source, 'utf8'));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current !== wanted) {
      console.error('deploy/kubernetes/base/prometheus-rule.yaml is out of date: run node tools/scripts/prometheus-rule.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync(target, wanted);
  }
}
