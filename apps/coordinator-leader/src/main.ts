import { NestFactory } from '@nestjs/core';
import { loadLeaderConfig, loadTracingConfig } from '@niyanta/config';
import { AppLauncher, tcpCheck, useStructuredLogger } from '@niyanta/platform';
import { startTracing } from '@niyanta/observability';
import { ensureSchema } from '@niyanta/state';
import { CoordinatorLeaderModule, SERVICE_NAME } from './coordinator-leader.module';

async function main(): Promise<void> {
  const config = AppLauncher.loadConfig(() => loadLeaderConfig(process.env));
  const tracing = AppLauncher.loadConfig(() => loadTracingConfig(process.env, SERVICE_NAME));
  const launcher = await AppLauncher.start({
    serviceName: SERVICE_NAME,
    port: config.port,
    logLevel: config.logLevel,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
  // Registered first, so it runs last: spans ended while shutting down are exported too.
  launcher.onShutdown(startTracing(tracing, SERVICE_NAME));
  await launcher.waitFor({
    postgres: () => ensureSchema({ url: config.databaseUrl, schema: config.databaseSchema }),
    broker: tcpCheck(config.natsServers, 4222),
  });
  const { url } = await launcher.serve(async () => {
    const app = await NestFactory.create(CoordinatorLeaderModule.forRoot(config), { bufferLogs: true, abortOnError: false });
    useStructuredLogger(app);
    return app;
  });
  launcher.log.info(`${SERVICE_NAME} ${config.leaderId} serving health and metrics on ${url}`);
}

void main();
