/**
 * The service desk in the browser. On a phone (390×844) a member raises a complaint with a photo, sees it
 * acknowledged, reads the answer, confirms it solved and rates it; in the console a staff member finds a
 * request in the queue, answers it and resolves it. Every page is checked with axe and for layout shift.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tinyPng } from '../../src/evidence/samples.js';
import { desktop, describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('the service desk in the browser', () => {
  let b: BrowserApp;
  const ids: Record<string, string> = {};
  const ok = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json() as Record<string, unknown>;
  };

  beforeAll(async () => {
    b = await startBrowserApp();
    ids.staff = uuidv7();
    await sql`INSERT INTO staff_users (program_id, id, email, name, role) VALUES (${b.programId}, ${ids.staff}, 'sara@lojal.example', 'Sara Support', 'support')`.execute(b.database.db);
    ids.acme = (await ok(b.call('PUT', '/v1/accounts/by-external-id/ACME', { name: 'Acme Bygg AB', keyAccountManager: 'sara@lojal.example' }))).id as string;
    ids.anna = (await ok(b.call('PUT', '/v1/members/by-external-id/ANNA', { accountExternalId: 'ACME', name: 'Anna Lind', language: 'en', email: 'anna@example.com' }))).id as string;
    const names = (en: string) => ({ en, sv: `${en} (sv)`, nb: `${en} (nb)`, pl: `${en} (pl)`, de: `${en} (de)` });
    await ok(b.call('POST', '/v1/service/types', { code: 'complaint', kind: 'complaint', position: 0, names: names('Complaint') }));
    await ok(b.call('POST', '/v1/service/types', { code: 'question', kind: 'question', position: 1, names: names('Question') }));
    await ok(b.call('POST', '/v1/service/articles', { language: 'en', category: 'Deliveries', title: 'Damaged deliveries', body: 'Photograph the damage and raise a complaint within seven days.' }));
    await ok(b.call('POST', '/v1/service/quick-replies', { language: 'en', title: 'Replacement', body: 'We are sending replacements with the next delivery.' }));
  });
  afterAll(async () => b?.close());

  it('a member raises a complaint with a photo, sees the acknowledgement and the answer, and rates it', async () => {
    const { context, page } = await b.newPage(phone);
    await b.signInMember(context, ids.anna!, 'anna@example.com');
    await page.goto('/requests');
    await page.getByRole('heading', { name: 'My requests' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'New request' }).click();
    await page.getByLabel('Subject').fill('Damaged delivery of roof sheets');
    // the help centre suggests while typing
    await page.getByRole('link', { name: 'Damaged deliveries' }).waitFor();
    await page.getByLabel('Describe your request').fill('Three sheets were dented when the truck arrived.');
    await page.locator('[data-testid="attach"]').setInputFiles({ name: 'dent.png', mimeType: 'image/png', buffer: tinyPng() });
    await page.getByText('dent.png').waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('heading', { name: '#1 Damaged delivery of roof sheets' }).waitFor();
    await page.getByText('Request #1 sent. We have mailed you a confirmation.').waitFor();
    await page.getByRole('img', { name: 'Photo 1' }).waitFor();
    const ack = await sql<{ subject: string; body: string }>`SELECT subject, body FROM mail_outbox WHERE program_id = ${b.programId} AND template = 'service_received'`.execute(b.database.db);
    expect(ack.rows[0]!.subject).toBe('We received your request #1: Damaged delivery of roof sheets');
    expect(ack.rows[0]!.body).toContain('within 1 working day (by ');

    // staff answer (and leave a note the member never sees), then resolve
    const id = (await ok(b.call('GET', '/v1/service/requests'))).data as Array<{ id: string }>;
    const requestId = id[0]!.id;
    await ok(b.call('POST', `/v1/service/requests/${requestId}/comments`, { body: 'Check the driver log first.', internal: true }));
    await ok(b.call('POST', `/v1/service/requests/${requestId}/comments`, { body: 'Sorry! New sheets come on Thursday.' }));
    await ok(b.call('POST', `/v1/service/requests/${requestId}/state`, { to: 'resolved' }));
    await page.reload();
    await page.getByTestId('staff-answer').getByText('Sorry! New sheets come on Thursday.').waitFor();
    await expect.poll(() => page.getByText('Check the driver log first.').count()).toBe(0);
    await page.getByRole('button', { name: 'Yes, it is solved' }).click();
    await page.getByText('How satisfied are you with how we handled your request?').waitFor();
    await page.getByRole('radio', { name: '5 stars' }).click();
    await page.getByLabel('Anything you want to add? (optional)').fill('Quick and friendly.');
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('You rated this 5 of 5. Thank you!').waitFor();
    const csat = await sql<{ score: number }>`SELECT score FROM service_csat WHERE program_id = ${b.programId}`.execute(b.database.db);
    expect(csat.rows).toEqual([{ score: 5 }]);
    // no sideways scrolling on the phone
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('staff find a request in the queue, answer it and resolve it', async () => {
    await ok(b.call('POST', '/v1/service/requests', { memberId: ids.anna, type: 'question', subject: 'Opening hours at Christmas', body: 'Are you open on 27 December?' }));
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, ids.staff!);
    await page.goto('/admin/service');
    await page.getByRole('link', { name: 'Opening hours at Christmas' }).waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'Opening hours at Christmas' }).click();
    await page.getByRole('heading', { name: '#2 Opening hours at Christmas' }).waitFor();
    await page.getByLabel('Answer to the customer').fill('Yes, 7 to 15.');
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send answer' }).click();
    await page.getByText('Yes, 7 to 15.').waitFor();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Moved to Resolved').waitFor();
    const r = await sql<{ state: string; first_response_at: Date | null }>`SELECT state, first_response_at FROM service_requests WHERE program_id = ${b.programId} AND number = 2`.execute(b.database.db);
    expect(r.rows[0]!.state).toBe('resolved');
    expect(r.rows[0]!.first_response_at).not.toBeNull();
  });

  it('staff answer a special order with a quote in the console; the member accepts it on the phone and it becomes an order', async () => {
    await ok(b.call('POST', '/v1/service/types', { code: 'special', kind: 'special_order', position: 2, names: { en: 'Special order', sv: 'Specialbeställning', nb: 'Spesialbestilling', pl: 'Zamówienie specjalne', de: 'Sonderbestellung' } }));
    await ok(b.call('POST', `/v1/members/${ids.anna}/adjustments`, { points: 2000, reasonCode: 'opening', idempotencyKey: 'browser-open-anna' }));
    await ok(b.call('POST', '/v1/service/requests', { memberId: ids.anna, type: 'special', subject: 'Brass facade lamps', body: 'Six lamps for the entrance.', fields: { item: 'Brass lamp', quantity: 6 } }));
    const staffPage = await b.newPage(desktop);
    await b.signInStaff(staffPage.context, ids.staff!);
    await staffPage.page.goto('/admin/service');
    await staffPage.page.getByRole('link', { name: 'Brass facade lamps' }).click();
    await staffPage.page.getByRole('heading', { name: 'Quotes' }).waitFor();
    await staffPage.page.getByLabel('Price in points').fill('900');
    await staffPage.page.getByLabel('What is offered').fill('Six Nordljus lamps in brushed brass.');
    // A last day far ahead of any clock the test runs at.
    await staffPage.page.getByLabel('Valid until (last day)').fill('2099-12-31');
    expect(await pageProblems(staffPage.page)).toEqual([]);
    await staffPage.page.getByRole('button', { name: 'Send quote' }).click();
    await staffPage.page.getByTestId('quote-row').getByText('900 points').waitFor();

    const { context, page } = await b.newPage(phone);
    await b.signInMember(context, ids.anna!, 'anna@example.com');
    await page.goto('/requests');
    await page.getByRole('link', { name: /Brass facade lamps/ }).click();
    await page.getByTestId('quote').getByText('900 points').waitFor();
    expect(await pageProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Accept and order' }).click();
    await page.getByTestId('quote').getByText('accepted').waitFor();
    const orders = await sql<{ points: string; state: string }>`SELECT points, state FROM reward_orders WHERE program_id = ${b.programId}`.execute(b.database.db);
    expect(orders.rows.map((o) => [Number(o.points), o.state])).toEqual([[900, 'placed']]);
    expect(await pageProblems(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });
});
