export { ObservabilityModule, useStructuredLogger } from './lib/observability.module';
export type { ObservabilityOptions } from './lib/observability.module';
export { StartupProbe, tcpCheck } from './lib/startup-probe.server';
export type { StartupProbeOptions, WaitOptions } from './lib/startup-probe.server';
export { AppLauncher } from './lib/app-launcher';
export type { AppLauncherOptions } from './lib/app-launcher';
