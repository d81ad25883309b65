/**
 * Passwords: argon2id hashes (PHC strings, parameters inside, so they can be raised later without breaking
 * old hashes), the policy a new password must meet, and a dummy verification so that an unknown e-mail
 * costs as long as a wrong password.
 */
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';
import { LojalError } from '../errors/index.js';
import { signInLimits } from './limits.js';

// 2 = argon2id (the const enum of @node-rs/argon2 cannot be imported under isolatedModules).
const options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, options);

/** A hash of a password nobody knows, made once, verified against when there is no real hash to check. */
let dummyHash: Promise<string> | undefined;

/** True when `password` matches `stored`; without a stored hash, spends the same time and answers false. */
export async function checkPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

/** At least the minimum length and not the e-mail address (the first thing an attacker tries). */
export function assertPasswordPolicy(password: string, email: string | null, field: string): void {
  const tooShort = [...password].length < signInLimits.passwordMinLength;
  const isEmail = email !== null && password.trim().toLowerCase() === email.trim().toLowerCase();
  if (tooShort || isEmail) {
    throw new LojalError('password_too_weak', { minLength: signInLimits.passwordMinLength }, [
      { path: field, message: 'password too weak', code: 'password_too_weak' },
    ]);
  }
}

/** Random tokens for links: only their SHA-256 is stored. */
export const newLinkToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
