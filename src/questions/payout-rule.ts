/**
 * The rule that pays a form's points (a survey's completion, a quiz's first pass): created on first publishing
 * with points, kept in step after (points changed, form closed). One rule per form, paid once per member by a
 * lifetime cap, so the ledger and caps apply as for any event.
 */
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { createRule, getRule, updateRule } from '../rules/index.js';
import type { LocalizedText } from './types.js';

export interface PayingForm {
  id: string;
  title: LocalizedText;
  points: number;
  status: string;
  ruleId: string | null;
}

export interface PayoutKind {
  /** The event that pays, e.g. `survey.completed`. */
  eventType: string;
  /** The event attribute that names the form, e.g. `survey.id`. */
  formAttribute: string;
  /** The rule's name before the form's title, e.g. `Survey`. */
  label: string;
}

/** `attach` stores a newly created rule's id on the form (its own table). */
export async function syncPayoutRule(trx: Db, program: Program, form: PayingForm, kind: PayoutKind, attach: (ruleId: string) => Promise<void>, now: Date): Promise<void> {
  const definition = {
    conditions: { eventTypes: [kind.eventType], attributes: [{ path: kind.formAttribute, op: 'eq' as const, value: form.id }], member: { required: true } },
    effect: { type: 'fixed' as const, points: Math.max(1, form.points) },
    recipient: { type: 'member' as const },
    caps: [{ scope: 'member' as const, period: 'lifetime' as const, maxTimes: 1 }],
  };
  if (!form.ruleId) {
    if (form.points === 0) return;
    const name = `${kind.label}: ${(form.title[program.defaultLanguage] ?? '').slice(0, 150)}`;
    const rule = await createRule(trx, program.id, { name, definition, effectiveFrom: now }, now);
    await attach(rule.id);
    return;
  }
  const current = await getRule(trx, program.id, form.ruleId);
  const wantActive = form.points > 0 && form.status === 'published';
  const pays = current.definition.effect.type === 'fixed' ? current.definition.effect.points : null;
  if (pays === definition.effect.points && current.active === wantActive) return;
  await updateRule(trx, program.id, form.ruleId, { expectedVersion: current.version, definition, active: wantActive, effectiveFrom: now }, now);
}
