import { NestFactory } from '@nestjs/core';
import { loadWorkerConfig, loadTracingConfig } from '@niyanta/config';
import { AppLauncher, tcpCheck, useStructuredLogger } from '@niyanta/platform';
import { startTracing } from '@niyanta/observability';
import { ensureSchema } from '@niyanta/state';
import { workloadDefinitions } from '@niyanta/worker-runtime';
import { SERVICE_NAME, WorkerModule } from './worker.module';

/**
 * Runs a worker configured by `env` (the variables of docs/configuration): waits for PostgreSQL and
 * NATS, loads the sample workload types plus `WORKLOAD_MODULES`, registers them and serves health,
 * readiness and metrics until SIGTERM drains it. The worker app and `niyanta-worker` both start here.
 */
export async function runWorker(env: NodeJS.ProcessEnv): Promise<void> {
  const config = AppLauncher.loadConfig(() => loadWorkerConfig(env));
  const tracing = AppLauncher.loadConfig(() => loadTracingConfig(env, SERVICE_NAME));
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
    const module = WorkerModule.forRoot(config, workloadDefinitions(config.workloadModules));
    const app = await NestFactory.create(module, { bufferLogs: true, abortOnError: false });
    useStructuredLogger(app);
    return app;
  });
  launcher.log.info(`${SERVICE_NAME} ${config.workerId} serving health and metrics on ${url}`);
}
