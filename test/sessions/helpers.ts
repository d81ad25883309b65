import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../support/app.js';

export type Mail = { to: string; subject: string; body: string; template: string; language: string };

/** A browser of sorts: JSON requests with a session cookie and, on writes, its anti-forgery token. */
export function browser(t: TestApp, kind: 'staff' | 'member') {
  const name = kind === 'staff' ? 'lojal_staff' : 'lojal_member';
  const state = { cookie: undefined as string | undefined, csrf: undefined as string | undefined };
  const send = async (method: string, url: string, body?: unknown, opts: { csrf?: boolean } = {}) => {
    const res = (await t.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(state.cookie ? { cookie: `${name}=${state.cookie}` } : {}),
        ...(opts.csrf !== false && state.csrf && method !== 'GET' ? { 'x-csrf-token': state.csrf } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    })) as LightMyRequestResponse;
    const set = res.cookies.find((c) => c.name === name);
    if (set) state.cookie = set.value || undefined;
    if (res.statusCode < 300 && res.headers['content-type']?.toString().includes('json')) {
      const token = res.json().csrfToken;
      if (typeof token === 'string') state.csrf = token;
    }
    return res;
  };
  return { state, send };
}

export async function outbox(t: TestApp, programId: string, to: string): Promise<Mail[]> {
  const rows = await t.database.db
    .selectFrom('mail_outbox')
    .select(['to_address as to', 'subject', 'body', 'template', 'language'])
    .where('program_id', '=', programId)
    .where('to_address', '=', to)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows;
}

export const resetTokenIn = (mail: Mail) => /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.body)![1]!;
export const linkTokenIn = (mail: Mail) => /sign-in\?token=([A-Za-z0-9_-]+)/.exec(mail.body)![1]!;
export const codeIn = (mail: Mail) => /\b(\d{6})\b/.exec(mail.subject)![1]!;
