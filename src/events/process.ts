/**
 * The transaction that posts a batch of validated events. Statements are per batch, not per event:
 * lock the accounts, insert the events, load what the rules need to know, judge every event in memory
 * (threading cap counters and bought categories from one event to the next), then write lines, counters
 * and ledger journals with multi-row statements. Returns follow, one at a time, after the purchases they
 * may refer to are written.
 */
import { sql, type RawBuilder } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { unawaited, type Db } from '../db/database.js';
import { publishPointsMoved } from '../webhooks/publish.js';
import { subscribersSubquery } from '../webhooks/events.js';
import { earnNoticesSubquery, queueEarnNotices, type Earned } from '../messages/notices.js';
import { LojalError } from '../errors/index.js';
import { planExpiry } from '../ledger/expiry.js';
import type { CreditJournal } from '../ledger/types.js';
import { writeCredits } from '../ledger/writer.js';
import { systemWalletId, type Program } from '../programs/programs.js';
import { capKey, evaluate, periodKey, rulesUseSegments } from '../rules/engine.js';
import { rulesInForce } from '../rules/store.js';
import type { EngineContext, EngineLine, RuleVersion, TierBonus } from '../rules/types.js';
import type { IngestItem, ReadyEvent } from './items.js';
import type { EventRecord, PostingRecord } from './records.js';
import { chainRoots, type AccountRef, type MemberRef } from '../accounts/index.js';
import { processReturns } from './returns.js';
import { onboardingFromEvents } from '../onboarding/complete.js';
import { evaluateOwner, ownerKindsOf } from '../tiers/job.js';
import { loadRequirements } from '../training/requirements.js';
import { getTierConfig, statusesAndTotals, type TierConfig } from '../tiers/store.js';
import { decide, qualifyingWindow } from '../tiers/evaluate.js';
import { segmentKeysOf } from '../segments/store.js';
import { campaignsInForceSubquery, campaignsOfJson, type Campaign } from '../campaigns/store.js';
import { payCampaigns } from '../campaigns/apply.js';
import { sameEvent, type EventInput } from './schema.js';
import { ruleUsageIncrement } from '../rules/usage.js';
import { jsonColumn } from '../db/json-columns.js';

export type { ReadyEvent } from './items.js';

/**
 * Events already stored, with the answer their first processing gave. A purchase's answer is rebuilt from
 * its ledger entries (storing it again beside them would double the write volume of the hot path); a
 * return's is stored with it, because what it matched is not in the ledger.
 */
export async function loadExisting(db: Db, programId: string, externalIds: string[]) {
  const found = new Map<string, { hash: string; record: EventRecord }>();
  if (externalIds.length === 0) return found;
  const rows = await sql<{
    id: string;
    external_id: string;
    type: string;
    occurred_at: Date;
    received_at: Date;
    account_id: string;
    member_id: string | null;
    body_hash: string;
    result: EventRecord | null;
    postings: Array<{
      journalId: string;
      walletId: string;
      points: number;
      ruleId: string;
      ruleVersion: number;
      explanation: EventRecord['postings'][number]['explanation'];
      availableAt: string;
      expiresAt: string | null;
    }> | null;
  }>`
    SELECT e.id, e.external_id, e.type, e.occurred_at, e.received_at, e.account_id, e.member_id, e.body_hash, e.result,
      (SELECT json_agg(json_build_object('journalId', x.journal_id, 'walletId', x.wallet_id, 'points', x.amount, 'ruleId', x.rule_id,
                 'ruleVersion', x.rule_version, 'explanation', x.explanation, 'availableAt', l.available_at, 'expiresAt', l.expires_at)
                 ORDER BY x.seq)
       FROM journals j
       JOIN entries x ON x.program_id = j.program_id AND x.journal_id = j.id AND x.lot_id IS NOT NULL
       JOIN lots l ON l.program_id = x.program_id AND l.id = x.lot_id
       WHERE j.program_id = e.program_id AND j.event_id = e.id AND j.kind = 'earn') AS postings
    FROM events e
    WHERE e.program_id = ${programId} AND e.external_id = ANY(${externalIds}::text[])`.execute(db);
  for (const r of rows.rows) {
    if (r.result) {
      found.set(r.external_id, { hash: r.body_hash, record: r.result });
      continue;
    }
    const postings = (r.postings ?? []).map((p) => {
      const availableAt = new Date(p.availableAt);
      return {
        journalId: p.journalId,
        ruleId: p.ruleId,
        ruleVersion: p.ruleVersion,
        ruleName: String(p.explanation.params.rule ?? ''),
        wallet: p.walletId === r.account_id ? ('account' as const) : ('member' as const),
        walletId: p.walletId,
        points: Number(p.points),
        // As the first answer said it: pending if the points were not yet spendable when the event arrived.
        status: availableAt.getTime() > new Date(r.received_at).getTime() ? ('pending' as const) : ('available' as const),
        availableAt: availableAt.toISOString(),
        expiresAt: p.expiresAt ? new Date(p.expiresAt).toISOString() : null,
        explanation: p.explanation,
      };
    });
    found.set(r.external_id, {
      hash: r.body_hash,
      record: {
        id: r.id,
        externalId: r.external_id,
        type: r.type,
        occurredAt: new Date(r.occurred_at).toISOString(),
        accountId: r.account_id,
        memberId: r.member_id,
        points: postings.reduce((s, p) => s + p.points, 0),
        postings,
        reversals: [],
        unmatched: [],
        trace: [],
      },
    });
  }
  return found;
}

const DAY_MS = 86_400_000;

/**
 * The engine's result, or `points_limit_exceeded` when an event would pay more than 2^53 − 1 points (a rate times
 * an amount near the limit, multiplied again): no posting may hold a number JSON readers cannot keep exactly.
 */
export function evaluateWithinLimit(run: () => ReturnType<typeof evaluate>): ReturnType<typeof evaluate> | LojalError {
  let result: ReturnType<typeof evaluate>;
  try {
    result = run();
  } catch (err) {
    if (err instanceof LojalError && err.code === 'points_limit_exceeded') return err;
    throw err;
  }
  let total = 0;
  for (const p of result.postings) {
    total += p.points;
    if (!Number.isSafeInteger(p.points) || !Number.isSafeInteger(total)) {
      return new LojalError('points_limit_exceeded', { limit: Number.MAX_SAFE_INTEGER });
    }
  }
  return result;
}

/** Another transaction stored one of these event ids first (the same id used for two accounts at once). */
export class EventRaceError extends Error {}

/** Settings the caller keeps in memory (the HTTP server's cache, src/cache); without them they are read here. */
export interface CachedSettings {
  rules: (at: Date) => RuleVersion[];
  /** Loaded before the transaction: on the embedded database a query outside it would wait for it forever. */
  tiers: TierConfig | null;
}

export async function processBatch(db: Db, program: Program, ready: ReadyEvent[], now: Date, partnerId?: string, settings?: CachedSettings): Promise<Map<number, IngestItem>> {
  // The transaction is this function's own: nothing after the ledger's write waits on a database error of its own, so
  // that write may go unawaited and the commit right behind it (one round trip for both).
  return db.transaction().execute((trx) => processInTransaction(trx, program, ready, now, partnerId, settings, true));
}

/**
 * The body of processBatch, for a workflow that posts events inside a transaction of its own (approving a
 * sales claim posts its event and records the decision in one transaction).
 */
export async function processInTransaction(
  trx: Db,
  program: Program,
  ready: ReadyEvent[],
  now: Date,
  partnerId?: string,
  settings?: CachedSettings,
  /** The caller commits right after and catches no database error before: the ledger's write need not be awaited. */
  commitFollows = false,
): Promise<Map<number, IngestItem>> {
  const out = new Map<number, IngestItem>();
  await (async () => {
    // Serialize batches that touch the same accounts (cap counters, bought categories, the same event sent
    // twice at once), in id order so that two batches can never wait for each other.
    const accountIds = [...new Set(ready.map((r) => r.account.id))].sort();
    if (program.hierarchyRollup === 'chain') await lockChains(trx, program.id, ready, accountIds);
    // The wallets the events may credit (their accounts' and members') are locked in the same statement, after the
    // accounts and in id order as the ledger writer would: the writer then skips its own lock statement. The lock
    // goes unawaited: the events' insert, which reads the state under these locks, is written right behind it and
    // both are answered in one round trip (a failed lock fails the insert with the lock's error). The insert's
    // statement tells which wallets there are.
    const walletIds = [...new Set([...accountIds, ...ready.flatMap((r) => (r.member ? [r.member.id] : []))])].sort();
    // Members too, when an earn may raise their tier (known here from the cached settings): an owner's evaluation
    // locks its row, which upgradeTiers would otherwise do in a statement of its own.
    const memberTiers = Boolean(settings?.tiers && ownerKindsOf(settings.tiers.settings.scope).includes('member'));
    const members = memberTiers ? [...new Set(ready.filter((r) => r.input.type !== 'return').flatMap((r) => (r.member ? [r.member.id] : [])))] : [];
    await unawaited(lockStatement(program.id, accountIds, walletIds, members)).execute(trx);

    const earningAll = ready.filter((r) => r.input.type !== 'return');
    const rulesAt = settings?.rules ?? (await rulesInForce(trx, program.id, ready.map((r) => r.occurredAt)));
    const tiers = earningAll.length > 0 ? settings ? settings.tiers : await getTierConfig(trx, program.id) : null;

    // The events are inserted first: the unique key on (program, external id) is the idempotency check. One sent
    // meanwhile by a concurrent request is not inserted (the insert waits for that transaction), and answers as
    // a replay. The same statement reads the accounts' state the rules need, under the locks just taken.
    const purchasesAll = earningAll.filter((ev) => ev.input.type === 'purchase');
    const span = purchasesAll.length
      ? { from: new Date(Math.min(...purchasesAll.map((ev) => ev.occurredAt.getTime()))), to: new Date(Math.max(...purchasesAll.map((ev) => ev.occurredAt.getTime()))) }
      : null;
    const state = await insertEventsAndReadState(trx, program.id, ready, accountIds, walletIds, capKeysOf(earningAll, rulesAt, program.timeZone), partnerId, span);
    const walletsLocked = state.wallets;
    const notInserted = ready.filter((r) => !state.inserted.has(r.input.id)).map((r) => r.input.id);
    const existing = notInserted.length ? await loadExisting(trx, program.id, notInserted) : new Map<string, { hash: string; record: EventRecord }>();
    let fresh = ready.filter((r) => {
      if (state.inserted.has(r.input.id)) return true;
      const old = existing.get(r.input.id);
      if (!old) throw new EventRaceError('an event id of this batch was neither inserted nor found');
      out.set(r.index, sameEvent(old.hash, r)
        ? { index: r.index, externalId: r.input.id, status: 'replayed', record: old.record }
        : { index: r.index, externalId: r.input.id, status: 'rejected', error: new LojalError('event_conflict', { id: r.input.id }) });
      return false;
    });
    if (fresh.length === 0) return;

    // Purchases and behaviour events earn; returns take back.
    let earning = fresh.filter((r) => r.input.type !== 'return');
    const returns = fresh.filter((r) => r.input.type === 'return');
    const bought = state.bought;
    const usage = state.usage;
    const tierBonusOf = tierBonuses(tiers, program);

    const credits: CreditJournal[] = [];
    const newCategories: Array<{ accountId: string; category: string; eventId: string }> = [];
    const usageDelta = new Map<string, { points: number; times: number }>();
    const records = new Map<string, EventRecord>();
    const refused = new Set<string>();
    // Segment membership is resolved here, before the pure engine runs, and only when a rule in force asks.
    const purchases = earning.filter((ev) => ev.input.type === 'purchase');
    // Read with the state, for the span of all the batch's purchases (a replayed one among them only widens it).
    const campaigns = purchases.length ? state.campaigns : [];
    const segmentsNeeded = campaigns.some((c) => c.segmentKeys.length > 0) || earning.some((ev) => rulesUseSegments(rulesAt(ev.occurredAt)));
    const segmentKeys = segmentsNeeded
      ? await segmentKeysOf(trx, program.id, [...accountIds, ...earning.flatMap((ev) => (ev.member ? [ev.member.id] : []))])
      : new Map<string, string[]>();
    for (const ev of earning) {
      const categories = bought.get(ev.account.id) ?? new Set<string>();
      bought.set(ev.account.id, categories);
      const result = evaluateWithinLimit(() =>
        evaluate({
          event: { type: ev.input.type, occurredAt: ev.occurredAt, attributes: ev.input.attributes ?? {}, lines: ev.lines },
          account: segmentsNeeded ? { ...ev.account, segments: segmentKeys.get(ev.account.id) } : ev.account,
          member: segmentsNeeded && ev.member ? { ...ev.member, segments: segmentKeys.get(ev.member.id) } : ev.member,
          history: { categoriesBought: categories, usage: (key) => usage.get(key) },
          rules: rulesAt(ev.occurredAt),
          timeZone: program.timeZone,
          ...(tierBonusOf && { tierBonus: tierBonusOf(ev) }),
        }),
      );
      if (result instanceof LojalError) {
        // This event alone is refused; the others of the batch go on.
        out.set(ev.index, { index: ev.index, externalId: ev.input.id, status: 'rejected', error: result });
        refused.add(ev.id);
        continue;
      }
      for (const u of result.usage) {
        for (const map of [usage, usageDelta]) {
          const cur = map.get(u.key) ?? { points: 0, times: 0 };
          map.set(u.key, { points: cur.points + u.points, times: cur.times + u.times });
        }
      }
      // Only the account's own purchases make a category "bought"; a sale its staff claim is someone else's purchase.
      for (const line of ev.input.type === 'purchase' ? ev.lines : []) {
        if (line.category && !categories.has(line.category)) {
          categories.add(line.category);
          newCategories.push({ accountId: ev.account.id, category: line.category, eventId: ev.id });
        }
      }
      const availableAt = new Date(ev.occurredAt.getTime() + program.pendingDays * DAY_MS);
      const expiresAt = planExpiry(program.expiryPolicy, ev.occurredAt, program.timeZone);
      const pending = availableAt.getTime() > now.getTime();
      const journalId = uuidv7();
      const postings: PostingRecord[] = result.postings.map((p) => {
        const walletId = p.recipient === 'member' ? ev.member!.id : ev.account.id;
        return {
          journalId,
          ruleId: p.ruleId,
          ruleVersion: p.ruleVersion,
          ruleName: p.ruleName,
          wallet: p.recipient,
          walletId,
          points: p.points,
          status: pending ? 'pending' : 'available',
          availableAt: availableAt.toISOString(),
          expiresAt: expiresAt?.toISOString() ?? null,
          explanation: p.explanation,
        };
      });
      // One journal per event; each rule's posting is an entry (and a lot) of its own.
      credits.push({
        id: journalId,
        idempotencyKey: `earn:${ev.id}`,
        kind: 'earn',
        occurredAt: ev.occurredAt,
        explanation: { key: 'ledger:explain.earn', params: { event: ev.input.id } },
        eventId: ev.id,
        fromWalletId: systemWalletId(program.id, 'issuance'),
        earned: true,
        credits: result.postings.map((p, i) => ({
          walletId: postings[i]!.walletId,
          points: p.points,
          earnedAt: ev.occurredAt,
          availableAt,
          expiresAt,
          ruleId: p.ruleId,
          ruleVersion: p.ruleVersion,
          explanation: p.explanation,
          basisLines: p.basisLines,
        })),
      });
      records.set(ev.id, {
        ...baseRecord(ev),
        points: postings.reduce((s, p) => s + p.points, 0),
        postings,
        trace: result.trace,
      });
    }

    if (refused.size > 0) {
      // The refused events were inserted as the idempotency check; they go again, so a corrected resend is new.
      await sql`DELETE FROM events WHERE program_id = ${program.id} AND id = ANY(${[...refused]}::uuid[])`.execute(trx);
      fresh = fresh.filter((r) => !refused.has(r.id));
      earning = earning.filter((r) => !refused.has(r.id));
      if (fresh.length === 0) return;
    }
    // Onboarding steps the events complete pay in the same journals write (programs without a checklist skip it).
    if (program.hasOnboarding) {
      const completing = earning.map((ev) => ({ id: ev.id, memberId: ev.member?.id ?? null, type: ev.input.type, attributes: ev.input.attributes ?? {} }));
      credits.push(...(await onboardingFromEvents(trx, program, completing, now)));
    }
    // The lines, categories and cap counters go in the ledger's statement. The earn journals' idempotency keys hold
    // the ids of events this transaction just inserted, so none can exist yet: the writer may send journals, lots and
    // entries as one statement — unless onboarding journals, whose keys may repeat, are among them.
    await writeCredits(trx, program.id, credits, now, {
      walletsLocked,
      alongside: linesCategoriesUsage(program.id, fresh, newCategories, usageDelta),
      fresh: !program.hasOnboarding,
      unawaitedLast: commitFollows,
    });
    if (campaigns.length) await applyCampaigns(trx, program, campaigns, purchases.filter((ev) => records.has(ev.id)), records, segmentKeys, now);

    const returned = await processReturns(trx, program, returns.map((ev) => ({ ev, record: baseRecord(ev) })), now);
    const unmatchable = new Set<string>();
    for (const ev of returns) {
      const r = returned.get(ev.id)!;
      if (r instanceof LojalError) {
        out.set(ev.index, { index: ev.index, externalId: ev.input.id, status: 'rejected', error: r });
        unmatchable.add(ev.id);
      } else records.set(ev.id, r);
    }
    if (unmatchable.size > 0) {
      // As with a refused earning: the event row goes again, so a corrected resend is new.
      await sql`DELETE FROM events WHERE program_id = ${program.id} AND id = ANY(${[...unmatchable]}::uuid[])`.execute(trx);
      fresh = fresh.filter((r) => !unmatchable.has(r.id));
    }
    await storeResults(trx, program.id, returns.filter((ev) => records.has(ev.id)).map((ev) => [ev.id, records.get(ev.id)!]));
    await publishPointsMoved(trx, program.id, fresh, records, { earned: state.subscribers.earned, reversed: state.subscribers.reversed });
    await queueEarnNotices(trx, program, earnedByMembers(fresh, records), now, state.earnNotices);
    if (tiers) await upgradeTiers(trx, program, tiers, earning, now, memberTiers);
    for (const ev of fresh) {
      out.set(ev.index, { index: ev.index, externalId: ev.input.id, status: 'processed', record: records.get(ev.id)! });
    }
  })();
  return out;
}

/**
 * Locks the accounts, then the wallets (each in id order), in one statement; answers the wallets locked. Apart so
 * that a test can EXPLAIN it.
 */
export function lockStatement(programId: string, accountIds: string[], walletIds: string[], memberIds: string[] = []) {
  const members = memberIds.length ? sql`, m AS (${memberLocks(programId, memberIds)})` : sql``;
  return sql<{ accounts: number; wallets: string[] | null }>`
    WITH a AS (SELECT id FROM accounts WHERE program_id = ${programId} AND id = ANY(${accountIds}::uuid[]) ORDER BY id FOR NO KEY UPDATE)${members}
    SELECT (SELECT count(*) FROM a) AS accounts,${memberIds.length ? sql` (SELECT count(*) FROM m) AS members,` : sql``}
      ARRAY(SELECT id FROM wallets WHERE program_id = ${programId} AND id = ANY(${walletIds}::uuid[]) ORDER BY id FOR UPDATE) AS wallets`;
}

/**
 * With chains rolled up, account caps count against the top parent and a tier upgrade writes the level to
 * every branch. So the top parents are locked first (in id order), then the accounts: whoever holds a
 * branch holds its chain, and a tier writer holding the chain never waits for a branch someone else holds.
 */
async function lockChains(trx: Db, programId: string, ready: ReadyEvent[], accountIds: string[]): Promise<void> {
  const roots = await chainRoots(trx, programId, accountIds);
  const rootIds = [...new Set(roots.values())].sort();
  await sql`SELECT 1 FROM accounts WHERE program_id = ${programId} AND id = ANY(${rootIds}::uuid[]) ORDER BY id FOR NO KEY UPDATE`.execute(trx);
  for (const ev of ready) ev.account = { ...ev.account, chainId: roots.get(ev.account.id) ?? ev.account.id };
}

/**
 * Upgrades at event time: the owners that just earned are re-evaluated in the same transaction, under the
 * account locks the batch holds, and only ever raised (downgrades wait for the period end and the job).
 * Events later in the same batch are still judged with the tier their account had when the batch began.
 */
async function upgradeTiers(trx: Db, program: Program, config: TierConfig, earning: ReadyEvent[], now: Date, membersLocked: boolean): Promise<void> {
  const kinds = ownerKindsOf(config.settings.scope);
  const owners: Array<['account' | 'member', string]> = [];
  if (kinds.includes('account')) for (const id of new Set(earning.map((e) => (config.chain ? (e.account.chainId ?? e.account.id) : e.account.id)))) owners.push(['account', id]);
  if (kinds.includes('member')) for (const id of new Set(earning.flatMap((e) => (e.member ? [e.member.id] : [])))) owners.push(['member', id]);
  owners.sort((a, b) => (a[0] === b[0] ? a[1].localeCompare(b[1]) : a[0].localeCompare(b[0])));
  if (owners.length === 0) return;
  let candidates = owners;
  if (!config.chain) {
    // Most earns raise no level. Whether one may is decided from every owner's status and qualifying total, read in
    // one statement (written right behind the ledger's, so in its round trip) under the locks the batch holds: the
    // accounts' and, taken with them, the members'. Only an owner that may go up is evaluated as the job would
    // (its certifications too, which can only keep it lower).
    const members = owners.filter(([kind]) => kind === 'member').map(([, id]) => id);
    if (members.length && !membersLocked) await lockMembers(trx, program.id, members);
    const window = qualifyingWindow(config.settings, now, program.timeZone);
    const seen = await statusesAndTotals(trx, program.id, config.settings.basis, window, { account: owners.filter(([kind]) => kind === 'account').map(([, id]) => id), member: members });
    candidates = owners.filter(([kind, id]) => {
      const state = seen[kind].statuses.get(id) ?? null;
      const current = seen[kind].totals.get(id) ?? 0;
      return decide({ levels: config.levels, settings: config.settings, totals: { current }, state, now, timeZone: program.timeZone }).change === 'upgrade';
    });
    if (candidates.length === 0) return;
  }
  // Levels that require a certification (src/training): read once for the batch.
  const requirements = await loadRequirements(trx, program.id);
  for (const [kind, id] of candidates) await evaluateOwner(trx, program.id, config, program.timeZone, kind, id, now, { upgradeOnly: true, requirements });
}

/** Member rows in id order, as an owner's tier evaluation locks them (src/tiers/job.ts). */
async function lockMembers(trx: Db, programId: string, memberIds: string[]): Promise<void> {
  await memberLocks(programId, memberIds).execute(trx);
}

/** The statement that locks members' rows in id order: alone (lockMembers) or within lockStatement. */
function memberLocks(programId: string, memberIds: string[]) {
  return sql`SELECT id FROM members WHERE program_id = ${programId} AND id = ANY(${[...memberIds].sort()}::uuid[]) ORDER BY id FOR NO KEY UPDATE`;
}

/** The tier earn multipliers of an event's account and member (by the tier they hold as the batch begins). */
export function tierBonuses(config: TierConfig | null, program: Program): ((ev: ReadyEvent) => EngineContext['tierBonus']) | null {
  if (!config || !config.levels.some((l) => l.multiplierHundredths > 100)) return null;
  const kinds = ownerKindsOf(config.settings.scope);
  const bonusOf = (code: string | null): TierBonus | undefined => {
    const level = code === null ? undefined : config.levels.find((l) => l.code === code);
    return level && level.multiplierHundredths > 100 ? { tier: level.names[program.defaultLanguage], hundredths: level.multiplierHundredths } : undefined;
  };
  return (ev) => {
    const account = kinds.includes('account') ? bonusOf(ev.account.tier) : undefined;
    const member = kinds.includes('member') && ev.member ? bonusOf(ev.member.tier) : undefined;
    return { ...(account && { account }), ...(member && { member }) };
  };
}

function baseRecord(ev: ReadyEvent): EventRecord {
  return {
    id: ev.id,
    externalId: ev.input.id,
    type: ev.input.type,
    occurredAt: ev.occurredAt.toISOString(),
    accountId: ev.account.id,
    memberId: ev.member?.id ?? null,
    points: 0,
    postings: [],
    reversals: [],
    unmatched: [],
    trace: [],
  };
}

/**
 * Inserts the events (those whose external id exists already are not) and reads, in the same statement, the
 * categories the accounts bought before and the cap counters the rules may touch. `partnerId`: the batch came
 * from a coalition partner's key; other events' statement is unchanged.
 */
async function insertEventsAndReadState(
  trx: Db,
  programId: string,
  ready: ReadyEvent[],
  accountIds: string[],
  /** Locked by the statement before; locked again here (a no-op for rows this transaction holds) and answered. */
  walletIds: string[],
  capKeys: string[],
  partnerId: string | undefined,
  /** The purchases' span, whose campaigns in force are read too (null: no purchases, no campaigns). */
  span: { from: Date; to: Date } | null,
) {
  const col = <T>(f: (r: ReadyEvent) => T) => ready.map(f);
  type Subscribers = Array<{ id: string }> | null;
  const rows = await sql<{
    inserted: string[] | null;
    bought: Array<{ a: string; c: string }> | null;
    usage: Array<{ k: string; p: number; t: number }> | null;
    campaigns: unknown[] | null;
    earned_subscribers: Subscribers;
    reversed_subscribers: Subscribers;
    wallets: string[] | null;
    earn_notices: boolean;
  }>`
    WITH ins AS (
      INSERT INTO events (program_id, id, external_id, type, occurred_at, account_id, member_id, amount, attributes, body_hash${partnerId ? sql`, partner_id` : sql``})
      SELECT ${programId}, *${partnerId ? sql`, ${partnerId}::uuid` : sql``} FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.input.id)}::text[], ${col((r) => r.input.type)}::text[],
        ${col((r) => r.occurredAt)}::timestamptz[], ${col((r) => r.account.id)}::uuid[], ${col((r) => r.member?.id ?? null)}::uuid[],
        ${col((r) => r.lines.reduce((s, l) => s + l.amount, 0))}::bigint[], ${jsonColumn(col((r) => r.input.attributes ?? {}), 'jsonb')},
        ${col((r) => r.hash)}::text[])
      ON CONFLICT (program_id, external_id) DO NOTHING
      RETURNING external_id
    )
    SELECT
      (SELECT array_agg(external_id) FROM ins) AS inserted,
      (SELECT json_agg(json_build_object('a', account_id, 'c', category_code)) FROM account_categories
        WHERE program_id = ${programId} AND account_id = ANY(${accountIds}::uuid[])) AS bought,
      (SELECT json_agg(json_build_object('k', cap_key, 'p', points, 't', times)) FROM rule_usage
        WHERE program_id = ${programId} AND cap_key = ANY(${capKeys}::text[])) AS usage,
      ${span ? campaignsInForceSubquery(programId, span.from, span.to) : sql`NULL::json`} AS campaigns,
      ${subscribersSubquery(programId, 'points.earned')} AS earned_subscribers,
      ${subscribersSubquery(programId, 'points.reversed')} AS reversed_subscribers,
      ARRAY(SELECT id FROM wallets WHERE program_id = ${programId} AND id = ANY(${walletIds}::uuid[]) ORDER BY id FOR UPDATE) AS wallets,
      ${earnNoticesSubquery(programId)} AS earn_notices`.execute(trx);
  const r = rows.rows[0]!;
  const bought = new Map<string, Set<string>>();
  for (const b of r.bought ?? []) {
    let set = bought.get(b.a);
    if (!set) bought.set(b.a, (set = new Set()));
    set.add(b.c);
  }
  return {
    inserted: new Set(r.inserted ?? []),
    bought,
    usage: new Map((r.usage ?? []).map((u) => [u.k, { points: Number(u.p), times: u.t }])),
    campaigns: campaignsOfJson(r.campaigns),
    subscribers: { earned: r.earned_subscribers ?? [], reversed: r.reversed_subscribers ?? [] },
    wallets: new Set(r.wallets ?? []),
    earnNotices: r.earn_notices,
  };
}

/**
 * The purchases' lines, the newly bought categories and the cap counters' increments, as the WITH parts of a
 * statement (the ledger writer's, which sends them along with its own).
 */
function linesCategoriesUsage(
  programId: string,
  events: ReadyEvent[],
  categories: Array<{ accountId: string; category: string; eventId: string }>,
  usage: Map<string, { points: number; times: number }>,
): RawBuilder<unknown>[] {
  const lines = events.filter((e) => e.input.type === 'purchase').flatMap((e) => e.lines.map((l) => ({ e, l })));
  const parts = [];
  if (lines.length) {
    const col = <T>(f: (r: (typeof lines)[number]) => T) => lines.map(f);
    parts.push(sql`lines AS (
      INSERT INTO event_lines (program_id, event_id, line_no, account_id, occurred_at, is_purchase, sku, category_code, brand, margin_class, quantity, amount)
      SELECT ${programId}, t.event_id, t.line_no, t.account_id, t.occurred_at, true, t.sku, t.category, t.brand, t.margin, t.quantity, t.amount
      FROM unnest(${col((r) => r.e.id)}::uuid[], ${col((r) => r.l.lineNo)}::integer[], ${col((r) => r.e.account.id)}::uuid[],
        ${col((r) => r.e.occurredAt)}::timestamptz[], ${col((r) => r.l.sku)}::text[], ${col((r) => r.l.category)}::text[],
        ${col((r) => r.l.brand)}::text[], ${col((r) => r.l.marginClass)}::text[], ${col((r) => r.l.quantity)}::integer[],
        ${col((r) => r.l.amount)}::bigint[])
        AS t(event_id, line_no, account_id, occurred_at, sku, category, brand, margin, quantity, amount))`);
  }
  if (categories.length) {
    parts.push(sql`categories AS (
      INSERT INTO account_categories (program_id, account_id, category_code, first_event_id)
      SELECT ${programId}, * FROM unnest(${categories.map((r) => r.accountId)}::uuid[], ${categories.map((r) => r.category)}::text[], ${categories.map((r) => r.eventId)}::uuid[])
      ON CONFLICT DO NOTHING)`);
  }
  const usageIncrement = ruleUsageIncrement(programId, usage);
  if (usageIncrement) parts.push(usageIncrement);
  return parts;
}

export async function loadCategoriesBought(trx: Db, programId: string, accountIds: string[]): Promise<Map<string, Set<string>>> {
  const rows = await sql<{ account_id: string; category_code: string }>`
    SELECT account_id, category_code FROM account_categories
    WHERE program_id = ${programId} AND account_id = ANY(${accountIds}::uuid[])`.execute(trx);
  const map = new Map<string, Set<string>>();
  for (const r of rows.rows) {
    let set = map.get(r.account_id);
    if (!set) map.set(r.account_id, (set = new Set()));
    set.add(r.category_code);
  }
  return map;
}

/** Every cap counter the batch's events could touch, so they are loaded in one query. */
export function capKeysOf(events: ReadyEvent[], rulesAt: (at: Date) => RuleVersion[], timeZone: string): string[] {
  const keys = new Set<string>();
  for (const ev of events) {
    for (const rule of rulesAt(ev.occurredAt)) {
      for (const cap of rule.definition.caps ?? []) {
        const scopeId = cap.scope === 'account' ? (ev.account.chainId ?? ev.account.id) : ev.member?.id;
        if (scopeId) keys.add(capKey(rule.id, cap.scope, scopeId, periodKey(cap.period, ev.occurredAt, timeZone)));
      }
    }
  }
  return [...keys];
}

export async function loadUsage(trx: Db, programId: string, keys: string[]): Promise<Map<string, { points: number; times: number }>> {
  if (keys.length === 0) return new Map();
  const rows = await sql<{ cap_key: string; points: number; times: number }>`
    SELECT cap_key, points, times FROM rule_usage WHERE program_id = ${programId} AND cap_key = ANY(${keys}::text[])`.execute(trx);
  return new Map(rows.rows.map((r) => [r.cap_key, { points: Number(r.points), times: r.times }]));
}

/**
 * What a replay answers: the event's postings and reversals. The rule trace (why other rules did not pay)
 * is answered only the first time; it is large, and the simulate endpoint gives it on demand.
 */
function storedForm(r: EventRecord): EventRecord {
  return { ...r, trace: [] };
}

async function storeResults(trx: Db, programId: string, records: Array<[string, EventRecord]>) {
  if (records.length === 0) return;
  await sql`
    UPDATE events e SET result = t.result
    FROM unnest(${records.map(([id]) => id)}::uuid[], ${jsonColumn(records.map(([, r]) => storedForm(r)), 'json')}) AS t(id, result)
    WHERE e.program_id = ${programId} AND e.id = t.id`.execute(trx);
}

/**
 * Campaign bonuses for the batch's purchases, paid from the campaigns' budgets after the rules' points (so a
 * multiplier knows them); each paid bonus joins the event's postings, an empty budget its trace.
 */
async function applyCampaigns(
  trx: Db,
  program: Program,
  campaigns: Campaign[],
  purchases: ReadyEvent[],
  records: Map<string, EventRecord>,
  segmentKeys: Map<string, string[]>,
  now: Date,
): Promise<void> {
  const events = purchases.map((ev) => {
    const record = records.get(ev.id)!;
    return {
      eventId: ev.id,
      occurredAt: ev.occurredAt,
      accountId: ev.account.id,
      memberId: ev.member?.id ?? null,
      lines: ev.lines,
      rulePoints: record.points,
      segmentKeys: [...(segmentKeys.get(ev.account.id) ?? []), ...(ev.member ? (segmentKeys.get(ev.member.id) ?? []) : [])],
      availableAt: new Date(ev.occurredAt.getTime() + program.pendingDays * DAY_MS),
      expiresAt: planExpiry(program.expiryPolicy, ev.occurredAt, program.timeZone),
    };
  });
  const outcome = await payCampaigns(trx, program.id, campaigns, events, now);
  for (const p of outcome.postings) {
    const record = records.get(p.eventId)!;
    const ev = events.find((e) => e.eventId === p.eventId)!;
    record.postings.push({
      journalId: p.journalId,
      ruleId: p.campaign.id,
      ruleVersion: 0,
      ruleName: p.campaign.name,
      wallet: p.wallet,
      walletId: p.walletId,
      points: p.points,
      status: ev.availableAt.getTime() > now.getTime() ? 'pending' : 'available',
      availableAt: ev.availableAt.toISOString(),
      expiresAt: ev.expiresAt?.toISOString() ?? null,
      explanation: p.explanation,
    });
    record.points += p.points;
    record.trace.push({ ruleId: p.campaign.id, ruleName: p.campaign.name, outcome: 'paid', explanation: p.explanation });
  }
  for (const [eventId, traces] of outcome.traces) records.get(eventId)!.trace.push(...traces);
}

/**
 * The events of a batch a member earned points on, for the earn notices: the points paid into the member's own
 * wallet, which the notice shows with that wallet's balance (what the event paid the company is not the member's).
 */
export function earnedByMembers(events: ReadyEvent[], records: Map<string, EventRecord>): Earned[] {
  const out: Earned[] = [];
  for (const ev of events) {
    const own = ev.member?.id;
    const points = records.get(ev.id)?.postings.reduce((s, p) => s + (p.walletId === own ? p.points : 0), 0) ?? 0;
    if (ev.member && points > 0) out.push({ eventId: ev.id, memberId: ev.member.id, accountId: ev.account.id, points });
  }
  return out;
}
