/** The signed-in member as audiences and breakdowns see them, read through the accounts module. */
import { loadAccounts, loadMembers } from '../accounts/index.js';
import type { AccountRef, MemberRef } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import type { Respondent } from './audience.js';

export interface Who {
  member: MemberRef;
  account: AccountRef;
  respondent: Respondent;
}

export async function whoIs(db: Db, programId: string, memberId: string): Promise<Who> {
  const member = (await loadMembers(db, programId, [], [memberId])).byId.get(memberId);
  if (!member) throw new LojalError('unknown_member', { member: memberId });
  const account = (await loadAccounts(db, programId, [], [member.accountId])).byId.get(member.accountId);
  if (!account) throw new LojalError('unknown_account', { account: member.accountId });
  return {
    member,
    account,
    respondent: { role: member.role, memberTier: member.tier, memberTags: member.tags, accountTier: account.tier, accountTags: account.tags, segment: account.segment },
  };
}
