/** One member's onboarding checklist: each step done (when) or missing, named in the reader's language. */
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import { completionsOf, getChecklist } from './store.js';

export async function memberOnboarding(db: Db, programId: string, memberId: string, lng: Language) {
  const steps = await getChecklist(db, programId);
  if (steps.length === 0) throw new LojalError('onboarding_not_configured');
  const done = await completionsOf(db, programId, memberId);
  const out = steps.map((s) => ({ code: s.code, name: s.names[lng], points: s.points, done: done.has(s.code), completedAt: done.get(s.code) ?? null }));
  return {
    memberId,
    done: out.filter((s) => s.done).length,
    total: out.length,
    pointsEarned: out.filter((s) => s.done).reduce((n, s) => n + s.points, 0),
    pointsToEarn: out.filter((s) => !s.done).reduce((n, s) => n + s.points, 0),
    steps: out,
  };
}
