import { v7 as uuidv7 } from 'uuid';
import type { TestApp } from './app.js';

/**
 * Test data straight into the tables the accounts and catalog modules own, so ledger and event tests
 * do not depend on those modules' APIs.
 */
export async function seedAccount(t: TestApp, externalId: string, extra: { segment?: string; tags?: string[]; status?: string; programId?: string } = {}) {
  const id = uuidv7();
  const programId = extra.programId ?? t.programId;
  await t.database.db
    .insertInto('accounts')
    .values({ program_id: programId, id, external_id: externalId, name: `Company ${externalId}`, tags: extra.tags ?? [], segment: extra.segment ?? null, status: extra.status ?? 'active', attributes: '{}' } as never)
    .execute();
  await t.database.db.insertInto('wallets').values({ program_id: programId, id, kind: 'account' }).execute();
  return id;
}

export async function seedMember(t: TestApp, accountId: string, externalId: string, role = 'buyer', programId = t.programId) {
  const id = uuidv7();
  await t.database.db
    .insertInto('members')
    .values({ program_id: programId, id, account_id: accountId, external_id: externalId, name: `Person ${externalId}`, role, tags: [], attributes: '{}' } as never)
    .execute();
  await t.database.db.insertInto('wallets').values({ program_id: programId, id, kind: 'member' }).execute();
  return id;
}

export async function seedCatalog(t: TestApp, programId = t.programId) {
  await t.database.db
    .insertInto('categories')
    .values(['tools', 'paint', 'timber'].map((code) => ({ program_id: programId, code, name: code })) as never)
    .execute();
  await t.database.db
    .insertInto('products')
    .values([
      { program_id: programId, sku: 'DRILL', name: 'Drill', category_code: 'tools', margin_class: 'high', attributes: '{}' },
      { program_id: programId, sku: 'PAINT', name: 'Paint 10 l', category_code: 'paint', margin_class: 'standard', attributes: '{}' },
      { program_id: programId, sku: 'PLANK', name: 'Plank', category_code: 'timber', margin_class: 'low', attributes: '{}' },
    ] as never)
    .execute();
}

export const standardRules = [
  {
    name: 'Points per SEK',
    effectiveFrom: '2020-01-01T00:00:00Z',
    definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'split', accountPercent: 70 } },
  },
  {
    name: 'High margin',
    effectiveFrom: '2020-01-01T00:00:00Z',
    definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'upsell', points: 5, per: 10000 }, recipient: { type: 'member' } },
  },
  {
    name: 'Cross-sell',
    effectiveFrom: '2020-01-01T00:00:00Z',
    definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'crossSell', points: 200 }, recipient: { type: 'account' } },
  },
  {
    name: 'App login',
    effectiveFrom: '2020-01-01T00:00:00Z',
    definition: {
      conditions: { eventTypes: ['app.login'] },
      effect: { type: 'fixed', points: 10 },
      recipient: { type: 'member' },
      caps: [{ scope: 'member', period: 'day', maxTimes: 1 }],
    },
  },
  {
    name: 'Feedback',
    effectiveFrom: '2020-01-01T00:00:00Z',
    definition: {
      conditions: { eventTypes: ['feedback.given'] },
      effect: { type: 'fixed', points: 40 },
      recipient: { type: 'member' },
      caps: [{ scope: 'member', period: 'month', maxPoints: 100 }],
    },
  },
];

export async function createRules(t: TestApp, rules = standardRules, key = t.key) {
  const ids: string[] = [];
  for (const r of rules) {
    const res = await t.call('POST', '/v1/rules', r, key);
    if (res.statusCode !== 201) throw new Error(`rule ${r.name}: ${res.body}`);
    ids.push(res.json().id);
  }
  return ids;
}

/** A purchase of a drill (high margin, tools) and paint: 700 SEK in all. */
export const purchase = (id: string, account: string, member?: string, occurredAt = '2026-11-20T10:00:00+01:00') => ({
  id,
  type: 'purchase',
  occurredAt,
  account,
  ...(member && { member }),
  lines: [
    { sku: 'DRILL', quantity: 2, amount: 50000 },
    { sku: 'PAINT', quantity: 1, amount: 20000 },
  ],
});
