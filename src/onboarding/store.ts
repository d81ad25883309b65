/**
 * The checklist of a program, the steps each member has done, and the one place that completes a step:
 * the completion row (keyed by member and step) and its points are written in the same transaction, and a
 * step already done is skipped by the key, so concurrent completions pay once.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { planExpiry } from '../ledger/expiry.js';
import type { CreditJournal } from '../ledger/types.js';
import { setHasOnboarding, systemWalletId, type Program } from '../programs/programs.js';
import { checklistProblem, type Step } from './steps.js';

export async function getChecklist(db: Db, programId: string): Promise<Step[]> {
  const rows = await db.selectFrom('onboarding_steps').selectAll().where('program_id', '=', programId).orderBy('position').execute();
  return rows.map((r) => ({ code: r.code, names: r.names as Step['names'], points: r.points, completion: r.completion as Step['completion'] }));
}

/** Replaces the steps; steps done stay done (and paid) under their code. An empty list switches onboarding off. */
export async function replaceChecklist(db: Db, programId: string, steps: Step[]): Promise<Step[]> {
  const problem = checklistProblem(steps);
  if (problem) throw new LojalError('invalid_onboarding', { detail: problem });
  await db.transaction().execute(async (trx) => {
    // Two replacements at once would both delete the old steps and then collide inserting the same codes: the
    // program row lock makes the second wait and replace the first's steps (the last one sent wins).
    await trx.selectFrom('programs').select('id').where('id', '=', programId).forUpdate().execute();
    await trx.deleteFrom('onboarding_steps').where('program_id', '=', programId).execute();
    if (steps.length) {
      await trx
        .insertInto('onboarding_steps')
        .values(steps.map((s, i) => ({ program_id: programId, code: s.code, position: i, names: JSON.stringify(s.names), points: s.points, completion: JSON.stringify(s.completion) })))
        .execute();
    }
    await setHasOnboarding(trx, programId, steps.length > 0);
  });
  return getChecklist(db, programId);
}

export async function completionsOf(db: Db, programId: string, memberId: string): Promise<Map<string, Date>> {
  const rows = await db
    .selectFrom('onboarding_completions')
    .select(['step_code', 'completed_at'])
    .where('program_id', '=', programId)
    .where('member_id', '=', memberId)
    .execute();
  return new Map(rows.map((r) => [r.step_code, new Date(r.completed_at)]));
}

export interface Done {
  memberId: string;
  step: Step;
  eventId: string | null;
}

/**
 * Records the completions that are new (a step done before is skipped by its key) and returns the credit
 * journals for their points, for the caller to write in the same transaction.
 */
export async function recordCompletions(trx: Db, program: Program, done: Done[], now: Date): Promise<CreditJournal[]> {
  const unique = new Map(done.map((d) => [`${d.memberId}|${d.step.code}`, d]));
  if (unique.size === 0) return [];
  const list = [...unique.values()];
  const inserted = await sql<{ member_id: string; step_code: string }>`
    INSERT INTO onboarding_completions (program_id, member_id, step_code, completed_at, event_id)
    SELECT ${program.id}, * FROM unnest(${list.map((d) => d.memberId)}::uuid[], ${list.map((d) => d.step.code)}::text[],
      ${list.map(() => now)}::timestamptz[], ${list.map((d) => d.eventId)}::uuid[])
    ON CONFLICT DO NOTHING
    RETURNING member_id, step_code`.execute(trx);
  const expiresAt = planExpiry(program.expiryPolicy, now, program.timeZone);
  return inserted.rows.flatMap((r) => {
    const d = unique.get(`${r.member_id}|${r.step_code}`)!;
    if (d.step.points === 0) return [];
    return [
      {
        id: uuidv7(),
        idempotencyKey: `onboarding:${d.memberId}:${d.step.code}`,
        kind: 'earn' as const,
        occurredAt: now,
        // Every language's name (`step@sv`…), so the line reads in whoever's language looks at it later.
        explanation: {
          key: 'people:explain.onboarding',
          params: { step: d.step.names[program.defaultLanguage], ...Object.fromEntries(Object.entries(d.step.names).map(([lng, name]) => [`step@${lng}`, name])) },
        },
        fromWalletId: systemWalletId(program.id, 'issuance'),
        earned: true,
        credits: [{ walletId: d.memberId, points: d.step.points, earnedAt: now, availableAt: now, expiresAt }],
      },
    ];
  });
}
