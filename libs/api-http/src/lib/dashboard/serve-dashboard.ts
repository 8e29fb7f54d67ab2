import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/ui';

/** Options of {@link serveDashboard}. */
export interface DashboardOptions {
  /** Directory of the built dashboard (`index.html`, `app.js`, `app.css`): apps/dashboard/dist. */
  root: string;
}

/**
 * Serves the web dashboard's static files at `/ui/` (SPEC §10). It is a client of the published
 * API only (same origin, so no CORS), and keeps the key in the tab's session storage. When the
 * files have not been built, `/ui/` answers 503 with how to build them. Call before `init()`.
 */
export function serveDashboard(app: INestApplication, options: DashboardOptions): { built: boolean } {
  const expressApp = app as NestExpressApplication;
  const built = existsSync(path.join(options.root, 'index.html'));
  // Relative asset URLs in index.html need the trailing slash.
  expressApp.use(DASHBOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.originalUrl === DASHBOARD_PATH || req.originalUrl.startsWith(`${DASHBOARD_PATH}?`)) {
      res.redirect(301, `${DASHBOARD_PATH}/`);
      return;
    }
    if (!built) {
      res.status(503).type('text/plain').send('The dashboard has not been built: run `node apps/dashboard/build.mjs` (npm ci and npm start do it).\n');
      return;
    }
    next();
  });
  if (built) expressApp.useStaticAssets(options.root, { prefix: `${DASHBOARD_PATH}/`, index: 'index.html', maxAge: 0 });
  return { built };
}

/** The dashboard build of a source checkout, found from the working directory (the repository root). */
export function defaultDashboardRoot(cwd: string): string {
  return path.resolve(cwd, 'apps', 'dashboard', 'dist');
}
