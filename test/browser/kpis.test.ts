/**
 * The console's KPI page in a real browser: headline figures with their "how is this computed" notes (NPS, CSAT
 * and the predicted CLV among them), the charts, the cohort table as a heat map and the CSV links, in English and
 * in Swedish; each passes an axe scan
 * and does not jump while it loads.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRules, purchase, seedAccount, seedCatalog } from '../support/fixtures.js';
import { staffWithKey } from '../control/support.js';
import { describeInBrowser, desktop, pageProblems, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('console KPIs', () => {
  let b: BrowserApp;
  let owner: { id: string; key: string };

  beforeAll(async () => {
    b = await startBrowserApp();
    owner = await staffWithKey(b, 'kim@lojal.test', 'owner', ['admin']);
    await seedCatalog(b);
    await createRules(b);
    for (const a of ['K-1', 'K-2', 'K-3']) await seedAccount(b, a);
    const invoices: Array<[string, string, string]> = [
      ['KI-1', 'K-1', '2026-08-10T10:00:00Z'], ['KI-2', 'K-1', '2026-09-12T10:00:00Z'], ['KI-3', 'K-2', '2026-09-20T10:00:00Z'],
      ['KI-4', 'K-1', '2026-10-03T10:00:00Z'], ['KI-5', 'K-3', '2026-11-02T10:00:00Z'], ['KI-6', 'K-2', '2026-11-20T10:00:00Z'],
    ];
    const res = await b.call('POST', '/v1/events', { events: invoices.map(([id, account, at]) => purchase(id, account, undefined, at)) });
    expect(res.statusCode, res.body).toBe(200);
    // Three satisfaction scores from a service desk: two of 4–5, mean 11 ÷ 3.
    for (const [ref, score] of [['S-1', 5], ['S-2', 4], ['S-3', 2]] as const) {
      const r = await b.call('POST', '/v1/csat-scores', { source: 'service_desk', sourceRef: ref, score, occurredAt: '2026-10-15T10:00:00Z' });
      expect(r.statusCode, r.body).toBe(201);
    }
    expect((await b.call('POST', '/v1/insight/refresh', {})).statusCode).toBe(200);
  });
  afterAll(() => b?.close());

  it('shows the figures, charts and the cohort heat map, each with how it is computed', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, owner.id);
    await page.goto('/admin/kpis');
    await page.getByRole('heading', { name: 'Program KPIs' }).waitFor();
    await page.getByRole('heading', { name: 'Cohort retention' }).waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor({ state: 'attached' });
    const repeat = page.locator('.mantine-Card-root', { hasText: 'Repeat-customer rate' }).first();
    await expect.poll(() => repeat.innerText()).toContain('%');
    await expect.poll(() => repeat.innerText()).toContain('Accounts with 2 or more purchase invoices');
    // Cohort August 2026: K-1 bought again in September and October, not in November.
    const august = page.getByRole('table', { name: 'Cohort retention' }).getByRole('row', { name: /Aug 2026/ });
    await expect.poll(() => august.innerText()).toMatch(/100%\s+100%\s+100%\s+0%/);
    await expect.poll(() => page.getByRole('link', { name: 'Ledger entries' }).getAttribute('href')).toBe('/v1/exports/ledger-entries?language=en');
    const csat = page.locator('.mantine-Card-root', { hasText: 'Customer satisfaction (CSAT)' });
    await expect.poll(() => csat.innerText()).toContain('66.7%');
    await expect.poll(() => csat.innerText()).toContain('Mean 3.67 of 5 · 3 answers');
    await expect.poll(() => csat.innerText()).toContain('Share of CSAT answers of 4 or 5');
    const nps = page.locator('.mantine-Card-root', { hasText: 'Net Promoter Score (NPS)' });
    await expect.poll(() => nps.innerText()).toContain('0 answers');
    await expect.poll(() => nps.innerText()).toContain('Share of promoters (9–10)');
    // Three companies, one of which bought twice: too few to fit the predicted-CLV model, and the page says so.
    const clv = page.locator('.mantine-Card-root', { hasText: 'Predicted CLV, 52 weeks' });
    await expect.poll(() => clv.innerText()).toContain('Too few accounts have bought twice.');
    await expect.poll(() => clv.innerText()).toContain('BG/NBD');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('speaks Swedish to a Swedish reader', async () => {
    const { context, page } = await b.newPage(desktop, 'sv-SE');
    await b.signInStaff(context, owner.id);
    await page.goto('/admin/kpis');
    await page.getByRole('heading', { name: 'Programmets nyckeltal' }).waitFor();
    await page.getByText('Konton grupperade efter månaden för deras första köpfaktura', { exact: false }).waitFor();
    await page.getByText('Kundnöjdhet (CSAT)').waitFor();
    await page.getByText('Medel 3,67 av 5 · 3 svar').waitFor();
    expect(await pageProblems(page)).toEqual([]);
  });
});
