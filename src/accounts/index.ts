/** The accounts module: companies (with their hierarchy) and the people at them. */
export {
  createAccount,
  updateAccount,
  getAccount,
  findAccount,
  getAccountByExternalId,
  listAccounts,
  setAccountTier,
  type AccountFilters,
} from './accounts.js';
export { upsertAccounts, upsertAccountByExternalId } from './account-batch.js';
export type { Account, AccountCreate, AccountPatch, AccountUpsert } from './account-schema.js';
export {
  createMember,
  updateMember,
  getMember,
  getMemberByExternalId,
  listMembers,
  setMemberTier,
  type MemberFilters,
} from './members.js';
export { upsertMembers, upsertMemberByExternalId } from './member-batch.js';
export type { Member, MemberCreate, MemberPatch, MemberUpsert, MemberStatus } from './member-schema.js';
export { memberStatuses } from './member-schema.js';
export { importAccountsCsv, importMembersCsv } from './csv.js';
export { loadAccounts, loadMembers, type AccountRef, type MemberRef } from './references.js';
export { isManagerOf, managersOf, managerRoles, requireManagerIfActing } from './managers.js';
export { accountAndBelow, chainRoots, setTierBelow } from './hierarchy.js';
export { findPersonAt, insertPerson, lockAccountForJoining, lockMember, moveMemberStatus, type NewPerson } from './member-lifecycle.js';
export { accountForJoining, renewJoinCode } from './join-codes.js';
export { memberSchema } from './member-schema.js';
