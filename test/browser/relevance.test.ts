/**
 * Segments and campaigns in a real browser: the segment builder's count follows the filter as it is edited; the
 * campaigns page lists a finished campaign with its budget and draws its uplift with the interval, refuses a
 * negative budget with the server's message, and stops a running one; a member of a treated company sees the
 * running campaign's offer and its payout in the history, a held-out member does not see it. Every page passes axe.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { controlBucket } from '../../src/campaigns/effects.js';
import { createRules, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';
import { describeInBrowser, desktop, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

/** Several pages, each loaded and scanned by axe: more than the default minute on a busy machine. */
const slow = 240_000;

describeInBrowser('console segments and campaigns, portal offers', () => {
  let b: BrowserApp;
  let staffId: string;
  let runningId: string;
  const members: string[] = [];
  const accounts: string[] = [];

  const ok = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json() as Record<string, unknown>;
  };

  beforeAll(async () => {
    b = await startBrowserApp();
    await seedCatalog(b);
    await createRules(b, [
      {
        name: 'Points per SEK',
        effectiveFrom: '2020-01-01T00:00:00Z',
        definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } },
      },
    ]);
    for (let i = 0; i < 16; i++) {
      const id = await seedAccount(b, `B${i}`, { tags: i < 12 ? ['promo'] : [] });
      accounts.push(id);
      const member = await seedMember(b, id, `BM${i}`);
      await b.database.db.updateTable('members').set({ email: `bm${i}@example.com`, language: 'en' } as never).where('id', '=', member).execute();
      members.push(member);
    }
    await ok(b.call('POST', '/v1/segments', { key: 'promo', name: 'Promo companies', definition: { field: 'tags', op: 'hasAny', value: ['promo'] } }));
    // A finished campaign with purchases on both sides of its split, so it has an uplift to draw.
    const finished = await ok(
      b.call('POST', '/v1/campaigns', {
        name: 'October double points',
        segmentKeys: ['promo'],
        startsAt: '2026-10-01T00:00:00+02:00',
        endsAt: '2026-11-01T00:00:00+01:00',
        effects: [{ type: 'multiplier', factor: 2 }],
        budgetPoints: 5_000,
        controlPercent: 50,
      }),
    );
    const events = accounts.slice(0, 12).map((_, i) => ({
      id: `OCT-${i}`,
      type: 'purchase',
      occurredAt: '2026-10-15T10:00:00Z',
      account: `B${i}`,
      member: `BM${i}`,
      lines: [{ sku: 'PAINT', quantity: 1, amount: 10_000 + 5_000 * (i % 4) + (controlBucket(finished.id as string, accounts[i]!) >= 50 ? 8_000 : 0) }],
    }));
    await ok(b.call('POST', '/v1/events', { events }));
    const running = await ok(
      b.call('POST', '/v1/campaigns', {
        name: 'Tools weeks',
        segmentKeys: ['promo'],
        startsAt: '2026-11-20T00:00:00+01:00',
        endsAt: '2026-12-11T00:00:00+01:00',
        effects: [{ type: 'lineBonus', category: 'tools', points: 10, per: 10_000 }],
        budgetPoints: 20_000,
        controlPercent: 30,
      }),
    );
    runningId = running.id as string;
    const staff = await ok(b.call('POST', '/v1/staff-users', { email: 'mia@example.com', name: 'Mia Berg', role: 'owner' }));
    staffId = staff.id as string;
  });
  afterAll(() => b?.close());

  async function staffPage(): Promise<Page> {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    return page;
  }

  it(
    'the segment builder counts as the filter changes',
    async () => {
      const page = await staffPage();
      await page.goto('/admin/segments');
      await page.getByRole('heading', { name: 'New segment' }).waitFor();
      const count = page.getByTestId('live-count');
      // The first condition (country equals nothing yet) matches nobody.
      await expect.poll(() => count.innerText()).toMatch(/^0 of 16\b/);
      await page.getByRole('combobox', { name: 'Field' }).click();
      await page.getByRole('option', { name: 'Tags', exact: true }).click();
      await page.getByRole('combobox', { name: 'Condition' }).click();
      await page.getByRole('option', { name: 'has any of', exact: true }).click();
      await page.getByLabel('Value').fill('promo');
      await expect.poll(() => count.innerText()).toMatch(/^12 of 16\b/);
      expect(await pageProblems(page)).toEqual([]);
    },
    slow,
  );

  it(
    'lists the campaigns with their budget and draws the finished one’s uplift with its interval',
    async () => {
      const page = await staffPage();
      await page.goto('/admin/campaigns');
      await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
      const row = page.getByRole('row', { name: /October double points/ });
      await expect.poll(() => row.innerText()).toMatch(/finished/i);
      await expect.poll(() => row.innerText()).toMatch(/of 5,000 points spent/);
      expect(await pageProblems(page)).toEqual([]);

      await row.getByRole('link', { name: 'October double points' }).click();
      await page.getByRole('heading', { name: 'Uplift against the held-out group' }).waitFor();
      await page.getByTestId('uplift-chart').locator('.recharts-bar-rectangle').first().waitFor({ state: 'attached' });
      await expect.poll(() => page.getByTestId('uplift-summary').innerText()).toMatch(/95 % interval/);
      await expect.poll(() => page.getByRole('img', { name: /the difference is .*95 % interval/ }).count()).toBe(1);
      // A finished campaign cannot be stopped or extended.
      await expect.poll(() => page.getByRole('button', { name: 'Stop now' }).count()).toBe(0);
      expect(await pageProblems(page)).toEqual([]);
    },
    slow,
  );

  it(
    'refuses a negative budget with the server’s message, and stops a running campaign',
    async () => {
      const page = await staffPage();
      await page.goto('/admin/campaigns/new');
      await page.getByRole('heading', { name: 'Plan a campaign' }).waitFor();
      await page.getByLabel('Name').fill('Broken budget');
      await page.getByLabel('First day').fill('2026-12-01');
      await page.getByLabel('Last day').fill('2026-12-31');
      await page.getByLabel('Budget in points').fill('-5');
      await page.getByRole('button', { name: 'Plan campaign' }).click();
      await page.getByRole('alert').filter({ hasText: 'cannot be negative' }).waitFor();
      expect(await pageProblems(page)).toEqual([]);

      await page.goto(`/admin/campaigns/${runningId}`);
      await page.getByRole('heading', { name: 'Tools weeks' }).waitFor();
      await page.getByRole('button', { name: 'Stop now' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Stop the campaign' }).click();
      await page.getByText('Stopped on', { exact: false }).waitFor();
      await expect.poll(async () => (await b.call('GET', `/v1/campaigns/${runningId}`)).json().report.status).toBe('stopped');
    },
    slow,
  );
});

describeInBrowser('portal offers', () => {
  let b: BrowserApp;
  let campaignId: string;
  const accounts: string[] = [];
  const members: string[] = [];

  beforeAll(async () => {
    b = await startBrowserApp();
    await seedCatalog(b);
    await createRules(b, [
      {
        name: 'Points per SEK',
        effectiveFrom: '2020-01-01T00:00:00Z',
        definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } },
      },
    ]);
    for (let i = 0; i < 12; i++) {
      const id = await seedAccount(b, `C${i}`);
      accounts.push(id);
      const member = await seedMember(b, id, `CM${i}`);
      await b.database.db.updateTable('members').set({ email: `cm${i}@example.com`, language: 'en' } as never).where('id', '=', member).execute();
      members.push(member);
    }
    const res = await b.call('POST', '/v1/campaigns', {
      name: 'Double points in November',
      startsAt: '2026-11-01T00:00:00+01:00',
      endsAt: '2026-12-01T00:00:00+01:00',
      effects: [{ type: 'multiplier', factor: 2 }],
      budgetPoints: 10_000,
      controlPercent: 40,
    });
    expect(res.statusCode, res.body).toBe(201);
    campaignId = res.json().id;
  });
  afterAll(() => b?.close());

  it(
    'a treated member sees the offer and the payout in the history; a held-out member sees no offer',
    async () => {
      const treated = accounts.findIndex((id) => controlBucket(campaignId, id) >= 40);
      const held = accounts.findIndex((id) => controlBucket(campaignId, id) < 40);
      expect(treated).toBeGreaterThanOrEqual(0);
      expect(held).toBeGreaterThanOrEqual(0);
      const bought = await b.call('POST', '/v1/events', { id: 'INV-77', type: 'purchase', occurredAt: '2026-11-22T10:00:00Z', account: `C${treated}`, member: `CM${treated}`, lines: [{ sku: 'PAINT', quantity: 1, amount: 25_000 }] });
      expect(bought.statusCode, bought.body).toBe(201);

      const { context, page } = await b.newPage(phone);
      await b.signInMember(context, members[treated]!, `cm${treated}@example.com`);
      await page.goto('/');
      await page.getByRole('heading', { name: 'Extra points now' }).waitFor();
      await page.getByText('Double points on every purchase').first().waitFor();
      await page.getByText('Until 30 Nov 2026').first().waitFor();
      expect(await pageProblems(page)).toEqual([]);
      await page.goto('/history');
      await page.getByText('Extra points from the campaign “Double points in November” for your purchase INV-77').waitFor();
      expect(await pageProblems(page)).toEqual([]);

      const other = await b.newPage(phone);
      await b.signInMember(other.context, members[held]!, `cm${held}@example.com`);
      await other.page.goto('/offers');
      await other.page.getByRole('heading', { name: 'Your offers' }).waitFor();
      await other.page.getByText('No campaigns for you right now').waitFor();
      await expect.poll(() => other.page.getByText('Double points in November').count()).toBe(0);
      expect(await pageProblems(other.page)).toEqual([]);
    },
    slow,
  );
});
