/**
 * The member portal on a phone (390×844; the layout checks at 360 px): ordering a reward takes the points once,
 * Polish plurals, a sales claim with a photo from the phone, a manager's team, allocation and approval, and on
 * every page no horizontal scrolling, no layout shift while data arrives and no serious accessibility problems.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tinyPng } from '../../src/evidence/samples.js';
import { postMultipart } from '../support/multipart.js';
import { describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('the member portal on a phone', () => {
  let b: BrowserApp;
  const ids: Record<string, string> = {};
  let rewardId: string;

  const ok = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json() as Record<string, unknown>;
  };
  const balanceOf = async (memberId: string) => (await ok(b.call('GET', `/v1/members/${memberId}/balance`))).available as number;
  const give = (memberId: string, points: number) =>
    ok(b.call('POST', `/v1/members/${memberId}/adjustments`, { points, reasonCode: 'opening', idempotencyKey: `open-${memberId}-${points}` }));

  beforeAll(async () => {
    b = await startBrowserApp();
    for (const [ext, body] of [
      ['BYGG', { name: 'Bygg & Co AB' }],
      ['OTHER', { name: 'Annan AB' }],
    ] as const) {
      ids[ext] = (await ok(b.call('PUT', `/v1/accounts/by-external-id/${ext}`, body))).id as string;
    }
    for (const [ext, account, name, role, language] of [
      ['BUYER', 'BYGG', 'Per Olsson', 'buyer', 'en'],
      ['MGR', 'BYGG', 'Maria Berg', 'manager', 'en'],
      ['SELLER', 'BYGG', 'Sven Ek', 'sales_rep', 'en'],
      ['PL1', 'OTHER', 'Jan Nowak', 'buyer', 'pl'],
      ['PL3', 'OTHER', 'Anna Kowalska', 'buyer', 'pl'],
      ['PL5', 'OTHER', 'Piotr Wiśniewski', 'buyer', 'pl'],
    ] as const) {
      ids[ext] = (await ok(
        b.call('PUT', `/v1/members/by-external-id/${ext}`, { accountExternalId: account, name, role, language, email: `${ext.toLowerCase()}@example.com` }),
      )).id as string;
    }
    await give(ids.BUYER!, 5_000);
    await give(ids.MGR!, 300);
    await give(ids.PL1!, 1);
    await give(ids.PL3!, 3);
    await give(ids.PL5!, 5);
    await ok(b.call('POST', `/v1/accounts/${ids.BYGG}/adjustments`, { points: 1_000, reasonCode: 'opening', idempotencyKey: 'company-opening' }));
    await ok(b.call('PUT', '/v1/reward-categories/tools', { names: { en: 'Tools', sv: 'Verktyg', nb: 'Verktøy', pl: 'Narzędzia', de: 'Werkzeug' } }));
    await ok(b.call('PUT', '/v1/reward-categories/gifts', { names: { en: 'Gift cards', sv: 'Presentkort', nb: 'Gavekort', pl: 'Karty podarunkowe', de: 'Gutscheine' } }));
    rewardId = (await ok(
      b.call('POST', '/v1/rewards', {
        code: 'drill',
        type: 'physical',
        category: 'tools',
        pricePoints: 1_200,
        stock: 10,
        texts: { en: { name: 'Cordless drill', description: '18 V, two batteries' }, pl: { name: 'Wiertarka', description: '18 V, dwa akumulatory' } },
      }),
    )).id as string;
    await ok(
      b.call('POST', '/v1/rewards', {
        code: 'lounge',
        type: 'experience',
        category: 'gifts',
        pricePoints: 50_000,
        texts: { en: { name: 'Weekend at the lake', description: 'For two' } },
      }),
    );
    // A ladder and a checklist, so Home shows its level card and getting-started list as a real program's would.
    const names = (en: string) => ({ en, sv: en, nb: en, pl: en, de: en });
    await ok(
      b.call('PUT', '/v1/tiers', {
        settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'member', downgradeMaxLevels: 1, graceDays: 30 },
        levels: [
          { code: 'silver', rank: 1, threshold: 100, names: names('Silver') },
          { code: 'gold', rank: 2, threshold: 50_000, names: names('Gold') },
        ],
      }),
    );
    await ok(
      b.call('PUT', '/v1/onboarding', {
        steps: [
          { code: 'profile', names: names('Complete your profile'), points: 50, completion: { kind: 'profile', fields: ['email', 'phone'] } },
          { code: 'first_order', names: names('First order'), points: 100, completion: { kind: 'event', eventType: 'purchase' } },
        ],
      }),
    );
    // Members may also sign in with a password here, so the Me page offers to set one.
    await ok(b.call('PATCH', '/v1/program', { memberPasswords: true }));
    // Managers decide their staff's claims in this program (the default leaves it to the program team).
    await ok(b.call('PUT', '/v1/claims/settings', { approver: 'either' }));
    await ok(b.call('PUT', '/v1/products/DRILL-18V', { name: 'Drill 18 V', unitPrice: 150_000, active: true }));
    await ok(
      b.call('POST', '/v1/rules', {
        name: 'Sold by partner staff',
        effectiveFrom: '2020-01-01T00:00:00Z',
        definition: { conditions: { eventTypes: ['sale_claim'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'member' } },
      }),
    );
  });
  afterAll(() => b?.close());

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: /./ }).last().getByRole('link', { name, exact: true });

  async function memberPage(ext: string, locale = 'en-GB', viewport = phone) {
    const { context, page } = await b.newPage(viewport, locale);
    await b.signInMember(context, ids[ext]!, `${ext.toLowerCase()}@example.com`);
    return page;
  }

  it('a member orders a reward on the phone; a double tap on confirm orders once, the balance drops, and cancelling gives it back', async () => {
    const page = await memberPage('BUYER');
    await page.goto('/');
    await expect.poll(() => page.getByTestId('balance-available').textContent()).toBe('5,000 points');
    await nav(page, 'Shop').click();
    await page.getByRole('heading', { name: 'Rewards shop' }).waitFor();
    // The reward out of reach says why in words; the filter leaves only what the balance pays for.
    await page.getByText(/You need 45,?000 more points\./).waitFor();
    await page.getByRole('switch', { name: 'Only what I can afford' }).check();
    await expect.poll(() => page.getByTestId('reward-card').count()).toBe(1);
    await page.getByTestId('reward-card').filter({ hasText: 'Cordless drill' }).click();
    await page.getByRole('heading', { name: 'Cordless drill' }).waitFor();
    await page.getByLabel('Street address').fill('Bruksgatan 4');
    await page.getByLabel('Postcode').fill('722 14');
    await page.getByLabel('Town').fill('Västerås');
    await page.getByLabel('Country code').fill('se');
    await page.getByRole('button', { name: 'Order', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm your order' });
    await dialog.waitFor();
    await expect.poll(() => dialog.getByTestId('balance-after').textContent()).toBe('3,800 points');
    await dialog.getByRole('button', { name: 'Yes, order' }).dblclick();
    await page.getByRole('heading', { name: 'Thank you for your order!' }).waitFor();
    await page.getByText('Cordless drill').waitFor();
    await expect.poll(() => balanceOf(ids.BUYER!)).toBe(3_800);
    const orders = (await ok(b.call('GET', `/v1/reward-orders?memberId=${ids.BUYER}`))).data as unknown[];
    expect(orders).toHaveLength(1);

    await page.getByRole('link', { name: 'Follow my orders' }).click();
    await page.getByRole('heading', { name: 'My orders' }).waitFor();
    await expect.poll(() => page.getByTestId('order').count()).toBe(1);
    await nav(page, 'Home').click();
    await expect.poll(() => page.getByTestId('balance-available').textContent()).toBe('3,800 points');
    await page.getByText('Reward ordered: 1 × Cordless drill').first().waitFor();

    // Changing one's mind before anybody started on it: cancel on the orders page, and the points come back.
    await nav(page, 'Me').click();
    await page.getByRole('link', { name: 'My orders' }).click();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel this order?' });
    await confirm.getByText('You get 1,200 points back.').waitFor();
    await confirm.getByLabel('Why? (optional)').fill('Ordered the wrong one');
    await confirm.getByRole('button', { name: 'Yes, cancel' }).click();
    await page.getByText('Order cancelled; the points are back.').waitFor();
    await page.getByTestId('order').getByText('cancelled').waitFor();
    await page.getByText('Ordered the wrong one').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    await expect.poll(() => balanceOf(ids.BUYER!)).toBe(5_000);
  });

  it('in Polish, balances of 1, 3 and 5 points read "1 punkt", "3 punkty" and "5 punktów"', async () => {
    for (const [ext, text] of [
      ['PL1', '1 punkt'],
      ['PL3', '3 punkty'],
      ['PL5', '5 punktów'],
    ] as const) {
      const page = await memberPage(ext, 'pl-PL');
      await page.goto('/');
      await page.getByText('Punkty do wykorzystania').waitFor();
      await expect.poll(() => page.getByTestId('balance-available').textContent()).toBe(text);
      await nav(page, 'Sklep').click();
      await page.getByRole('heading', { name: 'Sklep z nagrodami' }).waitFor();
      await expect.poll(() => page.getByTestId('shop-balance').textContent()).toBe(text);
    }
  });

  it('a salesperson reports a sale with a photo taken on the phone and finds it, with the photo, in their claims', async () => {
    const page = await memberPage('SELLER');
    await page.goto('/claims');
    await page.getByRole('heading', { name: 'My sales claims' }).waitFor();
    await page.getByRole('link', { name: 'Report a sale' }).click();
    await page.getByLabel('Product (article number)').fill('DRILL-18V');
    await page.getByLabel('Amount (SEK)').fill('3000');
    await page.getByLabel('Invoice number').fill('F-2026-118');
    await page.getByLabel('Customer').fill('Brf Eken');
    // The form proposes the phone's today; the test application's clock stands still at its own day, and a sale
    // after the server's today is refused, so the sale is dated by the app's clock.
    await page.getByLabel('Date of sale').fill(b.clock().toISOString().slice(0, 10));
    const camera = page.locator('input[type=file][capture=environment]');
    await expect.poll(() => camera.getAttribute('accept')).toBe('image/*,application/pdf');
    await camera.setInputFiles({ name: 'invoice.png', mimeType: 'image/png', buffer: tinyPng() });
    await page.getByTestId('claim-preview').waitFor();
    await page.getByRole('button', { name: 'Send claim' }).click();
    await page.getByRole('heading', { name: 'My sales claims' }).waitFor();
    const claim = page.getByTestId('claim').filter({ hasText: 'F-2026-118' });
    await claim.waitFor();
    await claim.getByText('Waiting').waitFor();
    await claim.getByText('300 points once approved').waitFor();
    // The photo it was sent with is shown again from the portal's own address.
    await claim.getByRole('button', { name: 'Show what was sent' }).click();
    const photo = claim.getByRole('img', { name: 'Evidence photo 1' });
    await photo.waitFor();
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    const stored = (await ok(b.call('GET', `/v1/claims?memberId=${ids.SELLER}`))).data as Array<{ invoiceNumber: string; evidence?: unknown[] }>;
    expect(stored.map((c) => c.invoiceNumber)).toContain('F-2026-118');
  });

  it('in German, an amount of 1.500 is fifteen hundred, and one with more decimals than the currency has is refused on the field', async () => {
    ids.DE1 = (await ok(b.call('PUT', '/v1/members/by-external-id/DE1', { accountExternalId: 'BYGG', name: 'Jonas Weber', role: 'sales_rep', language: 'de', email: 'de1@example.com' }))).id as string;
    const page = await memberPage('DE1', 'de-DE');
    await page.goto('/claims/new');
    await page.getByRole('heading', { name: 'Verkauf melden', level: 1 }).waitFor();
    await page.getByLabel('Produkt (Artikelnummer)').fill('DRILL-18V');
    await page.getByLabel('Rechnungsnummer').fill('DE-1500');
    await page.getByLabel('Kunde').fill('Bau GmbH');
    await page.getByLabel('Verkaufsdatum').fill(b.clock().toISOString().slice(0, 10));
    await page.locator('input[type=file][capture=environment]').setInputFiles({ name: 'rechnung.png', mimeType: 'image/png', buffer: tinyPng() });
    const sent = page.getByRole('heading', { name: 'Meine Verkaufsmeldungen' });
    // Three decimals in a currency of two: refused on the field (it was rounded to 2,00 and sent).
    await page.getByLabel('Betrag (SEK)').fill('1,999');
    await page.getByRole('button', { name: 'Meldung senden' }).click();
    const refusal = page.getByText('Zu viele Nachkommastellen: Beträge in SEK schreibt man wie 1.234,50.');
    await refusal.or(sent).first().waitFor();
    expect(await refusal.isVisible()).toBe(true);
    await page.getByLabel('Betrag (SEK)').fill('1.500');
    await page.getByRole('button', { name: 'Meldung senden' }).click();
    await sent.waitFor();
    const stored = async () => ((await ok(b.call('GET', `/v1/claims?memberId=${ids.DE1}`))).data as Array<{ invoiceNumber: string; amount: number }>).map((c) => [c.invoiceNumber, c.amount]);
    await expect.poll(stored).toEqual([['DE-1500', 150_000]]);
  });

  it('a manager sees the team, gives company points to a member and approves a staff claim', async () => {
    const submitted = await postMultipart(b, '/v1/claims', [
      {
        name: 'claim',
        value: JSON.stringify({ memberId: ids.SELLER, sku: 'DRILL-18V', quantity: 1, amount: 200_000, saleDate: '2026-11-02', invoiceNumber: 'F-77', endCustomer: 'Lind VVS' }),
      },
      { name: 'file', fileName: 'invoice.png', bytes: tinyPng([10, 120, 40]), contentType: 'image/png' },
    ]);
    expect(submitted.statusCode, submitted.body).toBe(201);

    const before = await balanceOf(ids.BUYER!);
    const page = await memberPage('MGR');
    await page.goto('/');
    await nav(page, 'Team').click();
    await page.getByRole('heading', { name: 'My team' }).waitFor();
    await expect.poll(() => page.getByTestId('company-available').textContent()).toBe('1,000 points');
    const buyer = page.getByTestId('team-member').filter({ hasText: 'Per Olsson' });
    await buyer.waitFor();
    // The role's name, not its code (buyer); drawn with the name the card was waited for by.
    expect(await buyer.getByText('Buyer', { exact: true }).count()).toBe(1);
    await buyer.getByRole('button', { name: 'Give points' }).click();
    const dialog = page.getByRole('dialog', { name: 'Give points to Per Olsson' });
    await dialog.getByLabel('Points').fill('250');
    await dialog.getByLabel('Message').fill('Best seller in November');
    await dialog.getByRole('button', { name: 'Give', exact: true }).dblclick();
    await page.getByText('Per Olsson got 250 points.').waitFor();
    await expect.poll(() => page.getByTestId('company-available').textContent()).toBe('750 points');
    await expect.poll(() => balanceOf(ids.BUYER!)).toBe(before + 250);

    await page.getByRole('tab', { name: 'Claims to approve' }).click();
    const claim = page.getByTestId('team-claim').filter({ hasText: 'F-77' });
    await claim.waitFor();
    await claim.getByText('Sven Ek').waitFor();
    await claim.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Claim approved; the points are on their way.').waitFor();
    await expect.poll(() => page.getByTestId('team-claim').filter({ hasText: 'F-77' }).count()).toBe(0);
    const decided = (await ok(b.call('GET', `/v1/claims?memberId=${ids.SELLER}`))).data as Array<{ invoiceNumber: string; state: string }>;
    expect(decided.find((c) => c.invoiceNumber === 'F-77')?.state).toBe('approved');
  });

  it('every page fits 360 px without sideways scrolling, stays put while its data arrives and has no serious accessibility problems', async () => {
    const page = await memberPage('MGR', 'en-GB', { width: 360, height: 800 });
    const pages: Array<[string, string]> = [
      ['/', 'Hello, Maria Berg'],
      ['/history', 'Points history'],
      ['/shop', 'Rewards shop'],
      [`/shop/${rewardId}`, 'Cordless drill'],
      ['/orders', 'My orders'],
      ['/claims', 'My sales claims'],
      ['/claims/new', 'Report a sale'],
      ['/team', 'My team'],
      ['/profile', 'Me'],
    ];
    const problems: string[] = [];
    for (const [path, heading] of pages) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
      if (width > 360) problems.push(`${path}: ${width} px wide`);
      // Skeletons hold the place of what is loading; a page whose content jumps when data arrives fails here (the
      // shifts are read after the network went idle and the axe scan ran, not after a guessed pause).
      for (const p of await pageProblems(page)) problems.push(`${path}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('the member sets a password and changes their language and mail preferences on the Me page, and they are saved', async () => {
    const page = await memberPage('SELLER', 'en-GB');
    await page.goto('/profile');
    await page.getByRole('heading', { name: 'Me', level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'News and offers' }).click();
    await page.getByText('Saved.').first().waitFor();
    // A password that is too short is refused next to the field; a good one signs in from now on.
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('Choose a password of at least 10 characters that is not your e-mail address.').waitFor();
    await page.getByLabel('New password').fill('a portal password for the site');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('Password saved. You were signed out on your other devices.').waitFor();
    const signIn = await b.app.inject({ method: 'POST', url: '/auth/member/password-sign-in', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'seller@example.com', password: 'a portal password for the site' }) });
    expect(signIn.statusCode, signIn.body).toBe(200);
    await page.getByRole('combobox', { name: 'Language' }).click();
    await page.getByRole('option', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { name: 'Ich', level: 1 }).waitFor();
    // The page switches language at once and saves it beside: wait for the save.
    await expect.poll(async () => (await ok(b.call('GET', `/v1/members/${ids.SELLER}`))).language).toBe('de');
  });
});
