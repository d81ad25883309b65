/**
 * CSV exports of the program's lists (accounts, members, ledger entries, reward orders, sales claims) and of its
 * KPIs and cohort table: streamed page by page (keyset pages of 5,000 rows, so memory stays flat and there is no
 * row limit) through csv-stringify, UTF-8 with a byte-order mark so Excel reads the letters right, and numbers
 * written for the reader's locale: English with a decimal point and commas between fields; Swedish, Norwegian,
 * Polish and German with a decimal comma and semicolons between fields (what Excel in those locales expects).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { translator, type Language } from '../i18n/index.js';
import type { Program } from '../programs/programs.js';
import { localDate } from '../rules/calendar.js';
import type { Period, SegmentField } from './formulas.js';
import { cohortReport, kpiReport } from './kpis.js';

export const exportKinds = ['accounts', 'members', 'ledger-entries', 'orders', 'claims', 'kpis', 'cohorts'] as const;
export type ExportKind = (typeof exportKinds)[number];

/** A cell: text, a whole number, money in minor units, a ratio (0–1, written as a decimal), a date, or empty. */
export type Cell = string | number | null | Date | { money: number } | { decimal: number };

export interface CsvLocale {
  decimal: '.' | ',';
  delimiter: ',' | ';';
}

export function csvLocale(language: Language): CsvLocale {
  return language === 'en' ? { decimal: '.', delimiter: ',' } : { decimal: ',', delimiter: ';' };
}

/** Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection). */
const guard = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

export function formatCell(cell: Cell, locale: CsvLocale, minorDigits = 2): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'string') return guard(cell);
  if (cell instanceof Date) return cell.toISOString();
  if ('money' in cell) {
    const negative = cell.money < 0;
    const abs = Math.abs(cell.money);
    const unit = 10 ** minorDigits;
    const text = minorDigits === 0 ? String(abs) : `${Math.floor(abs / unit)}${locale.decimal}${String(abs % unit).padStart(minorDigits, '0')}`;
    return negative ? `-${text}` : text;
  }
  return Number.isFinite(cell.decimal) ? String(Number(cell.decimal.toFixed(6))).replace('.', locale.decimal) : '';
}

export interface ExportOptions {
  language: Language;
  /** KPIs: range, period and segment. */
  from?: string;
  to?: string;
  period?: Period;
  segmentBy?: SegmentField;
  /** The app's time: without a range, KPIs run from the start of the program's local year to its local today. */
  now: Date;
}

interface Spec {
  columns: string[];
  rows(db: Db, program: Program, o: ExportOptions): AsyncGenerator<Cell[]>;
}

const PAGE = 5000;

/** Keyset pages of a query ordered by `id` (UUIDv7: insertion order). */
async function* paged<T extends { id: string }>(page: (after: string | null) => Promise<T[]>, row: (r: T) => Cell[]): AsyncGenerator<Cell[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await page(after);
    for (const r of rows) yield row(r);
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

const afterId = (after: string | null, col = sql.ref('id')) => (after === null ? sql`true` : sql`${col} > ${after}::uuid`);
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const specs: Record<ExportKind, Spec> = {
  accounts: {
    columns: ['id', 'external_id', 'name', 'legal_name', 'org_number', 'vat_number', 'country', 'segment', 'status', 'tier', 'key_account_manager', 'parent_id', 'tags', 'created_at'],
    rows: (db, p) =>
      paged(
        async (after) =>
          (await sql<Record<string, unknown> & { id: string }>`
            SELECT * FROM accounts WHERE program_id = ${p.id} AND ${afterId(after)} ORDER BY id LIMIT ${PAGE}`.execute(db)).rows,
        (r) => [r.id, r.external_id as string, r.name as string, r.legal_name as string, r.org_number as string, r.vat_number as string, r.country as string,
          r.segment as string, r.status as string, r.tier as string, r.key_account_manager as string, r.parent_id as string,
          ((r.tags as string[]) ?? []).join(' '), new Date(r.created_at as string)],
      ),
  },
  members: {
    columns: ['id', 'external_id', 'account_id', 'account_external_id', 'name', 'email', 'phone', 'role', 'language', 'status', 'tier', 'created_at'],
    rows: (db, p) =>
      paged(
        async (after) =>
          (await sql<Record<string, unknown> & { id: string }>`
            SELECT m.*, a.external_id AS account_external_id FROM members m
            JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
            WHERE m.program_id = ${p.id} AND ${afterId(after, sql.ref('m.id'))} ORDER BY m.id LIMIT ${PAGE}`.execute(db)).rows,
        (r) => [r.id, r.external_id as string, r.account_id as string, r.account_external_id as string, r.name as string, r.email as string,
          r.phone as string, r.role as string, r.language as string, r.status as string, r.tier as string, new Date(r.created_at as string)],
      ),
  },
  'ledger-entries': {
    columns: ['journal_id', 'seq', 'occurred_at', 'kind', 'wallet_id', 'wallet_kind', 'owner_external_id', 'bucket', 'points', 'value', 'event_external_id', 'reason_code', 'memo', 'actor'],
    rows: async function* (db, p) {
      // Keyset on (journal_id, seq): the entries' primary key after the program.
      let after: { j: string; s: number } | null = null;
      for (;;) {
        const cond: ReturnType<typeof sql> = after === null ? sql`true` : sql`(e.journal_id, e.seq) > (${after.j}::uuid, ${after.s})`;
        const rows = (await sql<Record<string, unknown> & { journal_id: string; seq: number }>`
          SELECT e.journal_id, e.seq, j.occurred_at, j.kind, e.wallet_id, w.kind AS wallet_kind, coalesce(a.external_id, m.external_id) AS owner,
                 e.bucket, e.amount, ev.external_id AS event_external_id, j.reason_code, j.memo, j.actor
          FROM entries e
          JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
          JOIN wallets w ON w.program_id = e.program_id AND w.id = e.wallet_id
          LEFT JOIN accounts a ON a.program_id = e.program_id AND a.id = e.wallet_id AND w.kind = 'account'
          LEFT JOIN members m ON m.program_id = e.program_id AND m.id = e.wallet_id AND w.kind = 'member'
          LEFT JOIN events ev ON ev.program_id = j.program_id AND ev.id = j.event_id
          WHERE e.program_id = ${p.id} AND ${cond}
          ORDER BY e.journal_id, e.seq LIMIT ${PAGE}`.execute(db)).rows;
        for (const r of rows) {
          const points = Number(r.amount);
          yield [r.journal_id, Number(r.seq), new Date(r.occurred_at as string), r.kind as string, r.wallet_id as string, r.wallet_kind as string,
            r.owner as string, r.bucket as string, points, { money: Math.round((points * p.pointValueMicros) / 1_000_000) },
            r.event_external_id as string, r.reason_code as string, r.memo as string, r.actor as string];
        }
        if (rows.length < PAGE) return;
        const last = rows[rows.length - 1]!;
        after = { j: last.journal_id, s: Number(last.seq) };
      }
    },
  },
  orders: {
    columns: ['id', 'created_at', 'local_date', 'state', 'reward_code', 'reward_name', 'quantity', 'points', 'value', 'account_external_id', 'member_external_id', 'member_name', 'codes', 'note'],
    rows: (db, p, o) =>
      paged(
        async (after) =>
          (await sql<Record<string, unknown> & { id: string }>`
            SELECT o.id, o.created_at, to_char(o.local_date, 'YYYY-MM-DD') AS local_date, o.state, r.code AS reward_code, r.texts AS reward_texts,
                   o.quantity, o.points, a.external_id AS account_external_id, m.external_id AS member_external_id, m.name AS member_name, o.codes, o.note
            FROM reward_orders o
            JOIN rewards r ON r.program_id = o.program_id AND r.id = o.reward_id
            JOIN accounts a ON a.program_id = o.program_id AND a.id = o.account_id
            JOIN members m ON m.program_id = o.program_id AND m.id = o.member_id
            WHERE o.program_id = ${p.id} AND ${afterId(after, sql.ref('o.id'))} ORDER BY o.id LIMIT ${PAGE}`.execute(db)).rows,
        (r) => {
          const texts = (typeof r.reward_texts === 'string' ? JSON.parse(r.reward_texts) : r.reward_texts ?? {}) as Record<string, { name?: string }>;
          const name = texts[o.language]?.name ?? texts.en?.name ?? Object.values(texts)[0]?.name ?? '';
          const points = Number(r.points);
          return [r.id, new Date(r.created_at as string), r.local_date as string, r.state as string, r.reward_code as string, name,
            Number(r.quantity), points, { money: Math.round((points * p.pointValueMicros) / 1_000_000) }, r.account_external_id as string,
            r.member_external_id as string, r.member_name as string, ((r.codes as string[]) ?? []).length ? `${(r.codes as string[]).length} codes` : '', r.note as string];
        },
      ),
  },
  claims: {
    columns: ['id', 'created_at', 'state', 'sale_date', 'invoice_number', 'sku', 'quantity', 'amount', 'end_customer', 'account_external_id', 'member_external_id', 'proposed_points', 'points', 'rejection_code', 'decided_by', 'decided_at'],
    rows: (db, p) =>
      paged(
        async (after) =>
          (await sql<Record<string, unknown> & { id: string }>`
            SELECT c.id, c.created_at, c.state, to_char(c.sale_date, 'YYYY-MM-DD') AS sale_date, c.invoice_number, c.sku, c.quantity, c.amount,
                   c.end_customer, a.external_id AS account_external_id, m.external_id AS member_external_id, c.proposed_points, c.points,
                   c.rejection_code, c.decided_by, c.decided_at
            FROM sale_claims c
            JOIN accounts a ON a.program_id = c.program_id AND a.id = c.account_id
            JOIN members m ON m.program_id = c.program_id AND m.id = c.member_id
            WHERE c.program_id = ${p.id} AND ${afterId(after, sql.ref('c.id'))} ORDER BY c.id LIMIT ${PAGE}`.execute(db)).rows,
        (r) => [r.id, new Date(r.created_at as string), r.state as string, r.sale_date as string, r.invoice_number as string, r.sku as string,
          Number(r.quantity), { money: Number(r.amount) }, r.end_customer as string, r.account_external_id as string, r.member_external_id as string,
          n(r.proposed_points), n(r.points), r.rejection_code as string, r.decided_by as string, r.decided_at ? new Date(r.decided_at as string) : null],
      ),
  },
  kpis: {
    columns: ['period', 'segment', 'buyers', 'new_buyers', 'repeat_buyers', 'repeat_rate', 'cumulative_buyers', 'cumulative_repeat_buyers', 'cumulative_repeat_rate',
      'purchases', 'purchase_frequency', 'revenue', 'returns', 'returned', 'net_revenue', 'average_order_value', 'historical_clv', 'return_rate',
      // The predicted-CLV model of the JSON's `predictedClv`: program-wide (not per period or segment), so the same on every row.
      'predicted_clv', 'predicted_clv_total', 'predicted_purchases', 'predicted_clv_weeks', 'clv_observed_through',
      'clv_holdout_error', 'clv_holdout_mean_absolute_error', 'predicted_clv_note'],
    rows: async function* (db, p, o) {
      const t = localDate(o.now, p.timeZone);
      const today = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
      const report = await kpiReport(db, p, { from: o.from ?? `${today.slice(0, 4)}-01-01`, to: o.to ?? today, period: o.period ?? 'month', segmentBy: o.segmentBy ?? 'none' });
      const dec = (x: number | null) => (x === null ? null : { decimal: x });
      const money = (x: number | null) => (x === null ? null : { money: x });
      const tr = translator(o.language);
      const m = report.predictedClv.model;
      const clv: Cell[] = m
        ? [money(m.predicted.meanClv), money(m.predicted.value), dec(m.predicted.purchases), m.horizonWeeks, m.observedThrough,
            dec(m.holdout.aggregateError), dec(m.holdout.meanAbsoluteError),
            String(tr('console-kpis:csv.predictedClvNote', { weeks: m.horizonWeeks, date: m.observedThrough }))]
        : [null, null, null, null, null, null, null, String(tr(`console-kpis:figures.clvUnavailable.${report.predictedClv.unavailable}`))];
      for (const r of report.rows) {
        yield [r.period, r.segment, r.buyers, r.newBuyers, r.repeaters, dec(r.repeatRate), r.cumulativeBuyers, r.cumulativeRepeaters, dec(r.cumulativeRepeatRate),
          r.purchases, dec(r.purchaseFrequency), { money: r.revenue }, r.returns, { money: r.returned }, { money: r.netRevenue }, money(r.averageOrderValue),
          money(r.historicalClv), dec(r.returnRate), ...clv];
      }
    },
  },
  cohorts: {
    columns: ['cohort', 'size', 'months_after', 'active', 'retention'],
    rows: async function* (db, p) {
      const { cohorts } = await cohortReport(db, p);
      for (const c of cohorts) {
        for (let k = 0; k < c.active.length; k++) yield [c.cohort, c.size, k, c.active[k]!, c.retention[k] === null ? null : { decimal: c.retention[k]! }];
      }
    },
  },
};

export const exportColumns = (kind: ExportKind) => specs[kind].columns;

/** The export as a byte stream (UTF-8, BOM first, header row, then every row). */
export function exportCsv(db: Db, program: Program, kind: ExportKind, o: ExportOptions): Readable {
  const spec = specs[kind];
  return csvStream(spec.columns, spec.rows(db, program, o), o.language);
}

/** Rows as a CSV byte stream in the reader's locale (UTF-8, BOM first, header row). */
export function csvStream(columns: string[], rows: AsyncIterable<Cell[]>, language: Language): Readable {
  const locale = csvLocale(language);
  const stringifier = stringify({ bom: true, delimiter: locale.delimiter, header: true, columns });
  const source = Readable.from(
    (async function* () {
      for await (const row of rows) yield row.map((c) => formatCell(c, locale));
    })(),
  );
  source.on('error', (err) => stringifier.destroy(err));
  return source.pipe(stringifier);
}
