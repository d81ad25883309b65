/**
 * Whether a company may be recorded as referred by a member: a pure decision over the facts the store reads, so
 * every refusal has one stable code and is tested table by table.
 */
import type { ErrorCode } from '../errors/index.js';

export interface ReferralFacts {
  code: string;
  referrer: { memberId: string; accountId: string; email: string | null; groupId: string };
  referee: { accountId: string; memberId: string | null; emails: string[]; groupId: string };
  /** The referral the referee company already has, if any. */
  existing: { code: string } | null;
  /** Accounts up the referrer's own chain of referrals (who referred the referrer's company, who referred that one…). */
  referrerAncestry: string[];
  /**
   * Set when the referred company's person applies the code themselves (the portal): whether the company has
   * already bought. A code shared to bring a new customer cannot be claimed by one who is already buying.
   */
  refereeHasPurchased?: boolean;
}

export interface Refusal {
  code: Extract<ErrorCode, `referral_${string}`>;
  params: Record<string, string>;
}

/**
 * Addresses at these providers say nothing about the company, so sharing one is not a reason to refuse.
 * Kept short on purpose: it lists the providers B2B members in our five markets most often use.
 */
export const publicMailDomains = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'icloud.com', 'me.com', 'proton.me', 'protonmail.com',
  'hotmail.se', 'live.se', 'telia.com', 'bredband.net', 'online.no', 'hotmail.no', 'wp.pl', 'o2.pl', 'onet.pl', 'interia.pl', 'gmx.de', 'gmx.net', 'web.de', 't-online.de',
]);

export const domainOf = (email: string | null): string | null => {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return at < 0 ? null : email.slice(at + 1).trim().toLowerCase();
};

/** The first reason the referral is refused, or null when it may be recorded. */
export function refusalOf(f: ReferralFacts): Refusal | null {
  if (f.existing) {
    return f.existing.code === f.code ? { code: 'referral_code_reused', params: { code: f.code } } : { code: 'referral_already_referred', params: {} };
  }
  if (f.referee.memberId === f.referrer.memberId) return { code: 'referral_self', params: {} };
  if (f.refereeHasPurchased) return { code: 'referral_too_late', params: {} };
  if (f.referee.accountId === f.referrer.accountId || f.referee.groupId === f.referrer.groupId) return { code: 'referral_same_company', params: {} };
  // The referrer's own address at another company is still the referrer.
  const referrerEmail = f.referrer.email?.trim().toLowerCase() ?? null;
  if (referrerEmail !== null && f.referee.emails.some((e) => e.trim().toLowerCase() === referrerEmail)) return { code: 'referral_self', params: {} };
  if (f.referrerAncestry.includes(f.referee.accountId)) return { code: 'referral_circular', params: {} };
  const domain = domainOf(f.referrer.email);
  if (domain && !publicMailDomains.has(domain) && f.referee.emails.some((e) => domainOf(e) === domain)) {
    return { code: 'referral_same_domain', params: { domain } };
  }
  return null;
}
