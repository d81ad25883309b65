import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';
import { pageProblems, describeInBrowser, desktop, startBrowserApp, type BrowserApp } from './harness.js';

/** An input by its label, the required marker Mantine adds (" *") allowed. */
function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`)).and(page.locator('input, textarea'));
}

/** The texts of the elements an input names in aria-describedby: where Mantine puts a field's error. */
async function describedBy(page: Page, label: string): Promise<string> {
  const input = field(page, label);
  const ids = (await input.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(ids.split(/\s+/).filter(Boolean).map((id) => page.locator(`[id="${id}"]`).innerText()));
  return texts.join(' | ');
}

/** Picks an option of a server-searched select by typing part of it. */
async function pick(page: Page, label: string, typed: string, option: string) {
  const input = field(page, label);
  await input.click();
  await input.fill(typed);
  await page.getByRole('option', { name: option }).click();
}

/**
 * The axe scan with the pointer parked on the page's edge: a button just clicked would otherwise be judged
 * in its hover colours, which come from the shared theme (reported separately).
 */
async function scan(page: Page): Promise<string[]> {
  await page.mouse.move(0, 0);
  return pageProblems(page);
}

describeInBrowser('the rules and tiers console', () => {
  let b: BrowserApp;
  let ownerId: string;
  let viewerId: string;
  beforeAll(async () => {
    b = await startBrowserApp();
    ownerId = (await b.call('POST', '/v1/staff-users', { email: 'rita@example.com', name: 'Rita Regel', role: 'owner' })).json().id;
    viewerId = (await b.call('POST', '/v1/staff-users', { email: 'vera@example.com', name: 'Vera Viewer', role: 'viewer' })).json().id;
    await seedCatalog(b);
    const account = await seedAccount(b, 'C-1');
    await seedMember(b, account, 'M-1');
    const names = (en: string, sv: string, nb: string, pl: string, de: string) => ({ en, sv, nb, pl, de });
    const tiers = await b.call('PUT', '/v1/tiers', {
      settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 30 },
      levels: [
        { code: 'silver', rank: 1, threshold: 1000, names: names('Silver', 'Silver', 'Sølv', 'Srebrny', 'Silber') },
        {
          code: 'gold',
          rank: 2,
          threshold: 5000,
          names: names('Gold', 'Guld', 'Gull', 'Złoty', 'Gold'),
          multiplierHundredths: 150,
          rewardTags: ['gold-shop'],
          benefits: { en: ['Free delivery'], sv: ['Fri frakt'], nb: ['Gratis frakt'], pl: ['Darmowa dostawa'], de: ['Kostenlose Lieferung'] },
        },
      ],
    });
    expect(tiers.statusCode, tiers.body).toBe(200);
  });
  afterAll(() => b?.close());

  it('a rule created through the form earns in the simulator, which shows the points and the explanation', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, ownerId);
    await page.goto('/admin/rules');
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
    await page.getByText('No rules match these filters.').waitFor();
    // The menu names the areas from their own namespace.
    await page.getByRole('navigation').getByRole('link', { name: 'Tiers' }).waitFor();
    expect(await scan(page)).toEqual([]);

    await page.getByRole('link', { name: 'New rule' }).click();
    await page.getByRole('heading', { name: 'New rule', level: 1 }).waitFor();
    await field(page, 'Name').fill('Drill days');
    await field(page, 'Points').fill('2');
    await field(page, 'For every').fill('10');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('heading', { name: 'Drill days', level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/admin\/rules\/[0-9a-f-]{36}$/);

    // The saved rule, judged with the live rules: 2 points per 10 SEK of a 500 SEK purchase.
    await page.getByText('The live rules, as saved').click();
    await pick(page, 'Company', 'C-1', 'Company C-1 (C-1)');
    await pick(page, 'Product on line 1', 'DRI', 'DRILL · Drill');
    await field(page, 'Quantity').fill('2');
    await field(page, 'Amount (SEK)').fill('500');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByTestId('sim-total').getByText('100 points').waitFor();
    await expect.poll(() => page.getByTestId('sim-account').innerText()).toBe('100 points');
    await expect.poll(() => page.getByTestId('sim-member').innerText()).toBe('0 points');
    const judged = page.getByRole('alert').filter({ hasText: 'Judged by' });
    await expect.poll(() => judged.innerText()).toContain('The live rules, as saved');
    const why = page.getByRole('list', { name: 'Why, rule by rule' });
    await expect.poll(async () => (await why.innerText()).replace(/\u00a0/g, ' ')).toContain('100 points: Drill days — 2 per SEK 10.00 on SEK 500.00');
    expect(await scan(page)).toEqual([]);
  });

  it('shows the server’s message next to a field with an invalid value, and simulates the unsaved edit', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, ownerId);
    await page.goto('/admin/rules');
    await page.getByRole('link', { name: 'Drill days' }).click();
    await page.getByRole('heading', { name: 'Drill days', level: 1 }).waitFor();

    await field(page, 'Points').fill('0');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByText('points must be a whole number from 1 to 1000000000').first().waitFor();
    await expect.poll(() => describedBy(page, 'Points')).toContain('points must be a whole number from 1 to 1000000000');
    await expect.poll(() => field(page, 'Points').getAttribute('aria-invalid')).toBe('true');
    // Nothing was saved: the rule is still at version 1.
    await expect.poll(async () => (await b.call('GET', '/v1/rules')).json().data[0].version).toBe(1);

    // Edited (not saved) to 3 points per 10 SEK: the simulator says it judged the unsaved rule.
    await field(page, 'Points').fill('3');
    await pick(page, 'Company', 'C-1', 'Company C-1 (C-1)');
    await pick(page, 'Product on line 1', 'DRI', 'DRILL · Drill');
    await field(page, 'Amount (SEK)').fill('100');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByTestId('sim-total').getByText('30 points').waitFor();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Judged by' }).innerText()).toContain('The live rules with this rule as edited (unsaved)');
    expect(await scan(page)).toEqual([]);
  });

  it('lets a viewer read a rule and use the simulator, but not change anything', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, viewerId);
    await page.goto('/admin/rules');
    await page.getByRole('link', { name: 'Drill days' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'New rule' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Drill days' }).click();
    await page.getByText('your role cannot change rules').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Save as a new version' }).count()).toBe(0);
    await expect.poll(() => field(page, 'Points').isDisabled()).toBe(true);

    await page.goto('/admin/rules/simulator');
    await page.getByRole('heading', { name: 'Simulator', level: 1 }).waitFor();
    await pick(page, 'Company', 'C-1', 'Company C-1 (C-1)');
    await pick(page, 'Product on line 1', 'DRI', 'DRILL · Drill');
    await field(page, 'Amount (SEK)').fill('50');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByTestId('sim-total').getByText('10 points').waitFor();
    expect(await scan(page)).toEqual([]);
  });

  it('shows the tier ladder, its settings and who holds each level; the editor names a bad field', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, ownerId);
    await page.goto('/admin/tiers');
    await page.getByRole('heading', { name: 'Tiers', level: 1 }).waitFor();
    const ladder = page.getByRole('table').first();
    await ladder.getByText('Gold', { exact: true }).waitFor();
    await expect.poll(() => ladder.innerText()).toMatch(/Silver[\s\S]*1,000[\s\S]*Gold[\s\S]*5,000[\s\S]*×1\.5[\s\S]*gold-shop[\s\S]*Free delivery/i);
    await page.getByText('The last 12 months').waitFor();
    await page.getByRole('heading', { name: 'Who holds which level' }).waitFor();
    await page.getByRole('cell', { name: 'No level' }).first().waitFor();
    expect(await scan(page)).toEqual([]);

    await page.getByRole('button', { name: 'Edit the ladder' }).click();
    const goldThreshold = page.getByRole('group', { name: /Level 2/ }).getByLabel('Points needed', { exact: true });
    await goldThreshold.fill('900');
    await page.getByRole('button', { name: 'Save the ladder' }).click();
    await page.getByText('gold (rank 2) needs a higher threshold than silver (1000)').first().waitFor();
    const ids = (await goldThreshold.getAttribute('aria-describedby')) ?? '';
    const described = await Promise.all(ids.split(/\s+/).filter(Boolean).map((id) => page.locator(`[id="${id}"]`).innerText()));
    expect(described.join(' ')).toContain('needs a higher threshold than silver');
    expect(await scan(page)).toEqual([]);
  });
});
