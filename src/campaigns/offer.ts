/**
 * What a campaign offers a member, in their language: one sentence per earning effect ("Double points on every
 * purchase", "10 extra points per 100,00 kr on tools"). Pure, so the wording is tested without a server.
 */
import { translator, type Language } from '../i18n/index.js';
import { formatMoney } from '../ledger/explain.js';
import type { Explanation } from '../rules/types.js';
import type { CampaignEffect } from './effects.js';

export function offerSentences(effects: readonly CampaignEffect[], lng: Language, currency: string): string[] {
  const t = translator(lng);
  return effects.map((e) => {
    if (e.type === 'multiplier') {
      // 2 and 3 have their own words in every language ("double", "triple"); other factors read as "×1.5".
      if (e.factor === 2 || e.factor === 3) return String(t(`campaigns:offer.multiplier${e.factor}`));
      return String(t('campaigns:offer.multiplier', { factor: new Intl.NumberFormat(lng).format(e.factor) }));
    }
    if (e.type === 'fixed') return String(t('campaigns:offer.fixed', { count: e.points, points: new Intl.NumberFormat(lng).format(e.points) }));
    const what = e.category && e.brand ? `${e.brand} · ${e.category}` : (e.brand ?? e.category ?? '');
    return String(t('campaigns:offer.lineBonus', { count: e.points, points: new Intl.NumberFormat(lng).format(e.points), per: formatMoney(e.per, currency, lng), what }));
  });
}

/**
 * A campaign payout as the member's history tells it: which campaign, for which purchase, and — when the budget
 * ran out part way — what they got of what it would have paid. Null for anything that is not a campaign payout.
 */
export function campaignPayoutText(explanation: Explanation, reference: string | null, lng: Language): { campaign: string; text: string } | null {
  if (explanation.key !== 'campaigns:explain.bonus' && explanation.key !== 'campaigns:explain.cut') return null;
  const campaign = String(explanation.params?.campaign ?? explanation.params?.rule ?? '');
  const kind = explanation.key === 'campaigns:explain.cut' ? 'cut' : 'bonus';
  const key = reference ? `campaigns:history.${kind}` : `campaigns:history.${kind}NoReference`;
  return { campaign, text: String(translator(lng)(key, { ...explanation.params, campaign, reference: reference ?? '' })) };
}
