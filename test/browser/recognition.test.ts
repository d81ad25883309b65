/**
 * Recognition in a real browser: the console's surprises page (each kind with what it gives and its message per
 * language, then what was paid), the referrals page (paid or waiting, and refused with the reason) and the loyalty
 * types page (distribution, accounts with reasons, from-type -> to-type moves); and in the portal, a shared
 * `/?ref=CODE` kept through sign-in and applied once, and a surprise in the member's history. Every page passes axe.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInBrowser, desktop, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

const slow = 240_000;

describeInBrowser('console surprises, referrals and loyalty types; the portal’s referral link and surprises', () => {
  let b: BrowserApp;
  let staffId: string;
  let annaId: string;
  let hannaId: string;
  let code: string;

  const ok = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json() as Record<string, unknown>;
  };

  beforeAll(async () => {
    b = await startBrowserApp();
    for (const [ext, name] of [['REFERRER', 'Bygg & Co AB'], ['NEWCO', 'Takläggarna i Norr AB'], ['SAMEDOMAIN', 'Byggco Väst AB'], ['JOINER', 'Norrlands Golv AB']]) {
      await ok(b.call('PUT', `/v1/accounts/by-external-id/${ext}`, { name }));
    }
    const person = async (ext: string, account: string, name: string, email: string) =>
      (await ok(b.call('PUT', `/v1/members/by-external-id/${ext}`, { accountExternalId: account, name, role: 'buyer', language: 'en', email }))).id as string;
    annaId = await person('ANNA', 'REFERRER', 'Anna Berg', 'anna@byggco.se');
    await person('OLLE', 'SAMEDOMAIN', 'Olle Ek', 'olle@byggco.se');
    hannaId = await person('HANNA', 'JOINER', 'Hanna Lund', 'hanna@norrlandsgolv.se');
    await ok(b.call('PUT', '/v1/referrals/settings', { enabled: true, referrerPoints: 1000, refereePoints: 500, capCount: 3, capPeriod: 'year' }));
    code = (await ok(b.call('GET', `/v1/members/${annaId}/referral-code`))).code as string;
    const newco = (await ok(b.call('GET', '/v1/accounts/ext:NEWCO'))).id as string;
    const same = (await ok(b.call('GET', '/v1/accounts/ext:SAMEDOMAIN'))).id as string;
    await ok(b.call('POST', '/v1/referrals', { code, accountId: newco }));
    expect((await b.call('POST', '/v1/referrals', { code, accountId: same })).json().code).toBe('referral_same_domain');

    // Anna's birthday is today: the birthday surprise pays her at once.
    const today = new Date(b.clock());
    await ok(b.call('PUT', `/v1/members/${annaId}/birthday`, { birthday: { month: today.getUTCMonth() + 1, day: today.getUTCDate() } }));
    await ok(b.call('PUT', '/v1/surprises/birthday', { key: 'birthday', kind: 'birthday', points: 500, message: { en: 'Happy birthday, {{name}}! 500 points from us.' } }));
    await ok(b.call('PUT', '/v1/surprises/christmas', { key: 'christmas', kind: 'seasonal', month: 12, day: 24, points: 200 }));
    await ok(b.call('POST', '/v1/surprises/run', {}));
    await ok(b.call('POST', '/v1/scores/run'));
    staffId = (await ok(b.call('POST', '/v1/staff-users', { email: 'mia@example.com', name: 'Mia Berg', role: 'owner' }))).id as string;
  });
  afterAll(() => b?.close());

  async function staffPage(): Promise<Page> {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    return page;
  }

  it(
    'the surprises page shows each kind, what it gives, its message per language and what was paid',
    async () => {
      const page = await staffPage();
      await page.goto('/admin/surprises');
      await page.getByRole('heading', { name: 'Surprises', level: 2 }).waitFor();
      const birthday = page.getByRole('region', { name: 'Birthday' });
      await birthday.getByText('500 points', { exact: true }).waitFor();
      await birthday.getByText('Happy birthday, {{name}}! 500 points from us.').waitFor();
      await page.getByRole('region', { name: 'Seasonal greeting' }).getByText('Every year on 24 December').waitFor();
      const paid = page.getByRole('table', { name: 'What was paid' });
      await paid.getByRole('row', { name: /Anna Berg.*Birthday/ }).waitFor();
      expect(await pageProblems(page)).toEqual([]);
    },
    slow,
  );

  it(
    'a staff user adds a surprise, is told what is missing, changes it and removes it',
    async () => {
      const page = await staffPage();
      await page.goto('/admin/surprises');
      await page.getByRole('button', { name: 'Add a surprise' }).click();
      const dialog = page.getByRole('dialog', { name: 'New surprise' });
      await dialog.getByLabel('Key').fill('tenth-order');
      await dialog.getByLabel('Occasion', { exact: true }).click();
      await page.getByRole('option', { name: 'Order milestone' }).click();
      await dialog.getByLabel('Points paid').fill('750');
      await dialog.getByLabel('Message in English').fill('Your tenth order, {{name}}: {{points}} points.');
      await dialog.getByRole('button', { name: 'Save' }).click();
      // No order number: the server refuses, the form says why and stays open with what was typed.
      await dialog.getByRole('alert').waitFor();
      await expect.poll(() => dialog.getByLabel('Key').inputValue()).toBe('tenth-order');
      // The pointer still rests on Save: a hovered filled button keeps its text readable too (web/shared/root.tsx).
      expect(await pageProblems(page)).toEqual([]);
      await dialog.getByLabel("The company's order number").fill('10');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
      const card = page.getByRole('region', { name: 'Order milestone' });
      await card.getByText("At the company's order number 10").waitFor();
      await card.getByText('750 points', { exact: true }).waitFor();
      await expect.poll(async () => (await b.call('GET', '/v1/surprises')).json().data.find((x: { key: string }) => x.key === 'tenth-order')).toMatchObject({
        kind: 'orders', threshold: 10, points: 750, message: { en: 'Your tenth order, {{name}}: {{points}} points.' },
      });

      await card.getByRole('button', { name: 'Edit the surprise tenth-order' }).click();
      const editing = page.getByRole('dialog', { name: 'Surprise tenth-order' });
      await expect.poll(() => editing.getByLabel('Key').isDisabled()).toBe(true);
      await editing.getByLabel('Points paid').fill('1000');
      await editing.getByRole('button', { name: 'Save' }).click();
      await editing.waitFor({ state: 'detached' });
      await card.getByText('1,000 points', { exact: true }).waitFor();

      await card.getByRole('button', { name: 'Remove the surprise tenth-order' }).click();
      await page.getByRole('dialog', { name: 'Remove the surprise tenth-order?' }).getByRole('button', { name: 'Remove' }).click();
      await card.waitFor({ state: 'detached' });
      await expect.poll(async () => (await b.call('GET', '/v1/surprises')).json().data.map((x: { key: string }) => x.key).sort()).toEqual(['birthday', 'christmas']);
      expect(await pageProblems(page)).toEqual([]);
    },
    slow,
  );

  it(
    'the referrals page shows the waiting referral with its code and the refused one with its reason',
    async () => {
      const page = await staffPage();
      await page.goto('/admin/referrals');
      await page.getByRole('heading', { name: 'Referrals', level: 2 }).waitFor();
      const row = page.getByRole('table', { name: 'Referred companies' }).getByRole('row', { name: /Takläggarna i Norr AB/ });
      await row.waitFor();
      await expect.poll(() => row.innerText()).toContain(code);
      await expect.poll(() => row.innerText()).toMatch(/Waiting/i);
      const refused = page.getByRole('table', { name: 'Refused referrals' }).getByRole('row', { name: /Byggco Väst AB/ });
      await expect.poll(() => refused.innerText()).toMatch(/shares the e-mail domain byggco\.se/);
      expect(await pageProblems(page)).toEqual([]);
      await page.getByText('Refused (1)').click();
      await expect.poll(() => page.getByRole('table', { name: 'Referred companies' }).count()).toBe(0);
    },
    slow,
  );

  it(
    'the loyalty types page shows the distribution, each account with its reasons and the moves between types',
    async () => {
      const page = await staffPage();
      await page.goto('/admin/loyalty-types');
      await page.getByRole('heading', { name: 'Loyalty types', level: 2 }).waitFor();
      await page.getByRole('table', { name: 'Accounts per type' }).getByRole('row', { name: /Inactive/ }).waitFor();
      await page.getByRole('table', { name: 'Accounts and why they have their type' }).getByText('No purchase in the last 365 days').first().waitFor();
      const moves = page.getByTestId('type-moves');
      await moves.waitFor();
      await expect.poll(() => moves.getByRole('rowheader', { name: 'New (first scored)' }).count()).toBe(1);
      expect(await pageProblems(page)).toEqual([]);
    },
    slow,
  );

  it(
    'a shared link’s code is kept through sign-in and applied once; the history explains a surprise',
    async () => {
      const { context, page } = await b.newPage(phone, 'en-GB');
      await page.goto(`/?ref=${code}`);
      await page.getByTestId('pending-referral').waitFor();
      expect(page.url()).not.toContain('ref=');
      expect(await pageProblems(page)).toEqual([]);
      await b.signInMember(context, hannaId, 'hanna@norrlandsgolv.se');
      await page.goto('/');
      await page.getByText('Welcome! Your company joined through a referral from Bygg & Co AB.').waitFor();
      await expect.poll(async () => (await b.call('GET', '/v1/referrals')).json().data.length).toBe(2);
      await page.reload();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await expect.poll(async () => (await b.call('GET', '/v1/referrals/refusals')).json().data.length).toBe(1);

      const anna = await b.newPage(phone, 'en-GB');
      await b.signInMember(anna.context, annaId, 'anna@byggco.se');
      await anna.page.goto('/history');
      await anna.page.getByText('Surprise', { exact: true }).waitFor();
      await anna.page.getByText('We remember your birthday: this one is on us, no purchase needed.').waitFor();
      expect(await pageProblems(anna.page)).toEqual([]);
    },
    slow,
  );
});
