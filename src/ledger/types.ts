import type { JournalKind } from '../db/schema.js';
import type { Explanation } from '../rules/types.js';

/** What every journal says about itself: why it exists and what it may not repeat. */
export interface JournalHeader {
  id: string;
  /** Unique per program: a second journal with the same key is a replay and is not written. */
  idempotencyKey: string;
  kind: JournalKind;
  occurredAt: Date;
  explanation: Explanation;
  eventId?: string | null;
  ruleId?: string | null;
  ruleVersion?: number | null;
  reversesId?: string | null;
  reasonCode?: string | null;
  memo?: string | null;
  actor?: string | null;
  basisLines?: number[] | null;
  requestHash?: string | null;
  /** A spend honoured at a coalition partner. */
  partnerId?: string | null;
}

/** Points added to an owner wallet as a new lot. */
export interface Credit {
  walletId: string;
  points: number;
  earnedAt: Date;
  /** Later than now: the lot is pending until then. */
  availableAt: Date;
  expiresAt: Date | null;
  /** For a rule's posting: which rule and why, kept on the entry (one event's earnings are one journal). */
  ruleId?: string | null;
  ruleVersion?: number | null;
  explanation?: Explanation | null;
  basisLines?: number[] | null;
}

/** A journal that only adds points (earning, positive adjustments): system wallet → owner wallets. */
export interface CreditJournal extends JournalHeader {
  fromWalletId: string;
  credits: Credit[];
  /** Counts toward the wallets' lifetime earned figure. */
  earned: boolean;
}

/** A journal that takes points out of one owner wallet, oldest-expiring lots first. */
export interface DebitJournal extends JournalHeader {
  walletId: string;
  points: number;
  /** Where the points go: a system wallet, or (a transfer) another owner wallet that gets lots with the same expiry. */
  toWalletId: string;
  toOwnerWallet?: boolean;
  /** Take from this lot first (a reversal takes back the very lot it reverses), even while it is pending. */
  preferLotId?: string | null;
  /** Take what there is instead of failing when the wallet holds less (reversals of points already spent). */
  allowShortfall?: boolean;
  /** lifetime_spent grows (spending) or lifetime_earned shrinks (reversal); neither for expiry and transfers. */
  effect: 'spent' | 'unearned' | 'none';
}

export interface DebitOutcome {
  journalId: string;
  /** False when the idempotency key existed: nothing was written, the first journal stands. */
  written: boolean;
  taken: number;
  shortfall: number;
}
