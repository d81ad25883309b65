/**
 * The surprise job: for every program, on the program's local date, finds the members whose occasion is due —
 * a birthday, a membership anniversary, a seasonal day (dates.ts decides), or a milestone just reached — and pays
 * each once. The payout row (member, surprise, occasion) is the claim: it is written in the same transaction as
 * the ledger credit (keyed `surprise:<member>:<key>:<occasion>` too) and the message, so a second run, a run in
 * another process or a run on the same local day after the clocks changed finds the row and pays nothing.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { writeCredits } from '../ledger/writer.js';
import { planExpiry } from '../ledger/expiry.js';
import { getProgram, systemWalletId, type Program } from '../programs/programs.js';
import { getReward, placeOrder } from '../rewards/index.js';
import { rewardNameParams } from '../rewards/catalogue.js';
import { isoDate, localDate, type LocalDate } from '../rules/calendar.js';
import type { CreditJournal } from '../ledger/types.js';
import { anchorsInWindow, dueOccasion, nextDay, parseIsoDate } from './dates.js';
import { memberLanguage, notifyMember } from './notify.js';
import { listSurprises, type Surprise } from './store.js';

/** A day the job missed is still paid this many days later (once): enough for a long weekend of downtime. */
export const CATCH_UP_DAYS = 7;
const CHUNK = 500;

export interface SurpriseRunReport {
  programs: number;
  paid: number;
  points: number;
}

interface Candidate {
  id: string;
  name: string;
  email: string | null;
  language: string | null;
  occasion: string;
}

const memberCols = sql`m.id, m.name, m.email, m.language`;
const activeMember = (programId: string) =>
  sql`m.program_id = ${programId} AND m.status = 'active'
      AND EXISTS (SELECT 1 FROM accounts a WHERE a.program_id = m.program_id AND a.id = m.account_id AND a.status = 'active')`;

/** Members for whom this surprise is due today, with the occasion each is paid for (not yet paid ones only). */
async function candidatesFor(db: Db, program: Program, s: Surprise, today: LocalDate): Promise<Candidate[]> {
  const notPaid = sql`NOT EXISTS (SELECT 1 FROM surprise_payouts p WHERE p.program_id = m.program_id AND p.member_id = m.id AND p.surprise_key = ${s.key})`;
  const activeFrom = parseIsoDate(s.activeFrom);
  const anchors = anchorsInWindow(today, CATCH_UP_DAYS);
  const anchorList = sql.join(anchors.map((a) => sql`(${a.month}::int, ${a.day}::int)`));
  type Row = Omit<Candidate, 'occasion'> & { month: number; day: number; joined?: string };
  switch (s.kind) {
    case 'birthday': {
      const { rows } = await sql<Row>`
        SELECT ${memberCols}, b.month, b.day FROM member_birthdays b
        JOIN members m ON m.program_id = b.program_id AND m.id = b.member_id
        WHERE b.program_id = ${program.id} AND (b.month::int, b.day::int) IN (${anchorList}) AND ${activeMember(program.id)}`.execute(db);
      return dated(rows, (r) => ({ anchor: r, notBefore: activeFrom }), today);
    }
    case 'anniversary': {
      const local = sql`(m.created_at AT TIME ZONE ${program.timeZone})`;
      const { rows } = await sql<Row>`
        SELECT ${memberCols}, extract(month FROM ${local})::int AS month, extract(day FROM ${local})::int AS day, to_char(${local}, 'YYYY-MM-DD') AS joined
        FROM members m
        WHERE ${activeMember(program.id)} AND (extract(month FROM ${local})::int, extract(day FROM ${local})::int) IN (${anchorList})`.execute(db);
      // The day they joined is not an anniversary: the first one is a year later.
      return dated(rows, (r) => {
        const after = nextDay(parseIsoDate(r.joined!));
        return { anchor: r, notBefore: later(after, activeFrom) };
      }, today);
    }
    case 'seasonal': {
      const occasion = dueOccasion({ month: s.month!, day: s.day! }, today, { catchUpDays: CATCH_UP_DAYS, notBefore: activeFrom });
      if (!occasion) return [];
      const { rows } = await sql<Row>`
        SELECT ${memberCols} FROM members m WHERE ${activeMember(program.id)}
          AND NOT EXISTS (SELECT 1 FROM surprise_payouts p WHERE p.program_id = m.program_id AND p.member_id = m.id AND p.surprise_key = ${s.key} AND p.occasion = ${occasion})
          -- Someone who joins after the day is not greeted for it.
          AND (m.created_at AT TIME ZONE ${program.timeZone})::date <= ${occasion}::date`.execute(db);
      return rows.map((r) => ({ ...r, occasion }));
    }
    case 'orders': {
      const { rows } = await sql<Row>`
        SELECT ${memberCols} FROM members m
        JOIN (SELECT member_id FROM events WHERE program_id = ${program.id} AND type = 'purchase' AND member_id IS NOT NULL
              GROUP BY member_id HAVING count(*) >= ${s.threshold!}) o ON o.member_id = m.id
        WHERE ${activeMember(program.id)} AND ${notPaid}`.execute(db);
      return rows.map((r) => ({ ...r, occasion: 'once' }));
    }
    case 'lifetime_points': {
      const { rows } = await sql<Row>`
        SELECT ${memberCols} FROM members m JOIN wallets w ON w.program_id = m.program_id AND w.id = m.id
        WHERE ${activeMember(program.id)} AND w.lifetime_earned >= ${s.threshold!} AND ${notPaid}`.execute(db);
      return rows.map((r) => ({ ...r, occasion: 'once' }));
    }
    case 'tier': {
      // A member's own tier, or (for tiers held by companies) their company's.
      const { rows } = await sql<Row>`
        SELECT ${memberCols} FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
        WHERE ${activeMember(program.id)} AND (m.tier = ${s.tierKey} OR a.tier = ${s.tierKey}) AND ${notPaid}`.execute(db);
      return rows.map((r) => ({ ...r, occasion: 'once' }));
    }
  }
}

const later = (a: LocalDate, b: LocalDate) => (isoDate(a) > isoDate(b) ? a : b);

function dated<R extends Omit<Candidate, 'occasion'> & { month: number; day: number }>(
  rows: R[],
  facts: (r: R) => { anchor: { month: number; day: number }; notBefore: LocalDate },
  today: LocalDate,
): Candidate[] {
  const out: Candidate[] = [];
  for (const r of rows) {
    const f = facts(r);
    const occasion = dueOccasion(f.anchor, today, { catchUpDays: CATCH_UP_DAYS, notBefore: f.notBefore });
    if (occasion) out.push({ id: r.id, name: r.name, email: r.email, language: r.language, occasion });
  }
  return out;
}

/** The explanation the member reads in their history, in their language. */
function explanationOf(s: Surprise, points: number, occasion: string, rewardNames: Record<string, string> | null) {
  const params: Record<string, string | number> = { points, occasion, surprise: s.key, ...rewardNames };
  if (s.threshold !== null) params.threshold = s.threshold;
  if (s.tierKey) params.tier = s.tierKey;
  return { key: `surprises:explain.${s.kind}${rewardNames ? 'Gift' : ''}`, params };
}

/** Pays one chunk of candidates of one surprise in one transaction; returns how many were paid. */
async function payChunk(db: Db, program: Program, s: Surprise, chunk: Candidate[], reward: { id: string; price: number; names: Record<string, string> } | null, now: Date): Promise<number> {
  const points = reward ? reward.price : s.points;
  return db.transaction().execute(async (trx) => {
    const claimed = await sql<{ member_id: string; occasion: string }>`
      INSERT INTO surprise_payouts (program_id, member_id, surprise_key, occasion, kind, points, reward_id, paid_at)
      SELECT ${program.id}, t.member_id, ${s.key}, t.occasion, ${s.kind}, ${points}, ${reward?.id ?? null}::uuid, ${now}
      FROM unnest(${chunk.map((c) => c.id)}::uuid[], ${chunk.map((c) => c.occasion)}::text[]) AS t(member_id, occasion)
      ON CONFLICT DO NOTHING RETURNING member_id, occasion`.execute(trx);
    const won = new Set(claimed.rows.map((r) => `${r.member_id}|${r.occasion}`));
    const paid = chunk.filter((c) => won.has(`${c.id}|${c.occasion}`));
    if (paid.length === 0) return 0;
    const journals: Array<CreditJournal & { memberId: string; occasion: string }> = paid.map((c) => {
      const explanation = explanationOf(s, points, c.occasion, reward?.names ?? null);
      return {
        memberId: c.id,
        occasion: c.occasion,
        id: uuidv7(),
        idempotencyKey: `surprise:${c.id}:${s.key}:${c.occasion}`,
        kind: 'earn',
        occurredAt: now,
        actor: 'system:surprises',
        explanation,
        fromWalletId: systemWalletId(program.id, 'issuance'),
        earned: true,
        credits: [{ walletId: c.id, points, earnedAt: now, availableAt: now, expiresAt: planExpiry(program.expiryPolicy, now, program.timeZone), explanation }],
      };
    });
    if (points > 0) {
      const written = await writeCredits(trx, program.id, journals, now);
      await sql`
        UPDATE surprise_payouts p SET journal_id = t.journal_id
        FROM unnest(${journals.filter((j) => written.has(j.id)).map((j) => j.memberId)}::uuid[], ${journals.filter((j) => written.has(j.id)).map((j) => j.occasion)}::text[],
                    ${journals.filter((j) => written.has(j.id)).map((j) => j.id)}::uuid[]) AS t(member_id, occasion, journal_id)
        WHERE p.program_id = ${program.id} AND p.member_id = t.member_id AND p.surprise_key = ${s.key} AND p.occasion = t.occasion`.execute(trx);
    }
    for (const c of paid) {
      const params: Record<string, string | number> = { points, program: program.name, ...(s.threshold !== null ? { threshold: s.threshold } : {}), ...(s.tierKey ? { tier: s.tierKey } : {}) };
      if (reward) params.reward = reward.names[`reward@${memberLanguage(c, program.defaultLanguage)}`] ?? '';
      await notifyMember(
        trx,
        program,
        c,
        { titleKey: `surprises:message.${s.kind}.title`, bodyKey: `surprises:message.${s.kind}.${reward ? 'gift' : 'body'}`, params, bodyOverride: s.message },
        'system:surprises',
        now,
      );
    }
    return paid.length;
  });
}

/** A reward surprise orders the reward for the member after its price was credited; retried until it is placed or refused. */
async function orderGifts(db: Db, program: Program, now: Date): Promise<void> {
  const { rows } = await sql<{ member_id: string; surprise_key: string; occasion: string; reward_id: string }>`
    SELECT member_id, surprise_key, occasion, reward_id FROM surprise_payouts
    WHERE program_id = ${program.id} AND reward_id IS NOT NULL AND order_id IS NULL AND order_error IS NULL ORDER BY paid_at LIMIT 1000`.execute(db);
  for (const r of rows) {
    let orderId: string | null = null;
    let error: string | null = null;
    try {
      const out = await placeOrder(
        db,
        program,
        { reward: r.reward_id, memberId: r.member_id, quantity: 1, payFrom: 'member', idempotencyKey: `surprise:${r.member_id}:${r.surprise_key}:${r.occasion}` },
        'system:surprises',
        { now },
      );
      orderId = out.order.id;
    } catch (err) {
      // Out of stock, no longer eligible…: the member keeps the points to choose something else.
      error = (err as { code?: string }).code ?? 'order_failed';
    }
    await sql`UPDATE surprise_payouts SET order_id = ${orderId}, order_error = ${error}
      WHERE program_id = ${program.id} AND member_id = ${r.member_id} AND surprise_key = ${r.surprise_key} AND occasion = ${r.occasion}`.execute(db);
  }
}

/** Runs every program's due surprises (or one program's), at `now`. */
export async function runSurprises(db: Db, now: Date, only?: { programId: string }): Promise<SurpriseRunReport> {
  const report: SurpriseRunReport = { programs: 0, paid: 0, points: 0 };
  const { rows: programs } = await sql<{ id: string }>`
    SELECT DISTINCT program_id AS id FROM surprises WHERE enabled ${only ? sql`AND program_id = ${only.programId}` : sql``} ORDER BY 1`.execute(db);
  for (const { id } of programs) {
    const program = (await getProgram(db, id))!;
    const today = localDate(now, program.timeZone);
    report.programs++;
    for (const s of (await listSurprises(db, id)).filter((x) => x.enabled)) {
      let reward: { id: string; price: number; names: Record<string, string> } | null = null;
      if (s.rewardId) {
        const r = await getReward(db, id, s.rewardId);
        if (!r.active) continue;
        reward = { id: r.id, price: r.pricePoints, names: rewardNameParams(r.texts, program.defaultLanguage) };
      }
      const candidates = await candidatesFor(db, program, s, today);
      for (let i = 0; i < candidates.length; i += CHUNK) {
        const n = await payChunk(db, program, s, candidates.slice(i, i + CHUNK), reward, now);
        report.paid += n;
        report.points += n * (reward ? reward.price : s.points);
      }
    }
    await orderGifts(db, program, now);
  }
  return report;
}
