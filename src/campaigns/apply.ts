/**
 * Campaign bonuses on the earning path: for each purchase of a batch, every campaign running at its time whose
 * segments hold the account (resolved before, like the rules' segments) and whose control group does not, adds
 * its effects' points — paid from the campaign's budget wallet, which the ledger never lets go below zero. When
 * the budget runs out mid-payout the posting is cut and says so; once it is empty, the event's trace says the
 * campaign paid nothing because its budget is used up.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { payFromBudgets, type BudgetPayout } from '../ledger/budget.js';
import type { EngineLine, Explanation, RuleTrace } from '../rules/types.js';
import { campaignBonus, inControlGroup } from './effects.js';
import { effectiveEnd, type Campaign } from './store.js';

export interface CampaignEvent {
  eventId: string;
  occurredAt: Date;
  accountId: string;
  memberId: string | null;
  lines: readonly EngineLine[];
  /** Points the rules gave this purchase (what a multiplier multiplies). */
  rulePoints: number;
  /** Segment keys of the account (and of the member). */
  segmentKeys: readonly string[];
  availableAt: Date;
  expiresAt: Date | null;
}

export interface CampaignPosting {
  eventId: string;
  campaign: Campaign;
  journalId: string;
  walletId: string;
  wallet: 'account' | 'member';
  points: number;
  explanation: Explanation;
}

export interface CampaignOutcome {
  postings: CampaignPosting[];
  /** Trace lines for campaigns that would have paid but found their budget empty. */
  traces: Map<string, RuleTrace[]>;
}

/** Does the campaign reach this account at this time (segments, window, not held out)? */
export function campaignReaches(c: Campaign, e: Pick<CampaignEvent, 'occurredAt' | 'accountId' | 'segmentKeys'>): boolean {
  if (e.occurredAt < c.startsAt || e.occurredAt >= effectiveEnd(c)) return false;
  if (c.segmentKeys.length > 0 && !c.segmentKeys.some((k) => e.segmentKeys.includes(k))) return false;
  return !inControlGroup(c.id, e.accountId, c.controlPercent);
}

export async function payCampaigns(trx: Db, programId: string, campaigns: readonly Campaign[], events: readonly CampaignEvent[], now: Date): Promise<CampaignOutcome> {
  const payouts: Array<BudgetPayout & { campaign: Campaign; event: CampaignEvent; wallet: 'account' | 'member'; walletId: string }> = [];
  for (const e of events) {
    for (const c of campaigns) {
      if (!campaignReaches(c, e)) continue;
      const bonus = campaignBonus(c.effects, e.lines, e.rulePoints);
      if (bonus.points <= 0) continue;
      const wallet = e.memberId ? ('member' as const) : ('account' as const);
      const walletId = e.memberId ?? e.accountId;
      const explanation: Explanation = { key: 'campaigns:explain.bonus', params: { rule: c.name, campaign: c.name, points: bonus.points } };
      payouts.push({
        campaign: c,
        event: e,
        wallet,
        walletId,
        wanted: bonus.points,
        journal: {
          id: uuidv7(),
          idempotencyKey: `campaign:${c.id}:${e.eventId}`,
          kind: 'earn',
          occurredAt: e.occurredAt,
          eventId: e.eventId,
          explanation,
          fromWalletId: c.walletId,
          earned: true,
          credits: [{ walletId, points: bonus.points, earnedAt: e.occurredAt, availableAt: e.availableAt, expiresAt: e.expiresAt, ruleId: c.id, ruleVersion: 0, explanation, basisLines: e.lines.map((l) => l.lineNo) }],
        },
      });
    }
  }
  const out: CampaignOutcome = { postings: [], traces: new Map() };
  if (payouts.length === 0) return out;
  const paid = await payFromBudgets(trx, programId, payouts, now, (p, points) => ({
    key: 'campaigns:explain.cut',
    params: { rule: (p as (typeof payouts)[number]).campaign.name, campaign: (p as (typeof payouts)[number]).campaign.name, points, wanted: p.wanted },
  }));
  for (const p of payouts) {
    const points = paid.get(p.journal.id) ?? 0;
    if (points > 0) {
      out.postings.push({
        eventId: p.event.eventId,
        campaign: p.campaign,
        journalId: p.journal.id,
        walletId: p.walletId,
        wallet: p.wallet,
        points,
        explanation: points < p.wanted ? { key: 'campaigns:explain.cut', params: { rule: p.campaign.name, campaign: p.campaign.name, points, wanted: p.wanted } } : p.journal.explanation,
      });
    } else {
      const list = out.traces.get(p.event.eventId) ?? [];
      list.push({ ruleId: p.campaign.id, ruleName: p.campaign.name, outcome: 'capped', explanation: { key: 'campaigns:explain.exhausted', params: { rule: p.campaign.name, campaign: p.campaign.name } } });
      out.traces.set(p.event.eventId, list);
    }
  }
  return out;
}
