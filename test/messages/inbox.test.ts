/**
 * The in-app inbox: staff post a message, the member's unread count changes live on an open Server-Sent Events
 * stream, reading it brings the count down, another member cannot touch it, marketing needs consent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { newWorld, type World } from '../support/ledger.js';

let t: TestApp;
let w: World;
let base: string;

async function signIn(memberId: string) {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email: `${memberId}@example.com` }, t.clock());
  await chooseSessionMember(t.database.db, session.id, w.programId, memberId);
  return { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
}

beforeAll(async () => {
  t = await startTestApp();
  w = await newWorld(t, {}, { accounts: 1, members: [0, 0] });
  for (const m of w.members) await w.call('PATCH', `/v1/members/${m.id}`, { email: `${m.id}@example.com` });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.close());

/** Opens the stream and hands back each `unread` event's count as it arrives. */
function openStream(cookie: string): { next(): Promise<number>; close(): void } {
  const queue: number[] = [];
  const waiting: Array<(n: number) => void> = [];
  let buffer = '';
  const req = http.get(`${base}/portal/v1/inbox/stream`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
    expect(res.headers['content-type']).toContain('text/event-stream');
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = /^event: unread\ndata: (.*)$/m.exec(frame);
        if (!data) continue;
        const n = (JSON.parse(data[1]!) as { unread: number }).unread;
        const w = waiting.shift();
        if (w) w(n);
        else queue.push(n);
      }
    });
  });
  req.on('error', () => {});
  return {
    next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    close: () => req.destroy(),
  };
}

it('updates the unread count live, and reading brings it down', async () => {
  const [a, b] = w.members;
  const me = await signIn(a!.id);
  const stream = openStream(me.cookie);
  expect(await stream.next()).toBe(0);

  const posted = await w.call('POST', `/v1/members/${a!.id}/inbox`, { title: 'Your order has shipped', body: 'The drill is on its way.' });
  expect(posted.statusCode).toBe(201);
  expect(await stream.next()).toBe(1);
  await w.call('POST', `/v1/members/${a!.id}/inbox`, { title: 'Did you know…', body: 'Paint earns double points this week.' });
  expect(await stream.next()).toBe(2);

  const inbox = await t.app.inject({ method: 'GET', url: '/portal/v1/inbox', headers: { cookie: me.cookie } });
  expect(inbox.json()).toMatchObject({ unread: 2, data: [{ title: 'Did you know…', readAt: null }, { title: 'Your order has shipped' }] });

  const read = await t.app.inject({ method: 'POST', url: '/portal/v1/inbox/read', headers: { cookie: me.cookie, 'x-csrf-token': me.csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ id: posted.json().id }) });
  expect(read.json()).toEqual({ unread: 1 });
  expect(await stream.next()).toBe(1);

  // Another member cannot mark it, and sees an empty inbox.
  const other = await signIn(b!.id);
  const foreign = await t.app.inject({ method: 'POST', url: '/portal/v1/inbox/read', headers: { cookie: other.cookie, 'x-csrf-token': other.csrf, 'content-type': 'application/json' }, payload: JSON.stringify({ id: posted.json().id }) });
  expect(foreign.statusCode).toBe(404);
  expect((await t.app.inject({ method: 'GET', url: '/portal/v1/inbox', headers: { cookie: other.cookie } })).json()).toEqual({ unread: 0, data: [] });

  const all = await t.app.inject({ method: 'POST', url: '/portal/v1/inbox/read', headers: { cookie: me.cookie, 'x-csrf-token': me.csrf, 'content-type': 'application/json' }, payload: '{}' });
  expect(all.json()).toEqual({ unread: 0 });
  expect(await stream.next()).toBe(0);
  stream.close();
});

it('answers a request that is not an event stream with a problem, not a hanging stream', async () => {
  const me = await signIn(w.members[0]!.id);
  const res = await t.app.inject({ method: 'GET', url: '/portal/v1/inbox/stream', headers: { cookie: me.cookie } });
  expect([res.statusCode, res.json().code]).toEqual([406, 'event_stream_only']);
});

it('refuses a marketing message without consent for the inbox', async () => {
  const res = await w.call('POST', `/v1/members/${w.members[1]!.id}/inbox`, { title: 'Campaign', body: 'Offers', kind: 'marketing' });
  expect([res.statusCode, res.json().code]).toEqual([422, 'consent_missing']);
});
