import type { TestApp } from '../support/app.js';

/** A staff user with a key of the given scopes, through the API. */
export async function staffWithKey(t: TestApp, email: string, role: string, scopes: string[], programKey = t.key) {
  const user = await t.call('POST', '/v1/staff-users', { email, name: email.split('@')[0], role }, programKey);
  if (user.statusCode !== 201) throw new Error(user.body);
  const key = await t.call('POST', '/v1/api-keys', { name: `${email} key`, scopes, staffUserId: user.json().id }, programKey);
  if (key.statusCode !== 201) throw new Error(key.body);
  return { id: user.json().id as string, key: key.json().key as string };
}

export const reasons = (codes: string[]) =>
  codes.map((code) => ({ code, labels: { en: code, sv: `${code} (sv)`, nb: `${code} (nb)`, pl: `${code} (pl)`, de: `${code} (de)` } }));
