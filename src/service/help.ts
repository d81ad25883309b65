/**
 * The help centre: articles per language and category, found with PostgreSQL full-text search in the
 * article's own language (swedish, norwegian, german and english stemming; Polish, which PostgreSQL ships no
 * configuration for, with `simple`: whole words, no stemming). Works the same on PGlite, which carries these
 * configurations. Suggestions while a member types use prefix matching on the last word.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { languages, type Language } from '../i18n/index.js';

/** The text search configuration of each language. */
export const searchConfig: Record<Language, string> = { en: 'english', sv: 'swedish', nb: 'norwegian', de: 'german', pl: 'simple' };

export const articleInputSchema = z
  .object({
    language: z.enum(languages).describe('The article\'s language: en, sv, nb, pl or de'),
    category: z.string().trim().min(1).max(100).describe('A category of the help centre, e.g. `Leveranser`'),
    title: z.string().trim().min(1).max(200),
    body: z.string().trim().min(1).max(50_000).describe('Plain text with paragraphs'),
    published: z.boolean().default(true).describe('Members see it (default true)'),
  })
  .strict();
export type ArticleInput = z.infer<typeof articleInputSchema>;

export interface HelpArticle extends ArticleInput {
  id: string;
  helpful: number;
  notHelpful: number;
  views: number;
  updatedAt: Date;
}

interface Row {
  id: string; language: Language; category: string; title: string; body: string; published: boolean;
  helpful: number; not_helpful: number; views: number; updated_at: Date | string;
}
const toArticle = (r: Row): HelpArticle => ({
  id: r.id, language: r.language, category: r.category, title: r.title, body: r.body, published: r.published,
  helpful: r.helpful, notHelpful: r.not_helpful, views: r.views, updatedAt: new Date(r.updated_at),
});

// Title words weigh more than body words.
const vector = (a: ArticleInput) =>
  sql`setweight(to_tsvector(${searchConfig[a.language]}::regconfig, ${a.title}), 'A') || setweight(to_tsvector(${searchConfig[a.language]}::regconfig, ${a.body}), 'B')`;

export async function saveArticle(db: Db, programId: string, a: ArticleInput, now: Date, id?: string): Promise<HelpArticle> {
  if (id) {
    const r = await sql`UPDATE help_articles SET language = ${a.language}, category = ${a.category}, title = ${a.title}, body = ${a.body},
      published = ${a.published}, search = ${vector(a)}, updated_at = ${now} WHERE program_id = ${programId} AND id = ${id}`.execute(db);
    if (!Number(r.numAffectedRows)) throw new LojalError('not_found', { entity: 'help article', id });
  } else {
    id = uuidv7();
    await sql`INSERT INTO help_articles (program_id, id, language, category, title, body, published, search, updated_at)
      VALUES (${programId}, ${id}, ${a.language}, ${a.category}, ${a.title}, ${a.body}, ${a.published}, ${vector(a)}, ${now})`.execute(db);
  }
  return requireArticle(db, programId, id, false);
}

export async function requireArticle(db: Db, programId: string, id: string, publishedOnly: boolean): Promise<HelpArticle> {
  const r = await sql<Row>`SELECT * FROM help_articles WHERE program_id = ${programId} AND id = ${id} ${publishedOnly ? sql`AND published` : sql``}`.execute(db);
  if (!r.rows[0]) throw new LojalError('not_found', { entity: 'help article', id });
  return toArticle(r.rows[0]);
}

export async function listArticles(db: Db, programId: string, f: { language?: Language | undefined; category?: string | undefined; publishedOnly: boolean }): Promise<HelpArticle[]> {
  const r = await sql<Row>`SELECT * FROM help_articles WHERE program_id = ${programId}
    ${f.language ? sql`AND language = ${f.language}` : sql``} ${f.category ? sql`AND category = ${f.category}` : sql``}
    ${f.publishedOnly ? sql`AND published` : sql``} ORDER BY category, title LIMIT 500`.execute(db);
  return r.rows.map(toArticle);
}

/**
 * The words of a query as a prefix tsquery in the language's configuration: every word must match, the last
 * one also as the start of a word (the member is still typing it). Words are lexized by the configuration,
 * so "leveranserna" finds "leverans"; characters tsquery treats as operators never reach it.
 */
export function queryWords(q: string): string[] {
  return q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1)
    .slice(0, 12);
}

export interface ArticleHit {
  id: string;
  category: string;
  title: string;
  excerpt: string;
  rank: number;
}

export async function searchArticles(db: Db, programId: string, language: Language, q: string, limit = 5): Promise<ArticleHit[]> {
  const words = queryWords(q);
  if (!words.length) return [];
  const config = searchConfig[language];
  // Any word may match (a member's sentence has words no article has); the more match, the higher the rank.
  // Each word is reduced to its lexeme by the language's configuration (stop words drop out); the lexemes are then
  // joined as prefixes under `simple`, which leaves them as they are.
  const tsq = sql`(SELECT to_tsquery('simple', string_agg(quote_literal(lex) || ':*', ' | ')) FROM (
      SELECT (tsvector_to_array(to_tsvector(${config}::regconfig, w)))[1] AS lex FROM unnest(${words}::text[]) AS w
    ) s WHERE lex IS NOT NULL)`;
  const r = await sql<{ id: string; category: string; title: string; excerpt: string; rank: number }>`
    SELECT id, category, title, ts_headline(${config}::regconfig, body, q, 'MaxWords=25, MinWords=10, StartSel="", StopSel=""') AS excerpt, ts_rank(search, q) AS rank
    FROM help_articles, ${tsq} AS x(q)
    WHERE program_id = ${programId} AND language = ${language} AND published AND q IS NOT NULL AND search @@ q
    ORDER BY rank DESC, title LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({ ...x, rank: Number(x.rank) }));
}

/** "Did this help?": counted per article, nothing about who answered. */
export async function rateArticle(db: Db, programId: string, id: string, helpful: boolean): Promise<void> {
  const r = await sql`UPDATE help_articles SET ${helpful ? sql`helpful = helpful + 1` : sql`not_helpful = not_helpful + 1`}
    WHERE program_id = ${programId} AND id = ${id} AND published`.execute(db);
  if (!Number(r.numAffectedRows)) throw new LojalError('not_found', { entity: 'help article', id });
}

export async function countView(db: Db, programId: string, id: string): Promise<void> {
  await sql`UPDATE help_articles SET views = views + 1 WHERE program_id = ${programId} AND id = ${id}`.execute(db);
}
