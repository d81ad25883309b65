/** A reward as the editor's form holds it, and the API body made from it. */
import { moneyInput, parseMoney } from '../../../shared/format';
import { languages, type Language } from '../../../shared/i18n';
import { type Reward, type RewardType, periods } from './rewardModel';

/** The form's state: texts per language, numbers as typed, lists as lists. */
export interface Draft {
  code: string;
  type: RewardType;
  codeSource: 'pool' | 'generated';
  category: string | null;
  texts: Record<Language, { name: string; description: string }>;
  images: string;
  pricePoints: number | string;
  unlimited: boolean;
  stock: number | string;
  active: boolean;
  validFrom: string;
  validUntil: string;
  minTier: string;
  tierTags: string[];
  segments: string[];
  roles: string[];
  countries: string[];
  perMember: number | string;
  perAccount: number | string;
  period: (typeof periods)[number];
  cashValue: string;
  eventAt: string;
}

/** An instant as the datetime-local input shows it, in the browser's time zone. */
export const toLocalInput = (iso: string | null): string => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
export const fromLocalInput = (v: string): string | null => (v ? new Date(v).toISOString() : null);
export const numberOrNull = (v: number | string): number | null => (v === '' || v === null ? null : Number(v));

export function draftOf(r: Reward | undefined, currency: string): Draft {
  const empty = { name: '', description: '' };
  return {
    code: r?.code ?? '',
    type: r?.type ?? 'physical',
    codeSource: r?.codeSource ?? 'pool',
    category: r?.category ?? null,
    texts: Object.fromEntries(languages.map((l) => [l, { ...empty, ...r?.texts[l] }])) as Draft['texts'],
    images: (r?.images ?? []).join('\n'),
    pricePoints: r?.pricePoints ?? '',
    unlimited: r ? r.stock === null : true,
    stock: r?.stock ?? 0,
    active: r?.active ?? true,
    validFrom: toLocalInput(r?.validFrom ?? null),
    validUntil: toLocalInput(r?.validUntil ?? null),
    minTier: r?.eligibility.minTier ?? '',
    tierTags: r?.eligibility.tierTags ?? [],
    segments: r?.eligibility.segments ?? [],
    roles: r?.eligibility.roles ?? [],
    countries: r?.eligibility.countries ?? [],
    perMember: r?.limits.perMember ?? '',
    perAccount: r?.limits.perAccount ?? '',
    period: r?.limits.period ?? 'lifetime',
    cashValue: r?.cashValueMinor != null ? moneyInput(r.cashValueMinor, currency) : '',
    eventAt: toLocalInput(r?.eventAt ?? null),
  };
}

export function bodyOf(d: Draft, creating: boolean, currency: string, pool: boolean): Record<string, unknown> {
  const texts = Object.fromEntries(
    languages.filter((l) => d.texts[l].name.trim() !== '').map((l) => [l, { name: d.texts[l].name.trim(), description: d.texts[l].description.trim() }]),
  );
  const cash = d.cashValue.trim() === '' ? null : (parseMoney(d.cashValue, currency) ?? Number.NaN);
  return {
    ...(creating && { code: d.code.trim(), type: d.type, ...(d.type === 'code' && { codeSource: d.codeSource }) }),
    category: d.category,
    texts,
    images: d.images.split(/\s+/).filter(Boolean),
    pricePoints: d.pricePoints === '' ? undefined : Number(d.pricePoints),
    // A pool's stock is the codes in it: it grows by importing, never by typing.
    ...(!pool && { stock: d.unlimited ? null : Number(d.stock) }),
    active: d.active,
    validFrom: fromLocalInput(d.validFrom),
    validUntil: fromLocalInput(d.validUntil),
    eligibility: {
      minTier: d.minTier.trim() || null,
      tierTags: d.tierTags,
      segments: d.segments,
      roles: d.roles,
      countries: d.countries.map((c) => c.toUpperCase()),
    },
    limits: { perMember: numberOrNull(d.perMember), perAccount: numberOrNull(d.perAccount), period: d.period },
    cashValueMinor: d.type === 'cashback' || d.type === 'charity' ? cash : null,
    eventAt: d.type === 'experience' ? fromLocalInput(d.eventAt) : null,
  };
}
