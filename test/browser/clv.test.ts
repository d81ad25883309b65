/**
 * The predicted CLV in the console, on a program with enough history for the model: the KPI page's cards show the
 * mean predicted value and the holdout error with how they are computed, and an account's potential page shows its
 * own prediction; both pass an axe scan and do not jump while they load.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRules, seedAccount, seedCatalog } from '../support/fixtures.js';
import { staffWithKey } from '../control/support.js';
import { describeInBrowser, desktop, pageProblems, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('console predicted CLV', () => {
  let b: BrowserApp;
  let owner: { id: string; key: string };
  const ids: string[] = [];

  beforeAll(async () => {
    b = await startBrowserApp();
    owner = await staffWithKey(b, 'kim@lojal.test', 'owner', ['admin']);
    await seedCatalog(b);
    await createRules(b);
    // Twelve companies buying every one to four weeks from January, a third of them stopping by spring.
    const events = [];
    const start = Date.parse('2026-01-05T10:00:00Z');
    for (let i = 0; i < 12; i++) {
      ids.push(await seedAccount(b, `CLV-B-${i}`));
      const gap = 7 * (1 + (i % 4));
      const stop = i % 3 === 0 ? 100 : 300;
      for (let d = 2 * i, k = 0; d <= stop; d += gap, k++) {
        events.push({ id: `CLV-B-${i}-${k}`, type: 'purchase', occurredAt: new Date(start + d * 86_400_000).toISOString(), account: `CLV-B-${i}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 20_000 + 500 * ((i + k) % 7) }] });
      }
    }
    for (let i = 0; i < events.length; i += 100) {
      const res = await b.call('POST', '/v1/events', { events: events.slice(i, i + 100) });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect((await b.call('POST', '/v1/insight/refresh', {})).statusCode).toBe(200);
  });
  afterAll(() => b?.close());

  it('shows the predicted CLV and its holdout error on the KPI page', async () => {
    const model = (await b.call('GET', '/v1/insight/kpis')).json().predictedClv.model;
    expect(model).not.toBeNull();
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, owner.id);
    await page.goto('/admin/kpis');
    const clv = page.locator('.mantine-Card-root', { hasText: 'Predicted CLV, 52 weeks' });
    await expect.poll(() => clv.innerText()).toContain('Model of');
    // Intl puts a no-break space after the currency code.
    await expect.poll(async () => (await clv.innerText()).replace(/\s/g, ' ')).toContain(`SEK ${(model.predicted.meanClv / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
    const holdout = page.locator('.mantine-Card-root', { hasText: 'CLV model: holdout error' });
    await expect.poll(() => holdout.innerText()).toContain(`${model.holdout.actual} actual`);
    await expect.poll(() => holdout.innerText()).toContain('Error = (predicted − actual) ÷ actual');
    expect(await pageProblems(page)).toEqual([]);
  });

  it("shows an account's own predicted CLV on its potential page", async () => {
    const own = (await b.call('GET', `/v1/accounts/${ids[1]}/clv`)).json();
    expect(own.predictedClv).toBeGreaterThan(0);
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, owner.id);
    await page.goto(`/admin/potential?account=${ids[1]}`);
    const card = page.locator('.mantine-Card-root', { hasText: 'Predicted CLV, 52 weeks' });
    await expect.poll(() => card.innerText()).toContain('purchase days expected');
    await expect.poll(() => card.innerText()).toContain('still buying');
    expect(await pageProblems(page)).toEqual([]);
  });
});
