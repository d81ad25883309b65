/**
 * Where an owner stands on the tier ladder now: the level (named in the reader's language), the qualifying
 * total of the current window and what is missing for the next level. The API and the portal show the same.
 */
import type { Db } from '../db/database.js';
import type { TierOwnerKind } from '../db/schema.js';
import type { Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { progress, qualifyingWindow } from './evaluate.js';
import { getTierStatus, qualifyingTotals, tierOwnerOf, type TierConfig, type TierLevel } from './store.js';

export const localizedLevel = (l: TierLevel, lng: Language) => ({
  code: l.code,
  rank: l.rank,
  name: l.names[lng],
  threshold: l.threshold,
  multiplierHundredths: l.multiplierHundredths,
  discountBasisPoints: l.discountBasisPoints,
  rewardTags: l.rewardTags,
  benefits: l.benefits[lng] ?? [],
});

export async function tierOfOwner(db: Db, program: Program, config: TierConfig, kind: TierOwnerKind, asked: string, lng: Language, now: Date) {
  // Chains rolled up: a branch shows its chain's level and the chain's total.
  const id = await tierOwnerOf(db, program.id, config, kind, asked);
  const status = await getTierStatus(db, program.id, kind, id);
  const window = qualifyingWindow(config.settings, now, program.timeZone);
  const total = (await qualifyingTotals(db, program.id, config.settings.basis, kind, window, [id], config.chain)).get(id) ?? 0;
  const level = config.levels.find((l) => l.code === status?.level) ?? null;
  const p = progress(config.levels, config.settings, level?.code ?? null, total, now, program.timeZone);
  const next = config.levels.find((l) => l.code === p.nextLevel);
  return {
    level: level ? localizedLevel(level, lng) : null,
    since: status?.since ?? null,
    periodEnd: status?.periodEnd ?? null,
    frozen: status?.frozenUntil && status.frozenUntil > now ? { until: status.frozenUntil, reason: status.frozenReason ?? '' } : null,
    qualifying: { basis: config.settings.basis, total, windowStart: window.start, windowEnd: window.end },
    progress: { nextLevel: next ? { code: next.code, name: next.names[lng] } : null, missing: p.missing, until: p.until },
  };
}
