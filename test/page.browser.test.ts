/**
 * The campaign page in Chromium, against the real server (HTTP + graphql-ws) and a dialing worker:
 * sign in with a key, watch a campaign run without reloading, pause it, lose the socket and catch
 * up, and pass axe on both pages. Screenshots land in test-output/page/.
 */
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { PauseCampaignDocument, ResumeCampaignDocument } from './generated/operations.ts';
import { makeTestApp, type TestApp, type TestOrg } from './helpers/app.ts';
import { accessibilityViolations, launchChromium, screenshot } from './helpers/browser.ts';
import { makeDialableCampaign, makeWorkerPool, waitFor } from './helpers/dialer.ts';

let t: TestApp;
let org: TestOrg;
let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const workers = makeWorkerPool(() => t);
let origin: string;

// The page's sockets pass through here, so the test can cut them and refuse reconnections.
const sockets: WebSocketRoute[] = [];
let refuseSockets = false;

beforeAll(async () => {
  t = await makeTestApp();
  org = await t.makeOrg('Acme Renewals');
  server = await startServer(t.app, { port: 0, host: '127.0.0.1' });
  origin = new URL(server.url).origin;
  browser = await launchChromium();
  context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    if (refuseSockets) return void ws.close({ code: 1006, reason: 'cut by the test' });
    ws.connectToServer();
    sockets.push(ws);
  });
});
afterAll(async () => {
  await workers.stopAll();
  await browser?.close();
  await server?.close();
  await t?.close();
});

const stat = async (name: string) => Number(await page.locator(`[data-stat="${name}"] strong`).textContent());

async function dbCounts(campaignId: string) {
  const rows = await t.app.db.prisma.call.groupBy({ by: ['status'], where: { campaignId }, _count: true });
  const of = (s: string) => rows.find((r) => r.status === s)?._count ?? 0;
  const attempts = await t.app.db.prisma.callAttempt.count({ where: { call: { campaignId }, isTest: false } });
  return { pending: of('PENDING') + of('RETRY_SCHEDULED'), completed: of('COMPLETED'), failed: of('FAILED'), inProgress: of('IN_PROGRESS'), attempts };
}

describe('the campaign page', () => {
  it('signs in with a pasted key, lists campaigns live, and passes axe', async () => {
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('API key').fill('cb_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid/);

    await page.getByLabel('API key').fill(org.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByText('Acme Renewals').waitFor();

    // The demo button builds a campaign through the public mutations; it shows up at once.
    await page.getByRole('button', { name: 'Create a demo campaign' }).click();
    await page.locator('tr[data-campaign]').first().waitFor();
    expect(await page.locator('tr[data-campaign]').count()).toBe(1);

    // A campaign created elsewhere arrives over campaignsUpdated, without a reload.
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    await makeDialableCampaign(org, { contacts: 3, start: false, name: 'Made through the API' });
    await page.getByRole('link', { name: 'Made through the API' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    await screenshot(page, 'campaign-list');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('runs a campaign live: Start, Pause with no further dials, a cut socket caught up, attempts with transcripts', async () => {
    const campaign = await makeDialableCampaign(org, { contacts: 30, start: false, name: 'Spring renewals', settings: { maxConcurrentCalls: 2 } });
    await workers.start({ speed: 300, seed: 11 });
    await page
      .getByRole('link', { name: 'All campaigns' })
      .or(page.getByRole('link', { name: 'callboard' }))
      .first()
      .click();
    await page.getByRole('link', { name: 'Spring renewals' }).click();
    await page.getByRole('heading', { name: 'Spring renewals' }).waitFor();
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    expect(await stat('pending')).toBe(30);
    expect(await page.locator('[data-action]').evaluateAll((b) => b.map((e) => e.getAttribute('data-action')))).toEqual([
      'START',
      'STOP',
      'DUPLICATE',
      'DELETE',
    ]);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.locator('[data-action="START"]').click();
    await expect.poll(() => stat('completed'), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => stat('pending')).toBeLessThan(30);
    await screenshot(page, 'campaign-running');

    await page.locator('[data-action="PAUSE"]').click();
    await page.locator('.campaign-header .badge', { hasText: 'Paused' }).waitFor();
    // Calls in flight finish; after that nothing more is dialed, and the page shows the same.
    await waitFor(async () => (await dbCounts(campaign.dbId)).inProgress === 0, 'in-flight calls to finish');
    const paused = await dbCounts(campaign.dbId);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await dbCounts(campaign.dbId)).attempts).toBe(paused.attempts);
    await expect.poll(() => stat('completed')).toBe(paused.completed);
    expect(await stat('pending')).toBe(paused.pending);
    expect(await page.locator('[data-action]').evaluateAll((b) => b.map((e) => e.getAttribute('data-action')))).toContain('RESUME');

    // The socket is cut and reconnections are refused while the campaign resumes and finishes.
    refuseSockets = true;
    for (const ws of sockets.splice(0)) await ws.close({ code: 1006, reason: 'cut by the test' });
    await page.locator('#connection', { hasText: 'reconnecting' }).waitFor();
    const resumed = await org.exec(ResumeCampaignDocument, { input: { id: campaign.id } });
    expect(resumed.resumeCampaign.__typename).toBe('ResumeCampaignPayload');
    await waitFor(
      async () => (await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.dbId } })).status === 'COMPLETED',
      'the campaign to complete',
      60_000,
    );
    expect(await stat('completed')).toBe(paused.completed);

    refuseSockets = false;
    const final = await dbCounts(campaign.dbId);
    const { eventSequence } = await t.app.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.dbId }, select: { eventSequence: true } });
    await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    await page.locator('.campaign-header .badge', { hasText: 'Completed' }).waitFor();
    await expect.poll(() => stat('completed')).toBe(final.completed);
    expect(await stat('failed')).toBe(final.failed);
    expect(await stat('pending')).toBe(0);
    // Every event after the page's start arrived exactly once, in order, across the cut.
    await expect.poll(() => page.locator('article.campaign').getAttribute('data-last-sequence')).toBe(String(eventSequence));
    expect(await page.locator('article.campaign').getAttribute('data-gaps')).toBe('0');
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

    // Filters and a row's attempts.
    await page.getByLabel('Status', { exact: true }).last().selectOption('COMPLETED');
    await expect.poll(() => page.locator('#calls-info').textContent()).toBe(`${final.completed} call(s)`);
    await page.locator('tr[data-call] button').first().click();
    await page
      .getByRole('dialog')
      .getByText(/Attempt 1/)
      .first()
      .waitFor();
    expect(await page.getByRole('dialog').locator('.transcript, p').count()).toBeGreaterThan(0);
    await screenshot(page, 'campaign-attempts');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await screenshot(page, 'campaign-completed');
    expect(await accessibilityViolations(page)).toEqual([]);

    const paused2 = await org.execRaw(PauseCampaignDocument, { input: { id: campaign.id } });
    expect(paused2.data?.pauseCampaign.__typename).toBe('InvalidCampaignTransition');
  });

  it('goes back to sign-in, saying why, when its key is revoked while the page is open', async () => {
    await page.locator('#connection', { hasText: 'live' }).waitFor();
    // Revoked in the database: the key cache's sweep and the socket's key watch notice within a second.
    await t.app.db.prisma.apiKey.updateMany({ where: { organizationId: org.orgId }, data: { revokedAt: new Date() } });
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/revoked or has expired/);
    expect(await page.getByLabel('API key').isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('callboard.apiKey'))).toBeNull();
  });
});
