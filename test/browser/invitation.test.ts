import { afterAll, beforeAll, expect, it } from 'vitest';
import { peopleWorld, type PeopleWorld } from '../people/world.js';
import { pageProblems, describeInBrowser, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('an invitation link on a phone', () => {
  let b: BrowserApp;
  let w: PeopleWorld;
  beforeAll(async () => {
    b = await startBrowserApp();
    w = await peopleWorld(b, { name: 'Byggklubben' });
  });
  afterAll(() => b?.close());

  it('opens in the invited person’s language, and joining signs them in to their portal', async () => {
    const res = await w.call('POST', `/v1/accounts/${w.acc.br1}/invitations`, { email: 'jan.kowalski@example.pl', name: 'Jan', language: 'pl', byMemberId: w.mem.br1Manager });
    expect(res.statusCode, res.body).toBe(201);
    const mail = (await w.call('GET', '/v1/outbox?limit=10&to=jan.kowalski%40example.pl')).json().data[0];
    const link = /https?:\/\/[^\s]+\/invitations\/(inv_[A-Za-z0-9_-]+)/.exec(mail.body)!;

    const { page } = await b.newPage(phone, 'en-GB');
    await page.goto(`/invitations/${link[1]}`);
    await page.getByRole('heading', { name: 'Witamy w Byggklubben' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByLabel('Imię i nazwisko').fill('Jan Kowalski');
    await page.getByRole('button', { name: 'Dołącz' }).click();
    // The join page names the company too, so the portal is known by the join form being gone.
    await page.getByRole('button', { name: 'Dołącz' }).waitFor({ state: 'detached' });
    await page.getByText('Company BR-1').waitFor();
    await expect.poll(async () => (await w.call('GET', `/v1/members/${res.json().memberId}`)).json())
      .toMatchObject({ status: 'active', name: 'Jan Kowalski', language: 'pl' });
  });
});
