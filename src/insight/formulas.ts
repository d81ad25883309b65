/**
 * The KPI formulas of docs/insight.md as pure functions of counts and sums. The SQL in kpis.ts only counts and
 * sums (per period and segment); every ratio, every cohort cell and every period boundary is computed here, so
 * each formula is tested on small hand-made tables (test/insight/formulas.test.ts).
 */

export const periods = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Period = (typeof periods)[number];

export const segmentFields = ['none', 'segment', 'tier', 'country', 'role'] as const;
export type SegmentField = (typeof segmentFields)[number];

const dayMs = 86_400_000;
const utc = (day: string) => Date.parse(`${day}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first day of the period `day` (YYYY-MM-DD) falls in: weeks start on Monday (ISO 8601). */
export function periodStart(day: string, period: Period): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  switch (period) {
    case 'day':
      return day;
    case 'week': {
      const ms = utc(day);
      const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
      return iso(ms - weekday * dayMs);
    }
    case 'month':
      return `${day.slice(0, 7)}-01`;
    case 'quarter':
      return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
    case 'year':
      return `${y}-01-01`;
  }
}

/** The first day of the next period after the one starting on `start`. */
export function nextPeriodStart(start: string, period: Period): string {
  const d = new Date(utc(start));
  if (period === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (period === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + (period === 'month' ? 1 : period === 'quarter' ? 3 : 12));
  return iso(d.getTime());
}

/** Every period start from the one holding `from` to the one holding `to`, in order. */
export function periodStarts(from: string, to: string, period: Period): string[] {
  const out: string[] = [];
  for (let s = periodStart(from, period); s <= to; s = nextPeriodStart(s, period)) out.push(s);
  return out;
}

/** a ÷ b, or null when b is 0 (a rate of nobody is not 0 %). */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Repeat-customer rate: accounts with ≥ 2 purchase invoices ÷ accounts with ≥ 1 (in a period, or up to its end). */
export const repeatRate = (repeaters: number, buyers: number) => ratio(repeaters, buyers);

/** Purchase frequency: purchase invoices ÷ accounts with ≥ 1 purchase invoice. */
export const purchaseFrequency = (purchases: number, buyers: number) => ratio(purchases, buyers);

/** Average order value in minor units: gross purchase value ÷ purchase invoices, rounded half up. */
export const averageOrderValue = (revenue: number, purchases: number): number | null => (purchases === 0 ? null : Math.round(revenue / purchases));

/** Historical customer lifetime value in minor units: net purchases (gross − returned) to date ÷ accounts that ever bought. */
export const historicalClv = (revenue: number, returned: number, buyers: number): number | null =>
  buyers === 0 ? null : Math.round((revenue - returned) / buyers);

/** Breakage rate: points expired ÷ points issued (net of reversals); null before anything was issued. */
export const breakageRate = (expired: number, issued: number, reversed = 0) => ratio(expired, issued - reversed);

/** Redemption rate: points redeemed ÷ points issued (net of reversals). */
export const redemptionRate = (redeemed: number, issued: number, reversed = 0) => ratio(redeemed, issued - reversed);

/**
 * Liability in minor units: outstanding points × what one point costs (in millionths of a minor unit), rounded
 * half up — the same rounding as the ledger summary.
 */
export const liabilityMinor = (outstandingPoints: number, pointValueMicros: number) => Math.round((outstandingPoints * pointValueMicros) / 1_000_000);

/** Participation rate: accounts (or members) active in the program in the window ÷ all of them. */
export const participationRate = (active: number, all: number) => ratio(active, all);

/** Whole months from month `a` to month `b` (both YYYY-MM or YYYY-MM-DD). */
export function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split('-').map(Number) as [number, number];
  const [yb, mb] = b.split('-').map(Number) as [number, number];
  return (yb - ya) * 12 + (mb - ma);
}

export interface CohortRow {
  /** The month (YYYY-MM) of the accounts' first purchase invoice. */
  cohort: string;
  size: number;
  /** active[k]: accounts of the cohort with a purchase invoice k months after the cohort month (active[0] = size). */
  active: number[];
  /** retention[k] = active[k] ÷ size. */
  retention: Array<number | null>;
}

/**
 * The monthly cohort table from each account's purchase months: an account belongs to the cohort of its first
 * month and counts as retained in month k when it bought in month cohort + k. Months after `lastMonth` (the end
 * of the data) are not shown, so the youngest cohorts have shorter rows.
 */
export function cohortTable(accountMonths: Array<{ account: string; month: string }>, lastMonth?: string): CohortRow[] {
  const monthsOf = new Map<string, Set<string>>();
  for (const { account, month } of accountMonths) {
    const m = month.slice(0, 7);
    const set = monthsOf.get(account) ?? new Set<string>();
    set.add(m);
    monthsOf.set(account, set);
  }
  const last = lastMonth?.slice(0, 7) ?? [...monthsOf.values()].flatMap((s) => [...s]).sort().at(-1);
  const cohorts = new Map<string, { size: number; active: number[] }>();
  for (const months of monthsOf.values()) {
    const first = [...months].sort()[0]!;
    const width = last === undefined ? 1 : monthsBetween(first, last) + 1;
    const c = cohorts.get(first) ?? { size: 0, active: new Array<number>(width).fill(0) };
    c.size++;
    for (const m of months) {
      const k = monthsBetween(first, m);
      if (k < c.active.length) c.active[k]!++;
    }
    cohorts.set(first, c);
  }
  return [...cohorts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cohort, c]) => ({ cohort, size: c.size, active: c.active, retention: c.active.map((n) => ratio(n, c.size)) }));
}

/** The same table from per-cohort counts (what the SQL returns): cohort, months after it, accounts active. */
export function cohortTableFromCounts(cells: Array<{ cohort: string; offset: number; accounts: number }>, lastMonth: string): CohortRow[] {
  const byCohort = new Map<string, number[]>();
  for (const c of cells) {
    const cohort = c.cohort.slice(0, 7);
    const width = monthsBetween(cohort, lastMonth) + 1;
    if (width <= 0) continue;
    const active = byCohort.get(cohort) ?? new Array<number>(width).fill(0);
    if (c.offset < width) active[c.offset] = c.accounts;
    byCohort.set(cohort, active);
  }
  return [...byCohort.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cohort, active]) => ({ cohort, size: active[0] ?? 0, active, retention: active.map((n) => ratio(n, active[0] ?? 0)) }));
}

/** Tier changes in a period: a move to a higher rank is an upgrade, to a lower (or out of the ladder) a downgrade. */
export function tierMove(fromRank: number | null, toRank: number | null): 'upgrade' | 'downgrade' | 'none' {
  const f = fromRank ?? -1;
  const t = toRank ?? -1;
  return t > f ? 'upgrade' : t < f ? 'downgrade' : 'none';
}

/** One period and segment's counts and sums, as kpis.ts reads them from the summary tables. */
export interface PeriodCounts {
  /** Accounts with ≥ 1 purchase invoice in the period / with ≥ 2. */
  buyers: number;
  repeaters: number;
  purchases: number;
  revenue: number;
  returns: number;
  returned: number;
  /** Accounts whose first purchase invoice is on or before the period's last day / whose second is. */
  cumulativeBuyers: number;
  cumulativeRepeaters: number;
  /** Gross and returned value of all purchases up to the period's last day. */
  cumulativeRevenue: number;
  cumulativeReturned: number;
  /** Accounts whose first purchase invoice falls in the period. */
  newBuyers: number;
}

export interface PeriodKpis extends PeriodCounts {
  netRevenue: number;
  repeatRate: number | null;
  cumulativeRepeatRate: number | null;
  purchaseFrequency: number | null;
  averageOrderValue: number | null;
  historicalClv: number | null;
  returnRate: number | null;
}

export function periodKpis(c: PeriodCounts): PeriodKpis {
  return {
    ...c,
    netRevenue: c.revenue - c.returned,
    repeatRate: repeatRate(c.repeaters, c.buyers),
    cumulativeRepeatRate: repeatRate(c.cumulativeRepeaters, c.cumulativeBuyers),
    purchaseFrequency: purchaseFrequency(c.purchases, c.buyers),
    averageOrderValue: averageOrderValue(c.revenue, c.purchases),
    historicalClv: historicalClv(c.cumulativeRevenue, c.cumulativeReturned, c.cumulativeBuyers),
    returnRate: ratio(c.returned, c.revenue),
  };
}

/**
 * Period counts straight from invoices, for the table tests and as the reference the SQL is checked against:
 * each purchase is (account, day, value), each return (account, day, value returned).
 */
export function countsFromInvoices(
  purchases: Array<{ account: string; day: string; value: number }>,
  returns: Array<{ account: string; day: string; value: number }>,
  period: Period,
  start: string,
): PeriodCounts {
  const end = nextPeriodStart(start, period);
  const inPeriod = (d: string) => d >= start && d < end;
  const per = new Map<string, number>();
  const upTo = new Map<string, string[]>();
  let purchasesN = 0;
  let revenue = 0;
  let cumulativeRevenue = 0;
  for (const p of purchases) {
    if (p.day < end) {
      cumulativeRevenue += p.value;
      upTo.set(p.account, [...(upTo.get(p.account) ?? []), p.day]);
    }
    if (!inPeriod(p.day)) continue;
    purchasesN++;
    revenue += p.value;
    per.set(p.account, (per.get(p.account) ?? 0) + 1);
  }
  const inRange = returns.filter((r) => inPeriod(r.day));
  const firstDays = [...upTo.values()].map((days) => [...days].sort()[0]!);
  return {
    buyers: per.size,
    repeaters: [...per.values()].filter((n) => n >= 2).length,
    purchases: purchasesN,
    revenue,
    returns: inRange.length,
    returned: inRange.reduce((s, r) => s + r.value, 0),
    cumulativeBuyers: upTo.size,
    cumulativeRepeaters: [...upTo.values()].filter((d) => d.length >= 2).length,
    cumulativeRevenue,
    cumulativeReturned: returns.filter((r) => r.day < end).reduce((s, r) => s + r.value, 0),
    newBuyers: firstDays.filter(inPeriod).length,
  };
}
