import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { inTransaction, type Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { parseInput } from '../errors/validation.js';
import { containsPattern, decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import { isUuid } from './accounts.js';
import { publishMemberChange } from '../webhooks/publish.js';
import { openWallets } from '../ledger/wallets.js';
import {
  memberColumns,
  memberCreateSchema,
  memberDefaults,
  memberPatchSchema,
  toMember,
  type Member,
  type MemberCreate,
  type MemberPatch,
  type MemberStatus,
} from './member-schema.js';

const notFound = (id: string) => new LojalError('not_found', { entity: 'member', id });
export const duplicateMember = (externalId: string) => new LojalError('duplicate_external_id', { entity: 'member', externalId });
const noUuid = '00000000-0000-0000-0000-000000000000';

/** The member's account by id or external id: undefined = unchanged. */
async function resolveAccount(
  db: Db,
  programId: string,
  ref: { accountId?: string | undefined; accountExternalId?: string | undefined },
): Promise<string | undefined> {
  const key = ref.accountId ?? ref.accountExternalId;
  if (key === undefined) return undefined;
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where('program_id', '=', programId)
    .$if(ref.accountId !== undefined, (q) => q.where('id', '=', isUuid(key) ? key : noUuid))
    .$if(ref.accountId === undefined, (q) => q.where('external_id', '=', key))
    .executeTakeFirst();
  if (!row) throw new LojalError('unknown_account', { account: key });
  return row.id;
}

/** Creates a member and the member's own wallet (same id) in one transaction. */
export async function createMember(db: Db, programId: string, input: MemberCreate, now: Date): Promise<Member> {
  const m = parseInput(memberCreateSchema, input);
  return inTransaction(db, async (trx) => {
    const accountId = (await resolveAccount(trx, programId, m))!;
    const id = uuidv7();
    try {
      const row = await trx
        .insertInto('members')
        .values({ ...memberDefaults, program_id: programId, id, account_id: accountId, ...memberColumns(m), name: m.name, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await openWallets(trx, programId, 'member', [id]);
      const member = toMember(row);
      if (member.status === 'active') await publishMemberChange(trx, programId, member, 'created', now);
      return member;
    } catch (err) {
      if (isUniqueViolation(err) && m.externalId) throw duplicateMember(m.externalId);
      throw err;
    }
  });
}

/** Changes the given fields; null clears a field; an account reference moves the member. */
export async function updateMember(db: Db, programId: string, id: string, patch: MemberPatch, now: Date): Promise<Member> {
  const p = parseInput(memberPatchSchema, patch);
  if (!isUuid(id)) throw notFound(id);
  return inTransaction(db, async (trx) => {
    const accountId = await resolveAccount(trx, programId, p);
    try {
      const row = await trx
        .updateTable('members')
        .set({ ...memberColumns(p), ...(accountId !== undefined && { account_id: accountId }), updated_at: now })
        .where('program_id', '=', programId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound(id);
      return toMember(row);
    } catch (err) {
      if (isUniqueViolation(err) && p.externalId) throw duplicateMember(p.externalId);
      throw err;
    }
  });
}

export async function getMember(db: Db, programId: string, id: string): Promise<Member> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('program_id', '=', programId)
    .where('id', '=', isUuid(id) ? id : noUuid)
    .executeTakeFirst();
  if (!row) throw notFound(id);
  return toMember(row);
}

export async function getMemberByExternalId(db: Db, programId: string, externalId: string): Promise<Member> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('program_id', '=', programId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!row) throw notFound(externalId);
  return toMember(row);
}

export interface MemberFilters {
  accountId?: string | undefined;
  role?: string | undefined;
  status?: MemberStatus | undefined;
  tag?: string | undefined;
  /** Exact e-mail address, any case. */
  email?: string | undefined;
  /** Case-insensitive "contains" on name, e-mail and external id. */
  q?: string | undefined;
  /** The tier level's code. */
  tier?: string | undefined;
}

const memberCursor = z.tuple([z.string(), z.uuid()]);

/** Members ordered by name, then id. */
export async function listMembers(db: Db, programId: string, query: MemberFilters & PageParams = {}): Promise<Page<Member>> {
  const limit = pageSize(query);
  const after = decodeCursor(query.cursor, memberCursor);
  const { accountId, role, status, tag, email, q, tier } = query;
  const rows = await db
    .selectFrom('members')
    .selectAll()
    .where('program_id', '=', programId)
    .$if(accountId !== undefined, (qb) => qb.where('account_id', '=', isUuid(accountId!) ? accountId! : noUuid))
    .$if(role !== undefined, (qb) => qb.where('role', '=', role!.trim().toLowerCase()))
    .$if(status !== undefined, (qb) => qb.where('status', '=', status!))
    .$if(tag !== undefined, (qb) => qb.where(sql<boolean>`tags @> ${[tag]}::text[]`))
    // Stored e-mail addresses are lower case already; lower() here would bypass the index.
    .$if(email !== undefined, (qb) => qb.where('email', '=', email!.trim().toLowerCase()))
    .$if(tier !== undefined, (qb) => qb.where('tier', '=', tier!.trim().toLowerCase()))
    .$if(!!q, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb('name', 'ilike', containsPattern(q!)),
          eb('email', 'ilike', containsPattern(q!)),
          eb('external_id', 'ilike', containsPattern(q!)),
        ]),
      ),
    )
    .$if(after !== undefined, (qb) => qb.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after![0], after![1]))))
    .orderBy('name')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => [r.name, r.id], toMember);
}

/** For the sessions module: the member's new password hash (already checked against the policy and hashed). */
export async function setMemberPasswordHash(db: Db, programId: string, id: string, passwordHash: string, now: Date): Promise<void> {
  const result = await db
    .updateTable('members')
    .set({ password_hash: passwordHash, updated_at: now })
    .where('program_id', '=', programId)
    .where('id', '=', isUuid(id) ? id : noUuid)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw notFound(id);
}

/** For the tiers module: the member's current tier code (null = none). */
export async function setMemberTier(db: Db, programId: string, id: string, tier: string | null, now: Date): Promise<void> {
  const result = await db
    .updateTable('members')
    .set({ tier, updated_at: now })
    .where('program_id', '=', programId)
    .where('id', '=', isUuid(id) ? id : noUuid)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw notFound(id);
}
