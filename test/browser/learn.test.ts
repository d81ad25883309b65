/**
 * "Do and learn" on a phone (390×844): a member takes a survey one question per screen (the answers kept on the
 * phone survive a reload mid-survey), then passes a quiz; the pages have no serious accessibility problems.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

describeInBrowser('do and learn on a phone', () => {
  let b: BrowserApp;
  let memberId: string;
  let surveyId: string;

  const ok = async (res: Promise<{ statusCode: number; body: string; json(): unknown }>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json() as Record<string, unknown>;
  };

  beforeAll(async () => {
    b = await startBrowserApp();
    await ok(b.call('PUT', '/v1/accounts/by-external-id/BYGG', { name: 'Bygg & Co AB' }));
    memberId = (await ok(b.call('PUT', '/v1/members/by-external-id/BUYER', { accountExternalId: 'BYGG', name: 'Per Olsson', role: 'buyer', language: 'en', email: 'buyer@example.com' }))).id as string;
    surveyId = (await ok(
      b.call('POST', '/v1/surveys', {
        title: { en: 'How are we doing?' },
        anonymous: true,
        points: 50,
        questions: [
          { id: 'recommend', kind: 'nps', text: { en: 'How likely are you to recommend us?' } },
          { id: 'channel', kind: 'single', text: { en: 'Where do you buy?' }, options: [{ id: 'shop', text: { en: 'In the shop' } }, { id: 'web', text: { en: 'Online' } }] },
          { id: 'why', kind: 'text', required: false, text: { en: 'Anything else?' } },
        ],
      }),
    )).id as string;
    await ok(b.call('POST', `/v1/surveys/${surveyId}/publish`));
    const quiz = (await ok(
      b.call('POST', '/v1/quizzes', {
        title: { en: 'Installer basics' },
        passPercent: 100,
        points: 100,
        questions: [
          { id: 'torque', kind: 'single', text: { en: 'Torque is given in' }, options: [{ id: 'nm', text: { en: 'Newton metres' } }, { id: 'bar', text: { en: 'Bar' } }], correct: ['nm'] },
          { id: 'ppe', kind: 'multiple', text: { en: 'When cutting tiles, wear' }, options: [{ id: 'goggles', text: { en: 'Safety goggles' } }, { id: 'gloves', text: { en: 'Gloves' } }, { id: 'tie', text: { en: 'A tie' } }], correct: ['goggles', 'gloves'] },
        ],
      }),
    )).id as string;
    await ok(b.call('POST', `/v1/quizzes/${quiz}/publish`));
  });
  afterAll(async () => b?.close());

  it('takes a survey one-handed, resumes after a reload, then passes a quiz', async () => {
    const { context, page } = await b.newPage(phone);
    await b.signInMember(context, memberId, 'buyer@example.com');
    await page.goto('/learn');
    await page.getByRole('heading', { name: 'How are we doing?' }).waitFor();
    const problems = (await pageProblems(page)).map((p) => `list: ${p}`);
    await page.getByRole('article', { name: 'How are we doing?' }).getByRole('button', { name: 'Start' }).click();

    await page.getByRole('heading', { name: 'How likely are you to recommend us?' }).waitFor();
    problems.push(...(await pageProblems(page)).map((p) => `survey: ${p}`));
    await page.getByRole('radio', { name: '9' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Where do you buy?' }).waitFor();
    // The connection drops and the page is reloaded: the answers given so far are still there.
    await page.reload();
    await page.getByRole('heading', { name: 'Where do you buy?' }).waitFor();
    await page.getByRole('button', { name: 'Back' }).click();
    expect(await page.getByRole('radio', { name: '9' }).getAttribute('aria-checked')).toBe('true');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: 'Online' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('textbox', { name: 'Anything else?' }).fill('Fast deliveries');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('You earned 50 points').waitFor();
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await page.getByText('Answered — thank you').waitFor();

    await page.getByRole('article', { name: 'Installer basics' }).getByRole('button', { name: 'Start' }).click();
    const first = page.getByRole('heading', { level: 2 });
    await first.waitFor();
    problems.push(...(await pageProblems(page)).map((p) => `quiz: ${p}`));
    // The questions come in random order; answer each as it comes.
    for (let i = 0; i < 2; i++) {
      const text = await page.getByRole('heading', { level: 2 }).innerText();
      if (text.startsWith('Torque')) await page.getByRole('radio', { name: 'Newton metres' }).click();
      else {
        await page.getByRole('checkbox', { name: 'Safety goggles' }).check();
        await page.getByRole('checkbox', { name: 'Gloves' }).check();
      }
      await page.getByRole('button', { name: i === 0 ? 'Next' : 'Send' }).click();
    }
    await page.getByText('100 points earned').waitFor();
    problems.push(...(await pageProblems(page)).map((p) => `result: ${p}`));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(phone.width);
    expect(problems).toEqual([]);
    const balance = (await ok(b.call('GET', `/v1/members/${memberId}/balance`))) as { available: number; pending: number };
    expect(balance.available + balance.pending).toBe(150);
  });
});
