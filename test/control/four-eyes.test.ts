import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';
import { expectLedgerConsistent } from '../support/ledger.js';
import { reasons, staffWithKey } from './support.js';

let t: TestApp;
let owner: { id: string; key: string };
let manager: { id: string; key: string };
let support: { id: string; key: string };
let viewer: { id: string; key: string };
let account: string;

const balance = async (id: string) => (await t.call('GET', `/v1/accounts/${id}/balance`)).json().available as number;
const journalCount = async () =>
  Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM journals WHERE program_id = ${t.programId}`.execute(t.database.db)).rows[0]!.n);
const adjust = (body: Record<string, unknown>, key: string, id = account) => t.call('POST', `/v1/accounts/${id}/adjustments`, body, key);

beforeAll(async () => {
  t = await startTestApp();
  owner = await staffWithKey(t, 'olle@lojal.test', 'owner', ['admin']);
  manager = await staffWithKey(t, 'mia@lojal.test', 'manager', ['read', 'ledger:write']);
  support = await staffWithKey(t, 'sam@lojal.test', 'support', ['read', 'ledger:write']);
  viewer = await staffWithKey(t, 'vic@lojal.test', 'viewer', ['read']);
  account = await seedAccount(t, 'FOUR-EYES');
  const put = await t.call('PUT', '/v1/settings/control', {
    approvalThreshold: 1000,
    dailyAdjustmentLimit: 100_000,
    reasonCodes: reasons(['goodwill', 'correction', 'complaint']),
  });
  expect(put.statusCode, put.body).toBe(200);
});
afterAll(async () => t.close());

describe('control settings', () => {
  it('start with the default reason codes, labelled in the reader’s language', async () => {
    const other = await t.newProgram();
    const res = await t.call('GET', '/v1/settings/control', undefined, other.key);
    expect(res.json()).toMatchObject({ approvalThreshold: null, dailyAdjustmentLimit: null });
    expect(res.json().reasonCodes.map((r: { code: string }) => r.code)).toEqual(['goodwill', 'correction', 'complaint', 'migration', 'campaign', 'opening']);
    const sv = await t.app.inject({ method: 'GET', url: '/v1/settings/control', headers: { authorization: `Bearer ${other.key}`, 'accept-language': 'sv' } });
    expect(sv.json().reasonCodes[1]).toMatchObject({ code: 'correction', label: 'Rättelse' });
  });

  it('refuse a reason code twice, a label missing, a zero threshold; admin only', async () => {
    const dup = await t.call('PUT', '/v1/settings/control', { approvalThreshold: 0, dailyAdjustmentLimit: null, reasonCodes: [...reasons(['a']), ...reasons(['a'])] });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.approvalThreshold', 'body.reasonCodes']);
    const noLabel = await t.call('PUT', '/v1/settings/control', { approvalThreshold: null, dailyAdjustmentLimit: null, reasonCodes: [{ code: 'x', labels: { en: 'X' } }] });
    expect(noLabel.statusCode).toBe(400);
    const notAdmin = await t.call('PUT', '/v1/settings/control', { approvalThreshold: null, dailyAdjustmentLimit: null, reasonCodes: reasons(['a']) }, manager.key);
    expect(notAdmin.json().code).toBe('insufficient_scope');
  });
});

describe('four-eyes adjustments', () => {
  it('refuse an unknown reason code and write nothing', async () => {
    const before = await journalCount();
    const res = await adjust({ points: 10, reasonCode: 'migration', idempotencyKey: 'fe-unknown-1' }, support.key);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('unknown_reason_code');
    expect(await journalCount()).toBe(before);
  });

  it('post at once below the threshold, and a replay answers the same journal', async () => {
    const body = { points: 999, reasonCode: 'goodwill', memo: 'Late delivery', idempotencyKey: 'fe-below-1' };
    const first = await adjust(body, support.key);
    expect(first.statusCode, first.body).toBe(201);
    const again = await adjust(body, support.key);
    expect(again.statusCode).toBe(200);
    expect(again.json().journalId).toBe(first.json().journalId);
    expect(await balance(account)).toBe(999);
  });

  it('at the threshold store a pending request that changes no balance; replays answer it, another body conflicts', async () => {
    const before = await balance(account);
    const body = { points: 1000, reasonCode: 'complaint', memo: 'Broken pallet', idempotencyKey: 'fe-req-1' };
    const res = await adjust(body, support.key);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ state: 'pending', points: 1000, reasonCode: 'complaint', requestedBy: `staff:${support.id}`, journalId: null });
    expect(await balance(account)).toBe(before);
    const replay = await adjust(body, support.key);
    expect(replay.statusCode).toBe(202);
    expect(replay.json().id).toBe(res.json().id);
    const conflict = await adjust({ ...body, points: 1001 }, support.key);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('idempotency_conflict');
    // A negative adjustment counts by its absolute value.
    expect((await adjust({ points: -1000, reasonCode: 'correction', idempotencyKey: 'fe-req-neg' }, support.key)).statusCode).toBe(202);
  });

  it('nobody approves their own request; support, viewers and keys without a person cannot approve', async () => {
    const req = (await adjust({ points: 1500, reasonCode: 'goodwill', idempotencyKey: 'fe-req-2' }, support.key)).json();
    const self = await t.call('POST', `/v1/adjustment-requests/${req.id}/approve`, undefined, support.key);
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('self_approval');

    const mine = (await adjust({ points: 1200, reasonCode: 'goodwill', idempotencyKey: 'fe-req-3' }, manager.key)).json();
    const bySupport = await t.call('POST', `/v1/adjustment-requests/${mine.id}/approve`, undefined, support.key);
    expect(bySupport.statusCode).toBe(403);
    expect(bySupport.json().code).toBe('approval_not_allowed');
    const byViewer = await t.call('POST', `/v1/adjustment-requests/${mine.id}/approve`, undefined, viewer.key);
    expect(byViewer.json().code).toBe('insufficient_scope');
    const byIntegration = await t.call('POST', `/v1/adjustment-requests/${mine.id}/approve`, undefined, t.key);
    expect(byIntegration.json().code).toBe('approval_not_allowed');
    expect((await t.call('GET', `/v1/adjustment-requests/${mine.id}`)).json().state).toBe('pending');
  });

  it('an approval posts the adjustment once; approving again changes nothing', async () => {
    const req = (await adjust({ points: 2000, reasonCode: 'goodwill', memo: 'Key account', idempotencyKey: 'fe-req-4' }, support.key)).json();
    const before = await balance(account);
    const journals = await journalCount();
    const ok = await t.call('POST', `/v1/adjustment-requests/${req.id}/approve`, undefined, manager.key);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'approved', decidedBy: `staff:${manager.id}` });
    expect(ok.json().journalId).toBeTruthy();
    expect(await balance(account)).toBe(before + 2000);
    const twice = await t.call('POST', `/v1/adjustment-requests/${req.id}/approve`, undefined, owner.key);
    expect(twice.statusCode).toBe(200);
    expect(twice.json().journalId).toBe(ok.json().journalId);
    expect(await journalCount()).toBe(journals + 1);
    const j = await t.database.db.selectFrom('journals').selectAll().where('id', '=', ok.json().journalId).executeTakeFirstOrThrow();
    expect(j).toMatchObject({ kind: 'adjust', reason_code: 'goodwill', actor: `staff:${support.id}` });
    // The replay of the original request now shows it approved.
    expect((await adjust({ points: 2000, reasonCode: 'goodwill', memo: 'Key account', idempotencyKey: 'fe-req-4' }, support.key)).json().state).toBe('approved');
    await expectLedgerConsistent(t.database.db, t.programId);
  });

  it('a rejection needs a reason and closes the request; the author may withdraw their own', async () => {
    const req = (await adjust({ points: 3000, reasonCode: 'goodwill', idempotencyKey: 'fe-req-5' }, manager.key)).json();
    expect((await t.call('POST', `/v1/adjustment-requests/${req.id}/reject`, {}, owner.key)).statusCode).toBe(400);
    const bySupport = await t.call('POST', `/v1/adjustment-requests/${req.id}/reject`, { reason: 'no' }, support.key);
    expect(bySupport.json().code).toBe('approval_not_allowed');
    const rejected = await t.call('POST', `/v1/adjustment-requests/${req.id}/reject`, { reason: 'Not agreed with the customer' }, owner.key);
    expect(rejected.json()).toMatchObject({ state: 'rejected', decisionReason: 'Not agreed with the customer', decidedBy: `staff:${owner.id}` });
    const approveRejected = await t.call('POST', `/v1/adjustment-requests/${req.id}/approve`, undefined, owner.key);
    expect(approveRejected.statusCode).toBe(409);
    expect(approveRejected.json().code).toBe('adjustment_request_closed');

    const own = (await adjust({ points: 1100, reasonCode: 'goodwill', idempotencyKey: 'fe-req-6' }, support.key)).json();
    const withdrawn = await t.call('POST', `/v1/adjustment-requests/${own.id}/reject`, { reason: 'Typo' }, support.key);
    expect(withdrawn.json().state).toBe('rejected');

    const approved = (await adjust({ points: 1000, reasonCode: 'goodwill', idempotencyKey: 'fe-req-7' }, manager.key)).json();
    await t.call('POST', `/v1/adjustment-requests/${approved.id}/approve`, undefined, owner.key);
    const rejectApproved = await t.call('POST', `/v1/adjustment-requests/${approved.id}/reject`, { reason: 'late' }, owner.key);
    expect(rejectApproved.json().code).toBe('adjustment_request_closed');
  });

  it('an approval that would overdraw is refused and the request stays pending', async () => {
    const poor = await seedAccount(t, 'FOUR-EYES-POOR');
    const req = (await adjust({ points: -2500, reasonCode: 'correction', idempotencyKey: 'fe-overdraw-1' }, support.key, poor)).json();
    expect(req.state).toBe('pending');
    const res = await t.call('POST', `/v1/adjustment-requests/${req.id}/approve`, undefined, manager.key);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('insufficient_points');
    expect((await t.call('GET', `/v1/adjustment-requests/${req.id}`)).json()).toMatchObject({ state: 'pending', journalId: null });
    await t.call('POST', `/v1/adjustment-requests/${req.id}/reject`, { reason: 'Nothing to take back' }, manager.key);
  });

  it('lists requests by state, newest first, in cursor pages', async () => {
    const pending = (await t.call('GET', '/v1/adjustment-requests?state=pending')).json();
    expect(pending.data.every((r: { state: string }) => r.state === 'pending')).toBe(true);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; nextCursor: string | null } = (await t.call('GET', `/v1/adjustment-requests?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      all.push(...page.data.map((r: { id: string }) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(9);
    expect([...all].sort().reverse()).toEqual(all);
    expect((await t.call('GET', '/v1/adjustment-requests?state=maybe')).statusCode).toBe(400);
  });

  it('refuse what passes the daily limit per actor and write nothing; a rejection frees its points', async () => {
    const member = await seedMember(t, account, 'FE-LIMIT');
    const limited = await staffWithKey(t, 'lars@lojal.test', 'support', ['ledger:write']);
    await t.call('PUT', '/v1/settings/control', { approvalThreshold: 1000, dailyAdjustmentLimit: 5000, reasonCodes: reasons(['goodwill', 'correction', 'complaint']) });
    for (let i = 0; i < 5; i++) {
      expect((await adjust({ points: 900, reasonCode: 'goodwill', idempotencyKey: `fe-limit-${i}` }, limited.key)).statusCode).toBe(201);
    }
    const journals = await journalCount();
    const over = await t.call('POST', `/v1/members/${member}/adjustments`, { points: 600, reasonCode: 'goodwill', idempotencyKey: 'fe-limit-over' }, limited.key);
    expect(over.statusCode).toBe(422);
    expect(over.json().code).toBe('adjustment_limit_exceeded');
    expect(await journalCount()).toBe(journals);
    // Requests count too, and are refused the same way.
    const bigOver = await adjust({ points: 1000, reasonCode: 'goodwill', idempotencyKey: 'fe-limit-req' }, limited.key);
    expect(bigOver.json().code).toBe('adjustment_limit_exceeded');
    expect((await t.call('GET', '/v1/adjustment-requests?state=pending&limit=500')).json().data.some((r: { points: number; requestedBy: string }) => r.requestedBy === `staff:${limited.id}`)).toBe(false);
    // Another actor has a limit of their own; a replay is not counted again.
    expect((await adjust({ points: 500, reasonCode: 'goodwill', idempotencyKey: 'fe-limit-other' }, manager.key)).statusCode).toBe(201);
    expect((await adjust({ points: 900, reasonCode: 'goodwill', idempotencyKey: 'fe-limit-0' }, limited.key)).statusCode).toBe(200);
    // What a rejected request asked for no longer counts.
    const other = await staffWithKey(t, 'lena@lojal.test', 'support', ['ledger:write']);
    const big = (await adjust({ points: 4500, reasonCode: 'goodwill', idempotencyKey: 'fe-limit-big' }, other.key)).json();
    expect((await adjust({ points: 900, reasonCode: 'goodwill', idempotencyKey: 'fe-limit-next' }, other.key)).json().code).toBe('adjustment_limit_exceeded');
    await t.call('POST', `/v1/adjustment-requests/${big.id}/reject`, { reason: 'Too much' }, manager.key);
    expect((await adjust({ points: 900, reasonCode: 'goodwill', idempotencyKey: 'fe-limit-next' }, other.key)).statusCode).toBe(201);
  });
});
