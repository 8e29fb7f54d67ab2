import type { INestApplication } from '@nestjs/common';
import { defaultDashboardRoot, serveDashboard } from './dashboard/serve-dashboard';
import { configureHttpApp } from './http-app.config';

/** What {@link serveApi} reads of a process's settings (coordinator-api's and standalone's configs have them). */
export interface ApiServingSettings {
  bodyLimitBytes: number;
  corsOrigins: readonly string[];
  httpMaxConnections: number;
  httpBodyTimeoutMs: number;
  httpHeadersTimeoutMs: number;
}

/**
 * How a process serves the API: {@link configureHttpApp} with Swagger and the server's limits, then
 * the dashboard's static files at `/ui`. One place, so coordinator-api and standalone cannot drift.
 */
export function serveApi(app: INestApplication, settings: ApiServingSettings, dashboardRoot = defaultDashboardRoot(process.cwd())): void {
  configureHttpApp(app, {
    bodyLimitBytes: settings.bodyLimitBytes,
    swagger: true,
    corsOrigins: settings.corsOrigins,
    server: {
      maxConnections: settings.httpMaxConnections,
      bodyTimeoutMs: settings.httpBodyTimeoutMs,
      headersTimeoutMs: settings.httpHeadersTimeoutMs,
    },
  });
  serveDashboard(app, { root: dashboardRoot });
}
