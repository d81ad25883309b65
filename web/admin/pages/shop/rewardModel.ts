/** The rewards catalogue as the console reads it from the API: rewards, their kinds and the shop's categories. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../shared/api';
import type { Language } from '../../../shared/i18n';

export const rewardTypes = ['physical', 'experience', 'code', 'charity', 'cashback', 'content'] as const;
export type RewardType = (typeof rewardTypes)[number];
export const periods = ['day', 'week', 'month', 'quarter', 'year', 'lifetime'] as const;

export interface Reward {
  id: string;
  code: string;
  type: RewardType;
  category: string | null;
  name: string;
  texts: Partial<Record<Language, { name: string; description: string }>>;
  images: string[];
  pricePoints: number;
  stock: number | null;
  active: boolean;
  validFrom: string | null;
  validUntil: string | null;
  eligibility: { minTier: string | null; tierTags: string[]; segments: string[]; roles: string[]; countries: string[] };
  limits: { perMember: number | null; perAccount: number | null; period: (typeof periods)[number] };
  codeSource: 'pool' | 'generated' | null;
  cashValueMinor: number | null;
  eventAt: string | null;
}

export interface Category {
  code: string;
  name: string;
  names: Partial<Record<Language, string>>;
  position: number;
}

export const useCategories = () => useQuery({ queryKey: ['reward-categories'], queryFn: () => api.get<{ data: Category[] }>('/v1/reward-categories') });
