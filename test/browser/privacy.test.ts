/**
 * A member on a phone (390×844) finds their consents from Home, turns SMS offers on and off again, sees both
 * decisions in the history, reads the inbox as messages arrive live, and the pages have no horizontal scrolling
 * and no serious accessibility problems.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('privacy in the portal on a phone', () => {
  let b: BrowserApp;
  let memberId: string;

  beforeAll(async () => {
    b = await startBrowserApp();
    const account = (await b.call('PUT', '/v1/accounts/by-external-id/SITE', { name: 'Bygg & Co AB' })).json() as { id: string };
    expect(account.id).toBeTruthy();
    const member = await b.call('PUT', '/v1/members/by-external-id/FOREMAN', { accountExternalId: 'SITE', name: 'Lars Holm', role: 'foreman', language: 'en', email: 'lars@example.com' });
    memberId = (member.json() as { id: string }).id;
    const text = await b.call('POST', '/v1/privacy/consent-texts', {
      purpose: 'marketing',
      texts: { en: 'Offers and news about tools, by the channels you choose. You can withdraw at any time.', sv: 'Erbjudanden och nyheter om verktyg.' },
    });
    expect(text.statusCode).toBe(201);
  });
  afterAll(() => b?.close());

  it('the member turns SMS offers on and off, and both decisions are kept as evidence', async () => {
    const { context, page } = await b.newPage(phone, 'en-GB');
    await b.signInMember(context, memberId, 'lars@example.com');
    await page.goto('/');
    await page.getByRole('link', { name: 'Privacy and consent' }).click();
    await page.getByRole('heading', { name: 'Privacy and consent', level: 1 }).waitFor();
    await page.getByText('Offers and news about tools').waitFor();
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    expect(await pageProblems(page)).toEqual([]);

    const sms = page.getByRole('switch', { name: 'By text message (SMS)' });
    await sms.click(); // the switch follows the server's answer, not the tap
    await page.getByText('Thank you: Offers and campaigns, By text message (SMS) is on.').waitFor();
    await expect.poll(() => sms.isChecked()).toBe(true);
    await sms.click();
    await page.getByText('Withdrawn: Offers and campaigns, By text message (SMS).').waitFor();
    await expect.poll(() => page.getByRole('row').count()).toBe(3);

    const staff = (await b.call('GET', `/v1/members/${memberId}/consents`)).json() as { history: Array<{ channel: string; granted: boolean; textVersion: number | null; source: string }> };
    expect(staff.history.map((r) => [r.channel, r.granted, r.textVersion, r.source])).toEqual([
      ['sms', true, 1, 'portal'],
      ['sms', false, null, 'portal'],
    ]);
    expect(await pageProblems(page)).toEqual([]);
  });

  it('the member reads the inbox; a message sent while the page is open appears live', async () => {
    const first = await b.call('POST', `/v1/members/${memberId}/inbox`, { title: 'Your order has shipped', body: 'The drill is on its way to the site.' });
    expect(first.statusCode).toBe(201);
    const { context, page } = await b.newPage(phone, 'en-GB');
    await b.signInMember(context, memberId, 'lars@example.com');
    await page.goto('/');
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('inbox-unread').textContent()).toBe('1 unread message');
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await pageProblems(page)).toEqual([]);

    await b.call('POST', `/v1/members/${memberId}/inbox`, { title: 'Did you know…', body: 'Paint earns double points this week.' });
    await expect.poll(() => page.getByTestId('inbox-unread').textContent()).toBe('2 unread messages');
    await expect.poll(() => page.getByTestId('inbox-message').count()).toBe(2);
    await page.getByTestId('inbox-message').filter({ hasText: 'Your order has shipped' }).getByRole('button', { name: 'Mark as read' }).click();
    await expect.poll(() => page.getByTestId('inbox-unread').textContent()).toBe('1 unread message');
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => page.getByTestId('inbox-unread').textContent()).toBe('0 unread messages');
    await context.close();
  });
});
