/**
 * The console's ROI page and an account's potential page in a real browser: the ROI with its interval and the
 * assumptions next to it, the members/non-members table; the potential list a key-account manager takes to a visit,
 * with its CSV link. Each passes an axe scan and does not jump while it loads, in English and in Swedish.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedAccount, seedCatalog } from '../support/fixtures.js';
import { staffWithKey } from '../control/support.js';
import { describeInBrowser, desktop, pageProblems, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('console ROI and account potential', () => {
  let b: BrowserApp;
  let owner: { id: string; key: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    b = await startBrowserApp();
    owner = await staffWithKey(b, 'kim@lojal.test', 'owner', ['admin']);
    await seedCatalog(b);
    const line = (sku: string, amount: number) => ({ sku, quantity: 1, amount });
    const events: Array<Record<string, unknown>> = [];
    // Two members that joined in March 2026 and two customers that never joined; the same accounts are also the
    // installers whose potential is compared: eight in four size bands of two, A and B the largest, A the loyal one.
    const plan: Array<[string, string | null, Record<string, number>]> = [
      ['M1', '2026-03-15', { '01': 1000, '02': 1000, '04': 3000, '05': 3000 }],
      ['M2', '2026-03-10', { '01': 2000, '04': 2000, '05': 5000 }],
      ['N1', null, { '01': 1000, '02': 1000, '04': 1500, '05': 1500, '06': 100 }],
      ['N2', null, { '02': 2000, '04': 1000, '05': 2000 }],
    ];
    for (const [name, joined, months] of plan) {
      ids[name] = await seedAccount(b, `R-${name}`, { segment: 'installer' });
      expect((await b.call('PATCH', `/v1/accounts/${ids[name]}`, { joinedOn: joined })).statusCode).toBe(200);
      for (const [m, amount] of Object.entries(months)) events.push({ id: `R-${name}-${m}`, type: 'purchase', occurredAt: `2026-${m}-12T10:00:00+01:00`, account: `R-${name}`, lines: [line('PLANK', amount)] });
    }
    for (const [name, amount] of [['F1', 100], ['F2', 200]] as const) {
      ids[name] = await seedAccount(b, `R-${name}`, { segment: 'installer' });
      events.push({ id: `R-${name}-1`, type: 'purchase', occurredAt: '2026-06-10T10:00:00+02:00', account: `R-${name}`, lines: [line('PLANK', amount)] });
    }
    ids.A = await seedAccount(b, 'R-A', { segment: 'installer' });
    ids.B = await seedAccount(b, 'R-B', { segment: 'installer' });
    events.push({ id: 'R-A1', type: 'purchase', occurredAt: '2026-09-10T10:00:00+02:00', account: 'R-A', lines: [line('DRILL', 60000), line('PAINT', 10000)] });
    events.push({ id: 'R-A2', type: 'purchase', occurredAt: '2026-10-10T10:00:00+02:00', account: 'R-A', lines: [line('PAINT', 20000), line('PLANK', 10000)] });
    events.push({ id: 'R-B1', type: 'purchase', occurredAt: '2026-06-11T10:00:00+02:00', account: 'R-B', lines: [line('DRILL', 50000), line('PAINT', 10000)] });
    const res = await b.call('POST', '/v1/events', { events });
    expect(res.statusCode, res.body).toBe(200);
    expect((await b.call('POST', '/v1/insight/refresh', {})).statusCode).toBe(200);
  });
  afterAll(() => b?.close());

  it('shows the ROI with its assumptions next to it and the members against non-members', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, owner.id);
    await page.goto('/admin/roi');
    await page.getByRole('heading', { name: 'Return on the program' }).waitFor();
    // Two months before and after March fit the history (January to October).
    await page.getByLabel('Months before and after').fill('2');
    await page.getByRole('heading', { name: 'Assumptions' }).waitFor();
    await page.getByText('Non-members are accounts without a joined date', { exact: false }).waitFor();
    const value = page.getByRole('table').first();
    await expect.poll(() => value.innerText()).toContain('Difference in differences');
    await expect.poll(() => value.innerText()).toMatch(/Members\s+2/);
    await expect.poll(() => value.innerText()).toMatch(/Non-members\s+2/);
    expect(await pageProblems(page)).toEqual([]);
  });

  it('lists an account’s potential against its loyal peers, with a CSV link, in Swedish too', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, owner.id);
    await page.goto(`/admin/potential?account=${ids.B}`);
    await page.getByRole('heading', { name: 'Account potential' }).waitFor();
    const list = page.getByRole('table');
    await expect.poll(() => list.innerText()).toContain('Up-sell');
    await expect.poll(() => list.innerText()).toContain('paint');
    await expect.poll(() => page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(`/v1/accounts/${ids.B}/potential/csv?language=en`);
    expect(await pageProblems(page)).toEqual([]);

    const sv = await b.newPage(desktop, 'sv-SE');
    await b.signInStaff(sv.context, owner.id);
    await sv.page.goto(`/admin/potential?account=${ids.B}`);
    await sv.page.getByRole('heading', { name: 'Kundpotential' }).waitFor();
    await sv.page.getByText('Merförsäljning').first().waitFor();
    expect(await pageProblems(sv.page)).toEqual([]);
  });
});
