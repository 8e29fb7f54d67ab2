import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { seedDevCustomer, serveApi } from '@niyanta/api-http';
import { loadStandaloneConfig, loadTracingConfig } from '@niyanta/config';
import { AppLauncher, tcpCheck, useStructuredLogger } from '@niyanta/platform';
import { ReadinessService, startTracing, writeAfterLogs } from '@niyanta/observability';
import { ensureSchema, startEmbeddedPostgres } from '@niyanta/state';
import { DataSource } from 'typeorm';
import { SERVICE_NAME, StandaloneModule } from './standalone.module';
import { loadOrCreateDevKeys, type DevKeys } from './dev-keys';
import { startBanner } from './start-banner';
import { workloadDefinitions } from '@niyanta/worker-runtime';

async function main(): Promise<void> {
  const config = AppLauncher.loadConfig(() => loadStandaloneConfig(process.env));
  const tracing = AppLauncher.loadConfig(() => loadTracingConfig(process.env, SERVICE_NAME));
  const prettyLogs = process.stdout.isTTY === true;
  const launcher = await AppLauncher.start({
    serviceName: SERVICE_NAME,
    port: config.port,
    host: config.host,
    logLevel: config.logLevel,
    pretty: prettyLogs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
  // Registered first, so it runs last: spans ended while shutting down are exported too.
  launcher.onShutdown(startTracing(tracing, SERVICE_NAME));

  let databaseUrl = config.databaseUrl;
  let embeddedDataDir: string | undefined;
  if (databaseUrl === undefined) {
    embeddedDataDir = join(resolve(config.dataDir), 'postgres');
    launcher.log.info(`starting embedded PostgreSQL in ${embeddedDataDir} on port ${config.embeddedPostgresPort}`);
    const postgres = await startEmbeddedPostgres({
      dataDir: embeddedDataDir,
      port: config.embeddedPostgresPort,
      onLog: (line) => launcher.log.debug({ context: 'postgres' }, line),
    }).catch((error: unknown) => launcher.fail('embedded PostgreSQL did not start', error));
    // Registered first, so it runs last: after the app (and its database pool) has closed.
    launcher.onShutdown(() => postgres.stop());
    databaseUrl = postgres.url;
  }
  const url = databaseUrl;
  await launcher.waitFor({
    postgres: () => ensureSchema({ url, schema: config.databaseSchema }),
    ...(config.natsServers ? { broker: tcpCheck(config.natsServers, 4222) } : {}),
  });

  let keys: DevKeys;
  try {
    keys = loadOrCreateDevKeys(resolve(config.dataDir), { devApiKey: config.devApiKey, adminApiKey: config.adminApiKey });
  } catch (error: unknown) {
    return launcher.fail('the development keys could not be read or stored', error);
  }
  const served = await launcher.serve(async () => {
    const module = StandaloneModule.forRoot({ ...config, adminApiKey: keys.adminApiKey }, {
      databaseUrl: url,
      prettyLogs,
      definitions: workloadDefinitions(config.workloadModules),
    });
    const app = await NestFactory.create(module, { bufferLogs: true, abortOnError: false });
    useStructuredLogger(app);
    serveApi(app, config);
    await seedDevCustomer(app.get(DataSource), keys.devApiKey);
    return app;
  });
  // The banner is the last thing a developer reads: after the application is ready and after the
  // log lines of its start (written asynchronously) have gone out.
  await waitUntilReady(served.app.get(ReadinessService));
  writeAfterLogs(
    startBanner({
      url: served.url,
      devApiKey: keys.devApiKey,
      adminApiKey: keys.adminApiKey,
      host: config.host,
      keyFiles: [keys.devApiKeyFile, keys.adminApiKeyFile].filter((file): file is string => file !== null),
      embeddedDataDir,
      inProcessBroker: config.natsServers === undefined,
    }),
  );
}

/** Resolves when every readiness check passes, or after a minute (the banner is printed anyway). */
async function waitUntilReady(readiness: ReadinessService): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await readiness.report()).status !== 'ok' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

void main();
