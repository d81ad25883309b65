import { describe, expect, it } from 'vitest';
import { claimFlags, type ClaimFacts } from '../../src/claims/flags.js';
import { exactInvoice, looseInvoice } from '../../src/claims/invoice.js';
import { defaultClaimSettings, type ClaimSettings } from '../../src/claims/settings.js';

describe('invoice numbers', () => {
  it.each([
    ['INV-2026-0042', 'INV-2026-0042', 'INV20260042'],
    ['  INV-2026-0042 ', 'INV-2026-0042', 'INV20260042'],
    ['inv 2026 0042', 'inv 2026 0042', 'INV20260042'],
    ['Inv–2026/0042', 'Inv–2026/0042', 'INV20260042'],
    ['inv_2026.0042', 'inv_2026.0042', 'INV20260042'],
    ['F  12', 'F 12', 'F12'],
    ['ＩＮＶ１', 'ＩＮＶ１', 'INV1'],
  ])('%j: exact %j, loose %j', (raw, exact, loose) => {
    expect(exactInvoice(raw)).toBe(exact);
    expect(looseInvoice(raw)).toBe(loose);
  });
});

const none: ClaimFacts = { nearInvoice: [], sameAmount: [], memberDay: 0, memberWeek: 0, accountDay: 0, accountWeek: 0 };
const limits = { ...defaultClaimSettings, memberDailyLimit: 3, memberWeeklyLimit: 10, accountDailyLimit: 5, accountWeeklyLimit: 20 };

const table: Array<[string, ClaimFacts, ClaimSettings, string[]]> = [
    ['nothing alike, no limits', none, defaultClaimSettings, []],
    ['many claims but no limits set', { ...none, memberDay: 99, accountWeek: 999 }, defaultClaimSettings, []],
    ['a near-duplicate invoice', { ...none, nearInvoice: [{ claimId: 'c1', invoiceNumber: 'a-1' }] }, defaultClaimSettings, ['near_duplicate_invoice']],
    ['the same amount lately', { ...none, sameAmount: [{ claimId: 'c2', saleDate: '2026-11-01' }] }, defaultClaimSettings, ['same_amount_recent']],
    ['at the member’s daily limit: fine', { ...none, memberDay: 2 }, limits, []],
    ['one past the member’s daily limit', { ...none, memberDay: 3, memberWeek: 3 }, limits, ['member_velocity']],
    ['past the member’s weekly limit', { ...none, memberWeek: 10 }, limits, ['member_velocity']],
    ['past the account’s daily and weekly limits', { ...none, accountDay: 5, accountWeek: 20 }, limits, ['account_velocity', 'account_velocity']],
    ['everything at once', { nearInvoice: [{ claimId: 'c1', invoiceNumber: 'x' }], sameAmount: [{ claimId: 'c2', saleDate: '2026-11-01' }], memberDay: 3, memberWeek: 3, accountDay: 0, accountWeek: 0 }, limits, ['near_duplicate_invoice', 'same_amount_recent', 'member_velocity']],
];

describe('claim flags', () => {
  it.each(table)('%s', (_name, facts, settings, codes) => {
    expect(claimFlags(facts, settings).map((f) => f.code)).toEqual(codes);
  });

  it('says which limit, counting this claim', () => {
    expect(claimFlags({ ...none, memberWeek: 10 }, limits)).toEqual([{ code: 'member_velocity', params: { period: 'week', total: 11, limit: 10 } }]);
  });
});
