import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemContext } from '../../src/audit/index.js';
import { setInstanceAdmin } from '../../src/programs/instance.js';
import { setStaffPasswordByEmail } from '../../src/sessions/staff-sign-in.js';
import { pageProblems, describeInBrowser, desktop, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('the console and portal open in a real browser', () => {
  let b: BrowserApp;
  let staffId: string;
  beforeAll(async () => {
    b = await startBrowserApp();
    const res = await b.call('POST', '/v1/staff-users', { email: 'eva@example.com', name: 'Eva Lind', role: 'owner' });
    staffId = res.json().id;
  });
  afterAll(() => b?.close());

  it('a signed-out member sees the sign-in form on a phone, with no serious accessibility problems', async () => {
    const { page } = await b.newPage(phone);
    await page.goto('/');
    await page.getByRole('button', { name: 'Send me a code' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
  });

  it('a signed-in staff user lands on the dashboard with the program figures', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    await page.goto('/admin/');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Value of outstanding points').waitFor();
    expect(await pageProblems(page)).toEqual([]);
  });

  it('an instance administrator creates a program in the console and switches to it', async () => {
    await setStaffPasswordByEmail(b.database.db, b.programId, 'eva@example.com', 'a long and private passphrase', systemContext(b.programId, 'test', b.clock()));
    await setInstanceAdmin(b.database.db, 'eva@example.com', true);
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, staffId);
    await page.goto('/admin/programs');
    await page.getByRole('heading', { name: 'New program' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Name' }).fill('Dealer club Norway');
    await page.getByRole('textbox', { name: 'Currency' }).fill('NOK');
    await page.getByRole('button', { name: 'Create program' }).click();
    await page.getByRole('cell', { name: 'Dealer club Norway' }).waitFor();
    await page.getByRole('button', { name: 'Switch to it' }).click();
    await page.getByText('Lojal · Dealer club Norway').waitFor();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });
});
