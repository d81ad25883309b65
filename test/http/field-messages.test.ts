/**
 * A field that fails a check is answered in the reader's language (zod's catalogues for sv, nb, pl, de), in a
 * form's answer and in a batch's per-item errors; a message our schemas wrote themselves stays as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/errors/check-messages.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const put = (language: string, body: unknown) =>
  t.app.inject({ method: 'PUT', url: '/v1/accounts/by-external-id/MSG-1', headers: { authorization: `Bearer ${t.key}`, 'accept-language': language, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('field messages', () => {
  it('say what is wrong with a field in the reader’s language', async () => {
    const messages: Record<string, string> = {};
    for (const language of ['en', 'sv', 'nb', 'pl', 'de']) {
      const res = await put(language, { name: '' });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.code).toBe('validation_failed');
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].path).toBe('body.name');
      expect(Object.keys(body.errors[0]).sort()).toEqual(['code', 'message', 'path']);
      expect(body.errors[0].code).toBe('too_small');
      messages[language] = body.errors[0].message;
    }
    expect(messages.en).toMatch(/Too small/);
    expect(new Set(Object.values(messages)).size).toBe(5);
    expect(messages.pl).toMatch(/Za mał/);
    expect(messages.de).toMatch(/Zu klein/);
  });

  it('say our own checks (country, identifiers, tags) in the reader’s language from our catalogue', async () => {
    const pl = (await put('pl', { name: 'Bygg AB', country: 'Sweden', tags: ['a|b'] })).json();
    expect(pl.errors).toEqual([
      { path: 'body.country', message: 'musi być kodem kraju ISO 3166-1 alpha-2, np. PL', code: 'invalid_value' },
      { path: 'body.tags.0', message: 'nie może zawierać | ; , ani znaków sterujących', code: 'invalid_value' },
    ]);
    const en = (await put('en', { name: 'Bygg AB', country: 'Sweden' })).json();
    expect(en.errors).toEqual([{ path: 'body.country', message: 'must be an ISO 3166-1 alpha-2 country code such as SE', code: 'invalid_value' }]);
  });

  it('keep a message a schema wrote itself, and English where no catalogue has the check', () => {
    const failure = { code: 'too_small', origin: 'string', minimum: 8, inclusive: true };
    expect(checkMessage(failure, 'use a unique key of at least 8 characters, e.g. a UUID', 'pl')).toBe('use a unique key of at least 8 characters, e.g. a UUID');
    expect(checkMessage(failure, 'Too small: expected string to have >=8 characters', 'pl')).not.toMatch(/Too small/);
    expect(checkMessage(undefined, 'anything', 'de')).toBe('anything');
    expect(checkMessage({ code: 'no_such_check' }, 'Something odd', 'sv')).toBe('Something odd');
  });
});
