/**
 * The console's insight areas in a real browser: the dashboard's charts and date range, a manager deciding on
 * another person's adjustment request (and failing, with the server's words, on their own), the audit log
 * showing that decision with its before and after, and an API key shown once. Each page passes an axe scan.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { createRules, purchase, seedAccount, seedCatalog } from '../support/fixtures.js';
import { reasons, staffWithKey } from '../control/support.js';
import { pageProblems, describeInBrowser, desktop, startBrowserApp, type BrowserApp } from './harness.js';



describeInBrowser('console insight: dashboard, approvals, audit log, API keys', () => {
  let b: BrowserApp;
  let anna: { id: string; key: string };
  let mona: { id: string; key: string };
  let sven: { id: string; key: string };
  let accountId: string;

  beforeAll(async () => {
    b = await startBrowserApp();
    const daysAgo = (n: number) => new Date(b.clock().getTime() - n * 86_400_000).toISOString();
    anna = await staffWithKey(b, 'anna@lojal.test', 'owner', ['admin']);
    mona = await staffWithKey(b, 'mona@lojal.test', 'manager', ['read', 'ledger:write']);
    sven = await staffWithKey(b, 'sven@lojal.test', 'support', ['read', 'ledger:write']);
    await seedCatalog(b);
    await createRules(b);
    accountId = await seedAccount(b, 'C-1');
    // Two recent purchases and one from two months ago: outside the default 30 days, inside 90.
    for (const [id, at] of [['INV-1', daysAgo(2)], ['INV-2', daysAgo(5)], ['INV-3', daysAgo(60)]] as const) {
      const res = await b.call('POST', '/v1/events', purchase(id, 'C-1', undefined, at));
      expect(res.statusCode, res.body).toBe(201);
    }
    const control = await b.call('PUT', '/v1/settings/control', { approvalThreshold: 500, dailyAdjustmentLimit: null, reasonCodes: reasons(['goodwill']) }, anna.key);
    expect(control.statusCode, control.body).toBe(200);
  });
  afterAll(() => b?.close());

  const signedIn = async (staffId: string, path: string): Promise<Page> => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    await page.goto(path);
    return page;
  };

  it('the dashboard draws its charts and fetches again when the date range changes', async () => {
    const page = await signedIn(anna.id, '/admin/');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('heading', { name: 'Points over time' }).waitFor();
    await page.locator('.recharts-area').first().waitFor();
    await page.locator('.recharts-pie, .recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    const issuedCard = page.locator('.mantine-Card-root', { hasText: 'Points issued' });
    const before = await issuedCard.locator('.mantine-Text-root').nth(1).innerText();
    expect(before).not.toBe('0');
    await expect.poll(() => page.getByText('Value of outstanding points').count()).toBe(1);
    expect(await pageProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Period' }).click();
    const refetch = page.waitForResponse((r) => r.url().includes('/v1/reports/overview') && r.url().includes('interval=week'));
    await page.getByRole('button', { name: 'Last 90 days' }).click();
    expect((await refetch).status()).toBe(200);
    await expect.poll(async () => issuedCard.locator('.mantine-Text-root').nth(1).innerText()).not.toBe(before);
    // The later figure includes the older purchase.
    const parse = (s: string) => Number(s.replace(/[^\d]/g, ''));
    expect(parse(await issuedCard.locator('.mantine-Text-root').nth(1).innerText())).toBeGreaterThan(parse(before));
  });

  it('a program whose data is all older than 30 days opens on the 30 days up to its latest activity, counting active accounts', async () => {
    const other = await b.newProgram({ name: 'Old data', currency: 'GBP', timeZone: 'Europe/London' });
    const owner = await staffWithKey(b, 'olga@lojal.test', 'owner', ['admin'], other.key);
    const account = await seedAccount(b, 'OLD-1', { programId: other.programId });
    const issuance = uuidv7();
    await b.database.db.insertInto('wallets').values({ program_id: other.programId, id: issuance, kind: 'issuance' }).execute();
    // One earning on 9 December 2011, as the Online Retail import books it: nothing since.
    const journal = uuidv7();
    await b.database.db
      .insertInto('journals')
      .values({ program_id: other.programId, id: journal, idempotency_key: `old-${journal}`, kind: 'earn', explanation: JSON.stringify({ key: 'test', params: {} }), occurred_at: new Date('2011-12-09T12:50:00Z') } as never)
      .execute();
    await b.database.db
      .insertInto('entries')
      .values([
        { program_id: other.programId, journal_id: journal, seq: 0, wallet_id: account, bucket: 'available', amount: 4321 },
        { program_id: other.programId, journal_id: journal, seq: 1, wallet_id: issuance, bucket: 'available', amount: -4321 },
      ] as never)
      .execute();

    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, owner.id, other.programId);
    await page.goto('/admin/');
    await page.getByText('Nothing happened in the last 30 days: showing the 30 days up to the latest activity on 9 December 2011.').waitFor();
    const card = (label: string) => page.locator('.mantine-Card-root', { hasText: label }).locator('.mantine-Text-root').nth(1);
    // The notice and the cards come from different requests: wait for the figures rather than read them once.
    await expect.poll(() => card('Points issued').innerText()).toBe('4,321');
    await expect.poll(() => card('Active accounts').innerText()).toBe('1');
    // No people in this program: no card that could only say 0.
    await expect.poll(() => page.getByText('Active members').count()).toBe(0);
    await page.getByRole('heading', { name: 'Top accounts by net points' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
  });

  it('a manager approves another person’s adjustment request, which leaves the queue; their own they cannot', async () => {
    const theirs = await b.call('POST', `/v1/accounts/${accountId}/adjustments`, { points: 600, reasonCode: 'goodwill', memo: 'Broken delivery', idempotencyKey: 'insight-adj-1' }, sven.key);
    expect(theirs.statusCode, theirs.body).toBe(202);
    const own = await b.call('POST', `/v1/accounts/${accountId}/adjustments`, { points: 750, reasonCode: 'goodwill', memo: 'Trade fair', idempotencyKey: 'insight-adj-2' }, mona.key);
    expect(own.statusCode, own.body).toBe(202);

    const page = await signedIn(mona.id, '/admin/approvals');
    await page.getByRole('heading', { name: 'Approvals' }).waitFor();
    const svensRow = page.getByRole('row').filter({ hasText: 'Broken delivery' });
    const monasRow = page.getByRole('row').filter({ hasText: 'Trade fair' });
    await svensRow.getByText('Company C-1').waitFor();
    await svensRow.getByText('by sven').waitFor();
    await monasRow.getByText('Your request: someone else must approve it').waitFor();
    expect(await pageProblems(page)).toEqual([]);

    await monasRow.getByRole('button', { name: 'Approve' }).click();
    await monasRow.getByRole('alert').getByText('Nobody may decide on their own request').waitFor();

    await svensRow.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved: the points are posted.').waitFor();
    await svensRow.waitFor({ state: 'detached' });
    await expect.poll(() => monasRow.count()).toBe(1);
    await expect.poll(async () => (await b.call('GET', `/v1/adjustment-requests/${theirs.json().id}`)).json()).toMatchObject({ state: 'approved', decidedBy: `staff:${mona.id}` });

    await page.locator('label', { hasText: /^Approved$/ }).click();
    await page.getByRole('row').filter({ hasText: 'Broken delivery' }).getByText(/^mona on /).waitFor();
  });

  it('the audit log shows the approval, filtered on the server, with its before and after side by side', async () => {
    const page = await signedIn(anna.id, '/admin/audit');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const filtered = page.waitForResponse((r) => r.url().includes('/v1/audit?') && r.url().includes('action=adjustment_request.approve'));
    await page.getByLabel('Action', { exact: true }).first().click();
    await page.getByRole('option', { name: 'adjustment_request.approve', exact: true }).click();
    expect((await filtered).status()).toBe(200);
    const row = page.getByRole('row').filter({ hasText: 'adjustment_request.approve' });
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'account.create' }).count()).toBe(0);
    await row.getByText('mona').waitFor();
    await row.getByRole('button', { name: /Show the changes/ }).click();
    const changes = page.getByRole('table', { name: 'Changes of adjustment_request.approve' });
    const state = changes.getByRole('row').filter({ has: page.getByText('state', { exact: true }) });
    await state.getByText('pending').waitFor();
    await state.getByText('approved').waitFor();
    await state.getByText('changed').waitFor();
    expect(await pageProblems(page)).toEqual([]);
  });

  it('creating an API key shows it once, to copy, and the list shows it without its secret', async () => {
    const page = await signedIn(anna.id, '/admin/integrations');
    await page.getByRole('heading', { name: 'API keys & webhooks' }).waitFor();
    await page.getByRole('cell', { name: /anna@lojal.test key/ }).waitFor();
    expect(await pageProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Shop feed');
    await page.getByRole('dialog').getByRole('button', { name: 'Create API key' }).click();
    const shown = page.getByTestId('shown-once');
    await shown.waitFor();
    const key = (await shown.innerText()).trim();
    expect(key.length).toBeGreaterThan(20);
    await page.getByText('It is shown only this once').waitFor();
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    // The key works against the API, as the read scope it was given.
    await expect.poll(async () => (await b.call('GET', '/v1/program', undefined, key)).statusCode).toBe(200);

    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: /Shop feed/ }).waitFor();
    await expect.poll(() => page.getByText(key).count()).toBe(0);

    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByText('No system is notified of events yet.').waitFor();
    expect(await pageProblems(page)).toEqual([]);
  });

  it('a manager sees no API keys and webhooks in the menu', async () => {
    const page = await signedIn(mona.id, '/admin/');
    await page.getByRole('link', { name: 'Audit log' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'API keys & webhooks' }).count()).toBe(0);
  });
});
