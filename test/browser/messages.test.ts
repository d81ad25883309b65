/**
 * Messages in the browser (issue 18, item 10): a staff user previews the earn notice in Polish and sees the
 * plural form follow the sample count, has an unknown variable refused under its field before saving, and
 * saves; the Messages area's tabs pass axe. A member on a phone (390×844) changes the channels their messages
 * come on and their time zone for quiet hours, then reads the inbox, with no horizontal scrolling.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, desktop, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('messages: templates in the console, channels and inbox in the portal', () => {
  let b: BrowserApp;
  let staffId: string;
  let memberId: string;

  beforeAll(async () => {
    b = await startBrowserApp();
    staffId = (await b.call('POST', '/v1/staff-users', { email: 'marta@example.com', name: 'Marta Admin', role: 'owner' })).json().id;
    await b.call('PUT', '/v1/accounts/by-external-id/SITE', { name: 'Budowa Sp. z o.o.' });
    const member = await b.call('PUT', '/v1/members/by-external-id/FOREMAN', {
      accountExternalId: 'SITE', name: 'Piotr Nowak', role: 'foreman', language: 'en', email: 'piotr@example.com', phone: '+48 501 234 567',
    });
    memberId = (member.json() as { id: string }).id;
    // The program sends foremen's messages by SMS and to the inbox.
    expect((await b.call('PUT', '/v1/message-channels', { data: [{ role: 'foreman', channels: ['sms', 'inbox'] }] })).statusCode).toBe(200);
  });
  afterAll(() => b?.close());

  it('staff preview the earn notice in Polish with the plural that fits the count, and an unknown variable is refused under its field', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    await page.goto('/admin/messages');
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Messages' }).waitFor();
    // The console's own language switch is outside the page's main region.
    await page.getByRole('main').getByLabel('Language', { exact: true }).first().click();
    await page.getByRole('option', { name: 'Polski' }).click();

    const subject = page.getByRole('textbox', { name: 'Subject and inbox title' });
    const body = page.getByRole('textbox', { name: 'Text', exact: true });
    await subject.fill('Masz {{pointsText}}');
    await body.fill('{{name}}, saldo: {{balanceText}}. {{tip}}');
    const preview = page.getByTestId('template-preview');
    const points = page.getByRole('textbox', { name: 'Points in the sample' });
    for (const [n, text] of [['1', 'Masz 1 punkt'], ['3', 'Masz 3 punkty'], ['5', 'Masz 5 punktów'], ['22', 'Masz 22 punkty']] as const) {
      await points.fill(n);
      await expect.poll(() => preview.locator('p').first().textContent()).toBe(text);
    }
    await page.waitForLoadState('networkidle');
    expect(await pageProblems(page)).toEqual([]);

    // An unknown variable: the preview refuses it at once, under the field; saving is refused the same way.
    await body.fill('{{firstName}}, saldo: {{balanceText}}');
    await page.getByText('The template names the variable firstName in body').waitFor();
    await expect.poll(() => body.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The template names the variable firstName in body').waitFor();
    await page.mouse.move(0, 0);
    const list = (await b.call('GET', '/v1/message-templates')).json() as { data: Array<{ kind: string; language: string; custom: boolean }> };
    expect(list.data.find((x) => x.kind === 'earn_notice' && x.language === 'pl')!.custom).toBe(false);
    expect(await pageProblems(page)).toEqual([]);

    await body.fill('{{name}}, saldo: {{balanceText}}. {{tip}}');
    await expect.poll(() => body.getAttribute('aria-invalid')).not.toBe('true');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Template saved.').waitFor();
    await page.mouse.move(0, 0);
    await page.getByText('Your own text').waitFor();
    const saved = (await b.call('GET', '/v1/message-templates')).json() as { data: Array<{ kind: string; language: string; subject: string; custom: boolean }> };
    expect(saved.data.find((x) => x.kind === 'earn_notice' && x.language === 'pl')).toMatchObject({ subject: 'Masz {{pointsText}}', custom: true });
    await context.close();
  });

  it('every tab of the Messages area passes axe', async () => {
    await b.call('POST', '/v1/message-tips', { language: 'en', text: 'Did you know that paint earns double points this week?' });
    await b.call('POST', '/v1/message-sequence', { day: 3, kind: 'first_purchase_tip', stopWhen: 'first_purchase' });
    await b.call('POST', '/v1/message-campaigns', {
      name: 'Spring news', channel: 'sms', purpose: 'newsletter', audience: { field: 'role', op: 'in', value: ['foreman'] }, content: { en: { subject: 'Spring', body: 'Hello {{name}}' } },
    });
    await b.call('POST', `/v1/members/${memberId}/sms`, { message: 'Your order has shipped.', idempotencyKey: 'browser-sms-1' });
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    for (const [tab, seen] of [
      ['tips', 'Did you know that paint earns double points this week?'],
      ['sends', 'Spring news'],
      ['onboarding', 'Day 3'],
      ['outbox', 'Your order has shipped.'],
      ['channels', 'Everyone else'],
    ] as const) {
      await page.goto(`/admin/messages/${tab}`);
      await page.getByText(seen).first().waitFor();
      await page.waitForLoadState('networkidle');
      expect([tab, await pageProblems(page)]).toEqual([tab, []]);
    }
    // A saved send shows who it would reach and can still be changed.
    await page.goto('/admin/messages/sends');
    await page.getByRole('button', { name: 'Open Spring news' }).click();
    await expect.poll(() => page.getByTestId('send-audience').textContent()).toBe('Members in the audience: 1; with consent and reachable: 0.');
    await page.getByRole('textbox', { name: 'Name' }).fill('Spring news for foremen');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Send saved.').waitFor();
    await page.mouse.move(0, 0); // the pointer left on the button would show its darker hover colour
    expect(await pageProblems(page)).toEqual([]);
    await context.close();
  });

  it('a member on a phone changes their channels and time zone, then reads the inbox', async () => {
    await b.call('POST', `/v1/members/${memberId}/inbox`, { title: 'Welcome to the club', body: 'Your points are collected on the company account.' });
    const { context, page } = await b.newPage(phone, 'en-GB');
    await b.signInMember(context, memberId, 'piotr@example.com');
    await page.goto('/');
    await page.getByRole('link', { name: 'My channels' }).click();
    await page.getByRole('heading', { name: 'My channels', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('channels-source').textContent()).toBe('Now: the default your program set for your role.');
    await expect.poll(() => page.getByRole('checkbox', { name: 'By text message (SMS)' }).isChecked()).toBe(true);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await pageProblems(page)).toEqual([]);

    // E-mail on, SMS off: the member's own choice from now on.
    await page.getByRole('checkbox', { name: 'By e-mail' }).click();
    await page.getByRole('checkbox', { name: 'By text message (SMS)' }).click();
    await page.getByRole('button', { name: 'Save channels' }).click();
    await page.getByText('Your choice is saved.').waitFor();
    await expect.poll(() => page.getByTestId('channels-source').textContent()).toBe('This is your own choice.');

    await page.getByLabel('My time zone').first().fill('Europe/Wars');
    await page.getByRole('option', { name: 'Europe/Warsaw' }).click();
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await expect.poll(async () => ((await b.call('GET', `/v1/members/${memberId}/message-preferences`)).json() as { timeZone: string }).timeZone).toBe('Europe/Warsaw');
    const prefs = (await b.call('GET', `/v1/members/${memberId}/message-preferences`)).json();
    expect(prefs).toMatchObject({ channels: ['email', 'inbox'], effective: ['email', 'inbox'], source: 'member', timeZone: 'Europe/Warsaw' });
    expect(await pageProblems(page)).toEqual([]);

    await page.goto('/inbox');
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('inbox-unread').textContent()).toBe('1 unread message');
    await page.getByTestId('inbox-message').filter({ hasText: 'Welcome to the club' }).getByRole('button', { name: 'Mark as read' }).click();
    await expect.poll(() => page.getByTestId('inbox-unread').textContent()).toBe('0 unread messages');
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await pageProblems(page)).toEqual([]);
    await context.close();
  });
});
