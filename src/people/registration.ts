/**
 * Self-registration: a person asks to join an existing account (by its join code or external id) and waits
 * as a 'pending' member; the account's managers get a mail; a manager (or program staff) approves or rejects,
 * and the person gets a mail either way. Each step is one transaction with its mails.
 */
import { accountForJoining, findPersonAt, lockAccountForJoining, getAccount, insertPerson, lockMember, managersOf, moveMemberStatus, type Member } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { isLanguage, type Language } from '../i18n/index.js';
import { enqueueMails } from '../mail/index.js';
import type { Program } from '../programs/programs.js';

export interface RegistrationInput {
  /** The account's join code or its external id. */
  account: string;
  email: string;
  name: string;
  language: Language;
  role?: string | null | undefined;
}

export async function register(db: Db, program: Program, input: RegistrationInput, now: Date): Promise<Member> {
  const accountId = await accountForJoining(db, program.id, input.account);
  if (!accountId) throw new LojalError('unknown_join_code', { code: input.account });
  const account = await getAccount(db, program.id, accountId);
  return db.transaction().execute(async (trx) => {
    await lockAccountForJoining(trx, program.id, accountId);
    if (await findPersonAt(trx, program.id, accountId, input.email)) {
      throw new LojalError('member_already_exists', { email: input.email, account: account.name });
    }
    const member = await insertPerson(trx, program.id, {
      accountId,
      email: input.email,
      name: input.name,
      role: input.role ?? null,
      language: input.language,
      status: 'pending',
    });
    const managers = (await managersOf(trx, program.id, accountId)).filter((m) => m.email);
    await enqueueMails(
      trx,
      program.id,
      managers.map((m) => ({
        template: 'registration_request' as const,
        to: m.email!,
        language: isLanguage(m.language) ? m.language : program.defaultLanguage,
        params: { manager: m.name, name: input.name, email: input.email, account: account.name, program: program.name },
      })),
      now,
    );
    return member;
  });
}

/** Approves or rejects a pending member; the caller has checked who may decide. */
export async function decideRegistration(
  db: Db,
  program: Program,
  memberId: string,
  decision: { approve: true } | { approve: false; reason: string },
  publicUrl: string,
  now: Date,
): Promise<Member> {
  return db.transaction().execute(async (trx) => {
    const before = await lockMember(trx, program.id, memberId);
    if (!before) throw new LojalError('not_found', { entity: 'member', id: memberId });
    const member = await moveMemberStatus(trx, program.id, memberId, ['pending'], decision.approve ? 'active' : 'closed', now);
    if (!member) throw new LojalError('member_not_pending', { member: memberId, status: before.status });
    const account = await getAccount(trx, program.id, member.accountId);
    if (member.email) {
      const language = member.language ?? program.defaultLanguage;
      const params = { name: member.name, account: account.name, program: program.name };
      await enqueueMails(trx, program.id, [
        decision.approve
          ? { template: 'registration_approved', to: member.email, language, params: { ...params, link: publicUrl } }
          : { template: 'registration_rejected', to: member.email, language, params: { ...params, reason: decision.reason } },
      ], now);
    }
    return member;
  });
}
