/** Members: the people at an account (owner, buyer, foreman…). Creating one opens their own wallet. */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { isUniqueViolation, itemError, type BatchResult } from './batch.js';
import { memberCreate, type MemberInput, type memberPatch } from './schemas.js';

export interface Member {
  id: string;
  accountId: string;
  externalId: string | null;
  email: string | null;
  name: string;
  phone: string | null;
  role: string | null;
  language: string | null;
  tags: string[];
  status: string;
  tier: string | null;
  attributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const toMember = (r: any): Member => ({
  id: r.id,
  accountId: r.account_id,
  externalId: r.external_id,
  email: r.email,
  name: r.name,
  phone: r.phone,
  role: r.role,
  language: r.language,
  tags: r.tags,
  status: r.status,
  tier: r.tier,
  attributes: r.attributes,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function columns(input: Partial<MemberInput>) {
  return {
    ...(input.accountId !== undefined && { account_id: input.accountId }),
    ...(input.externalId !== undefined && { external_id: input.externalId }),
    ...(input.email !== undefined && { email: input.email?.toLowerCase() ?? null }),
    ...(input.name !== undefined && { name: input.name }),
    ...(input.phone !== undefined && { phone: input.phone }),
    ...(input.role !== undefined && { role: input.role }),
    ...(input.language !== undefined && { language: input.language }),
    ...(input.tags !== undefined && { tags: input.tags }),
    ...(input.status !== undefined && { status: input.status }),
    ...(input.attributes !== undefined && { attributes: JSON.stringify(input.attributes) }),
  };
}

/** The account a member input names, by our id or the ERP's. */
async function accountOf(db: Db, programId: string, input: { accountId?: string | undefined; accountExternalId?: string | undefined }): Promise<string> {
  const q = db.selectFrom('accounts').select('id').where('program_id', '=', programId);
  const row = input.accountId
    ? await q.where('id', '=', input.accountId).executeTakeFirst()
    : input.accountExternalId
      ? await q.where('external_id', '=', input.accountExternalId).executeTakeFirst()
      : undefined;
  if (!input.accountId && !input.accountExternalId) {
    throw new LojalError('validation_failed', {}, [{ path: 'accountId', message: 'name the account: accountId or accountExternalId' }]);
  }
  if (!row) throw new LojalError('unknown_account', { account: input.accountId ?? input.accountExternalId! });
  return row.id;
}

export async function createMember(db: Db, programId: string, input: MemberInput): Promise<Member> {
  const accountId = await accountOf(db, programId, input);
  const id = uuidv7();
  const { accountExternalId: _ignored, ...rest } = input;
  try {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('members').values({ program_id: programId, id, tags: [], attributes: '{}', ...columns(rest), account_id: accountId, name: input.name } as never).execute();
      await trx.insertInto('wallets').values({ program_id: programId, id, kind: 'member' }).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new LojalError('duplicate_external_id', { entity: 'member', externalId: input.externalId ?? '' });
    throw err;
  }
  return getMember(db, programId, id);
}

export async function updateMember(db: Db, programId: string, id: string, patch: z.infer<typeof memberPatch>): Promise<Member> {
  await getMember(db, programId, id);
  try {
    await db.updateTable('members').set({ ...columns(patch), updated_at: sql`now()` } as never).where('program_id', '=', programId).where('id', '=', id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new LojalError('duplicate_external_id', { entity: 'member', externalId: patch.externalId ?? '' });
    throw err;
  }
  return getMember(db, programId, id);
}

export async function getMember(db: Db, programId: string, id: string): Promise<Member> {
  const row = await db.selectFrom('members').selectAll().where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'member', id });
  return toMember(row);
}

export async function getMemberByExternalId(db: Db, programId: string, externalId: string): Promise<Member> {
  const row = await db.selectFrom('members').selectAll().where('program_id', '=', programId).where('external_id', '=', externalId).executeTakeFirst();
  if (!row) throw new LojalError('not_found', { entity: 'member', id: externalId });
  return toMember(row);
}

export interface MemberFilter {
  accountId?: string | undefined;
  role?: string | undefined;
  status?: string | undefined;
  email?: string | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listMembers(db: Db, programId: string, f: MemberFilter): Promise<{ data: Member[]; nextCursor: string | null }> {
  let q = db.selectFrom('members').selectAll().where('program_id', '=', programId);
  if (f.accountId) q = q.where('account_id', '=', f.accountId);
  if (f.role) q = q.where('role', '=', f.role);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.email) q = q.where('email', '=', f.email.toLowerCase());
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb('email', 'like', like), eb(eb.fn('lower', ['external_id']), 'like', like)]));
  }
  const after = decodeCursor(f.cursor, 2);
  if (after) q = q.where((eb) => eb.or([eb('name', '>', String(after[0])), eb.and([eb('name', '=', String(after[0])), eb('id', '>', String(after[1]))])]));
  const rows = await q.orderBy('name').orderBy('id').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit).map(toMember);
  const last = page[page.length - 1];
  return { data: page, nextCursor: rows.length > f.limit && last ? encodeCursor([last.name, last.id]) : null };
}

/** Creates or replaces many members by external id; each names its account by accountId or accountExternalId. */
export async function upsertMembers(db: Db, programId: string, items: unknown[]): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array(items.length);
  const parsed: Array<{ index: number; input: MemberInput & { externalId: string } }> = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const r = memberCreate.safeParse(raw);
    if (!r.success) return (results[index] = itemError(index, r.error));
    if (!r.data.externalId) return (results[index] = itemError(index, undefined, [{ path: 'externalId', message: 'a batch item needs its externalId' }]));
    if (!r.data.accountId && !r.data.accountExternalId) return (results[index] = itemError(index, undefined, [{ path: 'accountId', message: 'name the account: accountId or accountExternalId' }]));
    if (seen.has(r.data.externalId)) return (results[index] = itemError(index, undefined, [{ path: 'externalId', message: 'appears twice in this batch' }]));
    seen.add(r.data.externalId);
    parsed.push({ index, input: r.data as MemberInput & { externalId: string } });
  });
  const accounts = await db.selectFrom('accounts').select(['id', 'external_id']).where('program_id', '=', programId)
    .where((eb) => eb.or([
      eb('id', 'in', [...parsed.map((p) => p.input.accountId).filter((x): x is string => Boolean(x)), '00000000-0000-0000-0000-000000000000']),
      eb('external_id', 'in', [...parsed.map((p) => p.input.accountExternalId).filter((x): x is string => Boolean(x)), '']),
    ]))
    .execute();
  const byId = new Set(accounts.map((a) => a.id));
  const byExternal = new Map(accounts.map((a) => [a.external_id, a.id]));
  const valid: Array<{ index: number; input: MemberInput & { externalId: string }; accountId: string }> = [];
  for (const p of parsed) {
    const accountId = p.input.accountId ? (byId.has(p.input.accountId) ? p.input.accountId : undefined) : byExternal.get(p.input.accountExternalId!);
    if (!accountId) {
      results[p.index] = { index: p.index, status: 'error', error: { code: 'unknown_account', message: `No account ${p.input.accountId ?? p.input.accountExternalId} in this program.`, errors: [] } };
      continue;
    }
    valid.push({ ...p, accountId });
  }
  if (valid.length === 0) return results;
  await db.transaction().execute(async (trx) => {
    const written = await trx
      .insertInto('members')
      .values(valid.map(({ input, accountId }) => {
        const { accountExternalId: _x, ...rest } = input;
        return { program_id: programId, id: uuidv7(), tags: [], attributes: '{}', ...columns(rest), account_id: accountId, name: input.name } as never;
      }))
      .onConflict((oc) =>
        oc.columns(['program_id', 'external_id']).doUpdateSet((eb) => ({
          account_id: eb.ref('excluded.account_id'),
          email: eb.ref('excluded.email'),
          name: eb.ref('excluded.name'),
          phone: eb.ref('excluded.phone'),
          role: eb.ref('excluded.role'),
          language: eb.ref('excluded.language'),
          tags: eb.ref('excluded.tags'),
          status: eb.ref('excluded.status'),
          attributes: eb.ref('excluded.attributes'),
          updated_at: sql`now()`,
        })),
      )
      .returning(['id', 'external_id', sql<boolean>`(xmax = 0)`.as('inserted')])
      .execute();
    const fresh = written.filter((w) => w.inserted).map((w) => ({ program_id: programId, id: w.id, kind: 'member' as const }));
    if (fresh.length) await trx.insertInto('wallets').values(fresh).onConflict((oc) => oc.doNothing()).execute();
    const byExt = new Map(written.map((w) => [w.external_id!, w]));
    for (const v of valid) {
      const w = byExt.get(v.input.externalId)!;
      results[v.index] = { index: v.index, status: w.inserted ? 'created' : 'updated', id: w.id };
    }
  });
  return results;
}
