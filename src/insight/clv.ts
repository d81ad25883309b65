/**
 * Predicted customer lifetime value on the program's own data (docs/insight.md#predicted-customer-lifetime-value). SQL
 * reduces each account's purchase days (from the insight_account_days summary) to the model's figures — repeat
 * purchase days x, the week of the last one tx, weeks observed T, the value of the repeat days — and clv-model.ts
 * fits BG/NBD and Gamma-Gamma on them in Node. The insight job fits twice per rebuild: on a calibration period, to
 * check the model against what customers then did in the holdout period after it, and on the whole history, for the
 * predictions. The model (or why there is none) is kept in insight_clv_models; an account's prediction is worked out
 * on read from it.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import {
  expectedPurchases, expectedValue, fitBgNbd, fitGammaGamma, holdoutError, populationMeanValue, probabilityAlive,
  type BgNbdParams, type Customer, type GammaGammaParams, type HoldoutError,
} from './clv-model.js';

/** Predictions look this many weeks ahead (a year). */
export const HORIZON_WEEKS = 52;
/** Less history than this (from the first purchase day to the last) is not enough to fit and check the model. */
export const MIN_HISTORY_DAYS = 84;
/** The holdout period: the last third of the history, at most 26 weeks. */
export const MAX_HOLDOUT_DAYS = 182;
/** Fewer accounts with a repeat purchase than this in the calibration period leave the frequency model unfounded. */
export const MIN_REPEAT_BUYERS = 10;

export type ClvUnavailable = 'no_purchases' | 'too_short' | 'too_few_repeat_buyers' | 'fit_failed';

export interface ClvModel {
  /** When the insight job fitted it. */
  fittedAt: string;
  /** The purchase history it was fitted on: first and last purchase day (program time zone). */
  observedFrom: string;
  observedThrough: string;
  horizonWeeks: number;
  /** Accounts with a purchase (the customers of the fit), and those with a repeat purchase day. */
  accounts: number;
  repeatBuyers: number;
  frequency: BgNbdParams & { logLikelihood: number };
  /** Null when the values do not allow a mean (q ≤ 1) or nobody bought twice. */
  monetary: (GammaGammaParams & { logLikelihood: number; populationMeanValue: number }) | null;
  holdout: HoldoutError & { calibrationThrough: string; weeks: number };
  /** Over every account that has bought: purchases expected in the horizon, their value, and the mean per account. */
  predicted: { purchases: number; value: number | null; meanClv: number | null };
}

export type ClvState = { model: ClvModel; unavailable: null } | { model: null; unavailable: ClvUnavailable; fittedAt: string | null };

interface History extends Customer {
  accountId: string;
  /** Gross value of the repeat purchase days, minor units. */
  repeatValue: number;
  /** Purchase days after `through` (the holdout period's purchases). */
  holdout: number;
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * Each account's figures as of `through` (a purchase day is one transaction however many invoices it holds, as in the
 * published model), and its purchase days after it up to `until`. Only accounts that had bought by `through`.
 */
async function histories(db: Db, pid: string, through: string, until: string, accountId?: string): Promise<History[]> {
  const r = await sql<{ account_id: string; x: number; tx: number; t: number; repeat_value: string; holdout: number }>`
    WITH d AS (
      SELECT account_id, day, sum(revenue) AS v FROM insight_account_days
      WHERE program_id = ${pid} AND purchases > 0 AND day <= ${until}::date ${accountId === undefined ? sql`` : sql`AND account_id = ${accountId}`}
      GROUP BY account_id, day
    ), f AS (SELECT account_id, min(day) AS first FROM d GROUP BY account_id)
    SELECT d.account_id,
           count(*) FILTER (WHERE d.day > f.first AND d.day <= ${through}::date)::int AS x,
           (max(d.day) FILTER (WHERE d.day <= ${through}::date) - f.first)::int AS tx,
           (${through}::date - f.first)::int AS t,
           coalesce(sum(d.v) FILTER (WHERE d.day > f.first AND d.day <= ${through}::date), 0) AS repeat_value,
           count(*) FILTER (WHERE d.day > ${through}::date)::int AS holdout
    FROM d JOIN f ON f.account_id = d.account_id
    WHERE f.first <= ${through}::date
    GROUP BY d.account_id, f.first`.execute(db);
  return r.rows.map((h) => ({
    accountId: h.account_id,
    x: Number(h.x),
    tx: Number(h.tx) / 7,
    T: Number(h.t) / 7,
    repeatValue: Number(h.repeat_value),
    holdout: Number(h.holdout),
  }));
}

/** Identical histories fitted once, with their count (many small accounts share x = 0 and the same T). */
function grouped(hs: readonly History[]): Array<Customer & { holdout: number }> {
  const by = new Map<string, Customer & { holdout: number; n: number }>();
  for (const h of hs) {
    const key = `${h.x}|${h.tx}|${h.T}|${h.holdout}`;
    const g = by.get(key);
    if (g) g.n++;
    else by.set(key, { x: h.x, tx: h.tx, T: h.T, holdout: h.holdout, n: 1 });
  }
  return [...by.values()];
}

const monetaryInput = (hs: readonly History[]) => hs.filter((h) => h.x > 0 && h.repeatValue > 0).map((h) => ({ x: h.x, mean: h.repeatValue / h.x }));

/** Fits the model on the program's history as the summaries now hold it (the insight job, in its transaction). */
export async function fitClv(db: Db, programId: string, now: Date): Promise<ClvState> {
  const span = (
    await sql<{ first: string | null; last: string | null }>`
      SELECT to_char(min(day), 'YYYY-MM-DD') AS first, to_char(max(day), 'YYYY-MM-DD') AS last
      FROM insight_account_days WHERE program_id = ${programId} AND purchases > 0`.execute(db)
  ).rows[0];
  const fittedAt = now.toISOString();
  if (!span?.first || !span.last) return { model: null, unavailable: 'no_purchases', fittedAt };
  const history = days(span.first, span.last);
  if (history < MIN_HISTORY_DAYS) return { model: null, unavailable: 'too_short', fittedAt };
  const holdoutDays = Math.min(MAX_HOLDOUT_DAYS, Math.floor(history / 3));
  const calibrationThrough = addDays(span.last, -holdoutDays);

  const calibration = await histories(db, programId, calibrationThrough, span.last);
  if (calibration.filter((h) => h.x > 0).length < MIN_REPEAT_BUYERS) return { model: null, unavailable: 'too_few_repeat_buyers', fittedAt };
  const all = await histories(db, programId, span.last, span.last);
  try {
    const checked = fitBgNbd(grouped(calibration));
    const holdout = holdoutError(checked.params, grouped(calibration), holdoutDays / 7);
    const frequency = fitBgNbd(grouped(all));
    const spend = monetaryInput(all);
    const gg = spend.length > 0 ? fitGammaGamma(spend) : null;
    const mean = gg ? populationMeanValue(gg.params) : null;
    const monetary = gg && mean !== null ? { ...gg.params, logLikelihood: gg.logLikelihood, populationMeanValue: mean } : null;
    let purchases = 0;
    let value = 0;
    for (const h of all) {
      const e = expectedPurchases(frequency.params, h, HORIZON_WEEKS);
      purchases += e;
      if (monetary) value += e * expectedValue(monetary, h.x, h.x > 0 && h.repeatValue > 0 ? h.repeatValue / h.x : null)!;
    }
    const model: ClvModel = {
      fittedAt,
      observedFrom: span.first,
      observedThrough: span.last,
      horizonWeeks: HORIZON_WEEKS,
      accounts: all.length,
      repeatBuyers: all.filter((h) => h.x > 0).length,
      frequency: { ...frequency.params, logLikelihood: frequency.logLikelihood },
      monetary,
      holdout: { ...holdout, calibrationThrough, weeks: holdoutDays / 7 },
      predicted: {
        purchases,
        value: monetary ? Math.round(value) : null,
        meanClv: monetary && all.length > 0 ? Math.round(value / all.length) : null,
      },
    };
    // A fit can end finite where it was maximised and still give NaN or an infinity elsewhere (the holdout check runs
    // the calibration fit's parameters): stored as JSON such a figure becomes null, which no reader expects.
    if (!finiteThroughout(model)) return { model: null, unavailable: 'fit_failed', fittedAt };
    return { unavailable: null, model };
  } catch {
    // The optimiser found no finite maximum: say so rather than fail the whole rebuild of the summaries.
    return { model: null, unavailable: 'fit_failed', fittedAt };
  }
}

/** Whether every number in a value, through its arrays and objects, is finite (JSON writes NaN and ±Infinity as null). */
export function finiteThroughout(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(finiteThroughout);
  if (value && typeof value === 'object') return Object.values(value).every(finiteThroughout);
  return true;
}

export async function storeClv(db: Db, programId: string, state: ClvState, now: Date): Promise<void> {
  const body = state.model ?? { unavailable: state.unavailable };
  await sql`
    INSERT INTO insight_clv_models (program_id, fitted_at, model) VALUES (${programId}, ${now}, ${JSON.stringify(body)}::jsonb)
    ON CONFLICT (program_id) DO UPDATE SET fitted_at = excluded.fitted_at, model = excluded.model`.execute(db);
}

/** The program's model as the last rebuild left it; before any rebuild, unavailable for want of purchases. */
export async function clvState(db: Db, programId: string): Promise<ClvState> {
  const row = (
    await sql<{ fitted_at: Date; model: ClvModel | { unavailable: ClvUnavailable } }>`
      SELECT fitted_at, model FROM insight_clv_models WHERE program_id = ${programId}`.execute(db)
  ).rows[0];
  if (!row) return { model: null, unavailable: 'no_purchases', fittedAt: null };
  const m = typeof row.model === 'string' ? (JSON.parse(row.model) as ClvModel | { unavailable: ClvUnavailable }) : row.model;
  if ('unavailable' in m) return { model: null, unavailable: m.unavailable, fittedAt: new Date(row.fitted_at).toISOString() };
  return { model: m, unavailable: null };
}

export interface AccountClv {
  accountId: string;
  currency: string;
  /** The account's figures as of the model's last observed day; null when it had not bought by then. */
  history: { firstPurchase: string; repeatPurchases: number; weeksSinceFirst: number; weeksToLast: number; meanRepeatValue: number | null } | null;
  probabilityAlive: number | null;
  expectedPurchases: number | null;
  expectedValuePerPurchase: number | null;
  /** Expected purchases × expected value per purchase over the horizon, minor units. */
  predictedClv: number | null;
  horizonWeeks: number;
  model: ClvModel | null;
  unavailable: ClvUnavailable | null;
}

/** One account's prediction from the program's model and its own purchase days. */
export async function accountClv(db: Db, program: Program, accountId: string): Promise<AccountClv> {
  const state = await clvState(db, program.id);
  const none = {
    accountId, currency: program.currency, history: null, probabilityAlive: null, expectedPurchases: null, expectedValuePerPurchase: null,
    predictedClv: null, horizonWeeks: HORIZON_WEEKS,
  };
  if (!state.model) return { ...none, model: null, unavailable: state.unavailable };
  const m = state.model;
  const [h] = await histories(db, program.id, m.observedThrough, m.observedThrough, accountId);
  if (!h) return { ...none, model: m, unavailable: null };
  const mean = h.x > 0 && h.repeatValue > 0 ? h.repeatValue / h.x : null;
  const e = expectedPurchases(m.frequency, h, HORIZON_WEEKS);
  const v = m.monetary ? expectedValue(m.monetary, h.x, mean) : null;
  return {
    ...none,
    history: {
      firstPurchase: addDays(m.observedThrough, -Math.round(h.T * 7)),
      repeatPurchases: h.x,
      weeksSinceFirst: h.T,
      weeksToLast: h.tx,
      meanRepeatValue: mean === null ? null : Math.round(mean),
    },
    probabilityAlive: probabilityAlive(m.frequency, h),
    expectedPurchases: e,
    expectedValuePerPurchase: v === null ? null : Math.round(v),
    predictedClv: v === null ? null : Math.round(e * v),
    model: m,
    unavailable: null,
  };
}
