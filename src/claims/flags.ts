/**
 * Why a claim needs a person to look at it. Pure: the facts (other claims like it, how many the member
 * and the account sent lately) are gathered by the caller; this decides which of them are flags.
 */
import type { ClaimSettings } from './settings.js';

export type ClaimFlagCode = 'near_duplicate_invoice' | 'same_amount_recent' | 'member_velocity' | 'account_velocity';

export interface ClaimFlag {
  code: ClaimFlagCode;
  params: Record<string, string | number>;
}

export interface ClaimFacts {
  /** Other live claims of the same SKU whose invoice number differs only in case, spaces or dashes. */
  nearInvoice: Array<{ claimId: string; invoiceNumber: string }>;
  /** Other live claims of the same account with the same amount within the window. */
  sameAmount: Array<{ claimId: string; saleDate: string }>;
  /** Claims sent before this one in the last 24 hours and 7 days. */
  memberDay: number;
  memberWeek: number;
  accountDay: number;
  accountWeek: number;
}

export function claimFlags(f: ClaimFacts, s: ClaimSettings): ClaimFlag[] {
  const flags: ClaimFlag[] = [];
  for (const n of f.nearInvoice) flags.push({ code: 'near_duplicate_invoice', params: { claim: n.claimId, invoice: n.invoiceNumber } });
  for (const n of f.sameAmount) flags.push({ code: 'same_amount_recent', params: { claim: n.claimId, saleDate: n.saleDate, days: s.nearDuplicateDays } });
  // This claim counts too: a limit of 5 a day flags the sixth.
  const over = (code: 'member_velocity' | 'account_velocity', period: 'day' | 'week', before: number, limit: number | null) => {
    if (limit !== null && before + 1 > limit) flags.push({ code, params: { period, total: before + 1, limit } });
  };
  over('member_velocity', 'day', f.memberDay, s.memberDailyLimit);
  over('member_velocity', 'week', f.memberWeek, s.memberWeeklyLimit);
  over('account_velocity', 'day', f.accountDay, s.accountDailyLimit);
  over('account_velocity', 'week', f.accountWeek, s.accountWeeklyLimit);
  return flags;
}
