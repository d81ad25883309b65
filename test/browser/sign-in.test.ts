import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedAccount } from '../support/fixtures.js';
import { codeIn, outbox, resetTokenIn } from '../sessions/helpers.js';
import { pageProblems, describeInBrowser, desktop, phone, startBrowserApp, type BrowserApp } from './harness.js';

/** Signing in through the forms themselves, as a person does: no cookies handed in by the test. */
describeInBrowser('signing in through the forms', () => {
  let b: BrowserApp;
  beforeAll(async () => {
    b = await startBrowserApp();
  });
  afterAll(() => b?.close());

  it('a new staff user sets a password from the mailed link, is refused a wrong one, and signs in to the console', async () => {
    const created = await b.call('POST', '/v1/staff-users', { email: 'karin@example.com', name: 'Karin Ek', role: 'manager' });
    expect(created.statusCode, created.body).toBe(201);
    const [mail] = await outbox(b, b.programId, 'karin@example.com');
    const { page } = await b.newPage(desktop);

    await page.goto(`/admin/reset-password?token=${resetTokenIn(mail!)}`);
    await page.getByLabel(/^New password/).fill('short');
    await page.getByLabel(/^Repeat the password/).fill('short');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/at least 10 characters/i).first().waitFor();
    await page.getByLabel(/^New password/).fill('a sturdy passphrase');
    await page.getByLabel(/^Repeat the password/).fill('a sturdy passphrase');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Sign in' }).click();

    await page.getByLabel('E-mail').fill('karin@example.com');
    await page.getByLabel(/^Password/).fill('not the passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByLabel(/^Password/).fill('a sturdy passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // Signing out ends the session: a reload shows the sign-in form again.
    await page.getByRole('button', { name: 'Your account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('a member on a phone asks for a code, types it from the mail, picks a company and lands on the portal', async () => {
    const first = await seedAccount(b, 'ACC-1');
    const second = await seedAccount(b, 'ACC-2');
    for (const [accountId, ext] of [[first, 'M-1'], [second, 'M-2']] as const) {
      const res = await b.call('POST', '/v1/members', { accountId, externalId: ext, name: 'Piotr Nowak', email: 'piotr@example.pl', language: 'pl' });
      expect(res.statusCode, res.body).toBe(201);
    }
    const { page } = await b.newPage(phone, 'pl-PL');
    await page.goto('/');
    await page.getByLabel('Adres e-mail').fill('piotr@example.pl');
    await page.getByRole('button', { name: 'Wyślij kod' }).click();
    await page.getByText(/Wysłaliśmy sześciocyfrowy kod/).waitFor();
    const [mail] = await outbox(b, b.programId, 'piotr@example.pl');
    expect(mail!.language).toBe('pl');
    // Typing the six digits signs in by itself (no button press needed on a phone).
    await page.locator('input[inputmode="numeric"]').first().click();
    await page.keyboard.type(codeIn(mail!));
    await page.getByRole('heading', { name: 'Która firma?' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Wybierz' }).nth(1).click();
    await page.getByText('Company ACC-2').waitFor();
    await page.getByText(/Cześć, Piotr Nowak/).waitFor();
  });

  it('a language picked at sign-in becomes the profile\'s, so the server writes in it too', async () => {
    const account = await seedAccount(b, 'ACC-LANG');
    const res = await b.call('POST', '/v1/members', { accountId: account, externalId: 'M-LANG', name: 'Ola Nordmann', email: 'ola@example.no', language: 'nb' });
    expect(res.statusCode, res.body).toBe(201);
    const { page } = await b.newPage(phone, 'en-GB');
    await page.goto('/');
    await page.getByRole('combobox', { name: 'Language' }).click();
    await page.getByRole('option', { name: 'Polski' }).click();
    await page.getByLabel('Adres e-mail').fill('ola@example.no');
    await page.getByRole('button', { name: 'Wyślij kod' }).click();
    await page.getByText(/Wysłaliśmy sześciocyfrowy kod/).waitFor();
    const [mail] = await outbox(b, b.programId, 'ola@example.no');
    const profileSaved = page.waitForResponse((r) => r.url().endsWith('/portal/v1/me') && r.request().method() === 'PATCH');
    await page.locator('input[inputmode="numeric"]').first().click();
    await page.keyboard.type(codeIn(mail!));
    await page.getByText(/Cześć, Ola Nordmann/).waitFor();
    // The profile follows the choice (the server's texts then come in Polish), and the page stays Polish.
    expect((await profileSaved).status()).toBe(200);
    expect((await b.call('GET', `/v1/members/${res.json().id}`)).json().language).toBe('pl');
    await page.getByText(/Cześć, Ola Nordmann/).waitFor();
    expect(await pageProblems(page)).toEqual([]);
  });
});
