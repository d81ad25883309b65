/**
 * A shared referral link (`/?ref=CODE`) lands on any page of the portal, often signed out. The code is kept on
 * this device until the person is signed in (by password, a mailed link or an invitation), then applied once:
 * it is forgotten before the request, so a reload or a refusal never applies it twice.
 */
import { useEffect, useRef } from 'react';
import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api';
import { notifyError, notifySuccess } from '../shared/feedback';

const storageKey = 'lojal.portal.referral';
const codeShape = /^[A-Za-z0-9-]{1,40}$/;

/** Moves `?ref=` from the address into this device's storage (and out of the address bar). */
export function keepReferralFromAddress(): void {
  const url = new URL(window.location.href);
  const ref = url.searchParams.get('ref');
  if (ref === null) return;
  if (codeShape.test(ref.trim())) {
    try {
      localStorage.setItem(storageKey, ref.trim());
    } catch {
      // Storage refused (private mode): the code is lost, as if the link had no code.
    }
  }
  url.searchParams.delete('ref');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

export function pendingReferral(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

function forgetReferral(): void {
  try {
    localStorage.removeItem(storageKey);
  } catch {
    // nothing kept
  }
}

/** Once signed in: applies a kept code for the member's company and says how it went. */
export function useApplyReferral(): void {
  const { t } = useTranslation('portal-referrals');
  const started = useRef(false);
  useEffect(() => {
    const code = pendingReferral();
    if (!code || started.current) return;
    started.current = true;
    forgetReferral();
    api
      .post<{ referrerCompany: string }>('/portal/v1/referral', { code })
      .then((r) => notifySuccess(t('applied', { company: r.referrerCompany })))
      .catch((err: unknown) => notifyError(err));
  }, [t]);
}

/** On the sign-in and invitation pages: the code the person came with, to be applied once they are in. */
export function PendingReferralNote() {
  const { t } = useTranslation('portal-referrals');
  const code = pendingReferral();
  if (!code) return null;
  return (
    <Text size="sm" data-testid="pending-referral">
      {t('pending', { code })}
    </Text>
  );
}
