import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerConsistent, wallet } from '../support/ledger.js';
import { postMultipart } from '../support/multipart.js';
import { aClaim, claimWorld, tinyPdf, tinyPng, type ClaimWorld } from './world.js';

let t: TestApp;
let w: ClaimWorld;

beforeAll(async () => {
  t = await startTestApp();
  w = await claimWorld(t);
});
afterAll(async () => t.close());

const balance = async (memberId: string) => {
  const b = await wallet(t.database.db, w.programId, memberId);
  return b.available + b.pending;
};

describe('sales claims: submit, approve, reject', () => {
  it('a claim with a file shows its pending points; approval posts them once as a sale_claim event', async () => {
    const res = await w.submit(aClaim({ amount: 1234500, invoiceNumber: 'F-2026-1001' }), [tinyPdf('F-2026-1001'), tinyPng()]);
    expect(res.statusCode, res.body).toBe(201);
    const claim = res.json();
    expect(claim).toMatchObject({ state: 'submitted', memberId: w.ids.SELLER, accountId: w.ids.BR, invoiceNumber: 'F-2026-1001', flags: [] });
    expect(claim.points).toMatchObject({ status: 'pending', proposed: 1234, posted: null });
    expect(claim.points.proposedPostings[0].reason).toMatch(/Sold by partner staff/);
    expect(claim.evidence.map((e: { contentType: string }) => e.contentType).sort()).toEqual(['application/pdf', 'image/png']);
    expect(await balance(w.ids.SELLER!)).toBe(0);

    const approved = await w.call('POST', `/v1/claims/${claim.id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved', points: { status: 'posted', posted: 1234 }, decidedBy: expect.stringMatching(/^api-key:/) });
    expect(await balance(w.ids.SELLER!)).toBe(1234);
    const event = await w.call('GET', `/v1/events/claim:${claim.id}`);
    expect(event.json()).toMatchObject({ type: 'sale_claim', points: 1234, memberId: w.ids.SELLER });

    // Approving again answers the same and posts nothing more; rejecting now is a wrong transition.
    const again = await w.call('POST', `/v1/claims/${claim.id}/approve`);
    expect(again.statusCode).toBe(200);
    expect(again.json().eventId).toBe(approved.json().eventId);
    expect(await balance(w.ids.SELLER!)).toBe(1234);
    const reject = await w.call('POST', `/v1/claims/${claim.id}/reject`, { reason: 'invoice_not_found' });
    expect(reject.statusCode).toBe(409);
    expect(reject.json().code).toBe('claim_state_conflict');
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('refers to evidence uploaded before, but only the claimant company’s', async () => {
    const up = await postMultipart(t, '/v1/evidence?account=BR', [{ name: 'file', fileName: 'kvitto.png', bytes: tinyPng([9, 9, 9]) }], w.key);
    const evidenceId = up.json().data[0].id;
    const res = await w.call('POST', '/v1/claims', aClaim({ evidenceIds: [evidenceId] }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().evidence.map((e: { id: string }) => e.id)).toEqual([evidenceId]);

    const other = await postMultipart(t, '/v1/evidence?account=IN', [{ name: 'file', fileName: 'x.png', bytes: tinyPng([1, 1, 1]) }], w.key);
    const borrowed = await w.call('POST', '/v1/claims', aClaim({ evidenceIds: [other.json().data[0].id] }));
    expect(borrowed.statusCode).toBe(422);
    expect(borrowed.json().code).toBe('unknown_evidence');
    const none = await w.call('POST', '/v1/claims', aClaim());
    expect(none.statusCode).toBe(422);
    expect(none.json().code).toBe('evidence_required');
  });

  it('rejection voids the claim with a reason in the claimant’s language and the note as written', async () => {
    const claim = (await w.submit(aClaim())).json();
    const res = await w.call('POST', `/v1/claims/${claim.id}/reject`, { reason: 'evidence_unreadable', note: 'Bilden är suddig' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      state: 'rejected',
      points: { status: 'void', posted: null },
      rejection: { code: 'evidence_unreadable', language: 'sv', message: 'Det bifogade underlaget går inte att läsa eller visar inte försäljningen.', note: 'Bilden är suddig' },
    });
    // A German-speaking colleague's rejection reads in German, whatever the reader's language.
    const de = (await w.submit(aClaim({ member: 'SELLER2' }))).json();
    const r2 = await w.call('POST', `/v1/claims/${de.id}/reject`, { reason: 'duplicate_sale' });
    expect(r2.json().rejection).toMatchObject({ language: 'de', message: 'Dieser Verkauf wurde bereits gemeldet.', note: null });

    expect((await w.call('POST', `/v1/claims/${claim.id}/approve`)).json().code).toBe('claim_state_conflict');
    const other = await w.call('POST', `/v1/claims/${de.id}/reject`, { reason: 'duplicate_sale' });
    expect(other.statusCode).toBe(200); // already rejected: the same answer
    const fresh = (await w.submit(aClaim())).json();
    const noNote = await w.call('POST', `/v1/claims/${fresh.id}/reject`, { reason: 'other' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().code).toBe('validation_failed');
    expect((await w.call('POST', `/v1/claims/${fresh.id}/reject`, { reason: 'no_such_reason' })).json().code).toBe('validation_failed');
    await expectLedgerConsistent(t.database.db, w.programId);
  });

  it('a retry with the same idempotency key answers the same claim; another body with it is refused', async () => {
    const body = aClaim({ idempotencyKey: 'claim-retry-0001' });
    const first = await w.submit(body, [tinyPdf('retry')]);
    expect(first.statusCode).toBe(201);
    const second = await w.submit(body, [tinyPdf('retry')]);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    const changed = await w.submit({ ...body, quantity: 3 }, [tinyPdf('retry')]);
    expect(changed.statusCode).toBe(409);
    expect(changed.json().code).toBe('idempotency_conflict');
  });
});

describe('fraud controls', () => {
  it('refuses an exact duplicate (same invoice number and SKU) with 409 duplicate_claim, until the first is rejected', async () => {
    const first = (await w.submit(aClaim({ invoiceNumber: 'DUP-7781' }))).json();
    const dup = await w.submit(aClaim({ invoiceNumber: '  DUP-7781 ', member: 'SELLER2' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'duplicate_claim' });
    expect(dup.json().detail).toContain(first.id);
    // The same invoice for another SKU is another line of it, not a duplicate.
    expect((await w.submit(aClaim({ invoiceNumber: 'DUP-7781', sku: 'PAINT' }))).statusCode).toBe(201);
    await w.call('POST', `/v1/claims/${first.id}/reject`, { reason: 'evidence_unreadable' });
    const resent = await w.submit(aClaim({ invoiceNumber: 'DUP-7781' }));
    expect(resent.statusCode).toBe(201);
  });

  it('flags a near-duplicate invoice (case, spaces, dashes) and the same amount within the window for review', async () => {
    const first = (await w.submit(aClaim({ invoiceNumber: 'ab-2026-554' }))).json();
    const near = await w.submit(aClaim({ invoiceNumber: 'AB 2026 554' }));
    expect(near.statusCode).toBe(201);
    expect(near.json().state).toBe('needs_review');
    expect(near.json().flags).toEqual([
      expect.objectContaining({ code: 'near_duplicate_invoice', params: { claim: first.id, invoice: 'ab-2026-554' }, message: expect.stringContaining('ab-2026-554') }),
    ]);

    const a = (await w.submit(aClaim({ amount: 777700, saleDate: '2026-10-01' }))).json();
    expect(a.state).toBe('submitted');
    const b = (await w.submit(aClaim({ amount: 777700, saleDate: '2026-10-20' }))).json();
    expect(b.flags).toEqual([expect.objectContaining({ code: 'same_amount_recent', params: { claim: a.id, saleDate: '2026-10-01', days: 30 } })]);
    // Outside the 30 days, or at another company, the same amount is nothing.
    expect((await w.submit(aClaim({ amount: 777700, saleDate: '2026-08-01' }))).json().flags).toEqual([]);
    expect((await w.submit(aClaim({ amount: 777700, saleDate: '2026-10-02', member: 'INSELLER' }))).json().flags).toEqual([]);

    const flagged = (await w.call('GET', '/v1/claims?flagged=true&limit=500')).json().data.map((c: { id: string }) => c.id);
    expect(flagged).toEqual(expect.arrayContaining([near.json().id, b.id]));
    expect(flagged).not.toContain(a.id);
    // A flagged claim is still the program team's to approve.
    expect((await w.call('POST', `/v1/claims/${b.id}/approve`)).json().state).toBe('approved');
  });

  it('flags claims above the per-member and per-account velocity limits', async () => {
    const v = await claimWorld(t);
    expect((await v.call('PUT', '/v1/claims/settings', { memberDailyLimit: 2, accountWeeklyLimit: 3 })).statusCode).toBe(200);
    const states = [];
    for (const member of ['SELLER', 'SELLER', 'SELLER', 'SELLER2']) states.push((await v.submit(aClaim({ member }))).json());
    expect(states.map((c) => c.state)).toEqual(['submitted', 'submitted', 'needs_review', 'needs_review']);
    expect(states[2].flags).toEqual([expect.objectContaining({ code: 'member_velocity', params: { period: 'day', total: 3, limit: 2 } })]);
    expect(states[3].flags).toEqual([expect.objectContaining({ code: 'account_velocity', params: { period: 'week', total: 4, limit: 3 } })]);
    expect(states[3].flags[0].message).toMatch(/company in the last 7 days: 4.*limit of 3/);
    // Another company is not counted with these.
    expect((await v.submit(aClaim({ member: 'INSELLER' }))).json().state).toBe('submitted');
  });
});

describe('who approves', () => {
  it('program only (the default): a manager may not decide', async () => {
    const claim = (await w.submit(aClaim())).json();
    const res = await w.call('POST', `/v1/claims/${claim.id}/approve`, { managerId: w.ids.BRMGR });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('claim_approver_not_allowed');
  });

  it('manager only: the claimant’s manager (or the chain’s) approves; nobody approves their own; others are refused', async () => {
    const m = await claimWorld(t);
    await m.call('PUT', '/v1/claims/settings', { approver: 'manager' });
    const claim = (await m.submit(aClaim())).json();
    expect((await m.call('POST', `/v1/claims/${claim.id}/approve`)).json().code).toBe('claim_approver_not_allowed');
    expect((await m.call('POST', `/v1/claims/${claim.id}/approve`, { managerId: m.ids.INMGR })).json().code).toBe('not_a_manager');
    expect((await m.call('POST', `/v1/claims/${claim.id}/approve`, { managerId: m.ids.SELLER2 })).json().code).toBe('not_a_manager');
    const byChain = await m.call('POST', `/v1/claims/${claim.id}/approve`, { managerId: m.ids.CHMGR });
    expect(byChain.statusCode, byChain.body).toBe(200);
    expect(byChain.json()).toMatchObject({ state: 'approved', decidedBy: expect.stringMatching(new RegExp(`^member:${m.ids.CHMGR} via api-key:`)) });

    // A manager's own claim: refused to them, whatever their role.
    const own = (await m.submit(aClaim({ member: 'BRMGR' }))).json();
    const self = await m.call('POST', `/v1/claims/${own.id}/approve`, { managerId: m.ids.BRMGR });
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('self_approval');
    expect((await m.call('POST', `/v1/claims/${own.id}/reject`, { reason: 'other', note: 'mine', managerId: m.ids.BRMGR })).json().code).toBe('self_approval');
    expect((await m.call('POST', `/v1/claims/${own.id}/approve`, { managerId: m.ids.CHMGR })).statusCode).toBe(200);

    // A flagged claim needs the program team, which this setting does not allow: it waits for a settings change.
    const near = (await m.submit(aClaim({ invoiceNumber: own.invoiceNumber.toLowerCase() }))).json();
    expect(near.state).toBe('needs_review');
    expect((await m.call('POST', `/v1/claims/${near.id}/approve`, { managerId: m.ids.BRMGR })).json().code).toBe('claim_needs_program_review');
    await expectLedgerConsistent(t.database.db, m.programId);
  });

  it('either: the program team and the manager both may', async () => {
    const e = await claimWorld(t);
    await e.call('PUT', '/v1/claims/settings', { approver: 'either' });
    const one = (await e.submit(aClaim())).json();
    const two = (await e.submit(aClaim())).json();
    expect((await e.call('POST', `/v1/claims/${one.id}/approve`)).json().state).toBe('approved');
    expect((await e.call('POST', `/v1/claims/${two.id}/reject`, { reason: 'invoice_not_found', managerId: e.ids.BRMGR })).json().state).toBe('rejected');
    expect((await e.call('GET', '/v1/claims/settings')).json()).toMatchObject({ approver: 'either', nearDuplicateDays: 30 });
  });

  it('needs the claims:review scope to decide and claims:write to submit', async () => {
    const claim = (await w.submit(aClaim())).json();
    const writer = await t.keyWith(['claims:write'], w.programId);
    expect((await w.call('POST', `/v1/claims/${claim.id}/approve`, {}, writer)).json().code).toBe('insufficient_scope');
    expect((await w.submit(aClaim(), undefined, writer)).statusCode).toBe(201);
    const reviewer = await t.keyWith(['claims:review'], w.programId);
    expect((await w.submit(aClaim(), undefined, reviewer)).json().code).toBe('insufficient_scope');
    expect((await w.call('POST', `/v1/claims/${claim.id}/approve`, {}, reviewer)).statusCode).toBe(200);
  });
});

describe('lists and bad input', () => {
  it('lists claims newest first in cursor pages, by state, account and member', async () => {
    const l = await claimWorld(t);
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await l.submit(aClaim({ member: i < 3 ? 'SELLER' : 'INSELLER' }))).json());
    await l.call('POST', `/v1/claims/${made[0].id}/approve`);
    const seen: string[] = [];
    let url = '/v1/claims?limit=2';
    for (;;) {
      const page = (await l.call('GET', url)).json();
      seen.push(...page.data.map((c: { id: string }) => c.id));
      if (!page.nextCursor) break;
      url = `/v1/claims?limit=2&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(made.map((c) => c.id).reverse());
    expect((await l.call('GET', '/v1/claims?state=approved')).json().data.map((c: { id: string }) => c.id)).toEqual([made[0].id]);
    expect((await l.call('GET', `/v1/claims?accountId=${l.ids.IN}`)).json().data).toHaveLength(2);
    expect((await l.call('GET', `/v1/claims?memberId=${l.ids.SELLER}&state=submitted`)).json().data).toHaveLength(2);
    expect((await l.call('GET', '/v1/claims?flagged=false')).json().data).toHaveLength(5);
    const one = (await l.call('GET', `/v1/claims/${made[1].id}`)).json();
    expect(one.evidence).toHaveLength(1);
    expect((await l.call('GET', '/v1/claims?state=bogus')).json().code).toBe('validation_failed');
    expect((await l.call('GET', '/v1/claims?cursor=!!')).json().code).toBe('validation_failed');
  });

  it('answers each bad claim with its code and writes nothing', async () => {
    const count = async () => (await w.call('GET', '/v1/claims?limit=500')).json().data.length;
    const before = await count();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [aClaim({ member: 'NOBODY' }), 422, 'unknown_member'],
      [aClaim({ sku: 'NOPE' }), 422, 'unknown_sku'],
      [aClaim({ saleDate: '2999-01-01' }), 422, 'sale_date_in_future'],
      [aClaim({ saleDate: '2026-13-01' }), 400, 'validation_failed'],
      [aClaim({ quantity: 0 }), 400, 'validation_failed'],
      [aClaim({ amount: 1.5 }), 400, 'validation_failed'],
      [aClaim({ invoiceNumber: '  ' }), 400, 'validation_failed'],
      [aClaim({ memberId: '00000000-0000-7000-8000-000000000000' }), 400, 'validation_failed'],
      [aClaim({ extra: 1 }), 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await w.submit(body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.json().code).toBe(code);
    }
    const bad = await w.submit(aClaim(), [Buffer.from('GIF89a not allowed here')]);
    expect(bad.statusCode).toBe(415);
    expect(bad.json().code).toBe('evidence_type_not_allowed');
    const noJson = await postMultipart(t, '/v1/claims', [{ name: 'claim', value: '{nope' }], w.key);
    expect(noJson.json().code).toBe('malformed_json');
    const noClaim = await postMultipart(t, '/v1/claims', [{ name: 'file', fileName: 'a.pdf', bytes: tinyPdf('x') }], w.key);
    expect(noClaim.json().code).toBe('validation_failed');
    expect(await count()).toBe(before);
    expect((await w.call('GET', '/v1/claims/00000000-0000-7000-8000-000000000000')).statusCode).toBe(404);
    expect((await w.call('POST', '/v1/claims/00000000-0000-7000-8000-000000000000/approve')).json().code).toBe('not_found');
    expect((await w.call('PUT', '/v1/claims/settings', { approver: 'anyone' })).json().code).toBe('validation_failed');
  });

  it('sale_claim events come only from approved claims, not from POST /v1/events', async () => {
    const res = await w.call('POST', '/v1/events', {
      id: 'sneaky-1', type: 'sale_claim', occurredAt: '2026-11-02T10:00:00Z', account: 'BR', member: 'SELLER', lines: [{ sku: 'DRILL', quantity: 1, amount: 100000 }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });
});

describe('the claimant is mailed the decision', () => {
  it('in their language, with the points or the reason; not when they switched claim mails off', async () => {
    const m = await claimWorld(t);
    const person = (ext: string, language: string, attributes: Record<string, unknown> = {}) =>
      m.call('PUT', `/v1/members/by-external-id/${ext}`, { accountExternalId: 'BR', name: `Person ${ext}`, role: 'sales_rep', language, email: `${ext.toLowerCase()}@example.com`, attributes });
    expect((await person('SELLER', 'sv')).statusCode).toBe(200);
    const seller2 = await person('SELLER2', 'de');
    expect(seller2.statusCode).toBe(200);
    // Switched off in the portal (src/portal/me.ts writes the member's own column).
    await sql`UPDATE members SET mail_preferences = '{"claimMails": false}'::jsonb WHERE id = ${seller2.json().id}`.execute(t.database.db);

    const approved = (await m.submit(aClaim({ amount: 1234500, invoiceNumber: 'F-MAIL-1' }))).json();
    expect((await m.call('POST', `/v1/claims/${approved.id}/approve`, {})).statusCode).toBe(200);
    const rejected = (await m.submit(aClaim({ invoiceNumber: 'F-MAIL-2' }))).json();
    expect((await m.call('POST', `/v1/claims/${rejected.id}/reject`, { reason: 'invoice_not_found', note: 'Fakturan finns inte hos oss.' })).statusCode).toBe(200);
    const quiet = (await m.submit(aClaim({ member: 'SELLER2', invoiceNumber: 'F-MAIL-3' }))).json();
    expect((await m.call('POST', `/v1/claims/${quiet.id}/approve`, {})).statusCode).toBe(200);
    // Deciding again mails nothing more.
    expect((await m.call('POST', `/v1/claims/${approved.id}/approve`, {})).statusCode).toBe(200);

    const mails = (await m.call('GET', '/v1/outbox?limit=50')).json().data as Array<{ template: string; to: string; language: string; subject: string; body: string }>;
    expect(mails.map((x) => `${x.template} ${x.to} ${x.language}`).sort()).toEqual(['claim_approved seller@example.com sv', 'claim_rejected seller@example.com sv']);
    const byTemplate = (name: string) => mails.find((x) => x.template === name)!;
    expect(byTemplate('claim_approved').subject).toBe('Ditt säljanspråk F-MAIL-1 är godkänt');
    expect(byTemplate('claim_approved').body).toContain('ger dig 1\u00a0234 poäng');
    expect(byTemplate('claim_rejected').body).toContain('Orsak: Vi hittar inte den här fakturan.');
    expect(byTemplate('claim_rejected').body).toContain('Fakturan finns inte hos oss.');
  });
});
