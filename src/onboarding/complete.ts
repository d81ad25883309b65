/**
 * Where steps get done. Events: inside the event batch's transaction (one query for the checklist and one
 * multi-row insert, only for programs that have a checklist). Profiles: a job, since a profile changes
 * through several routes and batch imports; it is idempotent like the event path (the completion key).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { CreditJournal } from '../ledger/types.js';
import { writeCredits } from '../ledger/writer.js';
import { getProgram, type Program } from '../programs/programs.js';
import { eventCompletes, profileCompletes, type EventFacts } from './steps.js';
import { getChecklist, recordCompletions, type Done } from './store.js';

export interface CompletingEvent extends EventFacts {
  id: string;
  memberId: string | null;
}

/** The credit journals for steps the batch's events complete; the caller writes them with the batch's own. */
export async function onboardingFromEvents(trx: Db, program: Program, events: CompletingEvent[], now: Date): Promise<CreditJournal[]> {
  const withMember = events.filter((e) => e.memberId !== null);
  if (withMember.length === 0) return [];
  const steps = (await getChecklist(trx, program.id)).filter((s) => s.completion.kind === 'event');
  const done: Done[] = [];
  for (const ev of withMember) for (const step of steps) if (eventCompletes(step.completion, ev)) done.push({ memberId: ev.memberId!, step, eventId: ev.id });
  return recordCompletions(trx, program, done, now);
}

const CHUNK = 500;

/** Completes profile steps for every active member whose profile now has the fields; returns steps completed. */
export async function runOnboardingJobs(db: Db, now: Date): Promise<number> {
  let completed = 0;
  const programs = await db.selectFrom('programs').select('id').where('has_onboarding', '=', true).execute();
  for (const { id } of programs) {
    const program = (await getProgram(db, id))!;
    const steps = (await getChecklist(db, id)).filter((s) => s.completion.kind === 'profile');
    for (const step of steps) {
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const members = await sql<{ id: string; email: string | null; phone: string | null; language: string | null; role: string | null }>`
          SELECT m.id, m.email, m.phone, m.language, m.role FROM members m
          WHERE m.program_id = ${id} AND m.status = 'active' AND m.id > ${after}::uuid
            AND NOT EXISTS (SELECT 1 FROM onboarding_completions c
                            WHERE c.program_id = m.program_id AND c.member_id = m.id AND c.step_code = ${step.code})
          ORDER BY m.id LIMIT ${CHUNK}`.execute(db);
        if (members.rows.length === 0) break;
        after = members.rows[members.rows.length - 1]!.id;
        const done = members.rows.filter((m) => profileCompletes(step.completion, m)).map((m) => ({ memberId: m.id, step, eventId: null }));
        if (done.length) {
          completed += await db.transaction().execute(async (trx) => {
            const credits = await recordCompletions(trx, program, done, now);
            await writeCredits(trx, id, credits, now);
            return done.length;
          });
        }
        if (members.rows.length < CHUNK) break;
      }
    }
  }
  return completed;
}
