import { afterAll, beforeAll, expect, it } from 'vitest';
import { pageProblems, describeInBrowser, desktop, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('console: accounts and members, imports, staff and settings', () => {
  let b: BrowserApp;
  let staffId: string;
  let accountId: string;
  beforeAll(async () => {
    b = await startBrowserApp();
    staffId = (await b.call('POST', '/v1/staff-users', { email: 'olle@example.com', name: 'Olle Admin', role: 'owner' })).json().id;
    await b.call('POST', '/v1/accounts', { externalId: 'OTHER-1', name: 'Söderberg Måleri' });
    const account = await b.call('POST', '/v1/accounts', { externalId: 'NL-1', name: 'Nordlicht Bygg AB', segment: 'builder' });
    accountId = account.json().id;
    await b.call('POST', '/v1/members', { accountId, name: 'Nina Lund', email: 'nina@nordlicht.example' });
    const opening = await b.call('POST', `/v1/accounts/${accountId}/adjustments`, { points: 1000, reasonCode: 'opening', memo: 'Opening balance', idempotencyKey: 'opening-nl-1' });
    expect(opening.statusCode, opening.body).toBe(201);
    // Above 5,000 points a second person approves (the form must say so).
    const control = (await b.call('GET', '/v1/settings/control')).json();
    await b.call('PUT', '/v1/settings/control', { approvalThreshold: 5000, dailyAdjustmentLimit: null, reasonCodes: control.reasonCodes.map(({ code, labels }: { code: string; labels: unknown }) => ({ code, labels })) });
  });
  afterAll(() => b?.close());

  it('finds an account by part of its name, shows its balance and history, and adjusts its points with a reason', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    await page.goto('/admin/accounts');
    await page.getByRole('heading', { name: 'Accounts and members' }).waitFor();
    await page.getByRole('link', { name: 'Söderberg Måleri' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);

    await page.getByLabel(/Search by name/).fill('LICHT');
    await page.getByRole('link', { name: 'Söderberg Måleri' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Nordlicht Bygg AB' }).click();

    await page.getByRole('heading', { name: 'Nordlicht Bygg AB', level: 1 }).waitFor();
    const balance = page.getByTestId('balance-available');
    await expect.poll(() => balance.textContent()).toBe('1,000');
    await page.getByRole('cell', { name: /Opening balance/ }).waitFor();
    await page.getByRole('link', { name: 'Nina Lund' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Points', exact: true }).fill('250');
    await page.getByRole('textbox', { name: 'Reason' }).or(page.getByRole('combobox', { name: 'Reason' })).click();
    await page.getByRole('option', { name: 'Goodwill' }).click();
    await page.getByLabel(/^Note/).fill('Late delivery in October');
    await page.getByRole('button', { name: 'Adjust points' }).click();
    await expect.poll(() => balance.textContent()).toBe('1,250');
    await page.getByRole('cell', { name: /Late delivery in October/ }).waitFor();

    // Above the four-eyes threshold: a request, the balance unchanged.
    await page.getByRole('textbox', { name: 'Points', exact: true }).fill('-6000');
    await page.getByRole('textbox', { name: 'Reason' }).or(page.getByRole('combobox', { name: 'Reason' })).click();
    await page.getByRole('option', { name: 'Correction' }).click();
    await page.getByRole('button', { name: 'Adjust points' }).click();
    await page.getByText(/above the approval threshold/).waitFor();
    await expect.poll(() => balance.textContent()).toBe('1,250');
    const requests = (await b.call('GET', '/v1/adjustment-requests?state=pending')).json();
    expect(requests.data.map((r: { points: number }) => r.points)).toEqual([-6000]);
  });

  it('imports a CSV with one bad line: progress to completion and the bad line number', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    await page.goto('/admin/imports');
    await page.getByRole('heading', { name: 'CSV imports' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    const csv = 'external_id,name,country\nCSV-1,Import Alpha,SE\nCSV-2,Import Beta,Sweden\nCSV-3,Import Gamma,NO\n';
    await page.locator('input[type=file]').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('import-progress').filter({ hasText: '3 of 3 rows handled' }).waitFor();
    const section = page.getByRole('region', { name: 'Import of accounts.csv' });
    await section.getByText('Finished').waitFor();
    const errors = page.getByRole('table', { name: 'Lines that could not be imported' });
    await errors.waitFor();
    await expect.poll(() => errors.locator('tbody tr').count()).toBe(1);
    await expect.poll(() => errors.locator('tbody tr td').first().textContent()).toBe('3');
    expect(await pageProblems(page)).toEqual([]);
    const imported = (await b.call('GET', '/v1/accounts?q=import')).json();
    expect(imported.data.map((a: { externalId: string }) => a.externalId)).toEqual(['CSV-1', 'CSV-3']);
  });

  it('shows the staff users and the program settings without serious accessibility problems', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    await page.goto('/admin/staff');
    await page.getByRole('cell', { name: 'olle@example.com' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send password link' }).click();
    await page.getByText('A link to set a password is on its way to olle@example.com.').waitFor();
    await page.goto('/admin/settings');
    await page.getByRole('heading', { name: 'Program settings' }).waitFor();
    await page.getByLabel('Four-eyes threshold (points)').waitFor();
    await expect.poll(() => page.getByLabel('Four-eyes threshold (points)').inputValue()).toBe('5000');
    expect(await pageProblems(page)).toEqual([]);
  });
});
