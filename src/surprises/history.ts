/**
 * A surprise as the member's history tells it: which kind it was, and a friendly line saying why it came, in
 * the member's language. Pure; null for any entry that is not a surprise payout.
 */
import { translator, type Language } from '../i18n/index.js';
import type { Explanation } from '../rules/types.js';

const kinds = ['birthday', 'anniversary', 'orders', 'lifetime_points', 'tier', 'seasonal'] as const;
export type SurpriseKind = (typeof kinds)[number];

export function surpriseInHistory(explanation: Explanation, lng: Language): { kind: SurpriseKind; why: string } | null {
  const m = /^surprises:explain\.([a-z_]+?)(Gift)?$/.exec(explanation.key);
  const kind = m && (kinds as readonly string[]).includes(m[1]!) ? (m[1] as SurpriseKind) : null;
  if (!kind) return null;
  return { kind, why: String(translator(lng)(`surprises:history.${kind}`, explanation.params ?? {})) };
}
