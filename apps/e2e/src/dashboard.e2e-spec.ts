import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNiyantaClient, type NiyantaClient } from '@niyanta/sdk';
import { createTestSchema, spawnApp, type SpawnedApp, type TestSchema } from '@niyanta/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually } from './support/http';

/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against a running
 * standalone process: sign-in, live rows, detail, controls, isolation, admin pages, accessibility.
 * `DASHBOARD_SCREENSHOTS=<dir>` also saves a screenshot of each page there (docs/dashboard.md).
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ADMIN_KEY = `admin-${randomUUID()}`;
const DEV_KEY = 'nyk_uicheck1_dashboardBrowserCheckKey012345678';
const root = resolve(__dirname, '..', '..', '..');
const screenshots = process.env['DASHBOARD_SCREENSHOTS'];

describe('dashboard at /ui in a browser', () => {
  let schema: TestSchema;
  let app: SpawnedApp;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let dev: NiyantaClient;
  let admin: NiyantaClient;

  async function shot(name: string, width = 1280, tab: Page = page): Promise<void> {
    if (!screenshots) return;
    mkdirSync(screenshots, { recursive: true });
    await tab.setViewportSize({ width, height: 900 });
    await tab.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    await tab.setViewportSize({ width: 1280, height: 900 });
  }

  /** Runs axe-core on the page; returns the serious and critical violations. */
  async function accessibilityViolations(tab: Page = page): Promise<string[]> {
    await tab.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    const violations = (await tab.evaluate(
      'axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length })))',
    )) as Array<{ id: string; impact: string | null; count: number }>;
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.count} nodes)`);
  }

  async function signIn(key: string, tab: Page = page): Promise<void> {
    await tab.goto(`${app.url}/ui/`);
    await tab.getByLabel('API key').fill(key);
    await tab.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
  }

  /** Cancels, pauses or resumes through the confirmation dialog. */
  async function control(label: 'Cancel' | 'Pause' | 'Resume'): Promise<void> {
    await page.getByRole('button', { name: label, exact: true }).click();
    await page.getByRole('button', { name: `Confirm ${label.toLowerCase()}` }).click();
  }

  const statusOnPage = () => page.getByTestId('workload-status');

  /** The ids on `tab`'s workloads list once it shows exactly `count` rows, all labelled `label`. */
  const rowsOf = (tab: Page, label: string, count: number) =>
    eventually(`a page of ${count} rows labelled ${label}`, async () => {
      const shown = await tab.locator('tbody tr[data-workload-id]').evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-workload-id') ?? '', text: tr.textContent ?? '' })));
      return shown.length === count && shown.every((row) => row.text.includes(label)) ? shown.map((row) => row.id) : undefined;
    }, 60_000);

  /**
   * A new tab, signed in, on the workloads list with its first page loaded and its stream live, its
   * timers under playwright's clock (`tab.clock`); `received(id)` waits for a stream frame naming `id`.
   */
  async function workloadsTab(): Promise<{ tab: Page; received: (id: string) => Promise<true> }> {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    tab.setDefaultTimeout(60_000);
    await tab.clock.install();
    const frames: string[] = [];
    tab.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));
    await signIn(DEV_KEY, tab);
    const firstLoad = tab.waitForResponse((response) => response.url().includes('/v1/workloads?'));
    await tab.getByRole('link', { name: 'Workloads' }).click();
    await firstLoad;
    await tab.getByText('Stream: live').waitFor();
    const received = (id: string) => eventually(`the page to receive an update for ${id}`, async () => (frames.some((f) => f.includes(id)) ? (true as const) : undefined));
    return { tab, received };
  }

  beforeAll(async () => {
    execFileSync(process.execPath, ['apps/dashboard/build.mjs'], { cwd: root, stdio: 'inherit' });
    schema = await createTestSchema('e2e_dashboard');
    dataDir = mkdtempSync(join(tmpdir(), 'niyanta-ui-'));
    [app, browser] = await Promise.all([
      spawnApp('standalone', {
        DATABASE_URL: schema.url,
        DATABASE_SCHEMA: schema.schema,
        RUN_MIGRATIONS: 'true',
        DATA_DIR: dataDir,
        NIYANTA_ADMIN_API_KEY: ADMIN_KEY,
        NIYANTA_DEV_API_KEY: DEV_KEY,
        NATS_URL: undefined,
        LOG_LEVEL: 'warn',
      }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true }),
    ]);
    dev = createNiyantaClient({ baseUrl: app.url, apiKey: DEV_KEY });
    admin = createNiyantaClient({ baseUrl: app.url, apiKey: ADMIN_KEY });
    // The page's CSP (script-src 'self') would refuse the injected axe-core script; the app's own files load either way.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    // Waits are for signals (a row, a status); the bound only matters on a machine far busier than usual.
    page.setDefaultTimeout(60_000);
    await eventually('the worker to register sleep', async () => ((await dev.workloadTypes()).some((t) => t.workload_type === 'sleep') ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await schema?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('refuses a bad key with a clear error', async () => {
    await signIn('nyk_nosuchky_notARealKeyButWellFormed00');
    await expectAlert(page, /not accepted \(401\)/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('signs a customer in, shows a submitted workload live, opens it and watches it complete', async () => {
    await signIn(DEV_KEY);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // The key lives in this tab's session storage, never in the address.
    expect(page.url()).not.toContain(DEV_KEY);
    expect(await page.evaluate("sessionStorage.getItem('niyanta.session')")).toContain(DEV_KEY);
    expect(await accessibilityViolations()).toEqual([]);

    await page.getByRole('link', { name: 'Workloads' }).click();
    await page.getByText('Stream: live').waitFor();
    const workload = await dev.submit({ workload_type: 'sleep', input: { duration_ms: 1500 }, labels: { team: 'ui' } });
    const row = page.locator(`tr[data-workload-id="${workload.id}"]`);
    await row.waitFor();
    expect(await accessibilityViolations()).toEqual([]);
    await shot('workloads');
    await shot('workloads-390', 390);

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: /^Workload / }).waitFor();
    await statusOnPage().getByText('COMPLETED').waitFor({ timeout: 60_000 });
    await page.getByText('completed', { exact: true }).waitFor();
    expect(await accessibilityViolations()).toEqual([]);
    await shot('workload-detail');
  });

  it('pauses, resumes and cancels a running workload through the confirmation dialog', async () => {
    const workload = await dev.submit({ workload_type: 'sleep', input: { duration_ms: 120_000 } });
    await page.goto(`${app.url}/ui/#/workloads/${workload.id}`);
    await statusOnPage().getByText('RUNNING').waitFor({ timeout: 60_000 });
    await control('Pause');
    await statusOnPage().getByText('PAUSED').waitFor({ timeout: 60_000 });
    await control('Resume');
    await statusOnPage().getByText(/PENDING|SCHEDULED|RUNNING/).waitFor();
    await statusOnPage().getByText('RUNNING').waitFor({ timeout: 60_000 });
    await control('Cancel');
    await statusOnPage().getByText('CANCELLED').waitFor({ timeout: 60_000 });
    expect((await dev.get(workload.id)).status).toBe('CANCELLED');
  });

  it('filters and pages the list, and never shows another customer\'s workloads', async () => {
    const other = await admin.api.POST('/v1/admin/customers', { body: { name: 'ui-other', tier: 'standard' } });
    const otherKey = await admin.api.POST('/v1/admin/customers/{id}/api-keys', { params: { path: { id: other.data?.id ?? '' } }, body: { name: 'ui' } });
    const otherClient = createNiyantaClient({ baseUrl: app.url, apiKey: otherKey.data?.key ?? '' });
    const foreign = await otherClient.submit({ workload_type: 'sleep', input: { duration_ms: 1 } });
    const mine = await dev.submitBatch(Array.from({ length: 30 }, (_, i) => ({ workload_type: 'sleep', input: { duration_ms: 1 }, labels: { batch: 'paging', n: String(i) } })));

    await page.goto(`${app.url}/ui/#/workloads`);
    await page.getByText('Stream: live').waitFor();
    await page.getByLabel('Label').fill('batch:paging');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // One batch shares its creation time, so its order (newest first, then by id) is the API's to choose.
    const first = await rowsOf(page, 'batch:paging', 25);
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByText('Page 2').waitFor();
    const second = await rowsOf(page, 'batch:paging', 5);
    expect(new Set([...first, ...second])).toEqual(new Set(mine.map((w) => w.id)));

    await page.getByLabel('Label').fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1').waitFor();
    await page.locator(`tr[data-workload-id="${first[0]}"]`).waitFor();
    expect(await page.locator(`tr[data-workload-id="${foreign.id}"]`).count()).toBe(0);
    await page.goto(`${app.url}/ui/#/workloads/${foreign.id}`);
    await expectAlert(page, /404 not_found/);

    // The overview's charts come from the analytics API, which the leader's rollups feed (a few seconds behind).
    await page.goto(`${app.url}/ui/#/`);
    await page.getByRole('img', { name: /^Throughput: submitted total [1-9]/ }).waitFor({ timeout: 45_000 });
    await shot('overview');
  });

  it('never lets a pending reload of the first page replace the page moved to', async () => {
    // Page timers are frozen, so the first page's reload (due 200 ms after an update for a workload
    // it does not show) is still pending when the user moves to page 2; the clock then runs past it.
    const { tab, received } = await workloadsTab();
    try {
      await dev.submitBatch(Array.from({ length: 30 }, () => ({ workload_type: 'sleep', input: { duration_ms: 1 }, labels: { batch: 'late-reload' } })));
      await tab.getByLabel('Label').fill('batch:late-reload');
      await tab.getByRole('button', { name: 'Apply filters' }).click();
      await rowsOf(tab, 'batch:late-reload', 25);
      await tab.clock.pauseAt(Date.now() + 60_000);

      const unseen = await dev.submit({ workload_type: 'sleep', input: { duration_ms: 1 }, labels: { batch: 'elsewhere' } });
      await received(unseen.id);
      await tab.getByRole('button', { name: 'Older' }).click();
      await tab.getByText('Page 2').waitFor();
      const second = await rowsOf(tab, 'batch:late-reload', 5);

      const lists: string[] = [];
      tab.on('request', (request) => lists.push(request.url()));
      await tab.clock.runFor(1_000);
      // A request the page makes after the timers ran: the browser reports requests in the order they
      // are made, so once this one is seen, any list request those timers made has been seen too.
      const barrier = `${app.url}/ui/?barrier=${randomUUID()}`;
      await tab.evaluate(`fetch(${JSON.stringify(barrier)}).then(() => 0, () => 0)`);
      await eventually('the barrier request', async () => (lists.includes(barrier) ? true : undefined));
      expect(lists.filter((url) => url.includes('/v1/workloads'))).toEqual([]);
      expect(await rowsOf(tab, 'batch:late-reload', 5)).toEqual(second);
    } finally {
      await tab.close();
    }
  });

  it('reloads the first page 200 ms after the first update for a workload it does not show, however many follow', async () => {
    // Page timers are frozen and run by hand: a second update 150 ms after the first must not push the
    // reload back (a steady stream of submissions would otherwise keep the list stale).
    const { tab, received } = await workloadsTab();
    try {
      await tab.clock.pauseAt(Date.now() + 60_000);
      const lists: string[] = [];
      tab.on('request', (request) => {
        if (request.url().includes('/v1/workloads?')) lists.push(request.url());
      });
      const first = await dev.submit({ workload_type: 'sleep', input: { duration_ms: 1 }, labels: { batch: 'steady' } });
      await received(first.id);
      await tab.clock.runFor(150);
      const second = await dev.submit({ workload_type: 'sleep', input: { duration_ms: 1 }, labels: { batch: 'steady' } });
      await received(second.id);
      expect(lists).toEqual([]);
      // 210 ms after the first update: the reload is due (with the reload postponed by each update, it
      // would only be due 350 ms after the first, and this wait would time out).
      await tab.clock.runFor(60);
      await eventually('the first page to reload', async () => (lists.length > 0 ? true : undefined));
      await tab.locator(`tr[data-workload-id="${second.id}"]`).waitFor();
    } finally {
      await tab.close();
    }
  });

  it('never lets an older read of a workload replace the newer status on its page', async () => {
    const workload = await dev.submit({ workload_type: 'sleep', input: { duration_ms: 120_000 } });
    const status = async () => (await dev.get(workload.id)).status;
    await eventually('the workload to run', async () => ((await status()) === 'RUNNING' ? true : undefined), 60_000);
    await dev.pause(workload.id);
    await eventually('the workload to pause', async () => ((await status()) === 'PAUSED' ? true : undefined), 60_000);

    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    tab.setDefaultTimeout(60_000);
    try {
      await signIn(DEV_KEY, tab);
      await tab.getByRole('heading', { name: 'Overview' }).waitFor();
      // The page's first read of the workload answers PAUSED, and that answer is held back until the
      // workload has been resumed and the page has shown RUNNING from later reads.
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      let held: Promise<void> | undefined;
      const firstReadAnswered = new Promise<void>((resolve) => {
        void tab.route(`**/v1/workloads/${workload.id}`, async (route) => {
          if (held || route.request().method() !== 'GET') return route.continue();
          held = (async () => {
            const answer = await route.fetch();
            resolve();
            await released;
            await route.fulfill({ response: answer });
          })();
          return held;
        });
      });
      // Every status the page shows, in order.
      await tab.evaluate(`(() => {
        window.shownStatuses = [];
        const record = () => {
          const text = document.querySelector('[data-testid="workload-status"]')?.textContent ?? null;
          if (text !== null && text !== window.shownStatuses[window.shownStatuses.length - 1]) window.shownStatuses.push(text);
        };
        new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
      })()`);
      await tab.evaluate(`location.hash = ${JSON.stringify(`#/workloads/${workload.id}`)}`);
      await firstReadAnswered;
      await dev.resume(workload.id);
      await tab.getByTestId('workload-status').getByText('RUNNING').waitFor();
      release();
      await held;
      // A later change is the marker: its status renders after anything the held answer did.
      await dev.cancel(workload.id);
      await tab.getByTestId('workload-status').getByText('CANCELLED').waitFor();
      const shown = (await tab.evaluate('window.shownStatuses')) as string[];
      expect(shown.slice(shown.findIndex((text) => text.includes('RUNNING')))).not.toContainEqual(expect.stringContaining('PAUSED'));
      expect(shown[shown.length - 1]).toContain('CANCELLED');
    } finally {
      await tab.close();
    }
  });

  it('creates, runs, pauses, resumes and deletes a schedule, and refuses a bad one with the API\'s error', async () => {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    tab.setDefaultTimeout(60_000);
    try {
      await signIn(DEV_KEY, tab);
      await tab.getByRole('link', { name: 'Schedules' }).click();
      await tab.getByRole('heading', { name: 'Schedules' }).waitFor();
      const form = tab.getByRole('form', { name: 'New schedule' });
      await form.getByRole('option', { name: 'sleep' }).waitFor({ state: 'attached' });

      // Input that is not a JSON object is refused before any request.
      await form.getByLabel('Name').fill('ui-bad');
      await form.getByLabel('Input (JSON)').fill('[1]');
      await form.getByRole('button', { name: 'Create schedule' }).click();
      await expectAlert(tab, /Input must be a JSON object/);
      await form.getByLabel('Input (JSON)').fill('{}');

      // A bad expression: the API's validation error is shown, and nothing is created.
      await form.getByLabel('Cron').fill('61 * * * *');
      await form.getByRole('button', { name: 'Create schedule' }).click();
      await expectAlert(tab, /Could not create the schedule: .*cron/i);
      expect((await dev.listSchedules()).items.map((s) => s.name)).not.toContain('ui-bad');

      // Once a year: no tick fires during the test, so every run below is one the page asked for.
      await form.getByLabel('Name').fill('ui-nightly');
      await form.getByLabel('Cron').fill('0 3 1 1 *');
      await form.getByLabel('Workload type').selectOption('sleep');
      await form.getByLabel('Input (JSON)').fill('{"duration_ms": 1}');
      await form.getByRole('button', { name: 'Create schedule' }).click();
      await tab.getByRole('status').filter({ hasText: 'Created ui-nightly' }).waitFor();
      const created = (await dev.listSchedules()).items.find((s) => s.name === 'ui-nightly');
      expect(created).toMatchObject({ cron: '0 3 1 1 *', timezone: 'UTC', paused: false, overlap: 'skip', workload: { workload_type: 'sleep', input: { duration_ms: 1 } } });
      const row = tab.locator(`tr[data-schedule-id="${created?.id}"]`);
      await row.getByText('ACTIVE', { exact: true }).waitFor();
      expect(await accessibilityViolations(tab)).toEqual([]);
      await shot('schedules', 1280, tab);

      await row.getByRole('button', { name: 'Run ui-nightly now' }).click();
      await tab.getByRole('button', { name: 'Confirm run ui-nightly now' }).click();
      const notice = await tab.getByRole('status').filter({ hasText: 'created workload' }).textContent();
      const runId = /created workload ([0-9a-f-]{36})/.exec(notice ?? '')?.[1];
      expect(runId).toBeDefined();
      expect((await dev.get(runId ?? '')).schedule_id).toBe(created?.id);

      await row.getByRole('button', { name: 'Pause ui-nightly' }).click();
      await tab.getByRole('button', { name: 'Confirm pause ui-nightly' }).click();
      await row.getByText('PAUSED', { exact: true }).waitFor();
      expect((await dev.getSchedule(created?.id ?? '')).paused).toBe(true);
      await row.getByRole('button', { name: 'Resume ui-nightly' }).click();
      await tab.getByRole('button', { name: 'Confirm resume ui-nightly' }).click();
      await row.getByText('ACTIVE', { exact: true }).waitFor();

      // Its page lists the run (a manual one), which links to the workload, which links back.
      await row.getByRole('link', { name: 'ui-nightly' }).click();
      await tab.getByRole('heading', { name: 'Schedule ui-nightly' }).waitFor();
      const run = tab.locator(`tr[data-workload-id="${runId}"]`);
      await run.getByText('manual').waitFor();
      expect(await accessibilityViolations(tab)).toEqual([]);
      await run.getByRole('link').click();
      await tab.getByRole('heading', { name: /^Workload / }).waitFor();
      await tab.getByRole('link', { name: created?.id ?? '' }).waitFor();

      await tab.getByRole('link', { name: 'Schedules' }).click();
      await row.getByRole('button', { name: 'Delete ui-nightly' }).click();
      await tab.getByRole('button', { name: 'Confirm delete ui-nightly' }).click();
      await row.waitFor({ state: 'detached' });
      expect((await dev.listSchedules()).items.map((s) => s.name)).not.toContain('ui-nightly');
      // The workload it created stays.
      expect((await dev.get(runId ?? '')).id).toBe(runId);
    } finally {
      await tab.close();
    }
  });

  it('shows what a workload waits for and what waits for it, linked both ways, the first 25 dependents of more', async () => {
    const [parent, child] = await dev.submitBatch([
      { ref: 'parent', workload_type: 'sleep', input: { duration_ms: 120_000 } },
      ...Array.from({ length: 26 }, () => ({ workload_type: 'sleep', input: { duration_ms: 1 }, depends_on: ['parent'] })),
    ]);
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    tab.setDefaultTimeout(60_000);
    try {
      await signIn(DEV_KEY, tab);
      await tab.getByRole('heading', { name: 'Overview' }).waitFor();
      await tab.evaluate(`location.hash = ${JSON.stringify(`#/workloads/${child?.id}`)}`);
      await tab.getByTestId('pending-reason').getByText('Waiting for the workloads it depends on to complete (1 of 1 parents not completed yet).').waitFor();
      const waitsFor = tab.getByRole('list', { name: 'Workloads it depends on' });
      await waitsFor.getByRole('link', { name: parent?.id ?? '' }).click();
      await tab.getByRole('heading', { name: `Workload ${parent?.id}` }).waitFor();
      const dependents = tab.getByRole('list', { name: 'Workloads that depend on it' });
      await dependents.getByRole('link').first().waitFor();
      await tab.getByText('(the first 25 shown)').waitFor();
      expect(await dependents.getByRole('link').count()).toBe(25);
      expect(await accessibilityViolations(tab)).toEqual([]);
      await dev.cancel(parent?.id ?? '');
    } finally {
      await tab.close();
    }
  });

  it('shows the workers page, and admin pages only with the operator key', async () => {
    await page.goto(`${app.url}/ui/#/workers`);
    await page.getByRole('heading', { name: 'Workers' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    expect(await accessibilityViolations()).toEqual([]);
    await shot('workers');
    expect(await page.getByRole('link', { name: 'Customers' }).count()).toBe(0);
    await page.goto(`${app.url}/ui/#/admin/customers`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await signOut();

    await signIn(ADMIN_KEY);
    await page.getByRole('heading', { name: 'Overview (every customer)' }).waitFor();
    await shot('admin-overview');
    // The operator key has no schedules (or workloads) of its own.
    expect(await page.getByRole('link', { name: 'Schedules' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('cell', { name: 'ui-other' }).waitFor();
    await page.getByLabel('Name').fill('ui-created');
    await page.getByRole('button', { name: 'Create customer' }).click();
    const created = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'ui-created' }) });
    await created.waitFor();
    await created.getByRole('button', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Issue key' }).click();
    const issued = await page.getByTestId('issued-key').textContent();
    expect(issued).toMatch(/^nyk_/);
    expect(await accessibilityViolations()).toEqual([]);
    await shot('admin-customers');
    // The issued key works, and revoking it through the page makes it stop working.
    expect((await createNiyantaClient({ baseUrl: app.url, apiKey: issued ?? '' }).list()).items).toEqual([]);
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm revoke' }).click();
    await page.getByRole('button', { name: 'Revoke', exact: true }).waitFor({ state: 'detached' });
    const refused = await createNiyantaClient({ baseUrl: app.url, apiKey: issued ?? '' })
      .list()
      .then(() => null, (error: unknown) => error);
    expect(refused).toMatchObject({ status: 401 });

    await page.getByRole('link', { name: 'Tiers' }).click();
    await page.getByRole('cell', { name: 'enterprise' }).waitFor();
    await shot('admin-tiers');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('customer.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('cell', { name: 'customer.created' }).first().waitFor();
    expect(await page.getByRole('cell', { name: 'workload.submitted' }).count()).toBe(0);
    expect(await accessibilityViolations()).toEqual([]);
    await shot('admin-audit');
  });
});

async function expectAlert(page: Page, text: RegExp): Promise<void> {
  await page.getByRole('alert').filter({ hasText: text }).first().waitFor();
}
