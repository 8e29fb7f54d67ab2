import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  createNiyantaClient,
  NiyantaApiError,
  TERMINAL_STATUSES,
  type NiyantaClient,
  type SubmitWorkloadRequest,
  type Workload,
  type WorkloadListItem,
  type WorkloadStatus,
  type WorkloadUpdate,
} from '@niyanta/sdk';
import { CliConfigError, EXIT, resolveConnection, type CliConnection } from './cli-config';
import { formatProgress, formatValue, renderRecord, renderTable, type Column } from './output';

/** What the commands write to; the real process streams unless a test passes others. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** The global flags every command accepts. */
interface GlobalFlags {
  url?: string;
  apiKey?: string;
  profile?: string;
  json?: boolean;
}

/** A command asks for this exit status without an error message. */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

const STATUSES: readonly WorkloadStatus[] = ['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];

const WORKLOAD_COLUMNS: Column<WorkloadListItem>[] = [
  { header: 'ID', cell: (w) => w.id },
  { header: 'TYPE', cell: (w) => w.workload_type },
  { header: 'STATUS', cell: (w) => w.status },
  { header: 'PROGRESS', cell: (w) => formatProgress(w.progress) },
  { header: 'PRIORITY', cell: (w) => String(w.priority) },
  { header: 'CREATED', cell: (w) => w.created_at },
];

/** Builds the `niyanta` program; `run` in niyanta.ts parses argv with it. */
export function buildProgram(io: CliIo, version: string): Command {
  const program = new Command('niyanta')
    .description('Command-line client of the Niyanta API (docs/cli.md).')
    .version(version)
    .option('--url <url>', 'API address (env NIYANTA_URL, profile "url"; default http://localhost:8080)')
    .option('--api-key <key>', 'API key (env NIYANTA_API_KEY, profile "api_key")')
    .option('--profile <name>', 'profile of the profile file (env NIYANTA_PROFILE; default "default")')
    .option('--json', 'print JSON instead of tables')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();

  const globals = (command: Command): GlobalFlags => command.optsWithGlobals<GlobalFlags>();
  const out = (text: string): void => void io.stdout.write(text);
  const json = (value: unknown): void => out(JSON.stringify(value, null, 2) + '\n');
  const connect = (command: Command): { client: NiyantaClient; connection: CliConnection; flags: GlobalFlags } => {
    const flags = globals(command);
    const connection = resolveConnection(flags, io.env);
    if (!connection.apiKey) {
      throw new CliConfigError(
        'no API key: pass --api-key, set NIYANTA_API_KEY, or add "api_key" to a profile (npm start prints a development key)',
      );
    }
    return { client: createNiyantaClient({ baseUrl: connection.url, apiKey: connection.apiKey }), connection, flags };
  };
  const printWorkload = (workload: Workload, flags: GlobalFlags): void => {
    if (flags.json) json(workload);
    else out(renderRecord({ ...workload }));
  };
  // List items leave out input and output unless asked for; the table shows neither.
  const printWorkloads = (workloads: WorkloadListItem[], flags: GlobalFlags): void => {
    if (flags.json) json(workloads);
    else out(renderTable(workloads, WORKLOAD_COLUMNS));
  };

  program
    .command('submit')
    .description('submit a workload')
    .argument('<type>', 'workload type')
    .option('-i, --input <json>', 'input as a JSON object', '{}')
    .option('-f, --input-file <path>', 'read the input JSON from a file ("-" for stdin)')
    .option('-p, --priority <n>', 'priority 0-1000', parseInteger)
    .option('-l, --label <key=value>', 'label (repeatable)', collect, [])
    .option('--max-retries <n>', 'retries after a failed attempt', parseInteger)
    .option('--region <region>', 'preferred region')
    .option('--idempotency-key <key>', 'repeat-safe submission: the same key returns the first workload')
    .option('-w, --wait', 'wait until it finishes, showing progress; exit 1 if it fails or is cancelled')
    .option('--timeout <seconds>', 'with --wait: give up after this many seconds', parseInteger)
    .action(async (type: string, options: SubmitOptions, command: Command) => {
      const { client, flags } = connect(command);
      const request: SubmitWorkloadRequest = {
        workload_type: type,
        input: parseInput(options),
        labels: Object.fromEntries(options.label.map(parseLabel)),
        ...(options.priority !== undefined ? { priority: options.priority } : {}),
        ...(options.maxRetries !== undefined ? { max_retries: options.maxRetries } : {}),
        ...(options.region !== undefined ? { region: options.region } : {}),
      };
      const workload = await client.submit(request, options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {});
      if (!options.wait) return printWorkload(workload, flags);
      if (!flags.json) io.stderr.write(`submitted ${workload.id} (${workload.workload_type})\n`);
      const done = await waitWithProgress(client, workload, io, options.timeout);
      printWorkload(done, flags);
      if (done.status !== 'COMPLETED') throw new CliExit(EXIT.workloadFailed);
    });

  program
    .command('ls')
    .description('list workloads, newest first')
    .addOption(new Option('-s, --status <statuses>', 'only these statuses, comma-separated').argParser(parseStatuses))
    .option('-t, --type <type>', 'only this workload type')
    .option('-l, --label <key:value>', 'only workloads with this label (repeatable)', collect, [])
    .option('--created-after <time>', 'created after this RFC 3339 instant')
    .option('--created-before <time>', 'created before this RFC 3339 instant')
    .option('-n, --limit <n>', 'at most this many', parseInteger, 50)
    .action(async (options: LsOptions, command: Command) => {
      const { client, flags } = connect(command);
      const query = {
        ...(options.status ? { status: options.status } : {}),
        ...(options.type ? { workload_type: options.type } : {}),
        ...(options.label.length ? { label: options.label } : {}),
        ...(options.createdAfter ? { created_after: options.createdAfter } : {}),
        ...(options.createdBefore ? { created_before: options.createdBefore } : {}),
        limit: Math.min(options.limit, 500),
      };
      const workloads: WorkloadListItem[] = [];
      for await (const workload of client.listAll(query)) {
        workloads.push(workload);
        if (workloads.length >= options.limit) break;
      }
      printWorkloads(workloads, flags);
    });

  program
    .command('get')
    .description('show one workload')
    .argument('<id>', 'workload id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, flags } = connect(command);
      printWorkload(await client.get(id), flags);
    });

  program
    .command('watch')
    .description('follow workloads live (the /v1/stream WebSocket); with ids, exits when all have finished')
    .argument('[ids...]', 'only these workloads')
    .addOption(new Option('-s, --status <statuses>', 'only changes to these statuses, comma-separated').argParser(parseStatuses))
    .option('-t, --type <type>', 'only this workload type')
    .action(async (ids: string[], options: { status?: WorkloadStatus[]; type?: string }, command: Command) => {
      const { client, flags } = connect(command);
      const pending = new Set(ids);
      const print = (update: WorkloadUpdate): void => {
        if (flags.json) out(JSON.stringify(update) + '\n');
        else out(`${update.updated_at}  ${update.id}  ${update.workload_type}  ${update.status}  ${formatProgress(update.progress)}\n`);
        if (TERMINAL_STATUSES.includes(update.status)) pending.delete(update.id);
      };
      const stream = client.stream({
        ...(ids.length ? { ids } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.type ? { workloadType: options.type } : {}),
      });
      for await (const message of stream) {
        if (message.type === 'snapshot') message.workloads.forEach(print);
        else print(message.workload);
        if (ids.length > 0 && pending.size === 0) break;
      }
    });

  for (const [name, description] of [
    ['cancel', 'cancel workloads'],
    ['pause', 'pause running or queued workloads (they resume from their newest checkpoint)'],
    ['resume', 'resume paused workloads'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<ids...>', 'workload ids')
      .action(async (ids: string[], _options: unknown, command: Command) => {
        const { client, flags } = connect(command);
        const results: Workload[] = [];
        for (const id of ids) results.push(await client[name](id));
        printWorkloads(results, flags);
      });
  }

  program
    .command('workers')
    .description('list the workers')
    .action(async (_options: unknown, command: Command) => {
      const { client, flags } = connect(command);
      const workers = await client.workers();
      if (flags.json) return json(workers);
      out(
        renderTable(workers, [
          { header: 'ID', cell: (w) => w.id },
          { header: 'STATUS', cell: (w) => w.status },
          { header: 'RUNNING', cell: (w) => `${w.running_count}/${w.capacity}` },
          { header: 'REGION', cell: (w) => formatValue(w.region) },
          { header: 'LAST HEARTBEAT', cell: (w) => w.last_heartbeat_at },
        ]),
      );
    });

  program
    .command('types')
    .description('list the registered workload types and their defaults')
    .action(async (_options: unknown, command: Command) => {
      const { client, flags } = connect(command);
      const types = await client.workloadTypes();
      if (flags.json) return json(types);
      out(
        renderTable(types, [
          { header: 'TYPE', cell: (t) => t.workload_type },
          { header: 'PRIORITY', cell: (t) => String(t.default_priority) },
          { header: 'MAX RETRIES', cell: (t) => String(t.max_retries) },
          { header: 'TIMEOUT', cell: (t) => formatValue(t.timeout_seconds) },
          { header: 'MAX CONCURRENT', cell: (t) => formatValue(t.max_concurrent) },
        ]),
      );
    });

  const admin = program.command('admin').description('operator commands (use the operator key: NIYANTA_ADMIN_API_KEY of the API)');
  const customers = admin.command('customers').description('customers');
  customers
    .command('ls', { isDefault: true })
    .description('list customers')
    .action(async (_options: unknown, command: Command) => {
      const { client, flags } = connect(command);
      const page = await call(client.api.GET('/v1/admin/customers', { params: { query: { limit: 200 } } }));
      if (flags.json) return json(page.items);
      out(
        renderTable(page.items, [
          { header: 'ID', cell: (c) => c.id },
          { header: 'NAME', cell: (c) => c.name },
          { header: 'TIER', cell: (c) => c.tier },
          { header: 'STATUS', cell: (c) => c.status },
          { header: 'CREATED', cell: (c) => c.created_at },
        ]),
      );
    });
  customers
    .command('create')
    .description('create a customer')
    .argument('<name>', 'customer name')
    .option('--tier <tier>', 'tier name', 'standard')
    .action(async (name: string, options: { tier: string }, command: Command) => {
      const { client, flags } = connect(command);
      const customer = await call(client.api.POST('/v1/admin/customers', { body: { name, tier: options.tier } }));
      if (flags.json) json(customer);
      else out(renderRecord({ ...customer }));
    });

  const keys = admin.command('keys').description("customers' API keys");
  keys
    .command('ls')
    .description("list a customer's API keys")
    .argument('<customer-id>', 'customer id')
    .action(async (customerId: string, _options: unknown, command: Command) => {
      const { client, flags } = connect(command);
      const page = await call(client.api.GET('/v1/admin/customers/{id}/api-keys', { params: { path: { id: customerId } } }));
      if (flags.json) return json(page.items);
      out(
        renderTable(page.items, [
          { header: 'ID', cell: (k) => k.id },
          { header: 'NAME', cell: (k) => formatValue(k.name) },
          { header: 'CREATED', cell: (k) => k.created_at },
          { header: 'EXPIRES', cell: (k) => formatValue(k.expires_at) },
        ]),
      );
    });
  keys
    .command('create')
    .description('issue an API key for a customer (the key is shown once)')
    .argument('<customer-id>', 'customer id')
    .option('--name <name>', 'a name for the key')
    .option('--expires-at <time>', 'RFC 3339 expiry')
    .action(async (customerId: string, options: { name?: string; expiresAt?: string }, command: Command) => {
      const { client, flags } = connect(command);
      const body = { ...(options.name ? { name: options.name } : {}), ...(options.expiresAt ? { expires_at: options.expiresAt } : {}) };
      const key = await call(client.api.POST('/v1/admin/customers/{id}/api-keys', { params: { path: { id: customerId } }, body }));
      if (flags.json) json(key);
      else out(renderRecord({ ...key }));
    });
  keys
    .command('revoke')
    .description('revoke an API key')
    .argument('<key-id>', 'key id')
    .action(async (keyId: string, _options: unknown, command: Command) => {
      const { client } = connect(command);
      await call(client.api.DELETE('/v1/admin/api-keys/{id}', { params: { path: { id: keyId } } }), true);
      io.stderr.write(`revoked ${keyId}\n`);
    });

  return program;
}

interface SubmitOptions {
  input: string;
  inputFile?: string;
  priority?: number;
  label: string[];
  maxRetries?: number;
  region?: string;
  idempotencyKey?: string;
  wait?: boolean;
  timeout?: number;
}

interface LsOptions {
  status?: WorkloadStatus[];
  type?: string;
  label: string[];
  createdAfter?: string;
  createdBefore?: string;
  limit: number;
}

/** Waits for a terminal status over the stream, drawing progress on stderr; polls if the stream fails. */
async function waitWithProgress(client: NiyantaClient, workload: Workload, io: CliIo, timeoutSeconds?: number): Promise<Workload> {
  const controller = new AbortController();
  const timer = timeoutSeconds ? setTimeout(() => controller.abort(new CliConfigError('timeout')), timeoutSeconds * 1000) : undefined;
  const live = io.stderr.isTTY === true;
  let shown = '';
  const show = (update: Pick<WorkloadUpdate, 'status' | 'progress'>): void => {
    const line = `${update.status} ${formatProgress(update.progress)}`;
    if (line === shown) return;
    shown = line;
    io.stderr.write(live ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  try {
    show(workload);
    try {
      for await (const message of client.stream({ ids: [workload.id] }, { signal: controller.signal })) {
        const updates = message.type === 'snapshot' ? message.workloads : [message.workload];
        const mine = updates.filter((u) => u.id === workload.id).at(-1);
        if (!mine) continue;
        show(mine);
        if (TERMINAL_STATUSES.includes(mine.status)) break;
      }
    } catch (error) {
      if (controller.signal.aborted) throw timeoutError(workload.id, timeoutSeconds);
      io.stderr.write(`${live ? '\n' : ''}live progress unavailable (${(error as Error).message}); polling\n`);
    }
    if (controller.signal.aborted) throw timeoutError(workload.id, timeoutSeconds);
    const done = await client.waitForCompletion(workload.id, {
      pollMs: 500,
      signal: controller.signal,
      timeoutMs: timeoutSeconds ? timeoutSeconds * 1000 : 24 * 3600 * 1000,
    }).catch((error: unknown) => {
      if (controller.signal.aborted) throw timeoutError(workload.id, timeoutSeconds);
      throw error;
    });
    show(done);
    if (live) io.stderr.write('\n');
    return done;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Thrown when `--timeout` ran out: the workload goes on; the CLI exits {@link EXIT.unavailable}. */
export class CliTimeoutError extends Error {
  override readonly name = 'CliTimeoutError';
}

function timeoutError(id: string, seconds: number | undefined): CliTimeoutError {
  return new CliTimeoutError(`gave up waiting after ${seconds} s; ${id} goes on (follow it with: niyanta watch ${id})`);
}

/** The body of a generated-client call, or its error thrown as the SDK's NiyantaApiError. */
async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>, allowEmpty = false): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok || (data === undefined && !allowEmpty)) throw NiyantaApiError.fromResponse(response, error ?? null);
  return data as T;
}

function parseInput(options: SubmitOptions): Record<string, unknown> {
  let text = options.input;
  let source = '--input';
  if (options.inputFile) {
    source = options.inputFile;
    try {
      text = readFileSync(options.inputFile === '-' ? 0 : options.inputFile, 'utf8');
    } catch (error) {
      throw new CliConfigError(`cannot read ${options.inputFile}: ${(error as Error).message}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliConfigError(`${source} is not valid JSON (${(error as Error).message}); example: --input '{"duration_ms": 1000}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliConfigError(`${source} must be a JSON object, e.g. '{"duration_ms": 1000}'`);
  }
  return value as Record<string, unknown>;
}

function parseLabel(label: string): [string, string] {
  const at = label.indexOf('=');
  if (at <= 0) throw new CliConfigError(`label "${label}" must be key=value`);
  return [label.slice(0, at), label.slice(at + 1)];
}

function parseInteger(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new CliConfigError(`"${raw}" is not an integer`);
  return value;
}

function parseStatuses(raw: string): WorkloadStatus[] {
  const statuses = raw.split(',').map((s) => s.trim().toUpperCase());
  const unknown = statuses.filter((s) => !STATUSES.includes(s as WorkloadStatus));
  if (unknown.length) throw new CliConfigError(`unknown status ${unknown.join(', ')} (one of ${STATUSES.join(', ')})`);
  return statuses as WorkloadStatus[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
