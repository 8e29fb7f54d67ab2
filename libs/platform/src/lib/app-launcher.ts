import { INestApplication } from '@nestjs/common';
import { ConfigError } from '@niyanta/config';
import pino, { Logger as PinoLogger } from 'pino';
import { StartupProbe, WaitOptions } from './startup-probe.server';
import { ReadinessCheck } from '@niyanta/observability';

/** Options of {@link AppLauncher.start}. */
export interface AppLauncherOptions {
  /** `service` on every log line. */
  serviceName: string;
  /** The port the application serves on (held by a startup probe until the app listens). */
  port: number;
  /** @default all interfaces */
  host?: string;
  /** pino level for the launcher's own lines. */
  logLevel: string;
  /** @default false */
  pretty?: boolean;
  /** A stop (SIGTERM/SIGINT) taking longer than this exits with status 1. */
  shutdownTimeoutMs: number;
}

type Phase = 'waiting' | 'creating' | 'serving' | 'stopping';
type Cleanup = () => Promise<void> | void;

/**
 * Runs one process from start to exit, the same way for every app:
 * 1. holds the port with a {@link StartupProbe} (`/health` 200, `/ready` 503) while
 *    {@link waitFor} waits for PostgreSQL and the broker — a process started before its
 *    dependencies stays up and says why, rather than crash-looping;
 * 2. {@link serve} creates the Nest application, frees the port and listens;
 * 3. SIGTERM or SIGINT: `app.close(signal)` (Nest's shutdown hooks run: workers drain, the leader
 *    resigns), then the registered cleanups (e.g. embedded PostgreSQL), exit 0 — or exit 1 when it
 *    takes longer than the shutdown timeout. A failed start logs the error and exits 1.
 *
 * Signals are handled here rather than by `app.enableShutdownHooks()`, which re-raises the signal
 * after the hooks and so leaves no room for cleanups after the app or for the exit-status contract.
 */
export class AppLauncher {
  /** The launcher's own logger (the app logs through nestjs-pino once it exists). */
  readonly log: PinoLogger;
  private phase: Phase = 'waiting';
  private app: INestApplication | undefined;
  private readonly cleanups: Cleanup[] = [];
  private readonly stopSignal = new AbortController();
  private receivedSignal: NodeJS.Signals = 'SIGTERM';

  private constructor(
    private readonly options: AppLauncherOptions,
    private readonly probe: StartupProbe,
    log: PinoLogger,
  ) {
    this.log = log;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void this.stop(signal));
  }

  /**
   * Runs a config loader; on a {@link ConfigError} prints its message (every bad variable, no
   * stack trace) to stderr and exits with status 1.
   */
  static loadConfig<T>(load: () => T): T {
    try {
      return load();
    } catch (error: unknown) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
  }

  /** Binds the port with a startup probe and takes over SIGTERM/SIGINT. */
  static async start(options: AppLauncherOptions): Promise<AppLauncher> {
    const log = pino({
      level: options.logLevel,
      base: { service: options.serviceName, pid: process.pid, context: 'AppLauncher' },
      timestamp: pino.stdTimeFunctions.isoTime,
      transport: options.pretty ? { target: 'pino-pretty', options: { singleLine: true, colorize: true } } : undefined,
    });
    let probe: StartupProbe;
    try {
      probe = await StartupProbe.start({
        port: options.port,
        host: options.host,
        serviceName: options.serviceName,
        log: (level, message) => log[level](message),
      });
    } catch (error: unknown) {
      log.fatal({ err: error }, `cannot listen on port ${options.port}`);
      process.exit(1);
    }
    return new AppLauncher(options, probe, log);
  }

  /** Runs `fn` during shutdown after the app has closed (last registered runs first). */
  onShutdown(fn: Cleanup): void {
    this.cleanups.unshift(fn);
  }

  /** Waits until every check passes; `/ready` meanwhile reports each one's last error. */
  async waitFor(checks: Record<string, ReadinessCheck>, options: Omit<WaitOptions, 'signal'> = {}): Promise<void> {
    try {
      await this.probe.waitFor(checks, { ...options, signal: this.stopSignal.signal });
    } catch (error: unknown) {
      if (this.stopSignal.signal.aborted) await new Promise<never>(() => undefined); // stop() exits the process
      throw error;
    }
  }

  /**
   * Creates the application (the probe keeps answering meanwhile), then hands it the port.
   * @returns the application and the base URL it listens on.
   */
  async serve(create: () => Promise<INestApplication>): Promise<{ app: INestApplication; url: string }> {
    if (this.phase !== 'waiting') throw new Error(`cannot serve while ${this.phase}`);
    this.phase = 'creating';
    const app = await create().catch((error: unknown) => this.fail('the application failed to start', error));
    this.app = app;
    // Advertising the framework helps nobody but scanners.
    (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
    if (this.stopSignal.signal.aborted) {
      await this.shutdown(this.receivedSignal);
    }
    try {
      await this.probe.close();
      // Without a host Node binds every interface, IPv6 included where the machine has it.
      if (this.options.host === undefined) await app.listen(this.options.port);
      else await app.listen(this.options.port, this.options.host);
    } catch (error: unknown) {
      await this.fail(`cannot listen on port ${this.options.port}`, error);
    }
    this.phase = 'serving';
    return { app, url: await app.getUrl().then(localUrl) };
  }

  /** Stops the process gracefully (what SIGTERM/SIGINT do). */
  async stop(signal: NodeJS.Signals): Promise<void> {
    if (this.stopSignal.signal.aborted) return; // the first signal's shutdown is already under way
    this.receivedSignal = signal;
    this.stopSignal.abort(new Error(`received ${signal}`));
    this.log.info(`received ${signal}, shutting down`);
    if (this.phase === 'creating') return; // serve() notices once the app exists and shuts it down
    await this.shutdown(signal);
  }

  private async shutdown(signal: NodeJS.Signals): Promise<never> {
    this.phase = 'stopping';
    const timer = setTimeout(() => {
      this.log.error(`shutdown took longer than ${this.options.shutdownTimeoutMs}ms, exiting anyway`);
      process.exit(1);
    }, this.options.shutdownTimeoutMs);
    timer.unref();
    let status = 0;
    try {
      // Nest passes the signal on to beforeApplicationShutdown/onApplicationShutdown hooks; its
      // public type omits the parameter.
      if (this.app) await (this.app as { close(signal?: string): Promise<void> }).close(signal);
      else await this.probe.close();
    } catch (error: unknown) {
      status = 1;
      this.log.error({ err: error }, 'error while closing the application');
    }
    status = Math.max(status, await this.runCleanups());
    this.log.info('stopped');
    process.exit(status);
  }

  /** Logs `error` as fatal, closes whatever was started, runs the cleanups and exits with status 1. */
  async fail(message: string, error: unknown): Promise<never> {
    this.log.fatal({ err: error }, message);
    try {
      await this.app?.close();
    } catch {
      // already failing; the original error is what matters
    }
    await this.probe.close().catch(() => undefined);
    await this.runCleanups();
    process.exit(1);
  }

  private async runCleanups(): Promise<number> {
    let status = 0;
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        await cleanup();
      } catch (error: unknown) {
        status = 1;
        this.log.error({ err: error }, 'cleanup failed');
      }
    }
    return status;
  }
}

/** Nest reports `http://[::1]:port` for a wildcard bind; a browser-friendly URL is nicer to print. */
function localUrl(url: string): string {
  return url.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
}
