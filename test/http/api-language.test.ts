import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/** API answers are for whoever builds the integration: English unless the request asks otherwise. */
describe('the language of API answers', () => {
  let t: TestApp;
  let key: string;
  const missing = '/v1/accounts/0190c0de-0000-7000-8000-000000000000';
  beforeAll(async () => {
    t = await startTestApp();
    ({ key } = await t.newProgram({ name: 'Svenskt program', defaultLanguage: 'sv' }));
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}`, ...headers } });

  it('answers in English when the request names no language, even in a Swedish program', async () => {
    const res = await get(missing);
    expect(res.statusCode).toBe(404);
    expect(res.json().detail ?? res.json().title).toMatch(/^No /);
  });

  it('answers in the language Accept-Language asks for', async () => {
    const res = await get(missing, { 'accept-language': 'sv-SE,sv;q=0.9,en;q=0.5' });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail ?? res.json().title).toMatch(/^Det finns ingen/);
  });

  it('falls back to English for a language we do not ship', async () => {
    const res = await get(missing, { 'accept-language': 'fr-FR' });
    expect(res.json().detail ?? res.json().title).toMatch(/^No /);
  });
});
