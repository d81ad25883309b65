/**
 * Invitations by e-mail link. Inviting creates the person as an 'invited' member of the account, an
 * invitation whose token is stored only as a hash, and the mail with the link, in one transaction.
 * Accepting with the token (once, before it expires) makes the member active with the name and language
 * the person gives.
 */
import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { findPersonAt, getAccount, insertPerson, lockAccountForJoining, lockMember, moveMemberStatus, type Member } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Language } from '../i18n/index.js';
import { enqueueMails, mailDate } from '../mail/index.js';
import type { Program } from '../programs/programs.js';

const DAY_MS = 86_400_000;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface InviteInput {
  email: string;
  name?: string | undefined;
  role?: string | null | undefined;
  language?: Language | undefined;
  expiresInDays: number;
  actor: string;
}

export interface InvitationOut {
  invitationId: string;
  memberId: string;
  accountId: string;
  email: string;
  status: string;
  expiresAt: Date;
}

export async function invite(db: Db, program: Program, accountId: string, input: InviteInput, publicUrl: string, now: Date): Promise<InvitationOut> {
  const account = await getAccount(db, program.id, accountId);
  return db.transaction().execute(async (trx) => {
    // One open membership per address and account: an invited person is invited again, an active one is refused.
    await lockAccountForJoining(trx, program.id, accountId);
    let member: Member | undefined = await findPersonAt(trx, program.id, accountId, input.email);
    if (member && member.status !== 'invited') throw new LojalError('member_already_exists', { email: input.email, account: account.name });
    member ??= await insertPerson(trx, program.id, {
      accountId,
      email: input.email,
      name: input.name ?? input.email.split('@')[0]!,
      role: input.role ?? null,
      language: input.language ?? null,
      status: 'invited',
    });
    const token = `inv_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
    const id = uuidv7();
    await trx
      .insertInto('invitations')
      .values({ program_id: program.id, id, member_id: member.id, token_hash: hashToken(token), expires_at: expiresAt, invited_by: input.actor })
      .execute();
    const language = member.language ?? program.defaultLanguage;
    await enqueueMails(trx, program.id, [
      {
        template: 'invitation',
        to: input.email,
        language,
        params: {
          name: member.name,
          account: account.name,
          program: program.name,
          link: `${publicUrl}/invitations/${token}`,
          expires: mailDate(expiresAt, language, program.timeZone),
        },
      },
    ], now);
    return { invitationId: id, memberId: member.id, accountId, email: input.email, status: member.status, expiresAt };
  });
}

/** Activates the invited member; a token works once and only until it expires. */
export async function acceptInvitation(
  db: Db,
  programId: string,
  token: string,
  input: { name: string; language: Language },
  now: Date,
): Promise<Member> {
  return db.transaction().execute(async (trx) => {
    const inv = await trx
      .selectFrom('invitations')
      .selectAll()
      .where('program_id', '=', programId)
      .where('token_hash', '=', hashToken(token))
      .forUpdate()
      .executeTakeFirst();
    if (!inv) throw new LojalError('not_found', { entity: 'invitation', id: token.slice(0, 8) + '…' });
    if (inv.accepted_at) throw new LojalError('invitation_used');
    const expiresAt = new Date(inv.expires_at);
    if (expiresAt <= now) throw new LojalError('invitation_expired', { expiredAt: expiresAt.toISOString() });
    const current = await lockMember(trx, programId, inv.member_id);
    // The person may have been activated another way (a second invitation, staff) meanwhile: the token is spent.
    const member = await moveMemberStatus(trx, programId, inv.member_id, ['invited'], 'active', now, input);
    if (!member) throw new LojalError('invitation_used', { status: current?.status ?? 'unknown' });
    await trx.updateTable('invitations').set({ accepted_at: now }).where('program_id', '=', programId).where('id', '=', inv.id).execute();
    return member;
  });
}
