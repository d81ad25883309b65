/**
 * Setting the service desk up in the console, then using it on a phone. The program owner adds a request type
 * with its own fields and texts in the five languages, a service level for it, a holiday, a quick reply (then
 * edits it) and a help article (previewed before it is saved); a member on a phone (390×844) then finds the new
 * type, sees its fields appear with the form (no jump), and raises a request with them. Every screen is checked
 * with axe and for layout shift.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { desktop, describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

/** Opens a Mantine select by its label (a textbox or a combobox, by version) and picks an option. */
async function pick(scope: Locator | Page, page: Page, label: string, option: string) {
  await scope.getByRole('textbox', { name: label, exact: true }).or(scope.getByRole('combobox', { name: label, exact: true })).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describeInBrowser('setting the service desk up in the console', () => {
  let b: BrowserApp;
  const ids: Record<string, string> = {};
  const ok = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json() as Record<string, unknown>;
  };

  beforeAll(async () => {
    b = await startBrowserApp();
    ids.owner = uuidv7();
    await sql`INSERT INTO staff_users (program_id, id, email, name, role) VALUES (${b.programId}, ${ids.owner}, 'olle@lojal.example', 'Olle Owner', 'owner')`.execute(b.database.db);
    await ok(b.call('PUT', '/v1/accounts/by-external-id/ACME', { name: 'Acme Bygg AB' }));
    ids.anna = (await ok(b.call('PUT', '/v1/members/by-external-id/ANNA', { accountExternalId: 'ACME', name: 'Anna Lind', language: 'en', email: 'anna@example.com' }))).id as string;
    await ok(b.call('POST', '/v1/service/types', { code: 'question', kind: 'question', position: 5, names: { en: 'Question', sv: 'Fråga', nb: 'Spørsmål', pl: 'Pytanie', de: 'Frage' } }));
  });
  afterAll(async () => b?.close());

  it('the owner adds a request type with its own fields in five languages, a service level, a holiday, a quick reply and an article', async () => {
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, ids.owner!);
    await page.goto('/admin/service/setup');
    await page.getByRole('heading', { name: 'Request types' }).waitFor();
    await page.getByTestId('type-row').getByText('question', { exact: true }).waitFor();
    expect(await pageProblems(page)).toEqual([]);

    // ---- a custom type with two fields of its own, named in every language
    await page.getByRole('button', { name: 'New request type' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Code').fill('warranty');
    await dialog.getByRole('button', { name: 'Add a field' }).click();
    await dialog.getByRole('button', { name: 'Add a field' }).click();
    const fields = dialog.getByTestId('field-editor');
    await fields.nth(0).getByLabel('Key').fill('serial');
    await fields.nth(0).getByLabel('Required').check();
    await fields.nth(1).getByLabel('Key').fill('line');
    await pick(fields.nth(1), page, 'Kind', 'Choice');
    await fields.nth(1).getByLabel('Choices').fill('Pro, Home');
    const texts: Record<string, [string, string, string, string]> = {
      EN: ['English', 'Warranty claim', 'Serial number', 'Product line'],
      SV: ['Svenska', 'Garantiärende', 'Serienummer', 'Produktlinje'],
      NB: ['Norsk bokmål', 'Garantisak', 'Serienummer', 'Produktlinje'],
      PL: ['Polski', 'Reklamacja gwarancyjna', 'Numer seryjny', 'Linia produktów'],
      DE: ['Deutsch', 'Garantiefall', 'Seriennummer', 'Produktlinie'],
    };
    for (const [tab, [language, name, serial, line]] of Object.entries(texts)) {
      await dialog.getByText(new RegExp(`^${tab}( ⚠)?$`)).click();
      await dialog.getByLabel(`Name (${language})`).fill(name);
      await fields.nth(0).getByLabel(`Label (${language})`).fill(serial);
      await fields.nth(1).getByLabel(`Label (${language})`).fill(line);
      if (tab === 'EN') await dialog.getByLabel(`Description (${language}, optional)`).fill('A product that broke within its warranty.');
    }
    await expect.poll(() => dialog.getByText(/Still missing/).count()).toBe(0);
    expect(await pageProblems(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Request type Warranty claim saved').waitFor();
    await page.getByRole('cell', { name: 'Serial number, Product line' }).waitFor();
    const saved = await ok(b.call('GET', '/v1/service/types'));
    const warranty = (saved.data as Array<{ code: string; names: Record<string, string>; fields: Array<{ key: string; kind: string; required: boolean; labels: Record<string, string>; options?: string[] }> }>).find((x) => x.code === 'warranty')!;
    expect(warranty.names).toEqual({ en: 'Warranty claim', sv: 'Garantiärende', nb: 'Garantisak', pl: 'Reklamacja gwarancyjna', de: 'Garantiefall' });
    expect(warranty.fields.map((f) => [f.key, f.kind, f.required, f.labels.de, f.options])).toEqual([['serial', 'text', true, 'Seriennummer', undefined], ['line', 'choice', false, 'Produktlinie', ['Pro', 'Home']]]);

    // ---- a service level for it: first answer within 2 working hours, resolved within 16
    await page.getByRole('tab', { name: 'Service levels' }).click();
    await page.getByRole('heading', { name: 'Service levels' }).waitFor();
    await page.getByRole('button', { name: 'Add a row' }).click();
    await pick(page, page, 'Request type of row 1', 'Warranty claim');
    await page.getByLabel('First answer of row 1, working hours').fill('2');
    await page.getByLabel('Resolution of row 1, working hours').fill('16');
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Service levels saved; requests raised from now on get them').waitFor();
    await expect.poll(async () => (await ok(b.call('GET', '/v1/service/levels'))).data).toEqual([{ typeCode: 'warranty', tier: null, firstResponseMinutes: 120, resolutionMinutes: 960 }]);

    // ---- Christmas Eve off in the working calendar
    await page.getByRole('tab', { name: 'Working hours' }).click();
    await page.getByRole('heading', { name: 'Working hours and holidays' }).waitFor();
    await page.getByText('(Europe/Stockholm)', { exact: false }).waitFor();
    await page.getByLabel('Date').fill('2026-12-24');
    await page.getByRole('button', { name: 'Add holiday' }).click();
    await page.getByTestId('holiday').getByText('2026-12-24').waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Working hours saved').waitFor();
    await expect.poll(async () => (await ok(b.call('GET', '/v1/service/settings'))).holidays).toEqual(['2026-12-24']);

    // ---- a quick reply, then a change to it
    await page.getByRole('tab', { name: 'Quick replies' }).click();
    await page.getByRole('button', { name: 'New quick reply' }).click();
    await page.getByRole('dialog').getByLabel('Title').fill('Serial number');
    await page.getByRole('dialog').getByLabel('Text').fill('Please send us the serial number from the type plate.');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Edit Serial number' }).click();
    await page.getByRole('dialog').getByLabel('Text').fill('Please send us a photo of the type plate with the serial number.');
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('reply-row').getByText('Please send us a photo of the type plate').waitFor();

    // ---- a help article, previewed before it is saved
    await page.getByRole('tab', { name: 'Help centre' }).click();
    await page.getByRole('button', { name: 'New article' }).click();
    const article = page.getByRole('dialog');
    await article.getByLabel('Category').fill('Warranty');
    await article.getByLabel('Title').fill('Where is the serial number?');
    await article.getByRole('textbox', { name: /^Text/ }).fill('The serial number is on the type plate.\n\nOn roof windows it is inside the frame.');
    await article.getByText('Preview', { exact: true }).click();
    await article.getByTestId('article-preview').getByRole('heading', { name: 'Where is the serial number?' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await article.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('article-row').getByText('Where is the serial number?').waitFor();
  });

  it('a member on a phone finds the new type, its fields come with the form, and raises a request with them', async () => {
    const { context, page } = await b.newPage(phone);
    await b.signInMember(context, ids.anna!, 'anna@example.com');
    await page.goto('/requests/new');
    await page.getByLabel('Subject').waitFor();
    // The first type (by position) is chosen with the form: its fields do not pop in afterwards.
    expect(await pageProblems(page)).toEqual([]);
    await pick(page, page, 'What is it about?', 'Warranty claim');
    await page.getByText('A product that broke within its warranty.').waitFor();
    await page.getByLabel('Subject').fill('Roof window serial number');
    // The article written in the console is suggested while typing.
    await page.getByRole('link', { name: 'Where is the serial number?' }).waitFor();
    await page.getByLabel('Describe your request').fill('The window leaks at the frame.');
    await page.getByRole('textbox', { name: 'Serial number' }).fill('RW-2291-A');
    await pick(page, page, 'Product line', 'Pro');
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('heading', { name: '#1 Roof window serial number' }).waitFor();
    await page.getByText('RW-2291-A').waitFor();
    expect(await pageProblems(page)).toEqual([]);
    const r = await sql<{ fields: Record<string, string>; first_response_minutes: number }>`SELECT fields, first_response_minutes FROM service_requests WHERE program_id = ${b.programId}`.execute(b.database.db);
    expect(r.rows).toEqual([{ fields: { serial: 'RW-2291-A', line: 'Pro' }, first_response_minutes: 120 }]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });
});
