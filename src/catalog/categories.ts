import { sql } from 'kysely';
import { z } from 'zod';
import { parseItems, toResults, type BatchItemResult } from '../batch/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { decodeCursor, pageSize, toPage, type Page, type PageParams } from '../http/pagination.js';
import { categoryUpsertSchema, toCategory, type Category } from './schema.js';

type Parsed = z.output<typeof categoryUpsertSchema>;
type Outcome = { status: 'created' | 'updated'; id: string } | LojalError;

/**
 * Creates or updates categories by code; a new one needs a name. Parents may be stored categories or
 * other items of the batch, and the tree may not loop. Categories are few, so the whole tree is read.
 */
export async function upsertCategoryItems(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<Outcome[]> {
  const { items: checked, outcomes } = parseItems<Parsed, Exclude<Outcome, LojalError>>(inputs, categoryUpsertSchema, (x) => x.code, (code) => new LojalError('validation_failed', {}, [{ path: 'code', message: 'appears twice in this batch' }]));
  const items = checked.map(({ index, item }) => ({ index, c: item }));
  if (!items.length) return outcomes;

  await db.transaction().execute(async (trx) => {
    const stored = await trx
      .selectFrom('categories')
      .select(['code', 'name', 'parent_code'])
      .where('program_id', '=', programId)
      .orderBy('code')
      .forUpdate()
      .execute();
    const tree = new Map(stored.map((r) => [r.code, { name: r.name, parent: r.parent_code }]));
    let live = items.sort((x, y) => (x.c.code < y.c.code ? -1 : 1));
    for (;;) {
      const after = new Map(tree);
      for (const { c } of live) {
        const old = after.get(c.code);
        after.set(c.code, { name: c.name ?? old?.name ?? '', parent: c.parentCode !== undefined ? c.parentCode : (old?.parent ?? null) });
      }
      const failed = live.flatMap(({ index, c }) => {
        const error = problemOf(c, tree.has(c.code), after);
        return error ? [{ index, error }] : [];
      });
      if (!failed.length) break;
      for (const f of failed) outcomes[f.index] = f.error;
      live = live.filter((i) => !failed.some((f) => f.index === i.index));
    }
    if (!live.length) return;
    const written = await trx
      .insertInto('categories')
      .values(
        live.map(({ c }) => ({
          program_id: programId,
          code: c.code,
          name: c.name ?? tree.get(c.code)!.name,
          parent_code: c.parentCode !== undefined ? c.parentCode : (tree.get(c.code)?.parent ?? null),
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['program_id', 'code']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          parent_code: eb.ref('excluded.parent_code'),
          updated_at: now,
        })),
      )
      .returning(['code', sql<boolean>`(xmax = 0)`.as('inserted')])
      .execute();
    const inserted = new Map(written.map((w) => [w.code, w.inserted]));
    for (const { index, c } of live) outcomes[index] = { status: inserted.get(c.code) ? 'created' : 'updated', id: c.code };
  });
  return outcomes;
}

function problemOf(c: Parsed, exists: boolean, after: Map<string, { parent: string | null }>): LojalError | undefined {
  if (!exists && c.name === undefined) {
    return new LojalError('validation_failed', {}, [{ path: 'name', message: 'is required to create a category', check: { code: 'custom', params: { field: 'required_category' } }, fieldCode: 'required' }]);
  }
  if (c.parentCode === undefined || c.parentCode === null) return undefined;
  if (!after.has(c.parentCode)) return new LojalError('unknown_category', { category: c.parentCode });
  const seen = new Set<string>();
  for (let at: string | null = c.parentCode; at !== null && !seen.has(at); at = after.get(at)?.parent ?? null) {
    if (at === c.code) return new LojalError('category_cycle', { category: c.code });
    seen.add(at);
  }
  return undefined;
}

export async function upsertCategories(db: Db, programId: string, inputs: readonly unknown[], now: Date): Promise<BatchItemResult[]> {
  return toResults(await upsertCategoryItems(db, programId, inputs, now));
}

/** PUT /categories/{code}. */
export async function upsertCategory(
  db: Db,
  programId: string,
  code: string,
  fields: Record<string, unknown>,
  now: Date,
): Promise<{ category: Category; created: boolean }> {
  const [outcome] = await upsertCategoryItems(db, programId, [{ ...fields, code }], now);
  if (outcome instanceof LojalError) throw outcome;
  const row = await db
    .selectFrom('categories')
    .selectAll()
    .where('program_id', '=', programId)
    .where('code', '=', outcome!.id)
    .executeTakeFirstOrThrow();
  return { category: toCategory(row), created: outcome!.status === 'created' };
}

/** Creates the categories of `codes` that do not exist yet, named by their code (CSV import). */
export async function ensureCategories(db: Db, programId: string, codes: readonly string[], now: Date): Promise<void> {
  const unique = [...new Set(codes)];
  if (!unique.length) return;
  await db
    .insertInto('categories')
    .values(unique.map((code) => ({ program_id: programId, code, name: code, parent_code: null, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.columns(['program_id', 'code']).doNothing())
    .execute();
}

/** Categories ordered by code. */
export async function listCategories(
  db: Db,
  programId: string,
  query: PageParams & { parentCode?: string | undefined } = {},
): Promise<Page<Category>> {
  const limit = pageSize(query);
  const after = decodeCursor(query.cursor, z.tuple([z.string()]));
  const rows = await db
    .selectFrom('categories')
    .selectAll()
    .where('program_id', '=', programId)
    .$if(query.parentCode !== undefined, (qb) => qb.where('parent_code', '=', query.parentCode!))
    .$if(after !== undefined, (qb) => qb.where('code', '>', after![0]))
    .orderBy('code')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => [r.code], toCategory);
}
