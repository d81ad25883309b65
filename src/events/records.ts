import type { Explanation, RuleTrace } from '../rules/types.js';

/** What the API answers for an event, and what a replay of it answers again (stored with the event). */
export interface PostingRecord {
  journalId: string;
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  wallet: 'account' | 'member';
  walletId: string;
  points: number;
  status: 'pending' | 'available';
  availableAt: string;
  expiresAt: string | null;
  explanation: Explanation;
}

export interface ReversalRecord {
  journalId: string;
  originalEventId: string;
  ruleId: string | null;
  wallet: 'account' | 'member';
  walletId: string;
  /** Points taken back (a positive number). */
  points: number;
  /** Points that should have been taken back but had already been spent. */
  shortfall: number;
  explanation: Explanation;
}

export interface EventRecord {
  id: string;
  externalId: string;
  type: string;
  occurredAt: string;
  accountId: string;
  memberId: string | null;
  /** Net points this event moved: earned minus taken back. */
  points: number;
  postings: PostingRecord[];
  reversals: ReversalRecord[];
  /** Returned quantities that matched no earlier purchase (nothing to take back for them). */
  unmatched: Array<{ sku: string; quantity: number }>;
  trace: RuleTrace[];
}
