/**
 * What the portal pages read from /portal/v1 (shapes as the portal API answers them) and the hooks that share
 * those answers between pages, so the balance read on Home is the one the shop's confirmation shows.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../shared/api';

export interface Me {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  role: string | null;
  language: string;
  programId: string;
  programName: string;
  currency: string;
  accountId: string;
  accountName: string;
  isManager: boolean;
  preferences: Preferences;
  password: { allowed: boolean; isSet: boolean; minLength: number };
}

export interface Preferences {
  newsletter: boolean;
  orderMails: boolean;
  claimMails: boolean;
  serviceMails: boolean;
}

export interface Balance {
  available: number;
  pending: number;
  pendingReleases?: Array<{ points: number; on: string }>;
  expiring: Array<{ points: number; on: string }>;
  lifetimeEarned: number;
  lifetimeSpent: number;
  company?: { available: number; pending?: number };
}

export interface Tier {
  current: { code: string; name: string; benefits?: string[] } | null;
  next: { code: string; name: string; missing: number } | null;
  progress: number;
  basis?: 'points' | 'amount' | null;
  periodEnd: string | null;
}

export interface HistoryEntry {
  id: string;
  at: string;
  points: number;
  pending?: number;
  kind: string;
  text: string;
  details?: Array<{ points: number; text: string }>;
  /** The campaign that paid these extra points. */
  campaign?: string | null;
  /** A surprise the program gave: its kind, the badge's word and why it came, in the member's language. */
  surprise?: { kind: string; label: string; why: string } | null;
}

export interface Onboarding {
  done: number;
  total: number;
  pointsEarned: number;
  pointsToEarn: number;
  steps: Array<{ code: string; name: string; points: number; done: boolean; completedAt: string | null }>;
}

export interface Category {
  code: string;
  name: string;
}

export interface Reward {
  id: string;
  code: string;
  type: string;
  category: string | null;
  name: string;
  description: string;
  images: string[];
  pricePoints: number;
  stock: number | null;
  orderable: boolean;
  affordable: boolean;
  missingPoints?: number;
  whyNot: string[];
}

export type Wallet = 'member' | 'company';

export interface Order {
  id: string;
  state: string;
  stateName: string;
  reward: { id: string; code: string; type: string; name: string };
  quantity: number;
  points: number;
  memberId: string;
  wallet: Wallet;
  delivery: Record<string, string> | null;
  tracking: Record<string, string> | null;
  codes: string[];
  note: string | null;
  createdAt: string;
  history: Array<{ state: string; stateName: string; reason: string | null; at: string }>;
  /** Mine, and nobody has started on it yet. */
  cancellable: boolean;
}

export interface Claim {
  id: string;
  state: 'submitted' | 'needs_review' | 'approved' | 'rejected';
  memberId: string;
  sku: string;
  quantity: number;
  amount: number;
  saleDate: string;
  invoiceNumber: string;
  endCustomer: string;
  points: { status: 'pending' | 'posted' | 'void'; proposed: number; posted: number | null };
  rejection: { code: string; message: string; note: string | null } | null;
  createdAt: string;
  /** With one claim read on its own: the files it was sent with, each at an address the portal may fetch. */
  evidence?: Array<{ id: string; contentType: string; fileName: string | null; url: string }>;
}

export interface TeamMember {
  memberId: string;
  accountId: string;
  name: string;
  role: string | null;
  status: string;
  earned: number;
  spent: number;
  received: number;
  given: number;
  available: number;
  pending: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const meKey = ['portal', 'me'] as const;
export const balanceKey = ['portal', 'balance'] as const;

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: () => api.get<Me>('/portal/v1/me'), staleTime: 60_000 });
}

export function useBalance() {
  return useQuery({ queryKey: balanceKey, queryFn: () => api.get<Balance>('/portal/v1/balance') });
}

/** After points moved (an order, an allocation, a decision): every figure that shows them is read again. */
export function usePointsChanged() {
  const client = useQueryClient();
  return () =>
    Promise.all(
      [balanceKey, ['portal', 'history'], ['portal', 'rewards'], ['portal', 'orders'], ['portal', 'team'], ['portal', 'tier']].map((queryKey) =>
        client.invalidateQueries({ queryKey }),
      ),
    );
}
