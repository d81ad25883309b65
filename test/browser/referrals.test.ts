/**
 * A member on a phone (390×844) opens their referral page from Home: their code and link to share, what a
 * referral pays, and the companies they referred with where each stands — no horizontal scrolling and no serious
 * accessibility problems.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('the member’s referral page on a phone', () => {
  let b: BrowserApp;
  let memberId: string;

  beforeAll(async () => {
    b = await startBrowserApp();
    await b.call('PUT', '/v1/accounts/by-external-id/REFERRER', { name: 'Bygg & Co AB' });
    await b.call('PUT', '/v1/accounts/by-external-id/NEWCO', { name: 'Takläggarna i Norr AB' });
    const newco = (await b.call('GET', '/v1/accounts/ext:NEWCO')).json() as { id: string };
    const member = await b.call('PUT', '/v1/members/by-external-id/ANNA', { accountExternalId: 'REFERRER', name: 'Anna Berg', role: 'buyer', language: 'en', email: 'anna@byggco.se' });
    memberId = (member.json() as { id: string }).id;
    expect((await b.call('PUT', '/v1/referrals/settings', { enabled: true, referrerPoints: 1000, refereePoints: 500, capCount: 3, capPeriod: 'year' })).statusCode).toBe(200);
    const code = (await b.call('GET', `/v1/members/${memberId}/referral-code`)).json().code as string;
    const referred = await b.call('POST', '/v1/referrals', { code, accountId: newco.id });
    expect(referred.statusCode, referred.body).toBe(201);
  });
  afterAll(() => b?.close());

  it('shows the code, the link to share and the referred company waiting for its first purchase', async () => {
    const { context, page } = await b.newPage(phone, 'en-GB');
    await b.signInMember(context, memberId, 'anna@byggco.se');
    await page.goto('/');
    await page.getByRole('link', { name: 'Refer a company' }).click();
    await page.getByRole('heading', { name: 'Refer a company', level: 1 }).waitFor();
    await page.getByText('Takläggarna i Norr AB').waitFor();
    const code = await page.getByTestId('referral-code').textContent();
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    await expect.poll(() => page.getByLabel('Your link').inputValue()).toContain(`ref=${code}`);
    await page.getByText('you get 1000 points and they get 500 points').waitFor();
    await page.getByText('Waiting').waitFor();
    await page.getByRole('button', { name: 'Copy link' }).waitFor();
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    expect(await pageProblems(page)).toEqual([]);
  });
});
