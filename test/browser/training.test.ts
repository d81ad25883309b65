/**
 * Trainings in the portal on a phone (390×844): the course list with its points, the course player finishing a
 * module and then the course (points paid once, the certificate offered), and members-only content with its
 * read receipt — every page without horizontal scrolling and without serious accessibility problems (axe).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('trainings in the portal on a phone', () => {
  let b: BrowserApp;
  let memberId = '';
  let courseId = '';
  let articleId = '';

  const ok = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json() as Record<string, unknown>;
  };

  beforeAll(async () => {
    b = await startBrowserApp();
    await ok(b.call('PUT', '/v1/accounts/by-external-id/VVS', { name: 'VVS Norr AB', segment: 'plumbing' }));
    memberId = (await ok(b.call('PUT', '/v1/members/by-external-id/INST', { accountExternalId: 'VVS', name: 'Ida Lind', role: 'installer', language: 'en', email: 'inst@example.com' }))).id as string;
    await ok(
      b.call('POST', '/v1/rules', {
        name: 'Course completed',
        effectiveFrom: '2020-01-01T00:00:00Z',
        definition: { conditions: { eventTypes: ['training.completed'] }, effect: { type: 'fixed', points: 300 }, recipient: { type: 'member' } },
      }),
    );
    courseId = (await ok(
      b.call('POST', '/v1/courses', {
        code: 'pump-basics',
        title: { en: 'Heat pump basics', sv: 'Värmepumpar grund' },
        summary: { en: 'Two short modules.' },
        certificate: { validMonths: 24 },
        modules: [
          { kind: 'text', title: { en: 'Safety first' }, body: { en: 'Switch off the mains.\n\nWear gloves when handling refrigerant.' } },
          { kind: 'video', title: { en: 'Mounting the unit' }, url: 'https://video.example.com/mounting', body: { en: 'Eight minutes.' } },
        ],
      }),
    )).id as string;
    await ok(b.call('POST', `/v1/courses/${courseId}/publish`));
    articleId = (await ok(b.call('POST', '/v1/content', { kind: 'article', title: { en: 'Spring price list' }, body: { en: 'Prices rise 3 % on 1 March.' }, audience: { segments: ['plumbing'] } }))).id as string;
    await ok(b.call('POST', `/v1/content/${articleId}/publish`));
  });
  afterAll(async () => b?.close());

  async function memberPage(): Promise<Page> {
    const { context, page } = await b.newPage(phone, 'en-GB');
    await b.signInMember(context, memberId, 'inst@example.com');
    return page;
  }

  async function check(page: Page, path: string, problems: string[]) {
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    if (width > phone.width) problems.push(`${path}: ${width} px wide`);
    for (const p of await pageProblems(page)) problems.push(`${path}: ${p}`);
  }

  it('a member finishes a module and then the course on the phone; the course pays once and offers the certificate', async () => {
    const page = await memberPage();
    const problems: string[] = [];
    await page.goto('/');
    await page.getByTestId('learn-card').getByRole('link', { name: 'Courses' }).click();
    await page.getByRole('heading', { name: 'Courses', level: 1 }).waitFor();
    const card = page.getByTestId('course').filter({ hasText: 'Heat pump basics' });
    await expect.poll(() => card.textContent()).toContain('+300 points');
    await check(page, '/courses', problems);

    await card.getByRole('link', { name: 'Heat pump basics' }).click();
    await page.getByRole('heading', { name: 'Safety first' }).waitFor();
    await page.getByText('Wear gloves when handling refrigerant.').waitFor();
    await check(page, '/courses/:id', problems);
    await page.getByRole('button', { name: 'Done – next module' }).click();
    await page.getByRole('heading', { name: 'Mounting the unit' }).waitFor();
    await expect.poll(() => page.getByText('1 of 2 modules done').first().isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Done – next module' }).click();
    await page.getByTestId('course-complete').waitFor();
    await expect.poll(() => page.getByTestId('course-complete').textContent()).toContain('300 points');
    await page.getByRole('link', { name: 'Download certificate (PDF)' }).waitFor();
    await check(page, '/courses/:id (complete)', problems);

    const balance = await ok(b.call('GET', `/v1/members/${memberId}/balance`));
    expect((balance.available as number) + (balance.pending as number)).toBe(300);
    const certificates = await ok(b.call('GET', `/v1/certificates?memberId=${memberId}`));
    expect((certificates.data as unknown[]).length).toBe(1);

    await page.goto('/content');
    await page.getByRole('heading', { name: 'Members only', level: 1 }).waitFor();
    await check(page, '/content', problems);
    await page.getByRole('link', { name: 'Spring price list' }).click();
    await page.getByText('Prices rise 3 % on 1 March.').waitFor();
    await check(page, '/content/:id', problems);
    await expect.poll(async () => ((await ok(b.call('GET', `/v1/content/${articleId}`))).figures as { readers: number }).readers).toBe(1);
    expect(problems).toEqual([]);
  });
});
