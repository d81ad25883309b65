/**
 * The console's shop areas in a real browser: a staff user approves a sales claim after seeing its photo and
 * the member then sees the points on their phone; an order is shipped with a tracking number; a reward is
 * created with its Polish name; and each page passes an axe scan.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { aClaim, claimWorld, tinyPng, type ClaimWorld } from '../claims/world.js';
import { postMultipart } from '../support/multipart.js';
import { pageProblems, describeInBrowser, desktop, phone, startBrowserApp, type BrowserApp } from './harness.js';

/** Several pages, each loaded and scanned by axe: more than the default minute on a busy machine. */
const slow = 240_000;

describeInBrowser('console: rewards, fulfilment, claims and co-op', () => {
  let b: BrowserApp;
  let w: ClaimWorld;
  let staffId: string;

  beforeAll(async () => {
    b = await startBrowserApp();
    w = await claimWorld(b, false);
    const staff = await b.call('POST', '/v1/staff-users', { email: 'eva@example.com', name: 'Eva Lind', role: 'owner' });
    expect(staff.statusCode, staff.body).toBe(201);
    staffId = staff.json().id;
  });
  afterAll(() => b?.close());

  /** A salesperson at the branch who can sign in to the portal. */
  async function salesperson(ext: string, email: string): Promise<string> {
    const res = await w.call('PUT', `/v1/members/by-external-id/${ext}`, { accountExternalId: 'BR', name: `Sales ${ext}`, role: 'sales_rep', language: 'en', email });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json().id;
  }

  async function staffPage(): Promise<Page> {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    return page;
  }

  it('a staff user approves a claim and the member sees the points', async () => {
    const memberId = await salesperson('ANNA', 'anna@example.com');
    const submitted = await w.submit(aClaim({ member: 'ANNA', amount: 1234500, invoiceNumber: 'F-2026-7001' }), [tinyPng([30, 120, 200])]);
    expect(submitted.statusCode, submitted.body).toBe(201);
    expect(submitted.json().points.proposed).toBe(1234);

    const page = await staffPage();
    await page.goto('/admin/claims');
    await page.getByRole('heading', { name: 'Sales claims' }).waitFor();
    await page.getByRole('link', { name: 'F-2026-7001' }).click();
    await page.getByRole('heading', { name: 'Claim for invoice F-2026-7001' }).waitFor();
    // The photo is shown inline, loaded through the evidence route with the staff cookie.
    const photo = page.getByRole('img', { name: /^Evidence: / });
    await photo.waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('img')].some((i) => i.alt.startsWith('Evidence: ') && i.complete && i.naturalWidth === 1));
    await page.getByText('Sold by partner staff: 1,234').waitFor();
    expect(await pageProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Approve and post 1,234 points' }).click();
    await page.getByText('Claim approved: 1,234 points posted.').waitFor();
    await page.getByText('Posted to the salesperson.').waitFor();
    await expect.poll(async () => (await w.call('GET', `/v1/claims/${submitted.json().id}`)).json()).toMatchObject({ state: 'approved', points: { posted: 1234 } });

    const member = await b.newPage(phone);
    await b.signInMember(member.context, memberId, 'anna@example.com');
    await member.page.goto('/');
    await member.page.getByTestId('balance-available').filter({ hasText: '1,234 points' }).waitFor();
  }, slow);

  it('a flagged claim shows why; rejecting needs a reason, in the staff user’s language', async () => {
    await salesperson('BO', 'bo@example.com');
    const first = await w.submit(aClaim({ member: 'BO', invoiceNumber: 'F-2026-8001' }), [tinyPng()]);
    expect(first.statusCode, first.body).toBe(201);
    const lookalike = await w.submit(aClaim({ member: 'BO', invoiceNumber: 'f 2026 8001' }), [tinyPng()]);
    expect(lookalike.json().state).toBe('needs_review');

    const page = await staffPage();
    await page.goto('/admin/claims');
    await page.locator('label', { hasText: 'Flagged' }).click();
    await page.getByRole('link', { name: 'f 2026 8001' }).click();
    await page.getByText('Why this claim is flagged').waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await expect.poll(() => page.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(true);
    await page.getByLabel('Reason for rejecting').first().click();
    await page.getByRole('option', { name: 'The sale was already claimed' }).click();
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Claim rejected; the claimant is told why.').waitFor();
    await expect.poll(async () => (await w.call('GET', `/v1/claims/${lookalike.json().id}`)).json()).toMatchObject({ state: 'rejected', rejection: { code: 'duplicate_sale' } });
  }, slow);

  it('fulfilment: an order is approved, then shipped with a tracking number, and its state changes', async () => {
    const memberId = await salesperson('CARL', 'carl@example.com');
    expect((await w.call('POST', `/v1/members/${memberId}/adjustments`, { points: 5000, reasonCode: 'opening', idempotencyKey: 'open-carl' })).statusCode).toBe(201);
    const reward = await w.call('POST', '/v1/rewards', { code: 'headlamp', type: 'physical', texts: { en: { name: 'Head lamp' } }, pricePoints: 900, stock: 10 });
    expect(reward.statusCode, reward.body).toBe(201);
    const order = await w.call('POST', '/v1/reward-orders', {
      reward: 'headlamp',
      memberId,
      shippingAddress: { name: 'Carl Berg', street: 'Storgatan 1', postalCode: '753 20', city: 'Uppsala', country: 'SE' },
      idempotencyKey: 'order-headlamp-1',
    });
    expect(order.statusCode, order.body).toBe(201);
    const row = (p: Page) => p.getByTestId(`order-${order.json().id}`);

    const page = await staffPage();
    await page.goto('/admin/orders');
    await page.getByRole('heading', { name: 'Reward orders' }).waitFor();
    await row(page).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await row(page).getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Head lamp: approved, now “Approved, to ship or issue”.').waitFor();

    await page.getByLabel('Show orders that are').first().click();
    await page.getByRole('option', { name: 'Approved, to ship or issue' }).click();
    await row(page).getByRole('button', { name: 'Ship' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ship Head lamp' });
    await dialog.getByLabel('Carrier').fill('PostNord');
    await dialog.getByLabel('Tracking number').fill('SE123456789');
    expect(await pageProblems(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Ship' }).click();
    await page.getByText('Head lamp: shipped.').waitFor();

    await page.getByLabel('Show orders that are').first().click();
    await page.getByRole('option', { name: 'Shipped' }).click();
    await row(page).getByText('PostNord SE123456789').waitFor();
    await expect.poll(() => row(page).getByTestId('order-state').textContent()).toBe('Shipped');
    await expect.poll(async () => (await w.call('GET', `/v1/reward-orders/${order.json().id}`)).json()).toMatchObject({ state: 'shipped', tracking: { carrier: 'PostNord', trackingNumber: 'SE123456789' } });
  }, slow);

  it('catalogue: a reward is created with a Polish name and found by the server-side search', async () => {
    const other = await w.call('POST', '/v1/rewards', { code: 'spirit-level', type: 'physical', texts: { en: { name: 'Spirit level' } }, pricePoints: 300 });
    expect(other.statusCode, other.body).toBe(201);
    const page = await staffPage();
    await page.goto('/admin/rewards');
    await page.getByRole('heading', { name: 'Rewards catalogue' }).waitFor();
    await page.getByRole('link', { name: 'Spirit level' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'New reward' }).click();
    await page.getByRole('heading', { name: 'New reward' }).waitFor();
    await page.getByLabel('Code').fill('thermo-mug');
    await page.getByLabel('Price in points').fill('450');
    await page.getByRole('tab', { name: /Polski/ }).click();
    await page.getByLabel('Name (Polski)').fill('Kubek termiczny');
    await page.getByLabel('Description (Polski)').fill('Stalowy kubek na budowę.');
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create reward' }).click();
    await page.getByText('Kubek termiczny was added to the catalogue.').waitFor();
    await page.getByRole('heading', { name: 'Edit Kubek termiczny' }).waitFor();

    const stored = (await w.call('GET', '/v1/rewards/thermo-mug')).json();
    expect(stored).toMatchObject({ type: 'physical', pricePoints: 450, stock: null, texts: { pl: { name: 'Kubek termiczny', description: 'Stalowy kubek na budowę.' } } });

    await page.goto('/admin/rewards');
    await page.getByLabel('Search by name or code').fill('kubek');
    // The search runs on the server: the other reward leaves the list, the Polish name is found.
    await page.getByRole('link', { name: 'Spirit level' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Kubek termiczny' }).waitFor();
  }, slow);

  it('co-op: the proof, the share and the fund balance are shown; approval pays from the fund; payouts are exported', async () => {
    const account = w.ids.BR!;
    const topUp = await w.call('POST', `/v1/accounts/${account}/coop-fund/adjustments`, { amount: 100_000, memo: 'Opening fund', idempotencyKey: 'fund-open-br' });
    expect(topUp.statusCode, topUp.body).toBe(201);
    const claim = { accountId: account, cost: 300_000, adDate: '2026-11-10', medium: 'print', description: 'Half page in Upsala Nya Tidning', otherBrands: 1 };
    const submitted = await postMultipart(b, '/v1/coop/claims', [{ name: 'claim', value: JSON.stringify(claim) }, { name: 'file', fileName: 'annons.png', bytes: tinyPng([10, 200, 10]) }], w.key);
    expect(submitted.statusCode, submitted.body).toBe(201);
    const { currency } = submitted.json();
    const money = (minor: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minor / 100);

    const page = await staffPage();
    await page.goto('/admin/coop');
    await page.getByRole('heading', { name: 'Co-op marketing claims' }).waitFor();
    await page.getByRole('link', { name: 'Byggkedjan Uppsala' }).click();
    await page.getByRole('heading', { name: 'Print ad of 10 Nov 2026' }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('img')].some((i) => i.alt.startsWith('Evidence: ') && i.complete && i.naturalWidth === 1));
    // 50 % of 3,000.00 shared by two brands is 750.00; the fund holds 1,000.00.
    await page.getByRole('row', { name: `Computed share ${money(75_000)}` }).waitFor();
    await page.getByRole('row', { name: `Fund balance ${money(100_000)}` }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Approve and pay from the fund' }).click();
    await page.getByText(`Co-op claim approved: ${money(75_000)} paid from the fund.`).waitFor();
    await page.getByRole('row', { name: `Fund balance ${money(25_000)}` }).waitFor();

    await page.goto('/admin/coop/payouts');
    await page.getByRole('link', { name: 'Download CSV' }).waitFor();
    await page.getByRole('cell', { name: money(75_000) }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Mark all as exported' }).click();
    await page.getByText(`1 payout, ${money(75_000)}, marked as exported.`).first().waitFor();
    await page.getByText('No payouts here.').waitFor();
    await expect.poll(async () => (await w.call('GET', '/v1/coop/payouts?state=exported')).json().data).toHaveLength(1);
  }, slow);
});
