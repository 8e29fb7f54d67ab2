/** What the banner reports. */
export interface BannerFacts {
  url: string;
  devApiKey: string;
  /** The operator key of `/v1/admin` (generated per data directory unless `NIYANTA_ADMIN_API_KEY` sets it). */
  adminApiKey: string;
  /** The address listened on (`HOST`). */
  host: string;
  /** Files the keys were read from or stored in (empty when the environment set both). */
  keyFiles: readonly string[];
  /** Where embedded PostgreSQL keeps its data, or undefined when DATABASE_URL is used. */
  embeddedDataDir: string | undefined;
  /** True when the in-process broker is used (no NATS_URL). */
  inProcessBroker: boolean;
}

/** The first thing a developer reads after `npm start`: where the docs are and how to submit work. */
export function startBanner(facts: BannerFacts): string {
  const { url, devApiKey } = facts;
  // Listening beyond this machine: say so, development keys should not face a network unawares.
  const exposed = !['127.0.0.1', 'localhost', '::1'].includes(facts.host);
  const stores = [
    facts.embeddedDataDir ? `embedded PostgreSQL (data in ${facts.embeddedDataDir})` : 'PostgreSQL at DATABASE_URL',
    facts.inProcessBroker ? 'in-process broker' : 'NATS at NATS_URL',
  ].join(', ');
  return [
    '',
    `Niyanta is running (API, leader and worker in one process; ${stores})`,
    ...(exposed ? ['', `  Listening on ${facts.host} (HOST): anyone who can reach this port with a key can use it.`] : []),
    '',
    `  Dashboard:              ${url}/ui/  (sign in with the development API key below)`,
    `  API docs (Swagger UI):  ${url}/docs`,
    `  OpenAPI document:       ${url}/docs-json`,
    `  Health / metrics:       ${url}/ready  ${url}/metrics`,
    `  Development API key:    ${devApiKey}`,
    `  Admin API key:          ${facts.adminApiKey}`,
    ...(facts.keyFiles.length > 0 ? [`  (kept in ${facts.keyFiles.join(' and ')}; delete them for new keys)`] : []),
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
