/**
 * Lock-out under a crowd: a hundred and more password attempts sent at once, the right password among them.
 * Each attempt is counted before its password is checked, so no more than the limit are ever verified and
 * the right one arriving after them is refused unverified. The verifications are counted by wrapping the
 * real password check (the database is real: PGlite, or PostgreSQL with LOJAL_TEST_DB=postgres, where the
 * attempts truly run side by side on a pool of connections).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Passwords from '../../src/sessions/passwords.js';
import { setStaffPasswordByEmail } from '../../src/sessions/staff-sign-in.js';
import { signInLimits } from '../../src/sessions/limits.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMember } from '../support/fixtures.js';

const verified = vi.hoisted(() => ({ passwords: [] as string[] }));
vi.mock('../../src/sessions/passwords.js', async (importOriginal) => {
  const real = await importOriginal<typeof Passwords>();
  return {
    ...real,
    // Only checks against a real hash count: the dummy check for an address without a password proves nothing.
    checkPassword: async (stored: string | null | undefined, password: string) => {
      if (stored) verified.passwords.push(password);
      return real.checkPassword(stored, password);
    },
  };
});

const right = 'the right password';
const crowd = 120;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());
beforeEach(() => {
  verified.passwords.length = 0;
});

type Outcome = { status: number; code: string | undefined };
const outcome = (res: { statusCode: number; json(): { code?: string } }): Outcome => ({
  status: res.statusCode,
  code: res.statusCode === 200 ? undefined : res.json().code,
});

/** Every attempt at once; the answers in the order the attempts were listed. */
const all = (attempt: (password: string) => Promise<Outcome>, passwords: string[]) => Promise.all(passwords.map(attempt));
const wrongOnes = (n: number) => Array.from({ length: n }, (_, i) => `wrong guess ${i}`);

for (const who of ['staff', 'member'] as const) {
  describe(`${who} password sign-in, attempts all at once`, () => {
    const limit = who === 'staff' ? signInLimits.staffFailuresBeforeLock : signInLimits.memberPasswordFailuresBeforeLock;
    const lockMs = who === 'staff' ? signInLimits.staffLockMs : signInLimits.memberPasswordLockMs;
    const email = `crowd-${who}@example.com`;
    let attempt: (password: string) => Promise<Outcome>;

    beforeAll(async () => {
      if (who === 'staff') {
        const created = await t.call('POST', '/v1/staff-users', { email, name: 'Crowd', role: 'manager' });
        expect(created.statusCode, created.body).toBe(201);
        await setStaffPasswordByEmail(t.database.db, t.programId, email, right, { programId: t.programId, actor: { kind: 'api_key', id: '00000000-0000-0000-0000-000000000000', label: 'test' }, at: t.clock(), ip: null });
        attempt = async (password) => outcome(await t.call('POST', '/auth/staff/sign-in', { email, password }, null));
      } else {
        const { hashPassword } = await vi.importActual<typeof Passwords>('../../src/sessions/passwords.js');
        await t.database.db.updateTable('programs').set({ member_passwords: true }).where('id', '=', t.programId).execute();
        const memberId = await seedMember(t, await seedAccount(t, 'CROWD'), 'CROWD-1');
        await t.database.db
          .updateTable('members')
          .set({ email, status: 'active', password_hash: await hashPassword(right) })
          .where('id', '=', memberId)
          .execute();
        attempt = async (password) => outcome(await t.call('POST', '/auth/member/password-sign-in', { email, password }, null));
      }
      expect(await attempt(right)).toEqual({ status: 200, code: undefined });
    });

    it(`${crowd} wrong guesses at once: exactly ${limit} are verified, the rest refused unverified, and the account is locked`, async () => {
      const answers = await all(attempt, wrongOnes(crowd));
      expect(verified.passwords).toHaveLength(limit);
      expect(answers.filter((a) => a.code === 'invalid_credentials')).toHaveLength(limit - 1);
      expect(answers.filter((a) => a.code === 'account_locked')).toHaveLength(crowd - limit + 1);
      expect(answers.every((a) => a.status === 401 || a.status === 423)).toBe(true);
    });

    it('then the right password in a crowd of wrong ones is refused, and nothing is verified', async () => {
      const passwords = wrongOnes(crowd);
      passwords.splice(crowd / 2, 0, right);
      const answers = await all(attempt, passwords);
      expect(verified.passwords).toEqual([]);
      expect(answers[crowd / 2]).toEqual({ status: 423, code: 'account_locked' });
      expect(answers.every((a) => a.code === 'account_locked')).toBe(true);
    });

    it('once the lock has run out, the right password signs in', async () => {
      t.clock.advance(lockMs);
      expect(await attempt(right)).toEqual({ status: 200, code: undefined });
    });

    it('the right password last in a crowd signs in only if it was among the first five verified', async () => {
      const passwords = [...wrongOnes(crowd), right];
      const answers = await all(attempt, passwords);
      expect(verified.passwords.length).toBeLessThanOrEqual(limit);
      const rightVerified = verified.passwords.includes(right);
      expect(answers.at(-1)).toEqual(rightVerified ? { status: 200, code: undefined } : { status: 423, code: 'account_locked' });
      expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(limit - 1);
      // Wrong guesses verified after the right one's success may count again, but never past the limit.
      if (!rightVerified) expect(await attempt(right)).toMatchObject({ status: 423 });
      t.clock.advance(lockMs);
    });
  });
}
