import { LojalError } from '../errors/index.js';

/** Every number of signing in, in one place: lock-out, link and code lifetimes, rate limits. */
export const signInLimits = {
  /** Failed staff sign-ins in a row before the account is locked… */
  staffFailuresBeforeLock: 5,
  /** …for this long. */
  staffLockMs: 15 * 60_000,
  /** A password reset link asked for by the person. */
  staffResetLinkMs: 3600_000,
  /** The "set your password" link of a new staff user (they may not read mail the same hour). */
  staffInviteLinkMs: 7 * 24 * 3600_000,
  /** Reset mails per staff user and hour; more requests are answered the same but send nothing. */
  staffResetsPerHour: 5,
  /** A member's one-time code and link. */
  memberCodeMs: 15 * 60_000,
  /** Wrong guesses before a code (and its link) is dead. */
  memberCodeAttempts: 5,
  /** Codes per e-mail address and hour. */
  memberCodesPerHour: 5,
  /** Failed portal password sign-ins for one address before it is locked… */
  memberPasswordFailuresBeforeLock: 5,
  /** …for this long. */
  memberPasswordLockMs: 15 * 60_000,
  /** Shortest password accepted. */
  passwordMinLength: 10,
} as const;

/** `account_locked` with the minutes left (at least one), for staff and member sign-in alike. */
export function accountLocked(until: Date, now: Date): LojalError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return new LojalError('account_locked', { count: minutes }, undefined, { minutes });
}
