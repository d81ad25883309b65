/**
 * Onboarding sequences: a program's steps sent a number of days after a member joined (day 0 welcome, day 3
 * a first-purchase tip, day 14 a checklist reminder…), each skipped when the member already did what it
 * asks. The job runs on the app clock and is idempotent: one row per step and member, written in the
 * transaction that queues the message, decides it once.
 *
 * A step reaches members who joined no more than its day before the step was set up, so adding a welcome
 * step to a program with years of members does not greet them all.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import { recipientLanguage, sendToMember, type Recipient } from './dispatch.js';
import { renderTemplate, templateFor, variablesFor, type MessageKind } from './templates.js';

export const stopConditions = ['never', 'first_purchase', 'checklist_done', 'signed_in'] as const;
export type StopCondition = (typeof stopConditions)[number];
export const sequenceKinds = ['welcome', 'first_purchase_tip', 'checklist_reminder'] as const satisfies readonly MessageKind[];
export type SequenceKind = (typeof sequenceKinds)[number];

export interface SequenceStep {
  id: string;
  day: number;
  kind: SequenceKind;
  stopWhen: StopCondition;
  active: boolean;
  createdAt: Date;
  /** Members the step went to, and members it skipped because they had done it already. */
  sent: number;
  skipped: number;
}

interface Row {
  id: string;
  day: number;
  kind: SequenceKind;
  stop_when: StopCondition;
  active: boolean;
  created_at: Date | string;
  sent: number | string;
  skipped: number | string;
}
const toStep = (r: Row): SequenceStep => ({
  id: r.id,
  day: Number(r.day),
  kind: r.kind,
  stopWhen: r.stop_when,
  active: r.active,
  createdAt: new Date(r.created_at),
  sent: Number(r.sent),
  skipped: Number(r.skipped),
});

export async function listSteps(db: Db, programId: string): Promise<SequenceStep[]> {
  const { rows } = await sql<Row>`
    SELECT s.id, s.day, s.kind, s.stop_when, s.active, s.created_at,
      (SELECT count(*) FROM message_sequence_runs r WHERE r.program_id = s.program_id AND r.step_id = s.id AND r.outcome = 'sent') AS sent,
      (SELECT count(*) FROM message_sequence_runs r WHERE r.program_id = s.program_id AND r.step_id = s.id AND r.outcome = 'skipped') AS skipped
    FROM message_sequence_steps s WHERE s.program_id = ${programId} ORDER BY s.day, s.id`.execute(db);
  return rows.map(toStep);
}

export async function addStep(trx: Db, programId: string, input: { day: number; kind: SequenceKind; stopWhen: StopCondition }, now: Date): Promise<SequenceStep> {
  const id = uuidv7();
  await sql`INSERT INTO message_sequence_steps (program_id, id, day, kind, stop_when, created_at)
    VALUES (${programId}, ${id}, ${input.day}, ${input.kind}, ${input.stopWhen}, ${now})`.execute(trx);
  return (await listSteps(trx, programId)).find((s) => s.id === id)!;
}

export async function setStepActive(trx: Db, programId: string, id: string, active: boolean): Promise<SequenceStep> {
  const res = await sql`UPDATE message_sequence_steps SET active = ${active} WHERE program_id = ${programId} AND id = ${id}`.execute(trx);
  if (Number(res.numAffectedRows ?? 0) === 0) throw new LojalError('not_found', { entity: 'sequence step', id });
  return (await listSteps(trx, programId)).find((s) => s.id === id)!;
}

/** Whether the member has done what a step asks, as SQL over the member row `m`. */
function doneCondition(stop: StopCondition): RawBuilder<SqlBool> {
  switch (stop) {
    case 'never':
      return sql<SqlBool>`false`;
    case 'first_purchase':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM events e WHERE e.program_id = m.program_id AND e.member_id = m.id AND e.type = 'purchase')`;
    case 'signed_in':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM web_sessions ws WHERE ws.program_id = m.program_id AND ws.kind = 'member' AND ws.member_id = m.id)`;
    case 'checklist_done':
      return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM onboarding_steps os WHERE os.program_id = m.program_id AND NOT EXISTS (
        SELECT 1 FROM onboarding_completions oc WHERE oc.program_id = m.program_id AND oc.member_id = m.id AND oc.step_code = os.code))`;
  }
}

export interface SequenceRun {
  sent: number;
  skipped: number;
}

/** Sends every step that fell due for a member by `now`, or skips it when done; each decided once. */
export async function runSequences(db: Db, now: Date, publicUrl: string, onlyProgram?: string): Promise<SequenceRun> {
  const out: SequenceRun = { sent: 0, skipped: 0 };
  const { rows: steps } = await sql<{ program_id: string; id: string; day: number; kind: SequenceKind; stop_when: StopCondition; created_at: Date | string }>`
    SELECT program_id, id, day, kind, stop_when, created_at FROM message_sequence_steps WHERE active
      ${onlyProgram ? sql`AND program_id = ${onlyProgram}` : sql``} ORDER BY program_id, day, id`.execute(db);
  for (const step of steps) {
    const dueBefore = new Date(now.getTime() - step.day * 86_400_000);
    const joinedFrom = new Date(new Date(step.created_at).getTime() - step.day * 86_400_000);
    for (;;) {
      const batch = await db.transaction().execute(async (trx) => {
        // Claims a batch: members due and undecided, locked so a second process takes others.
        const { rows } = await sql<Recipient & { done: boolean }>`
          SELECT m.id, m.name, m.role, m.email, m.phone, m.language, ${doneCondition(step.stop_when)} AS done
          FROM members m
          WHERE m.program_id = ${step.program_id} AND m.status = 'active' AND m.created_at <= ${dueBefore} AND m.created_at >= ${joinedFrom}
            AND NOT EXISTS (SELECT 1 FROM message_sequence_runs r WHERE r.program_id = m.program_id AND r.step_id = ${step.id} AND r.member_id = m.id)
            AND NOT EXISTS (SELECT 1 FROM member_erasures e WHERE e.program_id = m.program_id AND e.member_id = m.id)
          ORDER BY m.id LIMIT 100 FOR UPDATE OF m SKIP LOCKED`.execute(trx);
        if (rows.length === 0) return 0;
        const { rows: prog } = await sql<{ name: string; time_zone: string; default_language: Language }>`
          SELECT name, time_zone, default_language FROM programs WHERE id = ${step.program_id}`.execute(trx);
        const program = { id: step.program_id, name: prog[0]!.name, timeZone: prog[0]!.time_zone, defaultLanguage: prog[0]!.default_language };
        const stepsLeft = step.kind === 'checklist_reminder' ? await checklistLeft(trx, program.id, rows.map((r) => r.id)) : new Map<string, number>();
        for (const m of rows) {
          const claimed = await sql`
            INSERT INTO message_sequence_runs (program_id, step_id, member_id, outcome, at) VALUES (${program.id}, ${step.id}, ${m.id}, ${m.done ? 'skipped' : 'sent'}, ${now})
            ON CONFLICT DO NOTHING`.execute(trx);
          if (Number(claimed.numAffectedRows ?? 0) === 0) continue;
          if (m.done) {
            out.skipped++;
            continue;
          }
          const language = recipientLanguage(m, program.defaultLanguage);
          const vars = variablesFor(step.kind, language, { name: m.name, programName: program.name, portalUrl: publicUrl, stepsLeft: stepsLeft.get(m.id) ?? 0 });
          const rendered = renderTemplate(await templateFor(trx, program.id, step.kind, language), vars, language);
          await sendToMember(trx, program.id, program, m, { template: step.kind, rendered, language, key: `sequence:${step.id}:${m.id}`, createdBy: 'system:onboarding_sequence' }, 'transactional', now);
          out.sent++;
        }
        return rows.length;
      });
      if (batch < 100) break;
    }
  }
  return out;
}

async function checklistLeft(db: Db, programId: string, memberIds: string[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ id: string; left: number | string }>`
    SELECT m.id, (SELECT count(*) FROM onboarding_steps os WHERE os.program_id = m.program_id AND NOT EXISTS (
      SELECT 1 FROM onboarding_completions oc WHERE oc.program_id = m.program_id AND oc.member_id = m.id AND oc.step_code = os.code)) AS left
    FROM members m WHERE m.program_id = ${programId} AND m.id = ANY(${memberIds}::uuid[])`.execute(db);
  return new Map(rows.map((r) => [r.id, Number(r.left)]));
}
