import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutbox, enqueueMails, smtpTransport, type MailTransport } from '../../src/mail/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { startSmtp } from './smtp.js';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let transport: MailTransport;
const from = 'Byggklubben <no-reply@byggklubben.example>';

beforeAll(async () => {
  t = await startTestApp();
  smtp = await startSmtp();
  transport = smtpTransport(smtp.url);
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  await t.close();
});

const invitation = (to: string, language: 'sv' | 'de' | 'pl') => ({
  template: 'invitation' as const,
  to,
  language,
  params: { name: 'Anna', account: 'Lind VVS AB', program: 'Byggklubben', link: 'https://club.example/i/x', expires: '7 december 2026' },
});

describe('the outbox', () => {
  it('keeps mails rendered in the recipient’s language, visible to admins, until delivered', async () => {
    const p = await t.newProgram();
    await enqueueMails(t.database.db, p.programId, [invitation('anna@lind.example', 'sv'), invitation('jan@bau.example', 'de')], t.clock());
    const res = await t.call('GET', '/v1/outbox', undefined, p.key);
    expect(res.statusCode, res.body).toBe(200);
    const mails = res.json().data;
    expect(mails.map((m: { to: string; status: string; subject: string }) => [m.to, m.status, m.subject])).toEqual([
      ['jan@bau.example', 'pending', 'Einladung zu Byggklubben'],
      ['anna@lind.example', 'pending', 'Du är inbjuden till Byggklubben'],
    ]);
    expect(mails[1].body).toContain('https://club.example/i/x');
    expect(mails[1].body).toContain('Länken gäller till 7 december 2026');
    const readOnly = await t.keyWith(['read'], p.programId);
    expect((await t.call('GET', '/v1/outbox', undefined, readOnly)).json().code).toBe('insufficient_scope');
  });

  it('writes nothing when the action’s transaction rolls back', async () => {
    const p = await t.newProgram();
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await enqueueMails(trx, p.programId, [invitation('anna@lind.example', 'sv')], t.clock());
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect((await t.call('GET', '/v1/outbox', undefined, p.key)).json().data).toEqual([]);
  });

  it('delivers through SMTP once, and a second run sends nothing again', async () => {
    const p = await t.newProgram();
    await enqueueMails(t.database.db, p.programId, [invitation('ola@nord.example', 'pl'), invitation('kari@nord.example', 'sv')], t.clock());
    const before = smtp.received.length;
    const r1 = await deliverOutbox(t.database.db, transport, { from, now: t.clock() });
    expect(r1.sent).toBeGreaterThanOrEqual(2);
    const mine = smtp.received.slice(before).filter((m) => m.to[0]!.endsWith('@nord.example'));
    expect(mine.map((m) => m.to[0]).sort()).toEqual(['kari@nord.example', 'ola@nord.example']);
    expect(mine.find((m) => m.to[0] === 'ola@nord.example')!.raw).toContain('Subject: Zaproszenie do programu Byggklubben');
    expect(mine[0]!.from).toBe('no-reply@byggklubben.example');
    const sent = (await t.call('GET', '/v1/outbox?status=sent', undefined, p.key)).json().data;
    expect(sent).toHaveLength(2);
    expect(sent[0].sentAt).not.toBeNull();
    const r2 = await deliverOutbox(t.database.db, transport, { from, now: t.clock() });
    expect(r2).toEqual({ sent: 0, retried: 0, failed: 0 });
  });

  it('retries a refused mail later, and marks it failed after the last attempt', async () => {
    const p = await t.newProgram();
    smtp.refuse.add('later@nord.example');
    smtp.refuse.add('never@nord.example');
    await enqueueMails(t.database.db, p.programId, [invitation('later@nord.example', 'sv'), invitation('never@nord.example', 'sv')], t.clock());
    const now = t.clock();
    const r1 = await deliverOutbox(t.database.db, transport, { from, now, maxAttempts: 2 });
    expect(r1.retried).toBe(2);
    const pending = (await t.call('GET', '/v1/outbox?status=pending', undefined, p.key)).json().data;
    expect(pending.map((m: { attempts: number }) => m.attempts)).toEqual([1, 1]);
    expect(pending[0].lastError).toMatch(/mailbox unavailable/);
    // Not due again yet: nothing happens a second later.
    expect((await deliverOutbox(t.database.db, transport, { from, now: new Date(now.getTime() + 1000), maxAttempts: 2 })).retried).toBe(0);

    smtp.refuse.delete('later@nord.example');
    const r2 = await deliverOutbox(t.database.db, transport, { from, now: new Date(now.getTime() + 10 * 60_000), maxAttempts: 2 });
    expect(r2).toEqual({ sent: 1, retried: 0, failed: 1 });
    const all = (await t.call('GET', '/v1/outbox', undefined, p.key)).json().data as Array<{ to: string; status: string; attempts: number }>;
    expect(all.map((m) => [m.to, m.status, m.attempts]).sort()).toEqual([
      ['later@nord.example', 'sent', 2],
      ['never@nord.example', 'failed', 2],
    ]);
  });
});

describe.runIf(onPostgres)('delivery under concurrency (PostgreSQL)', () => {
  it('two workers at once send every mail once', async () => {
    const p = await t.newProgram();
    const to = Array.from({ length: 30 }, (_, i) => `worker${i}@para.example`);
    await enqueueMails(t.database.db, p.programId, to.map((a) => invitation(a, 'sv')), t.clock());
    const before = smtp.received.length;
    const second = smtpTransport(smtp.url);
    const [a, b] = await Promise.all([
      deliverOutbox(t.database.db, transport, { from, batchSize: 5, now: t.clock() }),
      deliverOutbox(t.database.db, second, { from, batchSize: 5, now: t.clock() }),
    ]);
    second.close();
    expect(a.sent + b.sent).toBe(30);
    const got = smtp.received.slice(before).flatMap((m) => m.to).filter((x) => x.endsWith('@para.example'));
    expect(got.sort()).toEqual([...to].sort());
  });
});
