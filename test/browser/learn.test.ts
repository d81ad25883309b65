/**
 * "Do and learn" on a phone (390×844): a member takes a survey one question per screen (the answers kept on the
 * phone survive a reload mid-survey, and are saved on the server so another device resumes there; an answer
 * given offline is queued and saved when the connection is back), then passes a quiz; and the console's form
 * builder authors a survey and a quiz with a preview in each language. No serious accessibility problems.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { desktop, describeInBrowser, pageProblems, phone, startBrowserApp, type BrowserApp } from './harness.js';

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

  it('saves survey progress on the server: offline answers are queued, and another device resumes at the same question', async () => {
    const second = (await ok(
      b.call('POST', '/v1/surveys', {
        title: { en: 'Delivery check' },
        questions: [
          { id: 'speed', kind: 'csat', text: { en: 'How happy are you with delivery times?' } },
          { id: 'packing', kind: 'csat', text: { en: 'How happy are you with the packing?' } },
          { id: 'more', kind: 'text', required: false, text: { en: 'Anything to add?' } },
        ],
      }),
    )).id as string;
    await ok(b.call('POST', `/v1/surveys/${second}/publish`));
    const phoneA = await b.newPage(phone);
    await b.signInMember(phoneA.context, memberId, 'buyer@example.com');
    await phoneA.page.goto(`/learn?survey=${second}`);
    await phoneA.page.getByRole('heading', { name: 'How happy are you with delivery times?' }).waitFor();
    await phoneA.page.getByRole('radio', { name: '4' }).click();
    await phoneA.page.getByTestId('draft-sync').filter({ hasText: 'saved' }).waitFor();
    await phoneA.page.getByRole('button', { name: 'Next' }).click();
    await phoneA.page.getByRole('heading', { name: 'How happy are you with the packing?' }).waitFor();
    // The connection drops: the next answer is kept on the phone and waits.
    await phoneA.context.setOffline(true);
    await phoneA.page.getByRole('radio', { name: '2' }).click();
    await phoneA.page.getByTestId('draft-sync').filter({ hasText: 'No connection' }).waitFor();
    const problems = (await pageProblems(phoneA.page)).map((p) => `offline: ${p}`);
    await phoneA.context.setOffline(false);
    await phoneA.page.getByTestId('draft-sync').filter({ hasText: 'saved' }).waitFor();

    // Another device of the same member opens the survey at the same question, with the answers so far.
    const phoneB = await b.newPage(phone);
    await b.signInMember(phoneB.context, memberId, 'buyer@example.com');
    await phoneB.page.goto(`/learn?survey=${second}`);
    await phoneB.page.getByRole('heading', { name: 'How happy are you with the packing?' }).waitFor();
    await expect.poll(() => phoneB.page.getByRole('radio', { name: '2' }).getAttribute('aria-checked')).toBe('true');
    problems.push(...(await pageProblems(phoneB.page)).map((p) => `resumed: ${p}`));
    await phoneB.page.getByRole('button', { name: 'Back' }).click();
    await expect.poll(() => phoneB.page.getByRole('radio', { name: '4' }).getAttribute('aria-checked')).toBe('true');
    expect(problems).toEqual([]);
  });

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
    await expect.poll(() => page.getByRole('radio', { name: '9' }).getAttribute('aria-checked')).toBe('true');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: 'Online' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('textbox', { name: 'Anything else?' }).fill('Fast deliveries');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('You earned 50 points').waitFor();
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await page.getByText('Answered — thank you').waitFor();

    await page.getByRole('article', { name: 'Installer basics' }).getByRole('button', { name: 'Start' }).click();
    // The list stays on screen (its cards are level-2 headings too) until the quiz has loaded: wait for a question.
    const question = page.getByRole('heading', { level: 2, name: /^(Torque is given in|When cutting tiles, wear)$/ });
    await question.waitFor();
    problems.push(...(await pageProblems(page)).map((p) => `quiz: ${p}`));
    // The questions come in random order; answer each as it comes, and wait for the next before reading it.
    let answered = '';
    for (let i = 0; i < 2; i++) {
      const text = answered === '' ? await question.innerText() : await page.getByRole('heading', { level: 2, name: answered.startsWith('Torque') ? 'When cutting tiles, wear' : 'Torque is given in' }).innerText();
      if (text.startsWith('Torque')) await page.getByRole('radio', { name: 'Newton metres' }).click();
      else {
        await page.getByRole('checkbox', { name: 'Safety goggles' }).check();
        await page.getByRole('checkbox', { name: 'Gloves' }).check();
      }
      answered = text;
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

  it('builds a survey and a quiz in the console: questions of each kind, texts per language with fallbacks marked, a preview in each language', async () => {
    const ownerId = (await b.call('POST', '/v1/staff-users', { email: 'olga@example.com', name: 'Olga Owner', role: 'owner' })).json().id as string;
    const { context, page } = await b.newPage(desktop);
    await b.signInStaff(context, ownerId);
    await page.goto('/admin/listen');
    await page.getByRole('button', { name: 'New survey' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('form-builder').waitFor();
    await dialog.getByRole('textbox', { name: 'Title (en)' }).fill('Partner pulse');
    const questions = dialog.getByTestId('question-editor');
    await expect.poll(() => questions.count()).toBe(2);
    await questions.nth(0).getByRole('textbox', { name: 'Question (en)' }).fill('Would you recommend us?');
    await questions.nth(1).getByRole('textbox', { name: 'Question (en)' }).fill('Why?');
    // A single choice question, added, filled in English and Swedish, then moved to the top.
    await dialog.getByRole('button', { name: 'Add question' }).click();
    await questions.nth(2).getByRole('textbox', { name: 'Question (en)' }).waitFor();
    await questions.nth(2).getByRole('textbox', { name: 'Question (en)' }).fill('Where do you buy?');
    await questions.nth(2).getByRole('textbox', { name: 'Answer key' }).fill('channel');
    // The kind chosen for adding was NPS; change this one to a single choice.
    await questions.nth(2).getByLabel('Question kind', { exact: true }).click();
    await page.getByRole('option', { name: 'Single choice' }).click();
    await questions.nth(2).getByRole('textbox', { name: 'Option 1 (en)' }).fill('In the shop');
    await questions.nth(2).getByRole('textbox', { name: 'Option 2 (en)' }).fill('Online');
    await questions.nth(2).getByRole('button', { name: 'Move up' }).click();
    await questions.nth(1).getByRole('button', { name: 'Move up' }).click();
    await expect.poll(() => questions.nth(0).getByRole('textbox', { name: 'Question (en)' }).inputValue()).toBe('Where do you buy?');
    // Writing Swedish: the first question gets its own text; the others fall back to English, marked.
    await dialog.getByTestId('form-builder').getByText(/^SV/).first().click();
    await questions.nth(0).getByRole('textbox', { name: 'Question (sv)' }).fill('Var handlar du?');
    await expect.poll(() => questions.nth(1).getByText('falls back to the default language').count()).toBeGreaterThan(0);
    // The preview in Swedish shows the Swedish text, and the English ones marked as fallbacks.
    const preview = dialog.getByTestId('form-preview');
    await preview.getByText('SV', { exact: true }).click();
    await preview.getByText('1. Var handlar du?').waitFor();
    await expect.poll(() => preview.getByText('falls back to the default language').count()).toBeGreaterThan(1);
    const problems = (await pageProblems(page)).map((p) => `survey builder: ${p}`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const surveys = (await ok(b.call('GET', '/v1/surveys'))).data as Array<{ title: { en?: string }; questions: Array<{ id: string; kind: string; text: Record<string, string> }> }>;
    const built = surveys.find((x) => x.title.en === 'Partner pulse')!;
    expect(built.questions.map((q) => [q.id, q.kind])).toEqual([['channel', 'single'], ['recommend', 'nps'], ['why', 'text']]);
    expect(built.questions[0]!.text).toEqual({ en: 'Where do you buy?', sv: 'Var handlar du?' });

    // A quiz: mark the correct option.
    await page.getByRole('tab', { name: 'Quizzes' }).click();
    await page.getByRole('button', { name: 'New quiz' }).click();
    await dialog.getByTestId('form-builder').waitFor();
    await dialog.getByRole('textbox', { name: 'Title (en)' }).fill('Torque quiz');
    const q = dialog.getByTestId('question-editor').nth(0);
    await q.getByRole('textbox', { name: 'Question (en)' }).fill('Torque is given in');
    await q.getByRole('textbox', { name: 'Option 1 (en)' }).fill('Bar');
    await q.getByRole('textbox', { name: 'Option 2 (en)' }).fill('Newton metres');
    await q.getByText('Mark at least one correct option.').waitFor();
    await q.getByRole('radio', { name: 'Option 2 is correct' }).check();
    problems.push(...(await pageProblems(page)).map((p) => `quiz builder: ${p}`));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const quizzes = (await ok(b.call('GET', '/v1/quizzes'))).data as Array<{ title: { en?: string }; questions: Array<{ correct?: string[] }> }>;
    expect(quizzes.find((x) => x.title.en === 'Torque quiz')!.questions[0]!.correct).toEqual(['b']);
    expect(problems).toEqual([]);
  });
});
