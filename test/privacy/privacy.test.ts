/**
 * Consent as evidence, the member's data export and erasure, on both databases: consent records are
 * append-only and the state is derived from them; the export is a zip of JSON and CSV; erasure removes
 * what identifies the person while the ledger still sums, the account and its other members stay, and the
 * audit chain still verifies (also as a property over random histories); the retention job is idempotent.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import yauzl from 'yauzl';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/index.js';
import { tinyPng } from '../../src/evidence/samples.js';
import { DiskEvidenceStore, EvidenceMissingError } from '../../src/evidence/store.js';
import { currentConsents, type ConsentRecord } from '../../src/privacy/consent.js';
import { monthsBefore } from '../../src/privacy/erasure.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerConsistent, newWorld, ownerWallets, type World } from '../support/ledger.js';
import { multipartBody } from '../support/multipart.js';
import { purchase } from '../support/fixtures.js';

let t: TestApp;
let w: World;

interface Browser {
  cookie: string;
  csrf: string;
}

async function signIn(memberId: string, email: string, programId = w.programId): Promise<Browser> {
  const { token, session } = await createSession(t.database.db, { kind: 'member', email }, t.clock());
  await chooseSessionMember(t.database.db, session.id, programId, memberId);
  return { cookie: `lojal_member=${token}`, csrf: csrfTokenFor(session) };
}

function portal(b: Browser, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { cookie: b.cookie };
  if (method !== 'GET') headers['x-csrf-token'] = b.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: method as 'GET', url: `/portal/v1${url}`, headers, ...(body !== undefined && { payload: JSON.stringify(body) }) });
}

async function ok(res: Promise<LightMyRequestResponse>, status = 200) {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`${r.statusCode} ${r.body}`);
  return r.json();
}

/** The zip's files by name, as text. */
function unzip(bytes: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, string>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

beforeAll(async () => {
  t = await startTestApp();
  // Two companies; company 0 has members 0 and 1, company 1 has member 2.
  w = await newWorld(t, { leaverPoints: 'return' });
  for (const [i, m] of w.members.entries()) {
    await ok(w.call('PATCH', `/v1/members/${m.id}`, { email: `person${i}@example.com`, phone: `+4670123456${i}` }));
  }
});
afterAll(() => t.close());

describe('consent state is derived from the records', () => {
  const rec = (over: Partial<ConsentRecord>, at: string, id: string): ConsentRecord => ({
    id,
    memberId: 'm',
    purpose: 'marketing',
    channel: 'email',
    granted: true,
    textVersion: 1,
    source: 'portal',
    ip: null,
    recordedBy: 'member:m',
    recordedAt: new Date(at),
    ...over,
  });
  it.each([
    { name: 'no record: no consent', records: [], granted: false },
    { name: 'a yes', records: [rec({}, '2026-01-01T00:00:00Z', '1')], granted: true },
    { name: 'a yes, then a withdrawal', records: [rec({}, '2026-01-01T00:00:00Z', '1'), rec({ granted: false }, '2026-02-01T00:00:00Z', '2')], granted: false },
    { name: 'order of the list does not matter', records: [rec({ granted: false }, '2026-02-01T00:00:00Z', '2'), rec({}, '2026-01-01T00:00:00Z', '1')], granted: false },
    { name: 'same instant: the later id decides', records: [rec({ granted: false }, '2026-01-01T00:00:00Z', '2'), rec({}, '2026-01-01T00:00:00Z', '1')], granted: false },
    { name: 'another channel does not count', records: [rec({ channel: 'sms' }, '2026-01-01T00:00:00Z', '1')], granted: false },
  ])('$name', ({ records, granted }) => {
    const s = currentConsents(records).find((x) => x.purpose === 'marketing' && x.channel === 'email')!;
    expect(s.granted).toBe(granted);
  });
});

describe('consent records', () => {
  it('are given and withdrawn in the portal against a versioned text, with time and IP, and shown to staff', async () => {
    const m = w.members[0]!;
    const b = await signIn(m.id, 'person0@example.com');
    expect((await portal(b, 'PUT', '/consents', { purpose: 'marketing', channel: 'email', granted: true, textVersion: 1 })).json().code).toBe('consent_text_missing');

    const v1 = await ok(w.call('POST', '/v1/privacy/consent-texts', { purpose: 'marketing', texts: { en: 'News and offers by e-mail.', pl: 'Nowości i oferty e-mailem.' } }), 201);
    expect(v1.version).toBe(1);
    const shown = await ok(portal(b, 'GET', '/consents'));
    expect(shown.purposes).toHaveLength(1);
    expect(shown.purposes[0]).toMatchObject({ purpose: 'marketing', version: 1, text: 'News and offers by e-mail.' });
    expect(shown.purposes[0].channels.every((c: { granted: boolean }) => !c.granted)).toBe(true);

    const given = await ok(portal(b, 'PUT', '/consents', { purpose: 'marketing', channel: 'email', granted: true, textVersion: 1 }));
    expect(given.purposes[0].channels.find((c: { channel: string }) => c.channel === 'email')).toMatchObject({ granted: true, since: '2026-11-25T12:00:00.000Z' });
    // A double click is not a second consent.
    await ok(portal(b, 'PUT', '/consents', { purpose: 'marketing', channel: 'email', granted: true, textVersion: 1 }));
    expect((await ok(portal(b, 'GET', '/consents'))).history).toHaveLength(1);

    // The text changes: a page still showing version 1 cannot record a yes to it.
    await ok(w.call('POST', '/v1/privacy/consent-texts', { purpose: 'marketing', texts: { en: 'News, offers and invitations by e-mail.' } }), 201);
    const stale = await portal(b, 'PUT', '/consents', { purpose: 'marketing', channel: 'sms', granted: true, textVersion: 1 });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'consent_text_outdated']);

    t.clock.advance(3_600_000);
    await ok(portal(b, 'PUT', '/consents', { purpose: 'marketing', channel: 'email', granted: false }));
    const staff = await ok(w.call('GET', `/v1/members/${m.id}/consents`));
    expect(staff.history.map((r: ConsentRecord) => [r.granted, r.textVersion, r.source, r.ip])).toEqual([
      [true, 1, 'portal', '127.0.0.1'],
      [false, null, 'portal', '127.0.0.1'],
    ]);
    expect(staff.current.find((s: { channel: string; purpose: string }) => s.purpose === 'marketing' && s.channel === 'email')).toMatchObject({ granted: false, since: '2026-11-25T13:00:00.000Z' });

    const csv = await w.call('GET', `/v1/members/${m.id}/consents.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\n')).toEqual([
      'recorded_at,purpose,channel,decision,text_version,source,ip,recorded_by,record_id',
      expect.stringMatching(/^2026-11-25T12:00:00.000Z,marketing,email,granted,1,portal,127.0.0.1,member:/),
      expect.stringMatching(/^2026-11-25T13:00:00.000Z,marketing,email,withdrawn,,portal,127.0.0.1,member:/),
    ]);
  });

  it('recorded by staff say so; another program cannot see or write them', async () => {
    const m = w.members[1]!;
    const r = await ok(w.call('POST', `/v1/members/${m.id}/consents`, { purpose: 'marketing', channel: 'sms', granted: true, textVersion: 2 }), 201);
    expect(r).toMatchObject({ source: 'api', ip: null, textVersion: 2 });
    const other = await t.newProgram();
    expect((await t.call('GET', `/v1/members/${m.id}/consents`, undefined, other.key)).statusCode).toBe(404);
    expect((await t.call('POST', `/v1/members/${m.id}/consents`, { purpose: 'marketing', channel: 'sms', granted: false }, other.key)).statusCode).toBe(404);
  });

  it('cannot be changed or deleted in the database', async () => {
    const db = t.database.db;
    await expect(sql`UPDATE consent_records SET granted = NOT granted WHERE program_id = ${w.programId}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM consent_records WHERE program_id = ${w.programId}`.execute(db)).rejects.toThrow(/append-only/);
  });
});

describe('data export', () => {
  it('gives staff and the member a zip with JSON and CSV of what the program holds', async () => {
    const m = w.members[0]!;
    await ok(w.call('POST', '/v1/events', purchase('EXP-1', 'C-0', 'M-0')), 201);
    const res = await w.call('GET', `/v1/members/${m.id}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = await unzip(res.rawPayload);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['member.json', 'profile.csv', 'consents.csv', 'events.csv', 'ledger_entries.csv', 'orders.csv', 'claims.csv', 'requests.csv', 'audit.csv', 'README.txt']));
    const json = JSON.parse(files.get('member.json')!);
    expect(json.sections.profile[0]).toMatchObject({ id: m.id, email: 'person0@example.com', phone: '+46701234560' });
    expect(json.sections.events.map((e: { external_id: string }) => e.external_id)).toEqual(['EXP-1']);
    expect(json.sections.ledger_entries.length).toBeGreaterThan(0);
    expect(files.get('profile.csv')).toContain('person0@example.com');
    expect(files.get('consents.csv')!.split('\n')[0]).toContain('purpose');

    const b = await signIn(m.id, 'person0@example.com');
    const mine = await portal(b, 'GET', '/export');
    expect(mine.statusCode).toBe(200);
    expect(JSON.parse((await unzip(mine.rawPayload)).get('member.json')!).memberId).toBe(m.id);
    const audit = await ok(w.call('GET', '/v1/audit?action=member.export'));
    expect(audit.data.length).toBeGreaterThanOrEqual(2);
  });
});

describe('erasure', () => {
  it('removes what identifies the person; the ledger, the account and its other member stay; the chain verifies', async () => {
    const db = t.database.db;
    const [a, b] = [w.members[0]!, w.members[1]!];
    await ok(w.call('POST', '/v1/events', purchase('ER-1', 'C-0', 'M-0')), 201);
    await ok(w.call('POST', '/v1/events', purchase('ER-2', 'C-0', 'M-1')), 201);
    // A sales claim with a photo, and a mail to the address.
    const { body, contentType } = multipartBody([
      { name: 'claim', value: JSON.stringify({ memberId: a.id, sku: 'DRILL', quantity: 1, amount: 150000, saleDate: '2026-11-20', invoiceNumber: 'INV-ER-1', endCustomer: 'Anna Andersson, Storgatan 1' }) },
      { name: 'photo', fileName: 'kvitto-anna.png', bytes: tinyPng(), contentType: 'image/png' },
    ]);
    const claim = await t.app.inject({ method: 'POST', url: '/v1/claims', headers: { authorization: `Bearer ${w.key}`, 'content-type': contentType }, payload: body });
    expect(claim.statusCode).toBe(201);
    const file = claim.json().evidence[0];
    await sql`INSERT INTO mail_outbox (program_id, id, template, to_address, language, subject, body)
              VALUES (${w.programId}, gen_random_uuid(), 'welcome', 'Person0@example.com', 'en', 'Welcome Anna', 'Hello Anna')`.execute(db);

    const before = await ownerWallets(db, w.programId);
    const aBefore = before.find((x) => x.id === a.id)!;
    const companyBefore = before.find((x) => x.id === w.accounts[0]!.id)!;
    const bBefore = before.find((x) => x.id === b.id)!;
    expect(aBefore.available).toBeGreaterThan(0);

    const erased = await w.call('POST', `/v1/members/${a.id}/erase`);
    expect(erased.statusCode).toBe(201);
    expect(erased.json()).toMatchObject({ memberId: a.id, reason: 'request', counts: { claims: 1, evidenceFiles: 1, mails: 1, consentRecords: 2 } });

    const member = await ok(w.call('GET', `/v1/members/${a.id}`));
    expect(member).toMatchObject({ name: 'Erased member', email: null, phone: null, externalId: null, status: 'closed', accountId: w.accounts[0]!.id });
    const claimRow = await ok(w.call('GET', `/v1/claims/${claim.json().id}`));
    expect(claimRow).toMatchObject({ endCustomer: '[erased]', invoiceNumber: 'INV-ER-1', amount: 150000 });
    const store = new DiskEvidenceStore(t.config.evidenceDir);
    await expect(store.open({ programId: w.programId, accountId: w.accounts[0]!.id, sha256: file.sha256 })).rejects.toBeInstanceOf(EvidenceMissingError);
    const mails = await sql<{ to_address: string; body: string }>`SELECT to_address, body FROM mail_outbox WHERE program_id = ${w.programId}`.execute(db);
    expect(mails.rows).toEqual([{ to_address: '[erased]', body: '' }]);
    const ips = await sql<{ ip: string | null }>`SELECT ip FROM consent_records WHERE program_id = ${w.programId} AND member_id = ${a.id}`.execute(db);
    expect(ips.rows.every((r) => r.ip === null)).toBe(true);

    // The points went to the company by the leaver policy; the other member is untouched.
    const after = await ownerWallets(db, w.programId);
    expect(after.find((x) => x.id === a.id)!.available).toBe(0);
    expect(after.find((x) => x.id === w.accounts[0]!.id)!.available).toBe(companyBefore.available + aBefore.available);
    expect(after.find((x) => x.id === b.id)).toEqual(bBefore);
    expect(await ok(w.call('GET', `/v1/members/${b.id}`))).toMatchObject({ name: 'Person M-1', email: 'person1@example.com', status: 'active' });
    expect(await ok(w.call('GET', `/v1/accounts/${w.accounts[0]!.id}`))).toMatchObject({ name: 'Company C-0', status: 'active' });
    await expectLedgerConsistent(db, w.programId);
    expect(await verifyChain(db, w.programId)).toMatchObject({ brokenAt: null });
    // The erasure's own audit entry names nobody.
    const entry = await ok(w.call('GET', '/v1/audit?action=member.erase'));
    expect(JSON.stringify(entry.data)).not.toMatch(/person0|Person M-0|Anna/);

    // Again: the same erasure, nothing done; personal-data work on the member is refused with a stable code.
    const again = await w.call('POST', `/v1/members/${a.id}/erase`);
    expect([again.statusCode, again.json().erasedAt]).toEqual([200, erased.json().erasedAt]);
    const consent = await w.call('POST', `/v1/members/${a.id}/consents`, { purpose: 'marketing', channel: 'email', granted: true });
    expect([consent.statusCode, consent.json().code]).toEqual([410, 'member_erased']);
    expect((await ok(w.call('GET', `/v1/members/${a.id}/erasure`))).requestedBy).toMatch(/^api-key:/);
    expect((await w.call('GET', `/v1/members/${b.id}/erasure`)).statusCode).toBe(404);
  });

  it('keeps the ledger consistent and the chain verifying over random histories (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('buy' as const), member: fc.integer({ min: 0, max: 3 }) }),
            fc.record({ kind: fc.constant('erase' as const), member: fc.integer({ min: 0, max: 3 }) }),
            fc.record({ kind: fc.constant('consent' as const), member: fc.integer({ min: 0, max: 3 }), granted: fc.boolean() }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        async (steps) => {
          const world = await newWorld(t, { leaverPoints: 'return' }, { accounts: 2, members: [0, 0, 1, 1] });
          const erased = new Set<number>();
          let n = 0;
          for (const s of steps) {
            const m = world.members[s.member]!;
            if (s.kind === 'buy') {
              const res = await world.call('POST', '/v1/events', purchase(`P-${++n}`, `C-${m.account}`, erased.has(s.member) ? undefined : m.ext));
              expect(res.statusCode).toBe(201);
            } else if (s.kind === 'erase') {
              const res = await world.call('POST', `/v1/members/${m.id}/erase`);
              expect(res.statusCode).toBe(erased.has(s.member) ? 200 : 201);
              erased.add(s.member);
            } else {
              const res = await world.call('POST', `/v1/members/${m.id}/consents`, { purpose: 'newsletter', channel: 'email', granted: s.granted });
              if (erased.has(s.member)) expect(res.statusCode).toBe(410);
              else expect([200, 201]).toContain(res.statusCode);
            }
          }
          await expectLedgerConsistent(t.database.db, world.programId);
          expect((await verifyChain(t.database.db, world.programId)).brokenAt).toBeNull();
          // Accounts are never touched; members not erased keep their names.
          const accounts = await sql<{ n: number }>`SELECT count(*)::int AS n FROM accounts WHERE program_id = ${world.programId} AND status = 'active'`.execute(t.database.db);
          expect(Number(accounts.rows[0]!.n)).toBe(2);
          for (const [i, m] of world.members.entries()) {
            const row = await ok(world.call('GET', `/v1/members/${m.id}`));
            expect(row.name).toBe(erased.has(i) ? 'Erased member' : `Person ${m.ext}`);
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe('retention', () => {
  it('erases members closed longer than the setting, once', async () => {
    const world = await newWorld(t, {}, { accounts: 1, members: [0, 0] });
    await ok(world.call('PUT', '/v1/privacy/settings', { retentionMonths: 12 }));
    expect(await ok(world.call('GET', '/v1/privacy/settings'))).toEqual({ retentionMonths: 12 });
    const [closed, open] = world.members;
    await sql`UPDATE members SET status = 'closed', updated_at = ${new Date('2025-10-01T00:00:00Z')} WHERE program_id = ${world.programId} AND id = ${closed!.id}`.execute(t.database.db);
    // At the test clock (2026-11-25) the cut-off is 2025-11-25: closed on 2025-10-01 is past it.
    expect(await ok(world.call('POST', '/v1/privacy/retention/run'))).toEqual({ erased: 1 });
    expect(await ok(world.call('POST', '/v1/privacy/retention/run'))).toEqual({ erased: 0 });
    expect((await ok(world.call('GET', `/v1/members/${closed!.id}/erasure`))).reason).toBe('retention');
    expect((await ok(world.call('GET', `/v1/members/${open!.id}`))).name).toBe(`Person ${open!.ext}`);
    const bad = await world.call('PUT', '/v1/privacy/settings', { retentionMonths: 0 });
    expect(bad.statusCode).toBe(400);
  });

  it.each([
    ['2026-11-25T12:00:00Z', 12, '2025-11-25T12:00:00.000Z'],
    ['2026-03-31T00:00:00Z', 1, '2026-02-28T00:00:00.000Z'],
    ['2024-03-31T00:00:00Z', 1, '2024-02-29T00:00:00.000Z'],
    ['2026-01-15T08:00:00Z', 13, '2024-12-15T08:00:00.000Z'],
  ])('%s minus %i months is %s', (now, months, expected) => {
    expect(monthsBefore(new Date(now), months).toISOString()).toBe(expected);
  });
});
