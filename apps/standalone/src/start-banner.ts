/** What the banner reports. */
export interface BannerFacts {
  url: string;
  devApiKey: string;
  /** Where embedded PostgreSQL keeps its data, or undefined when DATABASE_URL is used. */
  embeddedDataDir: string | undefined;
  /** True when the in-process broker is used (no NATS_URL). */
  inProcessBroker: boolean;
}

/** The first thing a developer reads after `npm start`: where the docs are and how to submit work. */
export function startBanner(facts: BannerFacts): string {
  const { url, devApiKey } = facts;
  const stores = [
    facts.embeddedDataDir ? `embedded PostgreSQL (data in ${facts.embeddedDataDir})` : 'PostgreSQL at DATABASE_URL',
    facts.inProcessBroker ? 'in-process broker' : 'NATS at NATS_URL',
  ].join(', ');
  return [
    '',
    `Niyanta is running (API, leader and worker in one process; ${stores})`,
    '',
    `  Dashboard:              ${url}/ui/  (sign in with the development API key below)`,
    `  API docs (Swagger UI):  ${url}/docs`,
    `  OpenAPI document:       ${url}/docs-json`,
    `  Health / metrics:       ${url}/ready  ${url}/metrics`,
    `  Development API key:    ${devApiKey}`,
    '',
    '  Submit a workload (the sample "sleep" type runs for duration_ms, checkpointing each step):',
    `    curl -s -X POST ${url}/v1/workloads \\`,
    `      -H 'Authorization: Bearer ${devApiKey}' -H 'Content-Type: application/json' \\`,
    `      -d '{"workload_type": "sleep", "input": {"duration_ms": 5000}}'`,
    '',
    '  Then watch it:',
    `    curl -s ${url}/v1/workloads -H 'Authorization: Bearer ${devApiKey}'`,
    '',
    '  Stop with Ctrl-C.',
    '',
  ].join('\n');
}
