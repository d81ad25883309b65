import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { standardRules } from '../support/fixtures.js';
import { reasons, staffWithKey } from './support.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

type Entry = { seq: number; action: string; entity: string; entityId: string | null; actor: string; actorLabel: string; actorIp: string | null; before: unknown; after: unknown; at: string };
const entries = async (query = '', key = t.key): Promise<Entry[]> => {
  const out: Entry[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.call('GET', `/v1/audit?limit=7${query}${cursor ? `&cursor=${cursor}` : ''}`, undefined, key);
    expect(res.statusCode, res.body).toBe(200);
    out.push(...res.json().data);
    cursor = res.json().nextCursor;
  } while (cursor);
  return out;
};

describe('the audit log', () => {
  it('records every staff action with actor, before and after; a refused action records nothing', async () => {
    const anna = await staffWithKey(t, 'anna@lojal.test', 'owner', ['admin']);
    const erik = await staffWithKey(t, 'erik@lojal.test', 'manager', ['read', 'accounts:write', 'rules:write', 'ledger:write']);
    const k = anna.key;
    await t.call('PATCH', '/v1/program', { pointsName: 'poäng' }, k);
    await t.call('PUT', '/v1/settings/control', { approvalThreshold: 500, dailyAdjustmentLimit: null, reasonCodes: reasons(['goodwill']) }, k);
    const acc = (await t.call('POST', '/v1/accounts', { externalId: 'AUD-1', name: 'Lind VVS AB' }, erik.key)).json();
    await t.call('PATCH', `/v1/accounts/${acc.id}`, { name: 'Lind VVS i Umeå AB' }, erik.key);
    await t.call('PUT', '/v1/accounts/by-external-id/AUD-2', { name: 'Berg Bygg AB' }, erik.key);
    await t.call('POST', '/v1/accounts/batch', { items: [{ externalId: 'AUD-3', name: 'A' }, { externalId: 'AUD-4', name: 'B' }, { name: 'no id' }] }, erik.key);
    const mem = (await t.call('POST', '/v1/members', { accountId: acc.id, externalId: 'AUD-P1', name: 'Karin Lind' }, erik.key)).json();
    await t.call('PATCH', `/v1/members/${mem.id}`, { role: 'foreman' }, erik.key);
    const rule = (await t.call('POST', '/v1/rules', standardRules[0], erik.key)).json();
    await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, name: 'Points per krona' }, erik.key);
    await t.call('POST', `/v1/rules/${rule.id}/archive`, { expectedVersion: 2 }, erik.key);
    await t.call('POST', `/v1/accounts/${acc.id}/adjustments`, { points: 400, reasonCode: 'goodwill', idempotencyKey: 'aud-adj-1' }, erik.key);
    const req = (await t.call('POST', `/v1/accounts/${acc.id}/adjustments`, { points: 600, reasonCode: 'goodwill', idempotencyKey: 'aud-adj-2' }, erik.key)).json();
    await t.call('POST', `/v1/adjustment-requests/${req.id}/approve`, undefined, k);
    await t.call('POST', `/v1/accounts/${acc.id}/transfers`, { memberId: mem.id, points: 100, idempotencyKey: 'aud-tr-1' }, erik.key);
    const key = (await t.call('POST', '/v1/api-keys', { name: 'ERP', scopes: ['events:write'] }, k)).json();
    await t.call('DELETE', `/v1/api-keys/${key.id}`, undefined, k);

    // Refused: nothing recorded.
    const count = (await entries()).length;
    expect((await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, name: 'stale' }, erik.key)).statusCode).toBe(409);
    expect((await t.call('POST', '/v1/accounts', { externalId: 'AUD-1', name: 'dup' }, erik.key)).statusCode).toBe(409);
    expect((await t.call('POST', `/v1/accounts/${acc.id}/adjustments`, { points: 1, reasonCode: 'nope', idempotencyKey: 'aud-adj-3' }, erik.key)).statusCode).toBe(422);
    // A replay is not a new action.
    await t.call('POST', `/v1/accounts/${acc.id}/transfers`, { memberId: mem.id, points: 100, idempotencyKey: 'aud-tr-1' }, erik.key);
    expect((await entries()).length).toBe(count);

    const all = await entries();
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: all.length }, (_, i) => all.length - i));
    expect(all.map((e) => e.action).reverse()).toEqual([
      'staff_user.create', 'api_key.create', 'staff_user.create', 'api_key.create',
      'program.update', 'control_settings.update',
      'account.create', 'account.update', 'account.create', 'account.batch',
      'member.create', 'member.update',
      'rule.create', 'rule.update', 'rule.archive',
      'adjustment.post', 'adjustment_request.create', 'adjustment_request.approve',
      'transfer.post', 'api_key.create', 'api_key.revoke',
    ]);
    const update = all.find((e) => e.action === 'account.update')!;
    expect(update).toMatchObject({ entity: 'account', entityId: acc.id, actor: `staff:${erik.id}`, actorLabel: 'erik', actorIp: '127.0.0.1' });
    expect(update.before).toMatchObject({ name: 'Lind VVS AB' });
    expect(update.after).toMatchObject({ name: 'Lind VVS i Umeå AB' });
    expect(all.find((e) => e.action === 'account.batch')!.after).toEqual({ items: 3, created: 2, updated: 0, failed: 1 });
    expect(JSON.stringify(all)).not.toContain(key.key);

    // Filters.
    expect((await entries(`&entity=account&entityId=${acc.id}`)).map((e) => e.action).reverse()).toEqual(['account.create', 'account.update', 'adjustment.post', 'transfer.post']);
    expect((await entries(`&actor=staff:${anna.id}`)).every((e) => e.actor === `staff:${anna.id}`)).toBe(true);
    expect(await entries(`&from=${encodeURIComponent(new Date(t.clock().getTime() + 60_000).toISOString())}`)).toEqual([]);
    expect((await entries(`&to=${encodeURIComponent(new Date(t.clock().getTime() + 60_000).toISOString())}`)).length).toBe(all.length);
    expect((await t.call('GET', '/v1/audit?from=yesterday')).statusCode).toBe(400);

    // Another program sees none of it.
    const other = await t.newProgram();
    expect((await t.call('GET', '/v1/audit', undefined, other.key)).json().data).toEqual([]);

    const report = await verifyChain(t.database.db, t.programId);
    expect(report).toMatchObject({ checked: all.length, brokenAt: null });
  });

  it('refuses UPDATE and DELETE on its rows', async () => {
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE program_id = ${t.programId}`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE program_id = ${t.programId}`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('a row changed behind its back breaks the chain at that entry', async () => {
    const db = t.database.db;
    expect((await verifyChain(db, t.programId)).brokenAt).toBeNull();
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(db);
    try {
      await sql`UPDATE audit_log SET after = jsonb_set(after, '{name}', '"Mallory AB"') WHERE program_id = ${t.programId} AND seq = 7`.execute(db);
    } finally {
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(db);
    }
    const report = await verifyChain(db, t.programId);
    expect(report).toMatchObject({ brokenAt: 7, checked: 6 });

    // A removed entry is found too (in a program of its own, so the first break is this one).
    const p = await t.newProgram();
    for (let i = 0; i < 4; i++) await t.call('POST', '/v1/staff-users', { email: `s${i}@lojal.test`, name: `S ${i}`, role: 'viewer' }, p.key);
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(db);
    try {
      await sql`DELETE FROM audit_log WHERE program_id = ${p.programId} AND seq = 2`.execute(db);
    } finally {
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(db);
    }
    expect(await verifyChain(db, p.programId)).toMatchObject({ brokenAt: 2, checked: 1 });
  });
});
