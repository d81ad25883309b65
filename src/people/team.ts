/**
 * The team view: every member of an account and of the accounts below it, with what each earned, spent
 * and was given in a period, and their balance now. Pages by name, then id.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { accountAndBelow } from '../accounts/index.js';
import type { Db } from '../db/database.js';
import { decodeCursor, pageSize, toPage, type Page } from '../http/pagination.js';
import { walletPeriodFigures, type WalletPeriodFigures } from '../ledger/period.js';

export interface TeamMember extends WalletPeriodFigures {
  memberId: string;
  accountId: string;
  name: string;
  role: string | null;
  status: string;
}

const teamCursor = z.tuple([z.string(), z.uuid()]);

export async function teamOf(
  db: Db,
  programId: string,
  accountId: string,
  q: { from: Date; to: Date; limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<TeamMember>> {
  const limit = pageSize(q);
  const after = decodeCursor(q.cursor, teamCursor);
  const accounts = await accountAndBelow(db, programId, accountId);
  const rows = await db
    .selectFrom('members')
    .select(['id', 'account_id', 'name', 'role', 'status'])
    .where('program_id', '=', programId)
    .where(sql<boolean>`account_id = ANY(${accounts}::uuid[])`)
    .$if(after !== undefined, (qb) => qb.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after![0], after![1]))))
    .orderBy('name')
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const figures = await walletPeriodFigures(db, programId, rows.slice(0, limit).map((r) => r.id), q.from, q.to);
  const none: WalletPeriodFigures = { earned: 0, spent: 0, received: 0, given: 0, available: 0, pending: 0 };
  return toPage(rows, limit, (r) => [r.name, r.id], (r) => ({
    memberId: r.id,
    accountId: r.account_id,
    name: r.name,
    role: r.role,
    status: r.status,
    ...(figures.get(r.id) ?? none),
  }));
}
